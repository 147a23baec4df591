"""Distribution policies per account and app (`abctl distribute`): FCFS groups, reservations, disallowed users.

A row in `distribution_policies` means the admin set the policy explicitly; without one, an account's FCFS list
is "All Users" when it auto-distributes (R3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from abctl.store.base import StoreBase
from abctl.timeutil import to_iso


@dataclass(frozen=True)
class PolicyRecord:
    account_id: int
    adam_id: str
    explicit: bool
    fcfs_groups: tuple[str, ...]
    reserved: tuple[tuple[str, str], ...]
    disallowed: tuple[str, ...]


class PoliciesStore(StoreBase):
    def get_policy(self, account_id: int, adam_id: str) -> PolicyRecord:
        params = (account_id, adam_id)
        explicit = self._scalar("SELECT 1 FROM distribution_policies WHERE account_id = ? AND adam_id = ?", params)
        where = " WHERE account_id = ? AND adam_id = ? ORDER BY 1"
        return PolicyRecord(
            account_id,
            adam_id,
            explicit is not None,
            tuple(r[0] for r in self.db.execute("SELECT group_name FROM fcfs_groups" + where, params).fetchall()),
            tuple(
                (r[0], r[1])
                for r in self.db.execute("SELECT target_kind, target_id FROM reservations" + where, params).fetchall()
            ),
            tuple(r[0] for r in self.db.execute("SELECT client_user_id FROM disallowed" + where, params).fetchall()),
        )

    def set_policy(
        self, account_id: int, adam_id: str, *, fcfs_groups: Sequence[str] | None,
        reserve: Sequence[tuple[str, str]], disallow: Sequence[str], now: datetime,
    ) -> None:  # fmt: skip
        """Make the policy explicit; replace the FCFS groups when given, add reservations and disallowed users."""
        params = (account_id, adam_id)
        with self.transaction():
            self.db.execute(
                "INSERT INTO distribution_policies (account_id, adam_id, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(account_id, adam_id) DO UPDATE SET updated_at = excluded.updated_at",
                (*params, to_iso(now)),
            )
            if fcfs_groups is not None:
                self.db.execute("DELETE FROM fcfs_groups WHERE account_id = ? AND adam_id = ?", params)
                for group in dict.fromkeys(fcfs_groups):
                    self.db.execute("INSERT INTO fcfs_groups VALUES (?, ?, ?)", (*params, group))
            for kind, target in reserve:
                self.db.execute("INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?)", (*params, kind, target))
            for user in disallow:
                self.db.execute("INSERT OR IGNORE INTO disallowed VALUES (?, ?, ?)", (*params, user))

    def clear_policy(self, account_id: int, adam_id: str) -> None:
        """Back to the default (FCFS to All Users when the account auto-distributes)."""
        self.db.execute("DELETE FROM distribution_policies WHERE account_id = ? AND adam_id = ?", (account_id, adam_id))

    def reservations_in_space(self, space: str) -> dict[str, list[tuple[str, str]]]:
        """Every reservation of the space's accounts, per app, in account priority order: (kind, target)."""
        rows = self.db.execute(
            "SELECT r.adam_id, r.target_kind, r.target_id FROM reservations r JOIN accounts a ON a.id = r.account_id"
            " WHERE a.space = ? ORDER BY a.priority, r.adam_id, r.target_kind, r.target_id",
            (space,),
        ).fetchall()
        found: dict[str, list[tuple[str, str]]] = {}
        for adam_id, kind, target in rows:
            found.setdefault(adam_id, []).append((kind, target))
        return found
