"""Every Apple write goes through here: commit the intent, send, commit the eventId, wait, record the outcome.

The order is what makes abctl crash-safe (design.md section 7): the ledger row and the `pending` licenses it
concerns are committed before the request leaves, the eventId right after Apple answers, and the outcome when
the event settles. A run killed anywhere leaves rows that `abctl events wait` or the next sync settle.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from abctl.errors import AbctlError, TokenError, WriteOutcomeUnknownError
from abctl.models.accounts import Account
from abctl.models.apple import EventFailure, EventState, EventStatus
from abctl.models.ledger import LedgerState

if TYPE_CHECKING:
    from abctl.apple.client import AppsBooksClient
    from abctl.services.runtime import Runtime

Send = Callable[["AppsBooksClient"], str]
CRASH_AT_ENV = "ABCTL_TEST_CRASH_AT"
CRASH_POINTS = ("before_send", "after_send", "while_waiting")


def crash_point(stage: str) -> None:
    """Test hook: SIGKILL this process at `stage` when ABCTL_TEST_CRASH_AT names exactly that stage, so the crash
    tests can prove a run killed anywhere loses nothing. Any other value (or none) does nothing."""
    if stage in CRASH_POINTS and os.environ.get(CRASH_AT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class SentWrite:
    """One Apple write after the request: its ledger row, Apple's eventId, or the error that stopped it."""

    ledger_id: int
    account: Account
    kind: str
    payload: Mapping[str, Any]
    event_id: str | None
    error: AbctlError | None = None

    @property
    def was_sent(self) -> bool:
        return self.event_id is not None


@dataclass(frozen=True)
class SettledWrite:
    """The outcome of one Apple write: settled (COMPLETE or FAILED), still pending, or never sent."""

    sent: SentWrite
    state: LedgerState
    status: EventStatus | None
    failures: tuple[EventFailure, ...]

    @property
    def failed_serials(self) -> frozenset[str]:
        return frozenset(serial for failure in self.failures for serial in failure.serial_numbers)

    @property
    def failed_users(self) -> frozenset[str]:
        return frozenset(user for failure in self.failures for user in failure.client_user_ids)

    def failure_for(self, target_kind: str, target_id: str) -> EventFailure | None:
        """The failure entry naming this target, if Apple reported one."""
        for failure in self.failures:
            targets = failure.serial_numbers if target_kind == "device" else failure.client_user_ids
            if target_id in targets:
                return failure
        return None


def send_write(rt: Runtime, account: Account, kind: str, payload: Mapping[str, Any], send: Send) -> SentWrite:
    """Commit the intent, make the call, commit the eventId (or why there is none). Never raises AbctlError:
    the caller reads `error` and decides, so one failed batch does not hide the others."""
    store = rt.store
    ledger_id = store.record_intent(
        account_id=account.id, account_name=account.name, kind=kind, payload=payload, now=rt.now()
    )
    try:
        client = rt.client(account)
        crash_point("before_send")
        event_id = send(client)
        crash_point("after_send")
    except WriteOutcomeUnknownError as error:
        # The request may have reached Apple: leave it for reconciliation against GET assignments.
        store.record_unsent(ledger_id, state=LedgerState.UNKNOWN, detail=error.message, now=rt.now())
        return SentWrite(ledger_id, account, kind, payload, None, error)
    except AbctlError as error:
        store.record_unsent(ledger_id, state=LedgerState.FAILED, detail=error.message, now=rt.now())
        named = error.for_account(account.name) if isinstance(error, TokenError) else error  # the hint's command
        return SentWrite(ledger_id, account, kind, payload, None, named)
    store.record_sent(ledger_id, event_id, now=rt.now())
    return SentWrite(ledger_id, account, kind, payload, event_id)


def settle_write(rt: Runtime, sent: SentWrite, *, wait: bool = True) -> SettledWrite:
    """Poll Apple for the event until it settles or the deadline passes, and record the outcome in the ledger."""
    if sent.event_id is None:
        failures = () if sent.error is None else (EventFailure(0, sent.error.message),)
        state = LedgerState.UNKNOWN if isinstance(sent.error, WriteOutcomeUnknownError) else LedgerState.FAILED
        return SettledWrite(sent, state, None, failures)
    client = rt.client(sent.account)
    if wait:
        crash_point("while_waiting")
        status = client.wait_for_event(
            sent.event_id, poll_interval=rt.poll_interval, deadline_seconds=rt.event_deadline_seconds
        )
    else:
        status = client.event_status(sent.event_id)
    return record_status(rt, sent, status)


def record_status(rt: Runtime, sent: SentWrite, status: EventStatus) -> SettledWrite:
    """Write an event's status into the ledger and say where it stands."""
    if status.state is EventState.PENDING:
        return SettledWrite(sent, LedgerState.PENDING, status, status.failures)
    # Apple may say COMPLETE with per-target failures; the ledger calls any event with failures failed.
    state = LedgerState.COMPLETE if status.state is EventState.COMPLETE and not status.failures else LedgerState.FAILED
    rt.store.record_outcome(
        sent.ledger_id,
        state=state,
        num_requested=status.num_requested,
        num_completed=status.num_completed,
        failures=status.failures,
        now=rt.now(),
    )
    return SettledWrite(sent, state, status, status.failures)


def send_all(
    rt: Runtime,
    writes: Sequence[tuple[Account, str, Mapping[str, Any], Send]],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[SentWrite]:
    """Send writes one after another (each committed before and after); report progress per call."""
    sent: list[SentWrite] = []
    for index, (account, kind, payload, send) in enumerate(writes, start=1):
        sent.append(send_write(rt, account, kind, payload, send))
        if on_progress is not None:
            on_progress(index, len(writes))
    return sent
