"""The sandbox's rate limit counts each request when it arrived, per location or per organization."""

import itertools
import json
import urllib.error
import urllib.request
from collections.abc import Callable

import httpx
import pytest

from abctl.sandbox.app import SandboxApp
from abctl.sandbox.ratelimit import ARRIVED, RequestCounter
from abctl.sandbox.seeds import Seed
from abctl.sandbox.server import serve


def test_a_request_decided_late_is_counted_at_its_arrival() -> None:
    counter = RequestCounter()
    assert counter.admit("a", "Org", "GET assets", 0.0, rate=2)
    assert counter.admit("a", "Org", "GET assets", 0.9, rate=2)
    # Arrived after 0.0 left the window: admitted, although the handler may decide it much later.
    assert counter.admit("a", "Org", "GET assets", 1.05, rate=2)
    # Arrived at 0.95, decided only now: 0.9, 0.95 and 1.05 would be three within one second.
    assert not counter.admit("a", "Org", "GET assets", 0.95, rate=2)
    # A refused request takes no place: 2.0 shares a window with 1.05 only.
    assert counter.admit("a", "Org", "GET assets", 2.0, rate=2)
    snapshot = counter.snapshot()
    assert snapshot["requests"] == {"a": {"GET assets": 5}}
    assert (snapshot["throttled"], snapshot["throttled_at"]) == (1, {"a": [0.95]})


def test_locations_have_their_own_budgets_unless_the_scope_is_the_organization() -> None:
    own, shared = RequestCounter(), RequestCounter(scope="organization")
    for counter in (own, shared):
        assert counter.admit("a", "Org", "GET assets", 0.0, rate=1)
    assert own.admit("b", "Org", "GET assets", 0.1, rate=1)
    assert not shared.admit("b", "Org", "GET assets", 0.1, rate=1)
    assert shared.admit("c", "Other Org", "GET assets", 0.1, rate=1)
    assert shared.snapshot()["throttled_at"] == {"b": [0.1]}


def test_reset_forgets_the_statistics_but_not_the_window() -> None:
    counter = RequestCounter()
    assert counter.admit("a", "Org", "GET assets", 0.0, rate=1)
    assert not counter.admit("a", "Org", "GET assets", 0.5, rate=1)
    counter.reset()
    assert counter.snapshot()["requests"] == {} and counter.throttled == 0
    assert not counter.admit("a", "Org", "GET assets", 0.6, rate=1)


def test_an_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="location, organization"):
        RequestCounter(scope="token")


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_over_http_the_accept_loop_stamps_arrival_not_the_handler(seed: Seed) -> None:
    """The server's clock is read on accept; the handler's clock (the state's) stands still at 5.0 here, so a
    sandbox counting in its handlers would refuse the third request."""
    accepts = iter([0.0, 0.5, 1.0, 1.2])
    seed.state.clock = lambda: 5.0
    seed.state.max_request_per_second = 2
    token = seed.tokens[0].text
    with serve(SandboxApp(seed.state), clock=lambda: next(accepts)) as running:
        statuses = [_get(f"{running.api_url}client/config", token) for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # 0.5, 1.0 and 1.2 are three within a second
    assert seed.state.stats()["throttled_at"] == {"district": [1.2]}  # seconds after the first arrival


def test_in_process_arrival_is_the_call_and_9646_names_the_organization(seed: Seed) -> None:
    seen: list[float] = []
    ticks = itertools.count()
    seed.state.clock = lambda: float(next(ticks)) / 10  # 0.0, 0.1, 0.2 ...
    seed.state.max_request_per_second = 1
    seed.state.counter = RequestCounter(scope="organization")
    app = SandboxApp(seed.state)

    def spy(environ: dict[str, object], start_response: Callable[..., object]) -> object:
        answer = app(environ, start_response)
        seen.append(float(environ[ARRIVED]))  # type: ignore[arg-type]
        return answer

    district, highschool = seed.tokens[0].text, seed.tokens[1].text  # one organization: Springfield Schools
    with httpx.Client(transport=httpx.WSGITransport(app=spy), base_url="http://sandbox.test/mdm/v2/") as http:
        first = http.get("client/config", headers={"Authorization": f"Bearer {district}"})
        second = http.get("client/config", headers={"Authorization": f"Bearer {highschool}"})
    assert first.status_code == 200 and second.status_code == 429
    assert json.loads(second.content) == {
        "errorNumber": 9646,
        "errorMessage": "Too many requests for the current organization",
    }
    assert seen[1] - seen[0] < 1.0
    assert seed.state.stats()["rate_scope"] == "organization"
