"""Request limiters: never more than `rate` requests counted by Apple in any one-second window. One limiter is
shared by every thread of one token (concurrent page fetches included), or by every token of an organization once
Apple has shown that it counts them together (`RateBudgets`). Clock and sleep are injectable.

When does Apple count a request? Somewhere between the moment abctl sends it and the moment its answer is back;
a rate limiter at Apple's edge counts it when it arrives, one network delay after sending. So a request's place
is taken from the moment it has left this machine (the transport says when its last byte is handed to the
network, so a thread that waits for the CPU after being let through shifts nothing) and kept for one window
plus a `margin` that covers how much the delay to Apple varies: if any `rate + 1` departures span at least
`window + margin`, their arrivals span at least one window. The margin is learned
from the round trips: the spread of recent round-trip times (90th percentile minus fastest) bounds how much the
network part of them varies. A round trip is timed from when the request started going out (its headers), so a
thread held up after its last byte went out cannot make one look faster than the network allows. The round
trip itself costs no rate, so a 300 ms link is as fast as a 50 ms one.
An answer that came back sooner than `sent + margin` proves the request was counted by then, and frees its place
one window after the answer.

After a 9646 (too many requests), the limiter stops guessing and falls back to the conservative rule for the
rest of the run: a request holds its place until one window after its answer (while none has come, it holds it).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

DEFAULT_MARGIN = 0.1  # before enough round trips were seen to learn one
MIN_MARGIN = 0.02  # thread scheduling on both ends
MAX_MARGIN = 0.5
SAMPLES = 64  # round trips the margin is learned from
MIN_SAMPLES = 4
WINDOW = 1.0  # Apple's: requests per second
SPREAD_PERCENTILE = 90


class Slot:
    """One request's place in the window: when it was let through (`sent`), when it started going out
    (`going`: its headers), when it had left this machine (`left`: its last byte; None until the transport says
    so), and when its answer came back (`answered`; for one that got none, when it was over or the latest moment
    Apple can have counted it, whichever is later)."""

    __slots__ = ("answered", "going", "left", "sent")

    def __init__(self, sent: float) -> None:
        self.sent = sent
        self.going: float | None = None
        self.left: float | None = None
        self.answered: float | None = None


class RateLimiter:
    """Thread-safe sliding-window limiter (see the module docstring for when a request counts)."""

    def __init__(
        self,
        rate: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window: float = 1.0,
        margin: float = DEFAULT_MARGIN,
        on_throttled: Callable[[RateLimiter], bool] | None = None,
    ) -> None:
        self.rate = max(1, rate)
        self.window = window
        self.conservative = False
        self._initial_margin = margin
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._slots: deque[Slot] = deque()
        self._round_trips: deque[float] = deque(maxlen=SAMPLES)
        self._lock = threading.Lock()
        self._on_throttled = on_throttled
        self._successor: RateLimiter | None = None

    @property
    def margin(self) -> float:
        """How much later than its send time a request may have been counted, as learned so far."""
        return self._margin

    def set_rate(self, rate: int) -> None:
        """Change the budget (service/config's `maxRequestPerSecond`)."""
        target = self.current()
        with target._lock:
            target.rate = max(1, rate)

    def current(self) -> RateLimiter:
        """The limiter that now keeps this one's budget (itself, unless it was merged into a shared one)."""
        limiter = self
        while limiter._successor is not None:
            limiter = limiter._successor
        return limiter

    def acquire(self) -> Slot:
        """Wait until one more request fits in the window, then take a place for it."""
        while True:
            with self._lock:
                if self._successor is None:
                    now = self._clock()
                    wait = self._wait_time(now)
                    if wait <= 0:
                        slot = Slot(now)
                        self._slots.append(slot)
                        return slot
            if self._successor is not None:
                return self._successor.acquire()
            self._sleep(max(wait, 0.001))

    def going(self, slot: Slot) -> None:
        """The request starts going out now (the transport writes its headers): its round trip starts."""
        if slot.going is None:
            slot.going = self._clock()

    def leaving(self, slot: Slot) -> None:
        """The request has left now (the transport has handed its last byte to the network)."""
        if slot.left is None:
            slot.left = self._clock()

    def release(self, slot: Slot, *, answered: bool = True) -> None:
        """The request is over; `answered` when an answer came back (then Apple had counted it by now, and its
        round trip teaches the margin)."""
        with self._lock:
            now = self._clock()
            if slot.left is None:
                # It started going out and failed before its last byte: what Apple may have of it left by now.
                # Else it never went (or the transport does not say when a request leaves).
                slot.left = now if slot.going is not None else slot.sent
            # With no answer, nothing proves it was counted by now: it may have been, up to a margin after it left.
            slot.answered = now if answered else max(now, slot.left + self._margin)
            if answered:
                self._round_trips.append(now - min(slot.left, slot.going or slot.left))
                self._margin = self._learned_margin()

    @contextmanager
    def request(self) -> Iterator[Slot]:
        """`acquire` before the block, `release` after it (whatever happens inside)."""
        slot = self.acquire()
        answered = False
        try:
            yield slot
            answered = True
        finally:
            self.release(slot, answered=answered)

    def throttled(self) -> None:
        """Apple answered 9646: share a budget with other tokens if that explains it, else count conservatively."""
        target = self.current()
        if target._on_throttled is not None and target._on_throttled(target):
            return
        with target._lock:
            target.conservative = True

    def merge_into(self, successor: RateLimiter) -> None:
        """From now on `successor` keeps this limiter's budget, starting with the places it holds."""
        with self._lock:
            slots = list(self._slots)
            self._slots.clear()
            self._successor = successor
        successor.adopt(slots)

    def adopt(self, slots: Iterable[Slot]) -> None:
        with self._lock:
            merged = sorted([*self._slots, *slots], key=lambda slot: slot.sent)
            self._slots = deque(merged)

    def _learned_margin(self) -> float:
        if len(self._round_trips) < MIN_SAMPLES:
            return self._initial_margin
        ordered = sorted(self._round_trips)
        spread = ordered[(len(ordered) - 1) * SPREAD_PERCENTILE // 100] - ordered[0]
        return min(MAX_MARGIN, max(MIN_MARGIN, spread))

    def _counted_by(self, slot: Slot, now: float) -> float:
        """The latest moment Apple can have counted `slot`'s request."""
        if self.conservative:
            return now if slot.answered is None else slot.answered
        # Let through but not gone yet: it may leave any moment.
        start = slot.left if slot.left is not None else max(slot.sent, now)
        guess = start + self._margin
        return guess if slot.answered is None else min(guess, slot.answered)

    def _wait_time(self, now: float) -> float:
        window = self.window
        # Slots are in send order; one whose place can no longer be held (counted by sent + MAX_MARGIN at the
        # latest, or answered) and whose window has passed is gone for good.
        while self._slots and self._gone(self._slots[0], now):
            self._slots.popleft()
        live = sorted(c for slot in self._slots if (c := self._counted_by(slot, now)) + window > now)
        if len(live) < self.rate:
            return 0.0
        return live[len(live) - self.rate] + window - now

    def _gone(self, slot: Slot, now: float) -> bool:
        return slot.answered is not None and slot.answered + self.window <= now


class RateBudgets:
    """The rate budgets of one abctl run: one limiter per token, except for organizations whose tokens Apple
    counts together (9646 says "too many requests for the current organization"); those share one limiter.

    An organization is taken to share its budget when Apple answers 9646 to two of its tokens within one window
    (one refused token alone is a late count: its limiter turns conservative). Then the organization's limiters
    merge into one, in its conservative mode, starting with every place they hold, so the requests sent from
    then on cannot be refused again; only those already in flight can (at most five per token).
    `learned` names those organizations so the caller can remember them; `shared` ones start shared.
    """

    def __init__(
        self,
        shared: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._shared: dict[str, RateLimiter] = {org: self._new() for org in shared}
        self._members: dict[str, list[RateLimiter]] = {}
        self._tokens: dict[str, RateLimiter] = {}  # token key -> its limiter
        self._refusals: dict[str, list[tuple[float, RateLimiter]]] = {}  # org -> recent 9646s: when, to whom
        self.learned: set[str] = set()

    def limiter(self, org_name: str, token: str | None = None) -> RateLimiter:
        """The limiter a token of `org_name` sends through: its organization's once shared, else its own (a token
        naming no organization always has its own). `token`, a key of the token (its digest): every client of
        one token in this run gets the same limiter, so a token checked by one client and synced by the next
        (`tokens add`) never has two budgets; without it, a new limiter."""
        with self._lock:
            if org_name in self._shared:
                return self._shared[org_name]
            if token is not None and token in self._tokens:
                return self._tokens[token].current()
            if org_name:
                limiter = self._new(on_throttled=lambda limiter: self._throttled(org_name, limiter))
                self._members.setdefault(org_name, []).append(limiter)
            else:
                limiter = self._new()
            if token is not None:
                self._tokens[token] = limiter
            return limiter

    def shares(self, org_name: str) -> bool:
        with self._lock:
            return org_name in self._shared

    def _new(self, on_throttled: Callable[[RateLimiter], bool] | None = None) -> RateLimiter:
        return RateLimiter(15, clock=self._clock, sleep=self._sleep, on_throttled=on_throttled)

    def _throttled(self, org_name: str, limiter: RateLimiter) -> bool:
        with self._lock:
            if org_name in self._shared:
                return False  # merged meanwhile: the shared limiter takes the 9646 itself
            now = self._clock()
            recent = [(t, other) for t, other in self._refusals.get(org_name, []) if t + WINDOW > now]
            recent.append((now, limiter))
            self._refusals[org_name] = recent
            if len({id(other) for _, other in recent}) < 2:
                return False  # one token refused: a late count (it turns conservative), not yet a shared budget
            members = self._members.get(org_name, [])
            shared = self._new()
            shared.conservative = True
            shared.set_rate(min(member.rate for member in members))
            self._shared[org_name] = shared
            self.learned.add(org_name)
        for member in members:
            member.merge_into(shared)
        return True
