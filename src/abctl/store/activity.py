"""The activity log (R19): who, which license type, when, what action, what result, which Apple event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.store.base import StoreBase
from abctl.store.licenses import ids_where
from abctl.store.rows import activity_from_row
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.models.ledger import ActivityEntry


@dataclass(frozen=True)
class NewActivity:
    action: str
    result: str
    space: str | None = None
    account_name: str | None = None
    adam_id: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    license_type: str | None = None
    event_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class LicensesActivity:
    """One entry per license of `license_ids` (ascending), in that order, alike but for the app and target, which
    are read from the license (an assign logs 30,000: one statement instead of as many rows built in Python)."""

    action: str
    result: str
    license_ids: Sequence[int]
    space: str | None = None
    account_name: str | None = None
    license_type: str | None = None
    event_id: str | None = None
    detail: str | None = None


_COLUMNS = (
    "ts, actor, space, account_name, adam_id, target_kind, target_id, license_type, action, result, event_id, detail"
)


class ActivityStore(StoreBase):
    def log_activity(self, entries: Sequence[NewActivity | LicensesActivity], *, actor: str, now: datetime) -> None:
        """Append entries to the activity log in one transaction, in order."""
        stamp = to_iso(now)
        rows: list[tuple[str | None, ...]] = []
        with self.transaction():
            for e in entries:
                if isinstance(e, NewActivity):
                    rows.append((stamp, actor, e.space, e.account_name, e.adam_id, e.target_kind, e.target_id,
                                 e.license_type, e.action, e.result, e.event_id, e.detail))  # fmt: skip
                    continue
                self._insert_rows(rows)
                rows = []
                self._insert_licenses(e, stamp, actor)
            self._insert_rows(rows)

    def _insert_rows(self, rows: list[tuple[str | None, ...]]) -> None:
        if rows:
            self.db.conn.executemany(f"INSERT INTO activity ({_COLUMNS}) VALUES ({', '.join('?' * 12)})", rows)

    def _insert_licenses(self, entry: LicensesActivity, stamp: str, actor: str) -> None:
        if not entry.license_ids:
            return
        where, params = ids_where("l.id", entry.license_ids)
        self.db.conn.execute(
            f"INSERT INTO activity ({_COLUMNS}) SELECT ?, ?, ?, ?, l.adam_id, l.target_kind, l.target_id, ?, ?, ?, ?, ?"
            f" FROM licenses l WHERE {where} ORDER BY l.id",
            (stamp, actor, entry.space, entry.account_name, entry.license_type, entry.action, entry.result,
             entry.event_id, entry.detail, *params),
        )  # fmt: skip

    def list_activity(
        self,
        *,
        adam_id: str | None = None,
        target_kind: str | None = None,
        target_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[ActivityEntry]:
        """Newest first."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("adam_id", adam_id), ("target_kind", target_kind), ("target_id", target_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("ts >= ?")
            params.append(to_iso(since))
        sql = "SELECT * FROM activity" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [activity_from_row(row) for row in self._all(sql, tuple(params))]
