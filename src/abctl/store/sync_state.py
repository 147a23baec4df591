"""Bringing local licenses in step with Apple's assignments.

A full read replaces the account's live licenses: assignments abctl did not know become `external` licenses,
and live licenses Apple no longer has are marked revoked. A delta only adds: Apple's documented deltas carry
no removals, so the sync service heals removals by re-reading an asset whose counts disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from abctl.models import Assignment
from abctl.store.base import StoreBase
from abctl.timeutil import to_iso

Key = tuple[str, str, str, str]  # adam_id, pricing_param, target_kind, target_id


@dataclass(frozen=True)
class Drift:
    """What a read of Apple's assignments changed locally."""

    found: int = 0  # on Apple, unknown locally: recorded as external
    confirmed: int = 0  # pending locally, now seen on Apple: active
    missing: int = 0  # live locally, gone from Apple: revoked

    def __add__(self, other: Drift) -> Drift:
        return Drift(self.found + other.found, self.confirmed + other.confirmed, self.missing + other.missing)


def _key(a: Assignment) -> Key:
    return (a.adam_id, a.pricing_param, str(a.target_kind), a.target_id)


class SyncStateStore(StoreBase):
    def _live(self, account_id: int, adam_id: str | None) -> dict[Key, tuple[int, str]]:
        sql = ("SELECT id, adam_id, pricing_param, target_kind, target_id, state FROM licenses WHERE account_id = ?"
               " AND state IN ('pending', 'active', 'revoking')")  # fmt: skip
        params: tuple[object, ...] = (account_id,)
        if adam_id is not None:
            sql += " AND adam_id = ?"
            params = (account_id, adam_id)
        return {(r[1], r[2], r[3], r[4]): (r[0], r[5]) for r in self.db.execute(sql, params).fetchall()}

    def apply_assignments(
        self, account_id: int, assignments: Sequence[Assignment], *, complete: bool, now: datetime,
        adam_id: str | None = None,
    ) -> Drift:  # fmt: skip
        """Merge Apple's assignments; with `complete`, what Apple did not list is revoked (scoped to `adam_id`)."""
        stamp = to_iso(now)
        live = self._live(account_id, adam_id)
        seen = {_key(a) for a in assignments}
        new = [key for key in seen if key not in live]
        confirm = [live[key][0] for key in seen if key in live and live[key][1] == "pending"]
        gone = [row_id for key, (row_id, _state) in live.items() if key not in seen] if complete else []
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state,"
                " assigned_at, last_action, detail) VALUES (?, ?, ?, ?, ?, 'external', 'active', ?, 'sync',"
                " 'found on Apple')",
                [(account_id, *key, stamp) for key in sorted(new)],
            )
            self._update(confirm, "UPDATE licenses SET state = 'active', last_action = 'associate' WHERE id IN ({})")
            self._update(
                gone,
                "UPDATE licenses SET state = 'revoked', revoked_at = '" + stamp + "', last_action = 'sync',"
                " detail = 'not on Apple at sync' WHERE id IN ({})",
            )
        return Drift(found=len(new), confirmed=len(confirm), missing=len(gone))

    def _update(self, ids: Iterable[int], sql: str) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            self.db.execute(sql.format(", ".join("?" for _ in chunk)), tuple(chunk))

    def live_counts_by_asset(self, account_id: int) -> dict[tuple[str, str], int]:
        rows = self.db.execute(
            "SELECT adam_id, pricing_param, count(*) FROM licenses WHERE account_id = ? AND state IN"
            " ('pending', 'active', 'revoking') GROUP BY adam_id, pricing_param",
            (account_id,),
        ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}
