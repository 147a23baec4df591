"""The event ledger as admins see it: list Apple writes, and settle the ones still pending."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from abctl.errors import ConfigError
from abctl.models import LedgerEvent, LedgerState
from abctl.services.ledger import SentWrite, settle_write

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime


def list_events(rt: Runtime, *, pending_only: bool = False, limit: int | None = None) -> list[LedgerEvent]:
    states = [LedgerState.INTENT, LedgerState.PENDING, LedgerState.UNKNOWN] if pending_only else None
    return rt.store.list_events(states=states, limit=limit)


def wait_for_events(rt: Runtime, event_ids: Sequence[str] = ()) -> list[LedgerEvent]:
    """Poll Apple for each named (or every pending) event until it settles or the deadline passes.

    Raises:
        NotFoundError: an event id is not in the ledger. ConfigError: its account was deleted.
    """
    store = rt.store
    events = [store.find_event(e) for e in event_ids] if event_ids else store.list_events(states=[LedgerState.PENDING])
    settled: list[LedgerEvent] = []
    for event in events:
        if event.state != LedgerState.PENDING or event.event_id is None:
            settled.append(event)
            continue
        if event.account_id is None:
            raise ConfigError(
                f"event `{event.event_id}` belongs to a deleted account", hint="nothing can be asked of Apple for it"
            )
        account = store.get_account_by_id(event.account_id)
        sent = SentWrite(event.id, account, event.kind, event.payload, event.event_id)
        settle_write(rt, sent)
        settled.append(store.get_event(event.id))
    return settled
