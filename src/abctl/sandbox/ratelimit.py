"""The sandbox's request counting, as Apple's rate limit: at most `maxRequestPerSecond` requests of one budget in
any one-second window, each request counted at the moment it ARRIVED.

Arrival is stamped before any of the sandbox's own work: by the HTTP server's accept loop (server.py puts it in
the WSGI environ as `ARRIVED`), or on entry to the application for the in-process transport. A handler thread
that runs late (injected latency, a busy interpreter, the state lock) therefore never moves a request into a later
window. The decision is order-independent: a request is refused (9646) when admitting it would put more than
`rate` admitted requests into some one-second window around its arrival, whatever order the handler threads
decide in. Refused requests do not take a place in the window.

Budgets (`--rate-scope`): `location` gives every location (sToken) its own budget, as apple-api.md 3.4 documents;
`organization` makes all locations of one orgName share one, as Apple's 9646 text ("too many requests for the
current organization") suggests it may.
"""

from __future__ import annotations

import bisect
import threading
from typing import Any

ARRIVED = "abctl.sandbox.arrived"  # WSGI environ key: the server's clock reading when the request arrived
SCOPES = ("location", "organization")
_KEEP = 30.0  # seconds of admitted arrivals kept: far longer than any handler lags behind its arrival


class RequestCounter:
    """Counts every authenticated request (statistics) and decides the rate limit. Thread-safe."""

    def __init__(self, *, scope: str = "location", window: float = 1.0) -> None:
        if scope not in SCOPES:
            raise ValueError(f"rate scope must be one of {', '.join(SCOPES)}")
        self.scope = scope
        self.window = window
        self._lock = threading.Lock()
        self._admitted: dict[str, list[float]] = {}  # budget -> admitted arrival times, sorted
        self._requests: dict[str, dict[str, int]] = {}
        self._throttled: dict[str, list[float]] = {}  # location -> arrival times of its 9646 answers
        self._first: float | None = None

    def budget_of(self, location: str, org_name: str) -> str:
        """The budget a location's requests spend: its own, or its organization's."""
        return f"org:{org_name}" if self.scope == "organization" else f"location:{location}"

    def admit(self, location: str, org_name: str, endpoint: str, arrived: float, rate: int) -> bool:
        """Count one request that arrived at `arrived`; False when it is over the budget (answer 9646)."""
        budget = self.budget_of(location, org_name)
        with self._lock:
            per = self._requests.setdefault(location, {})
            per[endpoint] = per.get(endpoint, 0) + 1
            self._first = arrived if self._first is None else min(self._first, arrived)
            stamps = self._admitted.setdefault(budget, [])
            if stamps and stamps[-1] < arrived - _KEEP:
                stamps.clear()
            elif stamps and stamps[0] < arrived - _KEEP:
                del stamps[: bisect.bisect_left(stamps, arrived - _KEEP)]
            if self._over(stamps, arrived, max(1, rate)):
                self._throttled.setdefault(location, []).append(arrived)
                return False
            bisect.insort(stamps, arrived)
            return True

    def _over(self, stamps: list[float], arrived: float, rate: int) -> bool:
        """Would `arrived` make `rate + 1` admitted arrivals fall within less than one window?"""
        low = bisect.bisect_right(stamps, arrived - self.window)
        high = bisect.bisect_left(stamps, arrived + self.window)
        near = stamps[low:high]
        if len(near) < rate:
            return False
        bisect.insort(near, arrived)
        return any(near[i + rate] - near[i] < self.window for i in range(len(near) - rate))

    @property
    def throttled(self) -> int:
        with self._lock:
            return sum(len(times) for times in self._throttled.values())

    def snapshot(self) -> dict[str, Any]:
        """Requests per location and endpoint, the 9646 answers, and when they came (seconds after the first
        request counted since the last reset), per location."""
        with self._lock:
            first = self._first or 0.0
            return {
                "requests": {name: dict(counts) for name, counts in self._requests.items()},
                "throttled": sum(len(times) for times in self._throttled.values()),
                "throttled_at": {name: [round(t - first, 3) for t in times] for name, times in self._throttled.items()},
                "rate_scope": self.scope,
            }

    def reset(self) -> None:
        """Forget the statistics (not the window: a reset must not let a burst through)."""
        with self._lock:
            self._requests.clear()
            self._throttled.clear()
            self._first = None
