"""Reads against Apple's documented payloads: exact headers and query strings, models, the content lookup."""

import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import ASSET, BASE, CLIENT_CONFIG, LOOKUP, SERVICE_CONFIG, TOKEN_TEXT, FakeTime, page

from abctl import __version__
from abctl.apple.client import AppsBooksClient
from abctl.apple.ownership import is_claimed_by_other
from abctl.errors import AppleAPIError
from abctl.models.apple import AppleUser, AppMetadata, Assignment, ClientConfig, Limits, MdmInfo
from abctl.models.enums import TargetKind


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def _sent(httpx_mock: HTTPXMock) -> list[str]:
    return [f"{r.method} {r.url}" for r in httpx_mock.get_requests() if not r.url.path.endswith("service/config")]


def test_every_request_carries_the_whole_token_file_as_bearer(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    client.client_config()
    for request in httpx_mock.get_requests():
        assert request.headers["Authorization"] == f"Bearer {TOKEN_TEXT}"
        assert request.headers["User-Agent"] == f"abctl/{__version__}"


def test_service_config_limits_cached_and_reread_after_five_minutes(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    config = client.service_config()
    assert config.limits == Limits()
    assert config.urls["contentMetadataLookup"] == LOOKUP
    assert config.error_codes[9999] == "Something new from Apple"
    assert config.invite_url("abc") == (
        "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount?inviteCode=abc&mt=8"
    )
    client.service_config()
    fake_time.now += 299
    client.service_config()
    assert len(httpx_mock.get_requests(url=BASE + "service/config")) == 1
    fake_time.now += 1
    client.service_config()
    assert len(httpx_mock.get_requests(url=BASE + "service/config")) == 2


def test_max_request_per_second_defaults_to_15_when_absent() -> None:
    from abctl.apple import wire

    assert wire.service_config({"limits": {"maxAssets": 10}}).limits == Limits(max_assets=10)


def test_client_config_parses_apples_example(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    assert client.client_config() == ClientConfig(
        location_name="PS01", uid="2049025000431439", country="US", default_platform="volumestore",
        website_url="https://school.apple.com", token_expires_at=datetime(2030, 11, 8, 22, 33, 22, tzinfo=UTC),
        mdm_info=MdmInfo("522d5c43-aaaa", "Apple Configurator 2", "2.13.3"),
        notification_url="https://www.next.com/notification",
        subscribed_notification_types=("ASSET_COUNT", "ASSET_MANAGEMENT", "USER_MANAGEMENT", "USER_ASSOCIATED"),
    )  # fmt: skip
    assert _sent(httpx_mock) == [f"GET {BASE}client/config"]


def test_claim_location_posts_mdm_info_only(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", method="POST", json=CLIENT_CONFIG | {"mdmInfo": {
        "id": "ours", "name": "abctl", "metadata": "abctl 1.0 on host"}})  # fmt: skip
    config = client.claim_location(MdmInfo("ours", "abctl", "abctl 1.0 on host"))
    request = httpx_mock.get_requests(method="POST")[0]
    assert json.loads(request.content) == {"mdmInfo": {"id": "ours", "name": "abctl", "metadata": "abctl 1.0 on host"}}
    assert request.headers["Content-Type"] == "application/json"
    assert not is_claimed_by_other(config, "ours")
    assert is_claimed_by_other(config, "someone-else")
    assert not is_claimed_by_other(ClientConfig("L", "1", None, None, None, None, None), "ours")


def test_assets_with_filters_and_the_exact_query(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    url = BASE + "assets?productType=App&revocable=true&minAvailableCount=1"
    httpx_mock.add_response(url=url, json={"assets": [ASSET], "currentPageIndex": 0, "size": 1, "totalPages": 1,
                                           "versionId": "abc"})  # fmt: skip
    listing = client.list_assets(productType="App", revocable=True, minAvailableCount=1)
    assert _sent(httpx_mock) == [f"GET {url}"]
    assert (listing.version_id, listing.pages) == ("abc", 1)
    asset = listing.items[0]
    assert (asset.adam_id, asset.pricing_param, asset.product_type, asset.total, asset.assigned, asset.available,
            asset.retired, asset.device_assignable, asset.revocable, asset.platforms) == (
        "408709785", "STDQ", "App", 15000, 5000, 10000, 0, True, True, ("iOS",))  # fmt: skip


def test_assignments_filters_and_both_target_kinds(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    url = BASE + "assignments?adamId=361309726&serialNumber=C02X&clientUserId=client-1"
    items = [{"adamId": "361309726", "pricingParam": "STDQ", "clientUserId": "client-1"},
             {"adamId": "361309726", "pricingParam": "PLUS", "serialNumber": "C02X"}]  # fmt: skip
    httpx_mock.add_response(url=url, json=page(0, 1, "v9", items=items))
    listing = client.list_assignments(adam_id="361309726", serial_number="C02X", client_user_id="client-1")
    assert _sent(httpx_mock) == [f"GET {url}"]
    assert listing.items == (
        Assignment("361309726", "STDQ", TargetKind.USER, "client-1"),
        Assignment("361309726", "PLUS", TargetKind.DEVICE, "C02X"),
    )


def test_users_and_since_version_id_on_every_page(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    first = [{"clientUserId": "u1", "email": "u1@x.org", "idHash": "h", "status": "Associated"}]
    second = [{"clientUserId": "u2", "email": "u2@x.org", "inviteCode": "c0de", "status": "Registered"}]
    httpx_mock.add_response(url=BASE + "users?sinceVersionId=v7", json=page(0, 2, "v8", "users", first))
    httpx_mock.add_response(url=BASE + "users?sinceVersionId=v7&pageIndex=1", json=page(1, 2, "v8", "users", second))
    listing = client.list_users(since_version_id="v7")
    assert _sent(httpx_mock) == [f"GET {BASE}users?sinceVersionId=v7", f"GET {BASE}users?sinceVersionId=v7&pageIndex=1"]
    assert listing.version_id == "v8"
    assert listing.items == (
        AppleUser("u1", "Associated", email="u1@x.org", id_hash="h"),
        AppleUser("u2", "Registered", email="u2@x.org", invite_code="c0de"),
    )


def test_since_version_id_round_trip(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assignments", json=page(0, 1, "v1"))
    httpx_mock.add_response(url=BASE + "assignments?sinceVersionId=v1", json=page(0, 1, "v2", items=[]) | {
        "assignments": [], "size": 0})  # fmt: skip
    full = client.list_assignments()
    delta = client.list_assignments(since_version_id=full.version_id)
    assert (full.version_id, len(full.items), delta.version_id, delta.items) == ("v1", 1, "v2", ())


def test_the_users_filter_by_client_user_id(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "users?clientUserId=u%201", json=page(0, 1, "v", "users", [
        {"clientUserId": "u 1", "status": "Retired"}]))  # fmt: skip
    assert client.list_users(client_user_id="u 1").items == (AppleUser("u 1", "Retired"),)


def test_an_unreadable_record_is_an_apple_api_error(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets", json=page(0, 1, key="assets", items=[{"pricingParam": "STDQ"}]))
    with pytest.raises(AppleAPIError) as caught:
        client.list_assets()
    assert caught.value.message == "Apple's answer to GET assets could not be read (the field `adamId` is missing)"


def test_a_200_that_is_not_json_is_an_apple_api_error(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", text="<html>maintenance</html>")
    with pytest.raises(AppleAPIError) as caught:
        client.client_config()
    assert caught.value.message == "Apple's answer to GET client/config could not be read (not a JSON object)"


def test_content_lookup_query_and_results(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    url = LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=361309726,408709785"
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    httpx_mock.add_response(url=url, json={"results": {
        "361309726": {"name": "Pages", "kind": "iosSoftware", "bundleId": "com.apple.Pages",
                      "deviceFamilies": ["iphone", "ipad"]},
        "408709785": {"name": "Planetarium", "platforms": ["iOS", "macOS"]},
        "1": {"kind": "no name"}}})  # fmt: skip
    found = client.app_metadata(["361309726", "408709785", "361309726"])
    assert found == {
        "361309726": AppMetadata("361309726", "Pages", "iosSoftware", ("iphone", "ipad"), "com.apple.Pages"),
        "408709785": AppMetadata("408709785", "Planetarium", None, ("iOS", "macOS")),
    }
    lookup = httpx_mock.get_requests(url=url)[0]
    assert "Authorization" not in lookup.headers  # the bearer stays with the management API
    assert lookup.headers["Cookie"] == f"itvt={TOKEN_TEXT}"  # Apple's lookup reads the sToken from this cookie


def test_content_lookup_failures_return_nothing(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("down"), url=LOOKUP + "?version=2&p=mdm-lockup&caller=MDM"
                             "&platform=enterprisestore&cc=gb&l=en&id=1")  # fmt: skip
    httpx_mock.add_response(url=LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=2",
                            status_code=403, json={"errorMessage": "Invalid Stoken"})  # fmt: skip
    httpx_mock.add_response(url=LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=3",
                            text="not json")  # fmt: skip
    assert client.app_metadata(["1"], platform="enterprisestore", country="GB") == {}
    assert client.app_metadata(["2"], platform="volumestore", country="US") == {}
    assert client.app_metadata(["3"], platform="volumestore", country="us") == {}
    assert client.app_metadata([], platform="volumestore", country="us") == {}


def test_content_lookup_with_only_a_name_and_platforms(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=7",
                            json={"results": {"7": {"name": "Seven", "platforms": ["iOS"]}}})  # fmt: skip
    [(key, seven)] = client.app_metadata(["7"], platform="volumestore", country="US").items()
    assert (key, seven.name, seven.kind, seven.platforms, seven.bundle_id, seven.price) == (
        "7",
        "Seven",
        None,
        ("iOS",),
        None,
        None,
    )


def test_content_lookup_asks_for_100_ids_at_a_time(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    ids = [str(1000 + i) for i in range(150)]
    prefix = LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id="
    httpx_mock.add_response(url=prefix + ",".join(ids[:100]), json={"results": {"1000": {"name": "A"}}})
    httpx_mock.add_response(url=prefix + ",".join(ids[100:]), json={"results": {"1149": {"name": "B"}}})
    found = client.app_metadata(ids, platform="volumestore", country="us")
    assert {key: value.name for key, value in found.items()} == {"1000": "A", "1149": "B"}


def test_the_token_cookie_only_goes_to_apple_over_https(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    from abctl.apple.stoken import parse_stoken

    sandbox = "http://127.0.0.1:8999/mdm/v2/"
    client = AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None), base_url=sandbox, sleep=fake_time.sleep,
                             clock=fake_time.clock)  # fmt: skip
    urls = SERVICE_CONFIG["urls"] | {"contentMetadataLookup": "http://127.0.0.1:8999/lookup"}
    httpx_mock.add_response(url=sandbox + "service/config", json=SERVICE_CONFIG | {"urls": urls})
    httpx_mock.add_response(url="http://127.0.0.1:8999/lookup?version=2&p=mdm-lockup&caller=MDM&platform=volumestore"
                            "&cc=us&l=en&id=1", json={"results": {"1": {"name": "One"}}})  # fmt: skip
    assert client.app_metadata(["1"], platform="volumestore", country="US")["1"].name == "One"
    lookup = httpx_mock.get_requests(url=re.compile(r".*/lookup.*"))[0]
    assert "Cookie" not in lookup.headers and "Authorization" not in lookup.headers
