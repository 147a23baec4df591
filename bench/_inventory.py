"""Bulk inventory for the database benchmarks: app names, and N users each owning one device (U0000000 owns
D0000000), written with executemany inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def insert_owned_devices(conn: sqlite3.Connection, adam_ids: Sequence[str], targets: int, stamp: str) -> None:
    """Names `App 0`.. for `adam_ids`, `targets` users and as many iOS devices, device i owned by user i."""
    conn.executemany(
        "INSERT INTO app_metadata (adam_id, name, fetched_at) VALUES (?, ?, ?)",
        [(adam_id, f"App {index}", stamp) for index, adam_id in enumerate(adam_ids)],
    )
    conn.executemany(
        "INSERT INTO users (client_user_id, space, created_at, updated_at) VALUES (?, 'default', ?, ?)",
        [(f"U{t:07d}", stamp, stamp) for t in range(targets)],
    )
    conn.executemany(
        "INSERT INTO devices (serial, space, platform, owner, created_at, updated_at)"
        " VALUES (?, 'default', 'ios', ?, ?, ?)",
        [(f"D{t:07d}", f"U{t:07d}", stamp, stamp) for t in range(targets)],
    )
