"""An answer from Apple is freed as soon as abctl is done with it, without the cycle collector: a sync pauses
that collector, and httpx binds each response to its own stream (a reference cycle)."""

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
