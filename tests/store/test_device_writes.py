"""The bulk device write behind `devices import`: many rows per statement, new ones inserted and known ones
updated (and made active again), read back through a second connection."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from abctl.store import Store
from abctl.store.devices import UPSERT_ROWS

THEN = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def rows_of(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT serial, space, platform, owner, shared_ipad, state, created_at, updated_at FROM devices"
            " ORDER BY serial"
        ).fetchall()


def test_upsert_writes_every_row_across_statements_and_updates_known_ones(db_path: Path) -> None:
    count = 2 * UPSERT_ROWS + 5  # three statements, the last one short
    with Store.open(db_path, create=True) as store:
        store.upsert_users([("alice", "default", None, None)], now=THEN)
        store.upsert_devices([(f"SN{n:04d}", "default", "ios", None, False) for n in range(count)], now=THEN)
        store.set_device_state(["SN0001"], "retired", now=THEN)
        # a known device gains an owner, a retired one comes back, one is a shared iPad now, a new one is added
        store.upsert_devices(
            [("SN0000", "default", "ios", "alice", False), ("SN0001", "default", "ios", None, False),
             ("SN0002", "default", "ipados", None, True), ("SN9999", "default", "macos", None, False)],
            now=NOW,
        )  # fmt: skip
    rows = rows_of(db_path)
    assert len(rows) == count + 1
    then, now = "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"
    assert rows[:4] == [
        ("SN0000", "default", "ios", "alice", 0, "active", then, now),
        ("SN0001", "default", "ios", None, 0, "active", then, now),
        ("SN0002", "default", "ipados", None, 1, "active", then, now),
        ("SN0003", "default", "ios", None, 0, "active", then, then),
    ]
    assert rows[count - 1][0] == f"SN{count - 1:04d}" and rows[-1] == ("SN9999", "default", "macos", None, 0,
                                                                       "active", now, now)  # fmt: skip


def test_upsert_of_nothing_writes_nothing(db_path: Path) -> None:
    with Store.open(db_path, create=True) as store:
        store.upsert_devices([], now=NOW)
    assert rows_of(db_path) == []


def test_user_places_are_each_users_space_and_state(db_path: Path) -> None:
    with Store.open(db_path, create=True) as store:
        store.upsert_users([("alice", "default", None, None), ("bob", "default", "b@example.org", None)], now=NOW)
        store.set_user_state(["bob"], "retired", now=NOW)
        assert store.user_places() == {"alice": ("default", "active"), "bob": ("default", "retired")}
