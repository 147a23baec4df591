"""Devices by serial number, the facts planning reads about them, and the apps installed on them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from abctl.store.base import StoreBase, chunks, marks
from abctl.timeutil import from_iso, to_iso


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


class DeviceFacts(NamedTuple):
    """What license planning needs about a device, without timestamps: cheap to read by the hundred thousand (a
    named tuple, built straight from the row). `owner_groups`: the owner's explicit groups, joined by US
    (chr 31), or None."""

    serial: str
    space: str
    platform: str
    owner: str | None
    shared_ipad: bool
    state: str
    owner_groups: str | None = None


UPSERT_ROWS = 128  # rows per INSERT statement: 7 parameters each, well under SQLite's 32,766


@lru_cache(maxsize=4)
def _upsert_sql(count: int) -> str:
    """One INSERT of `count` device rows; a known serial is updated and made active."""
    rows = ", ".join(["(?, ?, ?, ?, ?, 'active', ?, ?)"] * count)
    return (
        "INSERT INTO devices (serial, space, platform, owner, shared_ipad, state, created_at, updated_at)"
        f" VALUES {rows} ON CONFLICT(serial) DO UPDATE SET space = excluded.space, platform = excluded.platform,"
        " owner = excluded.owner, shared_ipad = excluded.shared_ipad, state = 'active',"
        " updated_at = excluded.updated_at"
    )


def _device(row: dict[str, Any]) -> DeviceRecord:
    return DeviceRecord(
        row["serial"], row["space"], row["platform"], row["owner"], bool(row["shared_ipad"]), row["state"],
        from_iso(row["created_at"]), from_iso(row["updated_at"]),
    )  # fmt: skip


class DevicesStore(StoreBase):
    def get_device(self, serial: str) -> DeviceRecord | None:
        row = self._one("SELECT * FROM devices WHERE serial = ?", (serial,))
        return None if row is None else _device(row)

    def devices_by_serial(self, serials: Iterable[str] | None = None) -> dict[str, DeviceRecord]:
        if serials is None:
            return {row["serial"]: _device(row) for row in self._all("SELECT * FROM devices")}
        found: dict[str, DeviceRecord] = {}
        for chunk in chunks(sorted(set(serials))):
            sql = f"SELECT * FROM devices WHERE serial IN ({marks(chunk)})"
            found.update({row["serial"]: _device(row) for row in self._all(sql, tuple(chunk))})
        return found

    def serials(self, space: str | None = None) -> list[str]:
        """Every serial (of one space when given): what a did-you-mean compares a mistyped serial with."""
        where, params = self._where(space=space)
        return [row[0] for row in self.db.execute(f"SELECT serial FROM devices{where}", params).fetchall()]

    def device_facts(self, serials: Sequence[str]) -> dict[str, DeviceFacts]:
        """Planning facts of these devices (the ones abctl knows) and their owners' groups, in one query: the
        serials go in as one JSON array parameter, however many there are."""
        cursor = self.db.conn.execute(
            "SELECT d.serial, d.space, d.platform, d.owner, d.shared_ipad, d.state, (SELECT group_concat("
            "m.group_name, char(31)) FROM group_members m WHERE m.client_user_id = d.owner)"
            " FROM json_each(?) j JOIN devices d ON d.serial = j.value",
            (json.dumps(list(dict.fromkeys(serials))),),
        )
        return {row[0]: DeviceFacts(row[0], row[1], row[2], row[3], row[4] == 1, row[5], row[6]) for row in cursor}

    def device_targets(
        self, serials: Sequence[str], space: str
    ) -> Iterator[tuple[int, str, str | None, int, int, str | None]]:
        """What planning reads about each of these devices that abctl knows in `space`, as plain rows read one at
        a time: (the serial's place in `serials`, platform, owner, shared_ipad 0/1, active 0/1, one of the owner's
        explicit groups or None). A device whose owner is in several groups comes as one row per group. One
        query; `serials` (each once) go in as one JSON array, whose rows drive the join, so the rows come in the
        order asked, a device's one after another (no sort: a caller that relies on it checks)."""
        return self.db.conn.execute(
            "SELECT j.key, d.platform, d.owner, d.shared_ipad, d.state = 'active', m.group_name"
            " FROM json_each(?) j CROSS JOIN devices d ON d.serial = j.value"
            " LEFT JOIN group_members m ON m.client_user_id = d.owner WHERE d.space = ?",
            (json.dumps(serials), space),
        )

    def list_devices(
        self, *, space: str | None = None, states: Sequence[str] | None = None, owner: str | None = None
    ) -> list[DeviceRecord]:
        where, params = self._where(space=space, states=states, owner=owner)
        return [_device(row) for row in self._all(f"SELECT * FROM devices{where} ORDER BY serial", params)]

    def upsert_devices(
        self, rows: Sequence[tuple[str, str, str, str | None, bool]], *, now: datetime
    ) -> None:  # fmt: skip
        """Insert or update (serial, space, platform, owner, shared_ipad) rows; each becomes active.

        Written UPSERT_ROWS rows per statement: the table's CHECK (x IN (...)) constraints build their lookup
        once per statement run, so one statement per row (executemany) spent most of a large import on them."""
        stamp = to_iso(now)
        values = [(serial, space, platform, owner, int(shared), stamp, stamp) for serial, space, platform, owner, shared
                  in rows]  # fmt: skip
        with self.transaction():
            for start in range(0, len(values), UPSERT_ROWS):
                batch = values[start : start + UPSERT_ROWS]
                self.db.conn.execute(_upsert_sql(len(batch)), [value for row in batch for value in row])

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
