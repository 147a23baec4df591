"""The Apple client against Apple's documented payloads (pytest-httpx): headers, pages, errors, retries."""

import re
import threading

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, SERVICE_CONFIG, TOKEN_TEXT, FakeTime

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.errors import (
    AppleAPIError,
    AppleUnavailableError,
    NotEnoughLicensesError,
    StaleVersionError,
    TokenError,
    VersionChangedError,
    WriteOutcomeUnknownError,
)
from abctl.models import EventState, TargetKind

ASSET = {"adamId": "408709785", "assignedCount": 5000, "availableCount": 10000, "deviceAssignable": True,
         "pricingParam": "STDQ", "productType": "App", "retiredCount": 0, "revocable": True,
         "supportedPlatforms": ["iOS"], "totalCount": 15000}  # fmt: skip


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def page(
    index: int, total: int, version: str = "v1", key: str = "assignments", items: list[dict] | None = None
) -> dict:
    body = {key: items or [{"adamId": "1", "pricingParam": "STDQ", "serialNumber": f"S{index}"}],
            "currentPageIndex": index, "size": 1, "totalPages": total, "versionId": version}  # fmt: skip
    if index + 1 < total:
        body["nextPageIndex"] = index + 1
    return body


def test_bearer_is_the_whole_token_file_and_assets_parse(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets", json={"assets": [ASSET], "currentPageIndex": 0, "size": 1,
                                                        "totalPages": 1, "versionId": "abc"})  # fmt: skip
    listing = client.list_assets()
    request = httpx_mock.get_requests(url=BASE + "assets")[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN_TEXT}"
    assert listing.version_id == "abc"
    asset = listing.items[0]
    assert (asset.adam_id, asset.total, asset.assigned, asset.available, asset.platforms) == (
        "408709785",
        15000,
        5000,
        10000,
        ("iOS",),
    )


def test_pages_are_fetched_in_parallel_but_never_more_than_five(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    barrier_hits: list[int] = []

    def respond(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        index = int(request.url.params.get("pageIndex", "0"))
        barrier_hits.append(index)
        threading.Event().wait(0.02)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json=page(index, 12))

    httpx_mock.add_callback(respond, url=re.compile(BASE + r"assignments.*"), is_reusable=True)
    listing = client.list_assignments()
    assert [a.target_id for a in listing.items] == [f"S{i}" for i in range(12)]
    assert listing.pages == 12
    assert 1 < peak <= 5
    assert sorted(barrier_hits) == list(range(12))


def test_since_version_id_is_sent_on_every_page(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "users?sinceVersionId=v7", json=page(0, 2, "v8", "users",
                            [{"clientUserId": "u1", "status": "Associated", "idHash": "h"}]))  # fmt: skip
    httpx_mock.add_response(url=BASE + "users?sinceVersionId=v7&pageIndex=1", json=page(1, 2, "v8", "users",
                            [{"clientUserId": "u2", "status": "Registered", "inviteCode": "c"}]))  # fmt: skip
    listing = client.list_users(since_version_id="v7")
    assert listing.version_id == "v8"
    assert [(u.client_user_id, u.status) for u in listing.items] == [("u1", "Associated"), ("u2", "Registered")]


def test_9721_asks_for_a_full_read(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assignments?sinceVersionId=old", status_code=400,
                            json={"errorNumber": 9721, "errorMessage": "Invalid versionId"})  # fmt: skip
    with pytest.raises(StaleVersionError) as caught:
        client.list_assignments(since_version_id="old")
    assert caught.value.error_number == 9721


def test_version_change_mid_walk_restarts_once_then_fails(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    versions = iter(["a", "b", "c", "c", "d", "e", "f", "g"])

    def respond(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params.get("pageIndex", "0"))
        return httpx.Response(200, json=page(index, 2, next(versions)))

    httpx_mock.add_callback(respond, url=re.compile(BASE + r"assignments.*"), is_reusable=True)
    assert client.list_assignments().version_id == "c"  # a/b differ -> restart -> c/c
    with pytest.raises(VersionChangedError):
        client.list_assignments()  # d/e differ, restart, f/g differ again: fail


def test_error_number_with_http_200_is_an_error(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", json={"errorNumber": 9625, "errorMessage": "revoked"})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    assert caught.value.status == "revoked"
    assert caught.value.hint == "Upload a valid Apps and Books sToken, then run: abctl tokens update NAME --file -"


@pytest.mark.parametrize("number,status", [(9601, "login_required"), (9621, "expired"), (9622, "invalid"),
                                           (9625, "revoked"), (9722, "invalid")])  # fmt: skip
def test_auth_errors_carry_status(client: AppsBooksClient, httpx_mock: HTTPXMock, number: int, status: str) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=401, json={"errorNumber": number})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    assert (caught.value.status, caught.value.exit_code) == (status, 3)


def test_429_is_retried_with_bounded_backoff(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    for _ in range(2):
        httpx_mock.add_response(url=BASE + "client/config", status_code=429, json={"errorNumber": 9646})
    httpx_mock.add_response(url=BASE + "client/config", json={"locationName": "PS01", "uId": "2049"})
    assert client.client_config().uid == "2049"
    assert len([s for s in fake_time.sleeps if s > 0.01]) == 2


def test_retry_after_is_honoured_and_attempts_are_bounded(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=503, headers={"Retry-After": "7"},
                            json={"errorNumber": 9729}, is_reusable=True)  # fmt: skip
    with pytest.raises(AppleUnavailableError) as caught:
        client.client_config()
    assert caught.value.exit_code == 6
    assert [s for s in fake_time.sleeps if s >= 1] == [7.0] * 5
    assert len(httpx_mock.get_requests(url=BASE + "client/config")) == 6


def test_writes_are_not_retried_after_a_dropped_answer(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=BASE + "assets/associate")
    batch = AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S1",))
    with pytest.raises(WriteOutcomeUnknownError):
        client.associate(batch)
    assert len(httpx_mock.get_requests(url=BASE + "assets/associate")) == 1


def test_associate_body_and_event_status_with_partial_failures(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets/associate", json={"eventId": "954910a8", "uId": "1"})
    httpx_mock.add_response(url=BASE + "status?eventId=954910a8", json={
        "eventStatus": "FAILED", "eventType": "ASSOCIATE", "numCompleted": 14, "numRequested": 16,
        "failures": [{"errorInfo": {"clientUserIds": ["client-4"]}, "errorNumber": 9609,
                      "errorMessage": "Registered user not found"}]})  # fmt: skip
    event_id = client.associate(AssetBatch((("361309726", "STDQ"),), TargetKind.USER, ("client-1", "client-4")))
    request = httpx_mock.get_requests(url=BASE + "assets/associate")[0]
    assert request.headers["Content-Type"] == "application/json"
    import json

    assert json.loads(request.content) == {"assets": [{"adamId": "361309726", "pricingParam": "STDQ"}],
                                           "clientUserIds": ["client-1", "client-4"]}  # fmt: skip
    status = client.wait_for_event(event_id, poll_interval=0, deadline_seconds=10)
    assert (status.state, status.num_requested, status.num_completed) == (EventState.FAILED, 16, 14)
    assert status.failures[0].client_user_ids == ("client-4",)


def test_9709_maps_to_not_enough_licenses(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "assets/associate", status_code=400, json={"errorNumber": 9709})
    with pytest.raises(NotEnoughLicensesError) as caught:
        client.associate(AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S",)))
    assert caught.value.message == "Apple error 9709: Not enough licenses"


def test_http_error_without_error_number(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "client/config", status_code=404, text="<html>nope</html>")
    with pytest.raises(AppleAPIError) as caught:
        client.client_config()
    assert caught.value.message == "Apple answered HTTP 404 without an error number"


def test_trace_never_contains_the_token(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    from datetime import UTC, datetime

    from abctl.apple.stoken import parse_stoken

    lines: list[str] = []
    token = parse_stoken(TOKEN_TEXT, now=datetime(2026, 1, 1, tzinfo=UTC))
    client = AppsBooksClient(token, trace=lines.append, sleep=fake_time.sleep, clock=fake_time.clock)
    httpx_mock.add_response(url=BASE + "client/config", status_code=401, json={"errorNumber": 9622})
    with pytest.raises(TokenError) as caught:
        client.client_config()
    everything = "\n".join([*lines, str(caught.value), repr(caught.value), repr(client), repr(token)])
    assert "GET https://vpp.itunes.apple.com/mdm/v2/client/config -> 401" in everything
    assert TOKEN_TEXT not in everything and "s3cr3t" not in everything


def test_rate_limiter_never_exceeds_the_rate_in_any_window() -> None:
    from abctl.apple.ratelimit import RateLimiter

    now = [0.0]
    sent: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(15, clock=lambda: now[0], sleep=sleep, window=1.0)
    for _ in range(60):
        limiter.acquire()
        sent.append(now[0])
    for index in range(len(sent) - 15):
        assert sent[index + 15] - sent[index] >= 1.0
    assert sent[-1] < 4.0  # 60 requests at 15 per second: the limiter does not waste the budget


def test_every_write_endpoint_sends_apple_shapes(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    import json

    from abctl.apple.batching import RevokeBatch

    for path in ("assets/disassociate", "assets/revoke", "users/create", "users/update", "users/retire"):
        httpx_mock.add_response(url=BASE + path, json={"eventId": path, "uId": "1"})
    batch = AssetBatch((("1", "PLUS"),), TargetKind.DEVICE, ("S1",))
    assert client.disassociate(batch) == "assets/disassociate"
    assert client.revoke(RevokeBatch(TargetKind.USER, ("u1", "u2"))) == "assets/revoke"
    assert client.create_users([{"client_user_id": "u1", "email": "u1@x.org", "managed_apple_id": None}]) == (
        "users/create"
    )
    assert client.update_users([{"client_user_id": "u1", "managed_apple_id": "u1@x.org"}]) == "users/update"
    assert client.retire_users(["u1"]) == "users/retire"
    bodies = {r.url.path.removeprefix("/mdm/v2/"): json.loads(r.content) for r in httpx_mock.get_requests()
              if r.method == "POST"}  # fmt: skip
    assert bodies == {
        "assets/disassociate": {"assets": [{"adamId": "1", "pricingParam": "PLUS"}], "serialNumbers": ["S1"]},
        "assets/revoke": {"clientUserIds": ["u1", "u2"]},
        "users/create": {"users": [{"clientUserId": "u1", "email": "u1@x.org"}]},
        "users/update": {"users": [{"clientUserId": "u1", "managedAppleId": "u1@x.org"}]},
        "users/retire": {"users": [{"clientUserId": "u1"}]},
    }


def test_service_config_is_cached_and_limits_parsed(client: AppsBooksClient, httpx_mock: HTTPXMock,
                                                     fake_time: FakeTime) -> None:  # fmt: skip
    first = client.service_config()
    client.service_config()
    assert len(httpx_mock.get_requests(url=BASE + "service/config")) == 1
    assert (first.limits.max_assets, first.limits.max_request_per_second) == (25, 15)
    assert first.invite_url("abc") == "https://buy.itunes.apple.com/x?inviteCode=abc&mt=8"
    fake_time.now += 301
    client.service_config()
    assert len(httpx_mock.get_requests(url=BASE + "service/config")) == 2
