"""What one request holds, and for how long: an answer from Apple is freed as soon as abctl is done with it,
without the cycle collector (a sync pauses that collector, and httpx binds each response to its own stream, a
reference cycle); a page's place on the wire is held only while the request is on the wire."""

import gc
import random
import time
import weakref

import httpx

from abctl.apple.ratelimit import RateLimiter
from abctl.apple.requester import Requester
from abctl.apple.retry import RetryPolicy


def test_an_answer_is_freed_by_reference_counting_alone() -> None:
    body = b'{"assets": []}' + b" " * 100_000
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with httpx.Client(
        transport=transport, base_url="http://127.0.0.1:9/", headers={"Authorization": "Bearer t"}
    ) as http:
        requester = Requester(http, RateLimiter(15), policy=RetryPolicy(), sleep=time.sleep, clock=time.monotonic,
                              trace=None, rng=random.Random(1))  # fmt: skip
        enabled = gc.isenabled()
        gc.disable()
        try:
            response = requester.fetch("http://127.0.0.1:9/assets", params={}, cookies={})
            assert response.content == body  # the body is still there for the caller
            answer = weakref.ref(response)
            del response
            assert answer() is None
        finally:
            if enabled:
                gc.enable()


class WirePlace:
    """Stands for a page's place among the five in flight: records whether it is held."""

    def __init__(self) -> None:
        self.held = False
        self.entries = 0

    def __enter__(self) -> "WirePlace":
        assert not self.held
        self.held, self.entries = True, self.entries + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.held = False


def test_a_request_holds_its_place_on_the_wire_only_while_on_the_wire() -> None:
    """A retry's wait and the decoding of the answer happen off the wire: other pages may go meanwhile."""
    answers = iter([httpx.Response(503, json={"errorNumber": 9729}), httpx.Response(200, json={"assets": []})])
    place = WirePlace()
    slept: list[bool] = []

    def sleep(seconds: float) -> None:
        slept.append(place.held)

    transport = httpx.MockTransport(lambda request: next(answers))
    with httpx.Client(transport=transport, base_url="http://127.0.0.1:9/") as http:
        requester = Requester(http, RateLimiter(15), policy=RetryPolicy(), sleep=sleep, clock=time.monotonic,
                              trace=None, rng=random.Random(1))  # fmt: skip
        assert requester.send("GET", "assets", known={}, on_wire=place) == {"assets": []}
    assert (place.entries, place.held, slept) == (2, False, [False])  # once per attempt; not held while waiting
