"""What Apple really does, as production clients met it (apple-api.md 10): a synchronous 9609 naming the unknown
users, errors carried by HTTP 200 handled exactly like their HTTP forms, and a 500 with Retry-After honoured
within the retry budget (writes included: a synchronous error answer means nothing was queued)."""

import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, LOOKUP, SERVICE_CONFIG, FakeTime

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.errors import AppleUnavailableError, TokenError, UnknownUserError
from abctl.models.apple import AppMetadata
from abctl.models.enums import TargetKind

CONFIG = BASE + "client/config"
ASSOCIATE = BASE + "assets/associate"
USERS = AssetBatch((("408709785", "STDQ"),), TargetKind.USER, ("alice", "ghost", "nobody"))


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def test_a_synchronous_9609_names_the_unknown_users(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ASSOCIATE, status_code=400, json={
        "errorNumber": 9609, "errorMessage": "Registered user not found",
        "errorInfo": {"clientUserIds": ["ghost", "nobody"]}})  # fmt: skip
    with pytest.raises(UnknownUserError) as caught:
        client.associate(USERS)
    error = caught.value
    assert (error.status_code, error.error_number, error.client_user_ids) == (400, 9609, ("ghost", "nobody"))
    assert error.hint == "invite the user first: abctl users invite ID"
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 1  # refused: never sent again as is
    request = httpx_mock.get_requests(url=ASSOCIATE)[0]
    assert request.read() == (b'{"assets":[{"adamId":"408709785","pricingParam":"STDQ"}],'
                              b'"clientUserIds":["alice","ghost","nobody"]}')  # fmt: skip


def test_a_9609_without_error_info_names_nobody(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ASSOCIATE, status_code=400, json={"errorNumber": 9609})
    with pytest.raises(UnknownUserError) as caught:
        client.associate(USERS)
    assert caught.value.client_user_ids == ()


@pytest.mark.parametrize("number,status", [(9601, "login_required"), (9621, "expired"), (9622, "invalid"),
                                           (9625, "revoked"), (9722, "invalid")])  # fmt: skip
@pytest.mark.parametrize("http_status", [200, 401])
def test_auth_errors_are_the_same_whatever_the_http_status(
    client: AppsBooksClient, httpx_mock: HTTPXMock, number: int, status: str, http_status: int
) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=http_status, json={"errorNumber": number, "errorMessage": "x"})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    assert (caught.value.status, caught.value.error_number, caught.value.exit_code) == (status, number, 3)
    assert len(httpx_mock.get_requests(url=CONFIG)) == 1  # a refused token is not asked twice


@pytest.mark.parametrize("http_status", [200, 429])
def test_9646_with_http_200_backs_off_like_429(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime, http_status: int
) -> None:
    for _ in range(2):
        httpx_mock.add_response(url=ASSOCIATE, status_code=http_status, json={"errorNumber": 9646})
    httpx_mock.add_response(url=ASSOCIATE, json={"eventId": "e1"})
    assert client.associate(USERS) == "e1"
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 3
    assert len(fake_time.waits()) == 2 and 0.25 <= fake_time.waits()[0] <= 0.5  # the same jittered backoff


def test_9646_with_http_200_gives_up_like_429(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CONFIG, json={"errorNumber": 9646}, is_reusable=True)
    with pytest.raises(AppleUnavailableError) as caught:
        client.client_config()
    assert (caught.value.error_number, caught.value.exit_code) == (9646, 6)
    assert len(httpx_mock.get_requests(url=CONFIG)) == 6


def test_a_500_with_retry_after_waits_that_long_on_reads(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=500, headers={"Retry-After": "12"}, json={"errorNumber": 9603})
    httpx_mock.add_response(url=CONFIG, json=CLIENT_CONFIG)
    assert client.client_config().location_name == "PS01"
    assert fake_time.waits() == [12.0]


def test_a_write_refused_with_500_and_retry_after_is_sent_again_after_the_pause(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=ASSOCIATE, status_code=500, headers={"Retry-After": "3"}, json={"errorNumber": 9603})
    httpx_mock.add_response(url=ASSOCIATE, json={"eventId": "e2"})
    assert client.associate(USERS) == "e2"
    assert fake_time.waits() == [3.0] and len(httpx_mock.get_requests(url=ASSOCIATE)) == 2


def test_a_retry_after_beyond_the_budget_is_not_waited(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=500, headers={"Retry-After": "600"}, json={"errorNumber": 9603})
    with pytest.raises(AppleUnavailableError) as caught:
        client.client_config()
    assert caught.value.error_number == 9603 and fake_time.waits() == []


def test_a_500_without_retry_after_on_a_write_is_still_not_resent(
    client: AppsBooksClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=ASSOCIATE, status_code=500, text="<html>proxy error</html>")
    with pytest.raises(AppleUnavailableError):
        client.associate(USERS)
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 1


def test_the_lookup_gives_what_zentral_reads_and_more(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    url = LOOKUP + "?version=2&p=mdm-lockup&caller=MDM&platform=volumestore&cc=us&l=en&id=408709785,7"
    httpx_mock.add_response(url=url, json={"results": {
        "408709785": {"name": "Planetarium", "bundleId": "com.example.planetarium", "kind": "software",
                      "artwork": {"url": "https://is1.example/{w}x{h}bb.{f}", "width": 1024, "height": 1024},
                      "url": "https://apps.apple.com/us/app/planetarium/id408709785", "platforms": ["iOS"],
                      "offers": [{"price": 2.99, "priceFormatted": "$2.99", "currencyCode": "USD",
                                  "version": {"display": "5.1.0"}, "assets": [{"size": 73400320}]}]},
        "7": {"name": "Odd", "offers": [{"price": "free", "version": "x", "assets": "none"}],
              "artwork": []}}})  # fmt: skip
    found = client.app_metadata(["408709785", "7"], platform="volumestore", country="US")
    assert found["408709785"] == AppMetadata(
        "408709785", "Planetarium", "software", ("iOS",), "com.example.planetarium", "5.1.0", 2.99, "$2.99", "USD",
        73400320, "https://is1.example/{w}x{h}bb.{f}", "https://apps.apple.com/us/app/planetarium/id408709785",
    )  # fmt: skip
    assert found["7"] == AppMetadata("7", "Odd")  # fields of the wrong type are left out, not a failure
    assert httpx_mock.get_requests(url=url)[0].extensions["timeout"]["read"] == 5.0  # never holds a sync up long
