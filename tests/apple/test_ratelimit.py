"""The limiters on a fake clock: the bound holds in every window, concurrently too, and is used fully; a slow
answer costs no rate; after a 9646 the limiter counts conservatively, or merges with the organization's others."""

import threading

import pytest
from pytest_httpx import HTTPXMock
from tests.apple.conftest import BASE, CLIENT_CONFIG, SERVICE_CONFIG, TOKEN_TEXT, FakeTime, token_text

from abctl.apple.client import AppsBooksClient
from abctl.apple.ratelimit import MAX_MARGIN, MIN_MARGIN, RateBudgets, RateLimiter
from abctl.apple.retry import RetryPolicy
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


def _round_trips(limiter: RateLimiter, time: FakeTime, seconds: list[float]) -> None:
    """Requests, one at a time, whose answers take `seconds` each."""
    for rtt in seconds:
        slot = limiter.acquire()
        time.now += rtt
        limiter.release(slot)


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
    for _ in range(3):
        limiter.leaving(limiter.acquire())  # gone, no answer yet
    start = time.now
    limiter.acquire()
    assert time.now - start == pytest.approx(1.1)  # Apple may have counted them as late as sent + 0.1 s


def test_a_place_counts_from_when_the_request_left_not_from_when_it_was_let_through() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]
    time.now += 0.05  # the threads waited for the CPU before their requests left
    for slot in slots:
        limiter.leaving(slot)
    start = time.now
    time.now += 0.3
    for slot in slots:
        limiter.release(slot)
    limiter.acquire()
    assert time.now - start == pytest.approx(1.1)
    assert limiter.margin == 0.1  # (too few round trips, each 0.3 s from leaving to answer, to learn from)


def test_a_round_trip_is_timed_from_when_the_request_started_going_out() -> None:
    """A thread held up after its last byte went out (here 50 ms) does not make that round trip look faster than
    the network allows, which would widen the spread the margin is learned from."""
    time = FakeTime()
    limiter = RateLimiter(15, clock=time.clock, sleep=time.sleep)
    for stall in (0.05, 0.0, 0.0, 0.0, 0.0):
        slot = limiter.acquire()
        limiter.going(slot)
        time.now += stall
        limiter.leaving(slot)
        time.now += 0.3 - stall
        limiter.release(slot)
    assert limiter.margin == MIN_MARGIN  # every round trip took 0.3 s from its headers: no spread


def test_a_request_that_failed_while_going_out_counts_from_its_failure() -> None:
    time = FakeTime()
    limiter = RateLimiter(1, clock=time.clock, sleep=time.sleep, margin=0.1)
    slot = limiter.acquire()
    limiter.going(slot)  # its headers went out, then the connection broke before its last byte
    time.now += 0.3
    limiter.release(slot, answered=False)
    start = time.now
    limiter.acquire()
    assert time.now - start == pytest.approx(1.1)  # Apple may have counted it as late as the failure (+ margin)


def test_an_early_answer_frees_the_place_sooner() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]
    start = time.now
    time.now += 0.02  # answers came back after 20 ms: Apple counted them by then
    for slot in slots:
        limiter.release(slot)
    limiter.acquire()
    assert time.now - start == pytest.approx(1.02)


def test_a_slow_answer_costs_no_rate() -> None:
    """A 300 ms round trip: the places are free one window and the margin after sending, not after the answer."""
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    slots = [limiter.acquire() for _ in range(3)]
    start = time.now
    time.now += 0.3
    for slot in slots:
        limiter.release(slot)
    limiter.acquire()
    assert time.now - start == pytest.approx(1.1)


def test_the_margin_is_learned_from_the_spread_of_the_round_trips() -> None:
    time = FakeTime()
    limiter = RateLimiter(100, clock=time.clock, sleep=time.sleep, margin=0.1)
    _round_trips(limiter, time, [0.3, 0.31, 0.3])
    assert limiter.margin == 0.1  # three answers are too few to learn from
    _round_trips(limiter, time, [0.33, 0.30, 0.32, 0.30, 0.34, 0.30, 0.30, 0.9])  # one outlier in eleven
    # 90th percentile (0.34) minus the fastest (0.30): the outlier is ignored
    assert limiter.margin == pytest.approx(0.04)
    _round_trips(limiter, time, [0.3] * 64)
    assert limiter.margin == MIN_MARGIN  # a steady link still keeps a little for thread scheduling
    _round_trips(limiter, time, [0.1, 2.0] * 32)
    assert limiter.margin == MAX_MARGIN


def test_after_a_9646_the_place_is_held_until_one_window_after_the_answer() -> None:
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep, margin=0.1)
    limiter.throttled()
    assert limiter.conservative
    slots = [limiter.acquire() for _ in range(3)]
    start = time.now
    time.now += 0.3
    limiter.release(slots[0])
    limiter.release(slots[1])
    stuck = slots[2]  # no answer yet: it holds its place as long as it is in flight
    limiter.acquire()
    assert time.now - start == pytest.approx(1.3)
    time.now += 5
    moment = time.now
    limiter.acquire()  # the stuck one holds one place only; the other two are long free
    assert time.now == moment and stuck.answered is None


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


def test_tokens_of_one_organization_keep_their_own_budgets_until_apple_shows_it_counts_them_together() -> None:
    time = FakeTime()
    budgets = RateBudgets(clock=time.clock, sleep=time.sleep)
    first, second, other = budgets.limiter("Springfield"), budgets.limiter("Springfield"), budgets.limiter("Lab")
    assert len({id(first), id(second), id(other)}) == 3
    sent = [first.acquire() for _ in range(15)] + [second.acquire() for _ in range(15)]
    assert time.now == 1000.0  # 30 at once: each token has its own 15
    second.throttled()  # one refused token: a late count, as far as abctl can tell
    assert budgets.learned == set() and second.conservative and not first.conservative
    first.throttled()  # a second token refused within the window: the organization has one budget
    assert budgets.learned == {"Springfield"} and budgets.shares("Springfield")
    shared = first.current()
    assert second.current() is shared and shared.conservative and other.current() is other
    assert budgets.limiter("Springfield") is shared  # a token added later joins it
    time.now += 0.2
    for slot in sent:
        shared.release(slot)
    start = time.now
    first.acquire()  # the 30 places the two tokens hold all count until one window after their answers
    assert time.now - start == pytest.approx(1.0)


def test_every_client_of_one_token_shares_its_limiter() -> None:
    """`tokens add` checks a token with one client and syncs it with the next: one budget, not two (at 0 ms the
    check and 15 pages went out within one second: a 9646)."""
    time = FakeTime()
    budgets = RateBudgets(clock=time.clock, sleep=time.sleep)
    checked = budgets.limiter("Springfield", token="digest-a")
    assert budgets.limiter("Springfield", token="digest-a") is checked
    assert budgets.limiter("Springfield", token="digest-b") is not checked
    assert budgets.limiter("", token="digest-c") is budgets.limiter("", token="digest-c")
    with checked.request():
        pass
    synced = budgets.limiter("Springfield", token="digest-a")
    sent = []
    for _ in range(15):
        with synced.request():
            sent.append(time.now)
    assert sent[-1] - sent[0] == pytest.approx(1.0)  # the check took the first of the window's 15 places


def test_refusals_of_two_tokens_more_than_a_window_apart_are_two_late_counts() -> None:
    time = FakeTime()
    budgets = RateBudgets(clock=time.clock, sleep=time.sleep)
    first, second = budgets.limiter("Springfield"), budgets.limiter("Springfield")
    first.throttled()
    time.now += 1.5
    second.throttled()
    assert budgets.learned == set() and first.current() is first and second.current() is second
    assert first.conservative and second.conservative


def test_a_remembered_organization_starts_with_one_budget() -> None:
    time = FakeTime()
    budgets = RateBudgets(["Springfield"], clock=time.clock, sleep=time.sleep)
    first, second = budgets.limiter("Springfield"), budgets.limiter("Springfield")
    assert first is second and not first.conservative and budgets.learned == set()
    assert budgets.limiter("") is not budgets.limiter("")  # a token naming no organization stands alone
    sent = []
    for _ in range(30):
        with first.request():
            sent.append(time.now)
    _assert_bound(sent, 15)


def test_a_limiter_merged_into_a_shared_one_hands_it_its_places_and_its_waiters() -> None:
    time = FakeTime()
    budgets = RateBudgets(clock=time.clock, sleep=time.sleep)
    first, second = budgets.limiter("Org"), budgets.limiter("Org")
    slots = [first.acquire() for _ in range(15)] + [second.acquire()]
    second.throttled()
    first.throttled()
    time.now += 0.2
    for slot in slots:
        first.release(slot)
    slot = first.acquire()  # waits on the shared limiter, which holds all 16 places until 1 s after their answers
    assert time.now == pytest.approx(1001.2) and slot in first.current()._slots


def _client(time: FakeTime, limiter: RateLimiter, secret: str) -> AppsBooksClient:
    return AppsBooksClient(parse_stoken(token_text(secret=secret, org="Springfield"), now=None), sleep=time.sleep,
                           clock=time.clock, limiter=limiter, retry=RetryPolicy())  # fmt: skip


def test_a_9646_from_apple_merges_the_busy_tokens_of_its_organization(httpx_mock: HTTPXMock) -> None:
    time = FakeTime()
    budgets = RateBudgets(clock=time.clock, sleep=time.sleep)
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG, is_reusable=True)
    too_many = {"errorNumber": 9646, "errorMessage": "Too many requests for the current organization"}
    httpx_mock.add_response(url=BASE + "client/config", status_code=429, json=too_many)
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    httpx_mock.add_response(url=BASE + "client/config", status_code=429, json=too_many)
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG, is_reusable=True)
    district = _client(time, budgets.limiter("Springfield"), "district")
    highschool = _client(time, budgets.limiter("Springfield"), "highschool")
    district.client_config()  # 9646, then retried after the backoff (0.5 s at most, with jitter)
    assert budgets.learned == set()
    highschool.client_config()  # 9646 within the same second, then retried
    assert budgets.learned == {"Springfield"}
    assert len(httpx_mock.get_requests(url=BASE + "client/config")) == 4
    sent = []
    for _ in range(20):
        for client in (district, highschool):
            client.client_config()
            sent.append(time.now)
    _assert_bound(sent, 15)  # from now on the two share 15 requests per second


def test_a_9646_carried_by_http_200_makes_the_limiter_conservative(httpx_mock: HTTPXMock) -> None:
    time = FakeTime()
    limiter = RateLimiter(15, clock=time.clock, sleep=time.sleep)
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG)
    httpx_mock.add_response(url=BASE + "client/config", json={"errorNumber": 9646, "errorMessage": "Too many"})
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG)
    client = _client(time, limiter, "alone")
    assert client.client_config().location_name == "PS01"
    assert limiter.conservative


def test_the_client_uses_apples_max_request_per_second(fake_time: FakeTime, httpx_mock: HTTPXMock) -> None:
    limits = SERVICE_CONFIG["limits"] | {"maxRequestPerSecond": 3}
    httpx_mock.add_response(url=BASE + "service/config", json=SERVICE_CONFIG | {"limits": limits})
    httpx_mock.add_response(url=BASE + "client/config", json=CLIENT_CONFIG, is_reusable=True)
    client = AppsBooksClient(parse_stoken(TOKEN_TEXT, now=None), sleep=fake_time.sleep, clock=fake_time.clock)
    for _ in range(8):
        client.client_config()
    # 8 calls at 3 per second (service/config is not limited): sent at 0, 0, 0, 1, 1, 1, 2, 2
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
    assert fake_time.now - 1000.0 == pytest.approx(1.0)  # 29 requests: two windows of 15 at most
