"""A per-token request limiter: never more than `rate` requests counted by Apple in any one-second window,
shared by every thread of one client (concurrent page fetches included). Clock and sleep are injectable.

Apple counts a request somewhere between the moment abctl sends it and the moment the answer is back. So a request
holds its place in the window from when it is sent until one `window` after its answer; while no answer has come,
it is taken to have been counted by `sent + margin` (so one stuck request cannot stall the others for long). A
slow answer moves the place to its own time: a busy server may count a request late, and a place freed too early
is a 9646. This keeps 9646 away without giving up more of the budget than the round trip actually costs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Slot:
    """One request's place in the window; `stamp` is the latest time Apple can have counted it."""

    __slots__ = ("sent", "stamp")

    def __init__(self, sent: float, stamp: float) -> None:
        self.sent = sent
        self.stamp = stamp


class RateLimiter:
    """Thread-safe sliding-window limiter (see the module docstring for what a request's time is)."""

    def __init__(
        self,
        rate: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window: float = 1.0,
        margin: float = 0.1,
    ) -> None:
        self.rate = max(1, rate)
        self.window = window
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._slots: deque[Slot] = deque()
        self._lock = threading.Lock()

    def set_rate(self, rate: int) -> None:
        """Change the budget (service/config's `maxRequestPerSecond`)."""
        with self._lock:
            self.rate = max(1, rate)

    def acquire(self) -> Slot:
        """Wait until one more request fits in the window, then take a place for it."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_time(now)
                if wait <= 0:
                    slot = Slot(now, now + self.margin)
                    self._slots.append(slot)
                    return slot
            self._sleep(max(wait, 0.001))

    def release(self, slot: Slot) -> None:
        """The answer is back: Apple counted the request by now, so its place frees up one window from now."""
        with self._lock:
            slot.stamp = self._clock()

    @contextmanager
    def request(self) -> Iterator[Slot]:
        """`acquire` before the block, `release` after it (whatever happens inside)."""
        slot = self.acquire()
        try:
            yield slot
        finally:
            self.release(slot)

    def _wait_time(self, now: float) -> float:
        # Slots are in send order; the oldest can go once its window has passed.
        while self._slots and self._slots[0].stamp + self.window <= now:
            self._slots.popleft()
        live = sorted(slot.stamp for slot in self._slots if slot.stamp + self.window > now)
        if len(live) < self.rate:
            return 0.0
        return live[len(live) - self.rate] + self.window - now
