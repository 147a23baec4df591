"""Seeded fault injection: `latency=50,429=0.1,503=0.05,500=0.05,drop=0.05,err200=9646:0.05,seed=7`.

Keys: latency (ms added to every request), 429 (probability of a 9646 / HTTP 429 answer), 503 (9729 with
Retry-After), 500 (9603 with HTTP 500 and Retry-After), retry_after (the seconds those two announce, default 1),
drop (the connection is closed without an answer), err200 (an error body with HTTP 200: `err200=P` sends 9603
with probability P, `err200=NNNN` sends error NNNN on every request, `err200=NNNN:P` with probability P),
error (`error=NNNN[:P]`: error NNNN with its documented HTTP status, e.g. 410 for 9634), version (a later page
of a walk reports a new versionId, as if a write happened mid-walk), stuck (an event stays PENDING for
`stuck_polls` status polls, default 5), seed (the random seed; same seed and same request sequence give the
same faults). Faults hit Apple-API requests only, never /sandbox/ admin calls.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from abctl.errors import InputError

_KEYS = {"latency", "429", "503", "500", "retry_after", "drop", "err200", "error", "version", "stuck", "stuck_polls",
         "seed"}  # fmt: skip
_NUMBERED = {"err200", "error"}  # NNNN, NNNN:P, or (err200 only) a bare probability
_HINT = "use latency=MS,429=P,503=P,500=P,drop=P,err200=NNNN[:P],error=NNNN[:P],version=P,stuck=P,seed=N"


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
    p500: float = 0.0
    retry_after: int = 1
    err200_number: int = 9603
    perror: float = 0.0
    error_number: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Raises: InputError with a hint for an unknown key or a value out of range."""
        values: dict[str, float] = {}
        numbers: dict[str, int] = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            key, _, raw = part.partition("=")
            key = key.strip()
            if key not in _KEYS:
                raise InputError(f"unknown fault `{key}`", hint=_HINT)
            if key in _NUMBERED and (":" in raw or (raw.strip().isdigit() and int(raw) >= 9000) or key == "error"):
                number, _, probability = raw.partition(":")
                if not number.strip().isdigit():
                    raise InputError(
                        f"fault `{key}` needs an error number, not `{number}`", hint=f"for example {key}=9646:0.1"
                    )
                numbers[key], raw = int(number), probability or "1"
            try:
                values[key] = float(raw)
            except ValueError:
                raise InputError(f"fault `{key}` needs a number, not `{raw}`", hint="for example 429=0.1") from None
            if key not in {"latency", "seed", "stuck_polls", "retry_after"} and not 0 <= values[key] <= 1:
                raise InputError(f"fault `{key}` is a probability between 0 and 1", hint="for example 429=0.1")
        return cls(
            latency_ms=values.get("latency", 0.0),
            p429=values.get("429", 0.0),
            p503=values.get("503", 0.0),
            pdrop=values.get("drop", 0.0),
            perr200=values.get("err200", 0.0),
            pversion=values.get("version", 0.0),
            pstuck=values.get("stuck", 0.0),
            stuck_polls=int(values.get("stuck_polls", 5)),
            seed=int(values.get("seed", 0)),
            p500=values.get("500", 0.0),
            retry_after=int(values.get("retry_after", 1)),
            err200_number=numbers.get("err200", 9603),
            perror=values.get("error", 0.0),
            error_number=numbers.get("error"),
        )

    def roll(self, probability: float) -> bool:
        """One seeded draw; always consumed so the sequence depends only on the request order."""
        with self._lock:
            value = self._rng.random()
        return probability > 0 and value < probability

    def pick(self) -> str | None:
        """The fault for one request, in a fixed order of draws: 429, 503, drop, err200, then 500 and error (drawn
        only when set, so the older keys' sequences do not move)."""
        for name, probability in (("429", self.p429), ("503", self.p503), ("drop", self.pdrop),
                                  ("err200", self.perr200)):  # fmt: skip
            if self.roll(probability):
                return name
        for name, probability in (("500", self.p500), ("error", self.perror)):
            if probability > 0 and self.roll(probability):
                return name
        return None
