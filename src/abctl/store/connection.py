"""Opening the SQLite file: private permissions, WAL, foreign keys and a busy timeout.

The database holds sTokens, user emails and device serials, so its folder is created 0700 and the file 0600;
an existing file readable by others is tightened (the caller is told, to warn the user).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from abctl.errors import ConfigError
from abctl.failure_words import in_words

BUSY_TIMEOUT_MS = 10_000
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _ensure_private_file(path: Path) -> bool:
    """Create the file 0600 if missing; tighten a wider mode. True when an existing mode was tightened."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        os.close(fd)
        os.chmod(path, PRIVATE_FILE)
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, PRIVATE_FILE)
        return True
    return False


def tighten_sidecars(path: Path) -> None:
    """WAL and shared-memory files are created by SQLite with the umask; keep them private too."""
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists() and stat.S_IMODE(sidecar.stat().st_mode) & 0o077:
            os.chmod(sidecar, PRIVATE_FILE)


def connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """Open (creating if needed) the database file. Returns the connection and whether permissions were tightened.

    Raises:
        ConfigError: the folder cannot be created or the file cannot be opened.
    """
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=PRIVATE_DIR)
            os.chmod(path.parent, PRIVATE_DIR)
        old_umask = os.umask(0o077)
        try:
            tightened = _ensure_private_file(path)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        finally:
            os.umask(old_umask)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(
            f"cannot open the database `{path}`: {in_words(error)}",
            hint="check the path given with --db or ABCTL_DB, and that you may write to its folder",
        ) from None
    tighten_sidecars(path)
    return conn, tightened
