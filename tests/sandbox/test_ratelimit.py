"""The sandbox's rate limit counts each request when it arrived, per location or per organization."""

import itertools
import json
import random
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from wsgiref.simple_server import make_server

import httpx
import pytest

from abctl.apple.ratelimit import RateLimiter, Slot
from abctl.apple.requester import Requester
from abctl.apple.retry import RetryPolicy
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.ratelimit import ARRIVED, RequestCounter
from abctl.sandbox.seeds import Seed
from abctl.sandbox.server import _RequestHandler, _ThreadingServer, serve


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


def test_over_http_the_server_stamps_arrival_not_the_handler(seed: Seed) -> None:
    """The server's clock is read on accept (moved by the few microseconds between the bytes reaching the kernel
    and the accept); the handler's clock (the state's) stands still at 5.0 here, so a sandbox counting in its
    handlers would refuse the third request."""
    accepted = [0.0]
    seed.state.clock = lambda: 5.0
    seed.state.max_request_per_second = 2
    token = seed.tokens[0].text
    statuses = []
    with serve(SandboxApp(seed.state), clock=lambda: accepted[0]) as running:
        for accepted[0] in (0.0, 0.5, 1.05, 1.2):
            statuses.append(_get(f"{running.api_url}client/config", token))
    assert statuses == [200, 200, 200, 429]  # 0.5, 1.05 and 1.2 are three within a second
    (late,) = seed.state.stats()["throttled_at"]["district"]  # seconds after the first arrival
    assert late == pytest.approx(1.2, abs=0.01)


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


def _arrivals(app: SandboxApp, seen: list[float]) -> Callable[..., object]:
    def spy(environ: dict[str, object], start_response: Callable[..., object]) -> object:
        seen.append(float(environ[ARRIVED]))  # type: ignore[arg-type]
        return app(environ, start_response)

    return spy


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's receive timestamps (SO_TIMESTAMPNS) are Linux's")
def test_a_request_that_waited_for_a_late_accept_loop_counts_when_its_bytes_arrived(seed: Seed) -> None:
    """The request's bytes reach the server 0.3 s before its accept loop takes the connection (a busy
    interpreter); the kernel says when they came."""
    seed.state.clock = time.monotonic
    seen: list[float] = []
    server = make_server("127.0.0.1", 0, _arrivals(SandboxApp(seed.state), seen), server_class=_ThreadingServer,
                         handler_class=_RequestHandler)  # fmt: skip
    with server, socket.create_connection(server.server_address[:2]) as client:
        sent = time.monotonic()
        client.sendall(b"GET /mdm/v2/client/config HTTP/1.0\r\nAuthorization: Bearer "
                       + seed.tokens[0].text.encode() + b"\r\n\r\n")  # fmt: skip
        time.sleep(0.3)
        server.handle_request()  # accepts now, answers on a thread of its own
        assert client.makefile("rb").readline().startswith(b"HTTP/1.0 200")
    assert seen[0] - sent == pytest.approx(0.0, abs=0.05)  # not 0.3


def test_a_place_counts_from_after_its_request_reached_apple(seed: Seed) -> None:
    """Over real loopback HTTP: a request starts going out before the sandbox counts it and has left (its place
    counts from then) only once the sandbox has it, so Apple can never count it later than abctl thinks."""
    seed.state.clock = time.monotonic
    seen: list[float] = []
    slots: list[Slot] = []

    class Recording(RateLimiter):
        def release(self, slot: Slot, *, answered: bool = True) -> None:
            slots.append(slot)
            super().release(slot, answered=answered)

    with serve(_arrivals(SandboxApp(seed.state), seen), clock=time.monotonic) as running:
        headers = {"Authorization": f"Bearer {seed.tokens[0].text}"}
        with httpx.Client(base_url=running.api_url, headers=headers) as http:
            requester = Requester(http, Recording(15), policy=RetryPolicy(), sleep=time.sleep, clock=time.monotonic,
                                  trace=None, rng=random.Random(1))  # fmt: skip
            for _ in range(3):
                requester.send("GET", "client/config", known={})
    assert len(slots) == len(seen) == 3
    for slot, arrived in zip(slots, seen, strict=True):
        assert slot.going is not None and slot.left is not None and slot.answered is not None
        assert slot.sent <= slot.going <= arrived <= slot.left <= slot.answered
