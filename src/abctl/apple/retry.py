"""When a failed request is sent again, and how long to wait first.

Bounded twice: by attempts and by the total time spent waiting for one request. Reads are retried on anything
transient; a write only when Apple certainly did not act on it (apple-api.md 3.4): 429/9646, 503/9729, a 5xx
error answer carrying Retry-After (a synchronous ErrorResponse means nothing was queued, and Apple says when to
come back), or a connection that failed before the request left. Errors Apple sends with HTTP 200 (9646, the
authentication errors) are treated exactly as their HTTP forms: the errorNumber decides, not the status.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from abctl.apple.error_codes import AUTH_ERRORS, ERRORS, NOT_ACCEPTED, RETRYABLE

KNOWN = frozenset(ERRORS) | frozenset(AUTH_ERRORS)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for one request: attempts, total seconds of waiting, and the exponential backoff curve."""

    max_attempts: int = 6
    max_total_wait: float = 180.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: base x 2^(attempt-1), capped, then scaled by 50-100%."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + rng.random() / 2)


def should_retry(status_code: int, error_number: int | None, *, write: bool, retry_after: bool = False) -> bool:
    """Whether an HTTP answer (with its errorNumber, if any) is worth sending again; `retry_after`: it carried a
    Retry-After header."""
    if error_number in NOT_ACCEPTED or status_code in (429, 503):
        return True
    if error_number in AUTH_ERRORS:
        return False
    if status_code >= 500 and retry_after and error_number is not None:
        return True
    if write:
        return False
    if error_number in RETRYABLE:
        return True
    # A 5xx is transient unless its errorNumber is one abctl knows to be permanent (auth, bad request ...).
    return status_code >= 500 and (error_number is None or error_number not in KNOWN)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A `Retry-After` header as seconds: Apple sends whole seconds; an HTTP date is accepted too."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
