"""Delegations (R21): which apps of the default space's accounts are lent to which custom space, and the live
licenses that came through them (a default-space account's license held by a device or user of that space).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.models.licenses import License
from abctl.store.base import StoreBase
from abctl.store.licenses import LIVE_STATES
from abctl.store.rows import license_from_row
from abctl.timeutil import from_iso, to_iso

_LICENSES = (
    "SELECT l.*, a.name AS account_name, a.space AS space FROM licenses l JOIN accounts a ON a.id = l.account_id"
    " JOIN delegations g ON g.adam_id = l.adam_id AND g.space = :space"
    " WHERE a.space = 'default' AND l.state IN ({states}) AND ("
    " (l.target_kind = 'device' AND l.target_id IN (SELECT serial FROM devices WHERE space = :space))"
    " OR (l.target_kind = 'user' AND l.target_id IN (SELECT client_user_id FROM users WHERE space = :space)))"
)


@dataclass(frozen=True)
class Delegation:
    """One app lent by the default space's accounts to a custom space."""

    space: str
    adam_id: str
    delegated_at: datetime


class DelegationsStore(StoreBase):
    def delegations(self, *, space: str | None = None, adam_id: str | None = None) -> list[Delegation]:
        """Delegations, optionally of one space or one app, by space then adamId."""
        where, params = [], {}
        if space is not None:
            where.append("space = :space")
            params["space"] = space
        if adam_id is not None:
            where.append("adam_id = :adam_id")
            params["adam_id"] = adam_id
        sql = "SELECT * FROM delegations" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._all(sql + " ORDER BY space, adam_id", params)
        return [Delegation(r["space"], r["adam_id"], from_iso(r["delegated_at"])) for r in rows]

    def is_delegated(self, space: str, adam_id: str) -> bool:
        return self._scalar("SELECT 1 FROM delegations WHERE space = ? AND adam_id = ?", (space, adam_id)) is not None

    def add_delegation(self, space: str, adam_id: str, *, now: datetime) -> bool:
        """Record a delegation; False when it already existed."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO delegations (space, adam_id, delegated_at) VALUES (?, ?, ?)",
            (space, adam_id, to_iso(now)),
        )
        return cursor.rowcount == 1

    def delete_delegation(self, space: str, adam_id: str) -> None:
        self.db.execute("DELETE FROM delegations WHERE space = ? AND adam_id = ?", (space, adam_id))

    def delegated_licenses(
        self, space: str, *, adam_id: str | None = None, targets: Iterable[tuple[str, str]] | None = None,
        states: Iterable[str] = LIVE_STATES,
    ) -> list[License]:  # fmt: skip
        """Licenses that came through the space's delegations (one app's, or these targets', when asked): held by
        the space's devices and users, paid by default-space accounts. Live ones unless other states are named."""
        wanted = [str(state) for state in states]
        marks = ", ".join(f":s{i}" for i in range(len(wanted)))
        params: dict[str, Any] = {"space": space, **{f"s{i}": state for i, state in enumerate(wanted)}}
        sql = _LICENSES.format(states=marks)
        if adam_id is not None:
            sql += " AND l.adam_id = :adam_id"
            params["adam_id"] = adam_id
        found = [license_from_row(row) for row in self._all(sql + " ORDER BY l.id", params)]
        if targets is not None:
            keys = {(str(kind), target) for kind, target in targets}
            found = [item for item in found if (str(item.target_kind), item.target_id) in keys]
        return found

    def target_spaces(self, targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The space of each (kind, id) target abctl has a device or user for; unknown targets are left out."""
        wanted = {(str(kind), target) for kind, target in targets}
        found: dict[tuple[str, str], str] = {}
        for kind, table, column in (("device", "devices", "serial"), ("user", "users", "client_user_id")):
            ids = sorted(target for k, target in wanted if k == kind)
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                marks = ", ".join("?" for _ in chunk)
                rows = self.db.execute(f"SELECT {column}, space FROM {table} WHERE {column} IN ({marks})", tuple(chunk))
                found.update({(kind, target): space for target, space in rows.fetchall()})
        return found

    def lent_grace_licenses(self, space: str, *, now: datetime, adam_id: str | None = None) -> list[License]:
        """Revoked licenses of default-space accounts held by the space's devices and users, still usable at `now`
        (what an un-delegation or a delegated revoke left in grace), the soonest end first."""
        sql = (
            "SELECT l.*, a.name AS account_name, a.space AS space FROM licenses l"
            " JOIN accounts a ON a.id = l.account_id"
            " WHERE a.space = 'default' AND l.state = 'revoked' AND l.usable_until > :now AND ("
            " (l.target_kind = 'device' AND l.target_id IN (SELECT serial FROM devices WHERE space = :space))"
            " OR (l.target_kind = 'user' AND l.target_id IN (SELECT client_user_id FROM users WHERE space = :space)))"
        )
        params: dict[str, Any] = {"space": space, "now": to_iso(now)}
        if adam_id is not None:
            sql += " AND l.adam_id = :adam_id"
            params["adam_id"] = adam_id
        rows = self._all(sql + " ORDER BY l.usable_until, a.name, l.adam_id, l.target_kind, l.target_id", params)
        return [license_from_row(row) for row in rows]
