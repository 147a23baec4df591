"""Opening the SQLite file: private permissions, WAL, foreign keys and a busy timeout.

The database holds sTokens, user emails and device serials, so its folder is created 0700 and the file 0600;
an existing file readable by others is tightened (the caller is told, to warn the user). A database is created
only when the caller says so (`create=True`): a mistyped path must not become an empty database that
"succeeds" forever. A failed open leaves nothing behind that it created.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from abctl.errors import ConfigError
from abctl.failure_words import in_words
from abctl.store.database import Database
from abctl.store.faults import no_database, store_fault
from abctl.store.schema import check_usable

BUSY_TIMEOUT_MS = 10_000
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SIDECARS = ("-wal", "-shm")


@dataclass
class Opened:
    """A connection and what opening it did: tightened a wider mode, or created the file."""

    conn: sqlite3.Connection
    tightened: bool
    created: bool
    created_folder: Path | None = None  # the outermost folder this open created
    created_file: bool = False  # False when an empty file was already there (it is not removed on failure)


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
    for suffix in SIDECARS:
        sidecar = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):  # a read-only folder or file: the open itself reports that
            if sidecar.exists() and stat.S_IMODE(sidecar.stat().st_mode) & 0o077:
                os.chmod(sidecar, PRIVATE_FILE)


def database_exists(path: Path) -> bool:
    """True when `path` is a non-empty file (an empty file is what a failed or foreign `touch` leaves)."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def remove_created(path: Path, created_folder: Path | None) -> None:
    """Undo a creation: the file, its sidecars and lock file, and the folder (with its parents) if this run made
    it."""
    for name in (path.name, *(path.name + suffix for suffix in (*SIDECARS, ".lock"))):
        with contextlib.suppress(OSError):
            path.with_name(name).unlink()
    if created_folder is not None:
        folder = path.parent
        with contextlib.suppress(OSError):
            while True:  # from the database's folder up to the outermost one created, each empty by now
                folder.rmdir()
                if folder == created_folder:
                    break
                folder = folder.parent


def _configure(conn: sqlite3.Connection) -> None:
    """WAL and the rest: only once the file is known to be an abctl database (WAL rewrites the header)."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _missing_folder(path: Path) -> Path | None:
    """The outermost folder of `path` that does not exist yet (what creating it would make), if any."""
    missing = None
    for parent in path.parents:
        if parent.exists():
            break
        missing = parent
    return missing


def connect(path: Path, *, create: bool = True) -> Opened:
    """Open the database file, creating it (and its folder, 0700) only when `create` is true.

    Raises:
        NoDatabaseError: no database at `path` and `create` is false (nothing is created).
        ConfigError: the path is a folder, or the file or folder cannot be opened or created (read-only, full,
            not SQLite ...).
    """
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a database file", hint=f"give --db a file path: {path}/abctl.db")
    exists = database_exists(path)
    if not exists and not create:
        raise no_database(path)
    file_was_there = path.exists()
    created_folder = None if exists else _missing_folder(path)
    conn: sqlite3.Connection | None = None
    try:
        if created_folder is not None:
            path.parent.mkdir(parents=True, mode=PRIVATE_DIR)
            os.chmod(path.parent, PRIVATE_DIR)
        old_umask = os.umask(0o077)
        try:
            tightened = _ensure_private_file(path)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            check_usable(Database(conn), path)  # before anything writes: another program's file stays as it is
            _configure(conn)
        finally:
            os.umask(old_umask)
    except (OSError, sqlite3.Error, ConfigError) as error:
        if conn is not None:
            conn.close()
        if not file_was_there:
            remove_created(path, created_folder)
        if isinstance(error, ConfigError):
            raise
        raise store_fault(error, path) or ConfigError(
            f"cannot open the database {path} ({in_words(error)})",
            hint="check the path given with --db or ABCTL_DB, and that you may write to its folder",
        ) from None
    tighten_sidecars(path)
    return Opened(conn, tightened, not exists, created_folder, created_file=not file_was_there)
