"""The per-token limiter on a fake clock: the bound holds in every window, concurrently too, and is used fully."""

import threading

import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, SERVICE_CONFIG, TOKEN_TEXT, FakeTime

from abctl.apple.client import AppsBooksClient
from abctl.apple.ratelimit import RateLimiter
from abctl.apple.stoken import parse_stoken


class LockedTime(FakeTime):
    """A fake clock several threads may sleep on."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self.lock:
            super().sleep(seconds)


def _assert_bound(times: list[float], rate: int, window: float = 1.0) -> None:
    times = sorted(times)
    for index in range(len(times) - rate):
        assert times[index + rate] - times[index] >= window - 1e-9, (index, times[index : index + rate + 1])


def test_never_more_than_the_rate_in_any_window_and_no_budget_wasted() -> None:
    time = FakeTime()
    limiter = RateLimiter(15, clock=time.clock, sleep=time.sleep)
    sent = []
    for _ in range(60):
        with limiter.request():
            sent.append(time.now)
    _assert_bound(sent, 15)
    assert sent[-1] - sent[0] == pytest.approx(3.0)  # 60 requests at 15 a second: 4 windows, not a moment more


def test_a_request_still_in_flight_holds_its_place_until_the_margin() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]  # no answer yet
    start = time.now
    limiter.acquire()
    assert time.now - start == pytest.approx(1.1)  # Apple may have counted them as late as sent + 0.1 s
    assert all(slot.stamp == start + 0.1 for slot in slots)


def test_an_early_answer_frees_the_place_sooner() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]
    start = time.now
    time.now += 0.02  # answers came back after 20 ms
    for slot in slots:
        limiter.release(slot)
    limiter.acquire()
    assert time.now - start == pytest.approx(1.02)


def test_a_late_answer_holds_the_place_until_one_window_after_it() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]
    start = time.now
    time.now += 0.25  # a busy server: Apple may have counted these as late as their answers, 250 ms after sending
    for slot in slots:
        limiter.release(slot)
    limiter.acquire()
    assert time.now - start == pytest.approx(1.25)


def test_set_rate_changes_the_budget() -> None:
    time = FakeTime()
    limiter = RateLimiter(15, clock=time.clock, sleep=time.sleep)
    limiter.set_rate(2)
    for _ in range(4):
        with limiter.request():
            pass
    assert time.now - 1000.0 == pytest.approx(1.0)


def test_threads_share_the_budget() -> None:
    time = LockedTime()
    limiter = RateLimiter(15, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            with limiter.request() as slot, lock:
                sent.append(slot.sent)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 120
    _assert_bound(sent, 15)


def test_the_client_uses_apples_max_request_per_second(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    limits = SERVICE_CONFIG["limits"] | {"maxRequestPerSecond": 3}
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG | {"limits": limits})
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG, is_reusable=True)
    client = AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None), sleep=fake_time.sleep, clock=fake_time.clock)
    for _ in range(8):
        client.client_config()
    # service/config + 8 calls = 9 requests at 3 per second: sent at 0, 0, 0, 1, 1, 1, 2, 2, 2
    assert fake_time.now - 1000.0 == pytest.approx(2.0)
    assert client.requests_sent == 9


def test_without_max_request_per_second_the_client_allows_15(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    limits = {k: v for k, v in SERVICE_CONFIG["limits"].items() if k != "maxRequestPerSecond"}
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG | {"limits": limits})
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG, is_reusable=True)
    client = AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None), sleep=fake_time.sleep, clock=fake_time.clock)
    for _ in range(29):
        client.client_config()
    assert client.service_config().limits.max_request_per_second == 15
    assert fake_time.now - 1000.0 == pytest.approx(1.0)  # 30 requests: two windows of 15
