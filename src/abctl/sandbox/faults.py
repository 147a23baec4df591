"""Seeded fault injection: `latency=50,429=0.1,503=0.05,drop=0.05,err200=0.05,version=0.1,stuck=0.1,seed=7`.

Keys: latency (ms added to every request), 429 (probability of a 9646 / HTTP 429 answer), 503 (9729 with
Retry-After: 1), drop (the connection is closed without an answer), err200 (an error body with HTTP 200),
version (a later page of a walk reports a new versionId, as if a write happened mid-walk), stuck (an event
stays PENDING for `stuck_polls` status polls, default 5), seed (the random seed; same seed and same request
sequence give the same faults). Faults hit Apple-API requests only, never /sandbox/ admin calls.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from abctl.errors import InputError

_KEYS = {"latency", "429", "503", "drop", "err200", "version", "stuck", "stuck_polls", "seed"}


@dataclass
class FaultSpec:
    latency_ms: float = 0.0
    p429: float = 0.0
    p503: float = 0.0
    pdrop: float = 0.0
    perr200: float = 0.0
    pversion: float = 0.0
    pstuck: float = 0.0
    stuck_polls: int = 5
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Raises: InputError with a hint for an unknown key or a value out of range."""
        spec = cls()
        values: dict[str, float] = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            key, _, raw = part.partition("=")
            key = key.strip()
            if key not in _KEYS:
                raise InputError(
                    f"unknown fault `{key}`", hint="use latency=MS,429=P,503=P,drop=P,err200=P,version=P,stuck=P,seed=N"
                )
            try:
                values[key] = float(raw)
            except ValueError:
                raise InputError(f"fault `{key}` needs a number, not `{raw}`", hint="for example 429=0.1") from None
            if key not in {"latency", "seed", "stuck_polls"} and not 0 <= values[key] <= 1:
                raise InputError(f"fault `{key}` is a probability between 0 and 1", hint="for example 429=0.1")
        spec = cls(
            latency_ms=values.get("latency", 0.0),
            p429=values.get("429", 0.0),
            p503=values.get("503", 0.0),
            pdrop=values.get("drop", 0.0),
            perr200=values.get("err200", 0.0),
            pversion=values.get("version", 0.0),
            pstuck=values.get("stuck", 0.0),
            stuck_polls=int(values.get("stuck_polls", 5)),
            seed=int(values.get("seed", 0)),
        )
        return spec

    def roll(self, probability: float) -> bool:
        """One seeded draw; always consumed so the sequence depends only on the request order."""
        with self._lock:
            value = self._rng.random()
        return probability > 0 and value < probability

    def pick(self) -> str | None:
        """The fault for one request, in a fixed order of draws: 429, 503, drop, err200."""
        for name, probability in (("429", self.p429), ("503", self.p503), ("drop", self.pdrop),
                                  ("err200", self.perr200)):  # fmt: skip
            if self.roll(probability):
                return name
        return None
