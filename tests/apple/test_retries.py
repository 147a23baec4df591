"""Retries: bounded in attempts and in total wait, Retry-After honoured, writes sent again only when safe."""

import random
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, SERVICE_CONFIG, TOKEN_TEXT, FakeTime

from abctl.apple.batching import AssetBatch
from abctl.apple.client import AppsBooksClient
from abctl.apple.retry import RetryPolicy, retry_after_seconds, should_retry
from abctl.apple.stoken import parse_stoken
from abctl.errors import AppleUnavailableError, InvalidRequestError, WriteOutcomeUnknownError
from abctl.models.enums import TargetKind

CONFIG = BASE + "client/config"
ASSOCIATE = BASE + "assets/associate"
BATCH = AssetBatch((("1", "STDQ"),), TargetKind.DEVICE, ("S1",))


@pytest.fixture(autouse=True)
def service_config(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_optional=True, is_reusable=True)


def test_429_is_retried_with_exponential_backoff_and_jitter(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    for _ in range(3):
        httpx_mock.add_response(url=CONFIG, status_code=429, json={"errorNumber": 9646})
    httpx_mock.add_response(url=CONFIG, json=CLIENT_CONFIG)
    assert client.client_config().uid == "2049025000431439"
    waits = fake_time.waits()
    assert len(waits) == 3
    for attempt, wait in enumerate(waits, start=1):
        assert 0.25 * 2 ** (attempt - 1) <= wait <= 0.5 * 2 ** (attempt - 1)


def test_9646_delivered_with_http_200_is_retried_too(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CONFIG, json={"errorNumber": 9646, "errorMessage": "Too many requests"})
    httpx_mock.add_response(url=CONFIG, json=CLIENT_CONFIG)
    assert client.client_config().location_name == "PS01"


def test_retry_after_is_honoured_and_attempts_are_bounded(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=503, headers={"Retry-After": "7"}, json={"errorNumber": 9729},
                            is_reusable=True)  # fmt: skip
    with pytest.raises(AppleUnavailableError) as caught:
        client.client_config()
    assert (caught.value.exit_code, caught.value.error_number) == (6, 9729)
    assert fake_time.waits() == [7.0] * 5
    assert len(httpx_mock.get_requests(url=CONFIG)) == 6


def test_total_wait_is_bounded(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    token = parse_stoken(TOKEN_TEXT, now=None)
    policy = RetryPolicy(max_attempts=10, max_total_wait=10)
    client = AppsBooksClient(token, sleep=fake_time.sleep, clock=fake_time.clock, retry=policy)
    httpx_mock.add_response(url=CONFIG, status_code=500, headers={"Retry-After": "4"}, json={"errorNumber": 9603},
                            is_reusable=True)  # fmt: skip
    with pytest.raises(AppleUnavailableError):
        client.client_config()
    assert fake_time.waits() == [4.0, 4.0]  # a third pause would pass 10 s
    assert len(httpx_mock.get_requests(url=CONFIG)) == 3


def test_a_retry_after_longer_than_the_budget_fails_at_once(
    client: AppsBooksClient, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=503, headers={"Retry-After": "3600"}, json={"errorNumber": 9729})
    with pytest.raises(AppleUnavailableError):
        client.client_config()
    assert fake_time.waits() == []


def test_5xx_without_error_number_is_retried_on_reads(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=502, text="bad gateway")
    httpx_mock.add_response(url=CONFIG, status_code=500, json={"errorNumber": 9603})
    httpx_mock.add_response(url=CONFIG, json={"errorNumber": 9644, "errorMessage": "maintenance"})
    httpx_mock.add_response(url=CONFIG, json=CLIENT_CONFIG)
    assert client.client_config().uid == "2049025000431439"


def test_transport_errors_on_reads_are_retried(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=CONFIG)
    httpx_mock.add_exception(httpx.RemoteProtocolError("dropped"), url=CONFIG)
    httpx_mock.add_response(url=CONFIG, json=CLIENT_CONFIG)
    assert client.client_config().uid == "2049025000431439"


def test_caller_errors_are_not_retried(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CONFIG, status_code=400, json={"errorNumber": 9602})
    with pytest.raises(InvalidRequestError):
        client.client_config()
    assert len(httpx_mock.get_requests(url=CONFIG)) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429, json={"errorNumber": 9646}),
        httpx.Response(200, json={"errorNumber": 9646}),
        httpx.Response(503, json={"errorNumber": 9729}, headers={"Retry-After": "2"}),
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("no route"),
    ],
    ids=["429", "9646-with-200", "503-9729", "connect-error", "connect-timeout"],
)
def test_writes_are_sent_again_when_apple_certainly_did_not_take_them(
    client: AppsBooksClient, httpx_mock: HTTPXMock, failure: httpx.Response | Exception
) -> None:
    if isinstance(failure, Exception):
        httpx_mock.add_exception(failure, url=ASSOCIATE)
    else:
        httpx_mock.add_response(url=ASSOCIATE, status_code=failure.status_code, json=failure.json(),
                                headers=dict(failure.headers))  # fmt: skip
    httpx_mock.add_response(url=ASSOCIATE, json={"eventId": "e1"})
    assert client.associate(BATCH) == "e1"
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 2


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), httpx.ReadError("reset")]
)
def test_a_write_that_may_have_landed_is_not_sent_again(
    client: AppsBooksClient, httpx_mock: HTTPXMock, failure: Exception
) -> None:
    httpx_mock.add_exception(failure, url=ASSOCIATE)
    with pytest.raises(WriteOutcomeUnknownError) as caught:
        client.associate(BATCH)
    assert caught.value.exit_code == 6
    assert caught.value.message.startswith("no answer from Apple to a write")
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 1


def test_a_write_refused_with_500_is_not_sent_again(client: AppsBooksClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ASSOCIATE, status_code=500, json={"errorNumber": 9603})
    with pytest.raises(AppleUnavailableError) as caught:
        client.associate(BATCH)
    assert not isinstance(caught.value, WriteOutcomeUnknownError)
    assert len(httpx_mock.get_requests(url=ASSOCIATE)) == 1


def test_the_retry_rules() -> None:
    assert should_retry(429, None, write=True) and should_retry(200, 9646, write=True)
    assert should_retry(503, None, write=True) and should_retry(400, 9729, write=True)
    assert not should_retry(500, 9603, write=True) and should_retry(500, 9603, write=False)
    assert should_retry(200, 9644, write=False) and not should_retry(200, 9644, write=True)
    assert should_retry(504, 9999, write=False)  # an unknown number on a 5xx is treated as transient
    assert not should_retry(500, 9625, write=False) and not should_retry(400, 9602, write=False)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Sat, 28 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Sat, 28 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(backoff_base=1, backoff_cap=8)
    rng = random.Random(1)
    assert all(4 <= policy.backoff(attempt, rng) <= 8 for attempt in range(4, 30))
