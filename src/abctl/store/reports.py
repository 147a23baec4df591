"""Read-only queries behind `abctl usage`, `abctl notifications` and `abctl log`.

Usage reads the Apple counts kept in `assets` (so it costs the same with 1,000,000 license rows as with ten); the
per-user and per-device views go through `idx_licenses_holder`; the forecast counts recent assignments in the
activity log through `idx_activity_ts`. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.store.base import StoreBase
from abctl.store.rows import activity_from_row, when
from abctl.timeutil import from_iso, to_iso

if TYPE_CHECKING:
    from abctl.models.ledger import ActivityEntry

# Activity rows that count as one license handed out, for the forecast's assignment rate.
ASSIGN_ACTIONS = ("associate", "assign")
ASSIGN_RESULTS = ("assigned", "complete", "ok", "success")


@dataclass(frozen=True)
class AssetUsage:
    """Apple's counts for one asset of one account, with the app's name when metadata was fetched."""

    space: str
    account_id: int
    account: str
    adam_id: str
    pricing_param: str
    product_type: str
    name: str | None
    total: int
    assigned: int
    available: int
    retired: int


@dataclass(frozen=True)
class TargetLicense:
    """One license held by (or used on) a device or user, as the per-target usage view shows it."""

    id: int
    space: str
    account: str
    adam_id: str
    pricing_param: str
    name: str | None
    target_kind: str
    target_id: str
    source: str
    state: str
    event_id: str | None
    assigned_at: datetime
    revoked_at: datetime | None
    usable_until: datetime | None
    last_action: str | None


@dataclass(frozen=True)
class NotificationRecord:
    """One row of the notifications table, with the account's space and the app's name."""

    id: int
    kind: str
    space: str | None
    account: str
    adam_id: str | None
    pricing_param: str | None
    name: str | None
    severity: str
    trigger: str
    message: str
    action: str | None
    raised_at: datetime
    cleared_at: datetime | None


_TARGET_SELECT = """
SELECT l.id, a.space, a.name AS account, l.adam_id, l.pricing_param, m.name AS name, l.target_kind, l.target_id,
       l.source, l.state, l.event_id, l.assigned_at, l.revoked_at, l.usable_until, l.last_action
FROM licenses l JOIN accounts a ON a.id = l.account_id LEFT JOIN app_metadata m ON m.adam_id = l.adam_id
"""


def _target_license(row: dict[str, Any]) -> TargetLicense:
    return TargetLicense(
        id=row["id"],
        space=row["space"],
        account=row["account"],
        adam_id=row["adam_id"],
        pricing_param=row["pricing_param"],
        name=row["name"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        source=row["source"],
        state=row["state"],
        event_id=row["event_id"],
        assigned_at=from_iso(row["assigned_at"]),
        revoked_at=when(row["revoked_at"]),
        usable_until=when(row["usable_until"]),
        last_action=row["last_action"],
    )


class ReportsStore(StoreBase):
    def asset_usage(self, space: str, *, adam_id: str | None = None) -> list[AssetUsage]:
        """Apple's counts for every asset of the space's accounts (one app's when `adam_id` is given)."""
        sql = (
            "SELECT acc.space, acc.id AS account_id, acc.name AS account, s.adam_id, s.pricing_param,"
            " s.product_type, m.name AS name, s.total, s.assigned, s.available, s.retired"
            " FROM accounts acc JOIN assets s ON s.account_id = acc.id"
            " LEFT JOIN app_metadata m ON m.adam_id = s.adam_id WHERE acc.space = ?"
        )
        params: list[Any] = [space]
        if adam_id is not None:
            sql += " AND s.adam_id = ?"
            params.append(adam_id)
        return [AssetUsage(**row) for row in self._all(sql + " ORDER BY acc.priority, s.adam_id", tuple(params))]

    def recent_assignments(self, space: str, *, since: datetime) -> dict[tuple[str, str], int]:
        """How many licenses each (account name, adam_id) of the space handed out since `since` (activity log)."""
        actions = ", ".join("?" for _ in ASSIGN_ACTIONS)
        results = ", ".join("?" for _ in ASSIGN_RESULTS)
        rows = self.db.execute(
            "SELECT account_name, adam_id, count(*) FROM activity"
            f" WHERE ts >= ? AND action IN ({actions}) AND result IN ({results}) AND adam_id IS NOT NULL"
            " AND account_name IN (SELECT name FROM accounts WHERE space = ?)"
            " GROUP BY account_name, adam_id",
            (to_iso(since), *ASSIGN_ACTIONS, *ASSIGN_RESULTS, space),
        ).fetchall()
        return {(account, adam_id): count for account, adam_id, count in rows}

    def user_licenses(self, client_user_id: str) -> list[TargetLicense]:
        """The user's user-based licenses and the device-based licenses of the devices the user owns."""
        sql = (
            f"{_TARGET_SELECT} WHERE l.target_kind = 'user' AND l.target_id = ?"
            f" UNION ALL {_TARGET_SELECT} WHERE l.target_kind = 'device'"
            " AND l.target_id IN (SELECT serial FROM devices WHERE owner = ?)"
        )
        return [_target_license(row) for row in self._all(sql, (client_user_id, client_user_id))]

    def device_licenses(self, serial: str) -> list[TargetLicense]:
        """The device's device-based licenses and its owner's user-based ones (none for a shared iPad)."""
        sql = (
            f"{_TARGET_SELECT} WHERE l.target_kind = 'device' AND l.target_id = ?"
            f" UNION ALL {_TARGET_SELECT} WHERE l.target_kind = 'user'"
            " AND l.target_id IN (SELECT owner FROM devices WHERE serial = ? AND shared_ipad = 0 AND owner IS NOT NULL)"
        )
        return [_target_license(row) for row in self._all(sql, (serial, serial))]

    def is_known_target(self, target_kind: str, target_id: str) -> bool:
        """True when the user or device is in the inventory or holds any license record."""
        table, column = ("devices", "serial") if target_kind == "device" else ("users", "client_user_id")
        if self._scalar(f"SELECT 1 FROM {table} WHERE {column} = ?", (target_id,)) is not None:
            return True
        found = "SELECT 1 FROM licenses WHERE target_kind = ? AND target_id = ? LIMIT 1"
        return self._scalar(found, (target_kind, target_id)) is not None

    def notifications(self, *, space: str | None = None, include_cleared: bool = False) -> list[NotificationRecord]:
        """Open notifications (and cleared ones too with `include_cleared`), of one space's accounts if given."""
        sql = (
            "SELECT n.id, n.kind, a.space, n.account_name AS account, n.adam_id, n.pricing_param, m.name AS name,"
            " n.severity, n.trigger, n.message, n.action, n.raised_at, n.cleared_at FROM notifications n"
            " LEFT JOIN accounts a ON a.id = n.account_id LEFT JOIN app_metadata m ON m.adam_id = n.adam_id"
        )
        where: list[str] = []
        params: list[Any] = []
        if not include_cleared:
            where.append("n.cleared_at IS NULL")
        if space is not None:
            where.append("a.space = ?")
            params.append(space)
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY n.id"
        return [
            NotificationRecord(
                **{**row, "raised_at": from_iso(row["raised_at"]), "cleared_at": when(row["cleared_at"])}
            )
            for row in self._all(sql, tuple(params))
        ]

    def activity_entries(
        self,
        *,
        adam_id: str | None = None,
        user: str | None = None,
        device: str | None = None,
        space: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[ActivityEntry]:
        """Activity log entries, newest first, matching every filter given; `user` also matches their devices."""
        where: list[str] = []
        params: list[Any] = []
        if adam_id is not None:
            where.append("adam_id = ?")
            params.append(adam_id)
        if space is not None:
            where.append("space = ?")
            params.append(space)
        if since is not None:
            where.append("ts >= ?")
            params.append(to_iso(since))
        if user is not None:
            where.append(
                "((target_kind = 'user' AND target_id = ?)"
                " OR (target_kind = 'device' AND target_id IN (SELECT serial FROM devices WHERE owner = ?)))"
            )
            params.extend((user, user))
        if device is not None:
            where.append("target_kind = 'device' AND target_id = ?")
            params.append(device)
        sql = (
            "SELECT * FROM activity" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY ts DESC, id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [activity_from_row(row) for row in self._all(sql, tuple(params))]

    def adam_ids_named(self, name: str) -> list[str]:
        """AdamIds whose fetched metadata name is `name` (case-insensitive)."""
        rows = self.db.execute(
            "SELECT adam_id FROM app_metadata WHERE name = ? COLLATE NOCASE ORDER BY adam_id", (name,)
        )
        return [adam_id for (adam_id,) in rows.fetchall()]

    def app_names(self, adam_ids: Iterable[str]) -> dict[str, str]:
        """Names of the apps whose metadata abctl has fetched, by adamId."""
        wanted = sorted(set(adam_ids))
        names: dict[str, str] = {}
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.execute(f"SELECT adam_id, name FROM app_metadata WHERE adam_id IN ({marks})", tuple(chunk))
            names.update(dict(rows.fetchall()))
        return names
