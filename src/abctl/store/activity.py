"""The activity log (R19): who, which license type, when, what action, what result, which Apple event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.store.base import StoreBase
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


class ActivityStore(StoreBase):
    def log_activity(self, entries: Sequence[NewActivity], *, actor: str, now: datetime) -> None:
        """Append entries to the activity log in one transaction."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO activity (ts, actor, space, account_name, adam_id, target_kind, target_id, license_type,"
                " action, result, event_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        stamp,
                        actor,
                        e.space,
                        e.account_name,
                        e.adam_id,
                        e.target_kind,
                        e.target_id,
                        e.license_type,
                        e.action,
                        e.result,
                        e.event_id,
                        e.detail,
                    )
                    for e in entries
                ],
            )

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
