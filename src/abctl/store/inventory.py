"""The inventory: users, groups and their members, devices and the apps installed on them.

Also reads each user's status with Apple per account (`apple_users`, written by sync and by `users invite`).
Bulk writes use executemany, so an import of 10,000 rows is one short transaction (callers wrap several
writes in one `transaction()`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from abctl.store.base import StoreBase
from abctl.store.rows import when
from abctl.timeutil import from_iso, to_iso

_CHUNK = 900  # SQLite's default limit on bound parameters is 999


@dataclass(frozen=True)
class UserRecord:
    """A person abctl knows, in one space; `state` is active, retired or deleted."""

    client_user_id: str
    space: str
    email: str | None
    managed_apple_id: str | None
    state: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DeviceRecord:
    """A device by serial number; `state` is active, retired, wiped or unenrolled."""

    serial: str
    space: str
    platform: str
    owner: str | None
    shared_ipad: bool
    state: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What license planning needs about a device, without timestamps: cheap to read by the hundred thousand."""

    serial: str
    space: str
    platform: str
    owner: str | None
    shared_ipad: bool
    state: str


@dataclass(frozen=True)
class AppleStatus:
    """A user's status with one account's location, as Apple last reported it."""

    account_id: int
    account: str
    client_user_id: str
    status: str
    invite_code: str | None
    synced_at: datetime | None


@dataclass(frozen=True)
class GroupRecord:
    space: str
    name: str
    members: int
    created_at: datetime | None


def _user(row: dict[str, Any]) -> UserRecord:
    return UserRecord(
        row["client_user_id"], row["space"], row["email"], row["managed_apple_id"], row["state"],
        from_iso(row["created_at"]), from_iso(row["updated_at"]),
    )  # fmt: skip


def _device(row: dict[str, Any]) -> DeviceRecord:
    return DeviceRecord(
        row["serial"], row["space"], row["platform"], row["owner"], bool(row["shared_ipad"]), row["state"],
        from_iso(row["created_at"]), from_iso(row["updated_at"]),
    )  # fmt: skip


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(items: Sequence[object]) -> str:
    return ", ".join("?" for _ in items)


class InventoryStore(StoreBase):
    # -- users ---------------------------------------------------------------------------------------------

    def get_user(self, client_user_id: str) -> UserRecord | None:
        row = self._one("SELECT * FROM users WHERE client_user_id = ?", (client_user_id,))
        return None if row is None else _user(row)

    def users_by_id(self, client_user_ids: Iterable[str] | None = None) -> dict[str, UserRecord]:
        """Users by id: the ones asked for, or every user (imports compare a whole file against this)."""
        if client_user_ids is None:
            return {row["client_user_id"]: _user(row) for row in self._all("SELECT * FROM users")}
        found: dict[str, UserRecord] = {}
        for chunk in _chunks(sorted(set(client_user_ids))):
            sql = f"SELECT * FROM users WHERE client_user_id IN ({_marks(chunk)})"
            found.update({row["client_user_id"]: _user(row) for row in self._all(sql, tuple(chunk))})
        return found

    def list_users(self, *, space: str | None = None, states: Sequence[str] | None = None) -> list[UserRecord]:
        """Users ordered by id, of one space and in the given states when asked."""
        where, params = self._filters(space=space, states=states)
        return [_user(row) for row in self._all(f"SELECT * FROM users{where} ORDER BY client_user_id", params)]

    def upsert_users(self, rows: Sequence[tuple[str, str, str | None, str | None]], *, now: datetime) -> None:
        """Insert or update (client_user_id, space, email, managed_apple_id) rows; a deleted user becomes active
        again, a retired one stays retired (only `users invite` brings them back)."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO users (client_user_id, space, email, managed_apple_id, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'active', ?, ?) ON CONFLICT(client_user_id) DO UPDATE SET space = excluded.space,"
                " email = excluded.email, managed_apple_id = excluded.managed_apple_id,"
                " state = CASE users.state WHEN 'retired' THEN 'retired' ELSE 'active' END,"
                " updated_at = excluded.updated_at",
                [(*row, stamp, stamp) for row in rows],
            )

    def set_user_state(self, client_user_ids: Sequence[str], state: str, *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE users SET state = ?, updated_at = ? WHERE client_user_id = ?",
                [(state, to_iso(now), user) for user in client_user_ids],
            )

    def apple_statuses(self, client_user_ids: Iterable[str] | None = None) -> dict[str, list[AppleStatus]]:
        """Apple's status of each user per account (accounts in priority order)."""
        sql = (
            "SELECT u.account_id, a.name AS account, u.client_user_id, u.status, u.invite_code, u.synced_at"
            " FROM apple_users u JOIN accounts a ON a.id = u.account_id"
        )
        rows: list[dict[str, Any]] = []
        if client_user_ids is None:
            rows = self._all(sql + " ORDER BY a.space, a.priority")
        else:
            for chunk in _chunks(sorted(set(client_user_ids))):
                where = f" WHERE u.client_user_id IN ({_marks(chunk)}) ORDER BY a.space, a.priority"
                rows.extend(self._all(sql + where, tuple(chunk)))
        found: dict[str, list[AppleStatus]] = {}
        for row in rows:
            found.setdefault(row["client_user_id"], []).append(
                AppleStatus(row["account_id"], row["account"], row["client_user_id"], row["status"],
                            row["invite_code"], when(row["synced_at"]))
            )  # fmt: skip
        return found

    def set_apple_user_status(
        self, account_id: int, client_user_ids: Sequence[str], status: str, *, now: datetime
    ) -> None:
        """Record a status change abctl caused (e.g. Retired after users/retire) until the next sync reads it."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE apple_users SET status = ?, synced_at = ? WHERE account_id = ? AND client_user_id = ?",
                [(status, to_iso(now), account_id, user) for user in client_user_ids],
            )

    # -- groups --------------------------------------------------------------------------------------------

    def list_groups(self, space: str) -> list[GroupRecord]:
        """Explicit groups of a space with their member counts (deleted users do not count)."""
        rows = self._all(
            "SELECT g.space, g.name, g.created_at, (SELECT count(*) FROM group_members m JOIN users u"
            " ON u.client_user_id = m.client_user_id WHERE m.space = g.space AND m.group_name = g.name"
            " AND u.state != 'deleted') AS members FROM groups g WHERE g.space = ? ORDER BY g.name COLLATE NOCASE",
            (space,),
        )
        return [GroupRecord(r["space"], r["name"], r["members"], from_iso(r["created_at"])) for r in rows]

    def group_names(self, space: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT name FROM groups WHERE space = ?", (space,)).fetchall()}

    def insert_groups(self, space: str, names: Iterable[str], *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO groups (space, name, created_at) VALUES (?, ?, ?)",
                [(space, name, to_iso(now)) for name in names],
            )

    def add_group_members(self, members: Sequence[tuple[str, str, str]]) -> int:
        """Add (space, group, client_user_id) memberships; returns how many were new."""
        before = self.db.conn.total_changes
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO group_members (space, group_name, client_user_id) VALUES (?, ?, ?)", members
            )
        return int(self.db.conn.total_changes - before)

    def remove_group_members(self, space: str, group: str, client_user_ids: Sequence[str]) -> int:
        before = self.db.conn.total_changes
        with self.transaction():
            self.db.conn.executemany(
                "DELETE FROM group_members WHERE space = ? AND group_name = ? AND client_user_id = ?",
                [(space, group, user) for user in client_user_ids],
            )
        return int(self.db.conn.total_changes - before)

    def remove_user_from_groups(self, client_user_id: str) -> None:
        self.db.execute("DELETE FROM group_members WHERE client_user_id = ?", (client_user_id,))

    def group_member_ids(self, space: str, group: str) -> list[str]:
        rows = self.db.execute(
            "SELECT m.client_user_id FROM group_members m JOIN users u ON u.client_user_id = m.client_user_id"
            " WHERE m.space = ? AND m.group_name = ? AND u.state != 'deleted' ORDER BY m.client_user_id",
            (space, group),
        )
        return [user for (user,) in rows.fetchall()]

    def groups_of_users(self, client_user_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
        """Explicit groups per user, sorted by name (all users when no ids are given)."""
        sql = "SELECT client_user_id, group_name FROM group_members"
        pairs: list[tuple[str, str]] = []
        if client_user_ids is None:
            pairs = list(self.db.execute(sql).fetchall())
        else:
            for chunk in _chunks(sorted(set(client_user_ids))):
                pairs.extend(self.db.execute(f"{sql} WHERE client_user_id IN ({_marks(chunk)})", tuple(chunk)))
        found: dict[str, list[str]] = {}
        for user, group in sorted(pairs, key=lambda pair: (pair[0], pair[1].casefold())):
            found.setdefault(user, []).append(group)
        return found

    # -- devices -------------------------------------------------------------------------------------------

    def get_device(self, serial: str) -> DeviceRecord | None:
        row = self._one("SELECT * FROM devices WHERE serial = ?", (serial,))
        return None if row is None else _device(row)

    def devices_by_serial(self, serials: Iterable[str] | None = None) -> dict[str, DeviceRecord]:
        if serials is None:
            return {row["serial"]: _device(row) for row in self._all("SELECT * FROM devices")}
        found: dict[str, DeviceRecord] = {}
        for chunk in _chunks(sorted(set(serials))):
            sql = f"SELECT * FROM devices WHERE serial IN ({_marks(chunk)})"
            found.update({row["serial"]: _device(row) for row in self._all(sql, tuple(chunk))})
        return found

    def group_sets(self, client_user_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """Each user's explicit groups as a set, for planning. Users with the same groups share one set, and a
        large request scans the table once instead of many IN lists."""
        wanted = set(client_user_ids)
        sql = "SELECT client_user_id, group_concat(group_name, char(31)) FROM group_members"
        if len(wanted) > 10 * _CHUNK:
            pairs = self.db.conn.execute(sql + " GROUP BY client_user_id").fetchall()
        else:
            pairs = []
            for chunk in _chunks(sorted(wanted)):
                where = f" WHERE client_user_id IN ({_marks(chunk)}) GROUP BY client_user_id"
                pairs.extend(self.db.conn.execute(sql + where, tuple(chunk)))
        shared: dict[str, frozenset[str]] = {}
        return {
            user: shared.get(names) or shared.setdefault(names, frozenset(names.split("\x1f")))
            for user, names in pairs
            if user in wanted
        }

    def device_facts(self, serials: Sequence[str]) -> dict[str, DeviceFacts]:
        """Planning facts of these devices; a large request scans the table once instead of many IN lists."""
        wanted = set(serials)
        sql = "SELECT serial, space, platform, owner, shared_ipad, state FROM devices"
        if len(wanted) > 10 * _CHUNK:
            rows = self.db.conn.execute(sql).fetchall()
        else:
            rows = []
            for chunk in _chunks(sorted(wanted)):
                rows.extend(self.db.conn.execute(f"{sql} WHERE serial IN ({_marks(chunk)})", tuple(chunk)))
        return {row[0]: DeviceFacts(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows
                if row[0] in wanted}  # fmt: skip

    def list_devices(
        self, *, space: str | None = None, states: Sequence[str] | None = None, owner: str | None = None
    ) -> list[DeviceRecord]:
        where, params = self._filters(space=space, states=states, owner=owner)
        return [_device(row) for row in self._all(f"SELECT * FROM devices{where} ORDER BY serial", params)]

    def upsert_devices(
        self, rows: Sequence[tuple[str, str, str, str | None, bool]], *, now: datetime
    ) -> None:  # fmt: skip
        """Insert or update (serial, space, platform, owner, shared_ipad) rows; each becomes active."""
        stamp = to_iso(now)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO devices (serial, space, platform, owner, shared_ipad, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'active', ?, ?) ON CONFLICT(serial) DO UPDATE SET space = excluded.space,"
                " platform = excluded.platform, owner = excluded.owner, shared_ipad = excluded.shared_ipad,"
                " state = 'active', updated_at = excluded.updated_at",
                [(serial, space, platform, owner, int(shared), stamp, stamp) for serial, space, platform, owner, shared
                 in rows],
            )  # fmt: skip

    def set_device_state(self, serials: Sequence[str], state: str, *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE devices SET state = ?, updated_at = ? WHERE serial = ?",
                [(state, to_iso(now), serial) for serial in serials],
            )

    def move_device(self, serial: str, space: str, *, now: datetime) -> None:
        """Record that a device now belongs to another space (R20; its licenses are moved by the caller)."""
        self.db.execute("UPDATE devices SET space = ?, updated_at = ? WHERE serial = ?", (space, to_iso(now), serial))

    def add_installed_apps(self, serial: str, adam_ids: Iterable[str], *, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO installed_apps (serial, adam_id, installed_at) VALUES (?, ?, ?)",
                [(serial, adam_id, to_iso(now)) for adam_id in adam_ids],
            )

    def installed_apps(self, serial: str) -> list[str]:
        rows = self.db.execute("SELECT adam_id FROM installed_apps WHERE serial = ? ORDER BY adam_id", (serial,))
        return [adam_id for (adam_id,) in rows.fetchall()]

    def devices_with_app_installed(self, adam_id: str, space: str) -> list[DeviceRecord]:
        rows = self._all(
            "SELECT d.* FROM devices d JOIN installed_apps i ON i.serial = d.serial"
            " WHERE i.adam_id = ? AND d.space = ? ORDER BY d.serial",
            (adam_id, space),
        )
        return [_device(row) for row in rows]

    def _filters(self, **values: Any) -> tuple[str, tuple[Any, ...]]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in values.items():
            if value is None:
                continue
            if column == "states":
                where.append(f"state IN ({_marks(value)})")
                params.extend(value)
            else:
                where.append(f"{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(where) if where else ""), tuple(params)
