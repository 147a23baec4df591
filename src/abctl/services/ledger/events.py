"""The event ledger as admins see it: list Apple writes, and settle the ones still open (see ledger_recovery)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from abctl.errors import ConfigError
from abctl.models.ledger import LedgerEvent, LedgerState

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime


def list_events(rt: Runtime, *, pending_only: bool = False, limit: int | None = None) -> list[LedgerEvent]:
    states = [LedgerState.INTENT, LedgerState.PENDING, LedgerState.UNKNOWN] if pending_only else None
    return rt.store.list_events(states=states, limit=limit)


def wait_for_events(rt: Runtime, event_ids: Sequence[str] = ()) -> list[LedgerEvent]:
    """Settle each named event, or every open ledger row: pending events are polled until they settle or the
    deadline passes; rows a crash or a lost answer left without an outcome are checked against Apple's assignments.

    Raises:
        NotFoundError: an event id is not in the ledger. ConfigError: its account was deleted.
    """
    from abctl.services.ledger.recovery import settle_event, settle_open_writes

    store = rt.store
    if not event_ids:
        return [store.get_event(item.ledger_id) for item in settle_open_writes(rt, wait=True)]
    settled: list[LedgerEvent] = []
    for event in [store.find_event(e) for e in event_ids]:
        if event.state == LedgerState.PENDING and event.account_id is None:
            raise ConfigError(
                f"event `{event.event_id}` belongs to a deleted account", hint="nothing can be asked of Apple for it"
            )
        settle_event(rt, event, wait=True)
        settled.append(store.get_event(event.id))
    return settled
