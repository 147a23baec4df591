"""The event ledger: every Apple write is an `intent` row committed before the call, then gets its eventId,
then its outcome. A crash at any point leaves a row that `abctl events wait` or the next sync can settle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.errors import NotFoundError
from abctl.store.base import StoreBase, dumps
from abctl.store.rows import event_from_row, failures_to_json
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.models.apple import EventFailure
    from abctl.models.ledger import LedgerEvent, LedgerState


class EventsStore(StoreBase):
    def record_intent(
        self, *, account_id: int, account_name: str, kind: str, payload: Mapping[str, Any], now: datetime
    ) -> int:
        """Commit the intent of one Apple write before it is sent; returns the ledger row id."""
        cursor = self.db.execute(
            "INSERT INTO events (account_id, account_name, kind, payload, state, created_at)"
            " VALUES (?, ?, ?, ?, 'intent', ?)",
            (account_id, account_name, kind, dumps(payload), to_iso(now)),
        )
        return int(cursor.lastrowid or 0)

    def record_sent(self, row_id: int, event_id: str, *, now: datetime) -> None:
        """Commit Apple's eventId right after the call returned it."""
        self.db.execute(
            "UPDATE events SET event_id = ?, state = 'pending', sent_at = ? WHERE id = ?",
            (event_id, to_iso(now), row_id),
        )

    def record_unsent(self, row_id: int, *, state: LedgerState, detail: str, now: datetime) -> None:
        """The call failed before Apple queued anything (`failed`) or may have landed (`unknown`)."""
        from abctl.models.apple import EventFailure  # here: reading the ledger does not load Apple's models

        failure = EventFailure(error_number=0, error_message=detail)
        self.db.execute(
            "UPDATE events SET state = ?, failures = ?, finished_at = ? WHERE id = ?",
            (str(state), failures_to_json((failure,)), to_iso(now), row_id),
        )

    def record_outcome(
        self,
        row_id: int,
        *,
        state: LedgerState,
        num_requested: int | None,
        num_completed: int | None,
        failures: tuple[EventFailure, ...],
        now: datetime,
    ) -> None:
        self.db.execute(
            "UPDATE events SET state = ?, num_requested = ?, num_completed = ?, failures = ?, finished_at = ?"
            " WHERE id = ?",
            (str(state), num_requested, num_completed, failures_to_json(failures), to_iso(now), row_id),
        )

    def get_event(self, row_id: int) -> LedgerEvent:
        row = self._one("SELECT * FROM events WHERE id = ?", (row_id,))
        if row is None:
            raise NotFoundError(f"no ledger event {row_id}", hint="list events with: abctl events list")
        return event_from_row(row)

    def find_event(self, event_id: str) -> LedgerEvent:
        """Raises: NotFoundError when the ledger has no event with this Apple eventId."""
        row = self._one("SELECT * FROM events WHERE event_id = ?", (event_id,))
        if row is None:
            raise NotFoundError(f"no event `{event_id}` in the ledger", hint="list events with: abctl events list")
        return event_from_row(row)

    def list_events(
        self, *, states: Sequence[str] | None = None, account_id: int | None = None, limit: int | None = None
    ) -> list[LedgerEvent]:
        where: list[str] = []
        params: list[Any] = []
        if states:
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if account_id is not None:
            where.append("account_id = ?")
            params.append(account_id)
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [event_from_row(row) for row in self._all(sql, tuple(params))]
