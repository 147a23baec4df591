"""The sandbox's switches where Apple is silent or where a client needs the other form (docs/sandbox.md)."""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN_USER_FORMS = ("sync", "async")


@dataclass(frozen=True)
class SandboxOptions:
    """unknown_users: `sync` answers associate/disassociate naming unregistered clientUserIds with HTTP 400 and
    9609 at once (what Fleet saw in production); `async` queues the event and reports 9609 per target in its
    status, as Apple also does for users retired while an event waits.
    notify_https_only: refuse plain http notification URLs even on loopback (Apple's 9712 rule, strictly).
    notify_any_host: deliver notifications beyond loopback (off: only 127.0.0.1, ::1 and localhost, 9728 else).
    notify_attempts / notify_retry_delay: tries per notification, and the first pause between them (doubling).
    """

    unknown_users: str = "sync"
    notify_https_only: bool = False
    notify_any_host: bool = False
    notify_attempts: int = 3
    notify_retry_delay: float = 1.0
