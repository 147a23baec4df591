"""Bulk inventory for the database benchmarks: accounts, app names, and N users each owning one device (U0000000
owns D0000000), written with executemany inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def insert_accounts(
    conn: sqlite3.Connection, count: int, stamp: str, *, synced: bool = False, manual: Sequence[int] = ()
) -> None:
    """Accounts 1..`count` (`acct1`..) of the default space, in priority order, valid until 2030; `synced`: last
    synced (fully) at `stamp`; the accounts in `manual` do not auto-distribute."""
    conn.executemany(
        "INSERT INTO accounts (id, name, space, priority, auto_distribute, org_name, uid, token_fingerprint,"
        " created_at, expires_at, last_sync_at, last_full_sync_at)"
        " VALUES (?, ?, 'default', ?, ?, 'Bench', ?, 'x', ?, '2030-01-01T00:00:00Z', ?, ?)",
        [(n, f"acct{n}", n, int(n not in manual), f"uid{n}", stamp, *((stamp, stamp) if synced else (None, None)))
         for n in range(1, count + 1)],
    )  # fmt: skip


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
