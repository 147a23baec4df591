"""Whole-database copies through SQLite's online backup API: backups, the copy a restore installs, and the
`abctl.db.before-restore` safety copy.

`sqlite3.Connection.backup` copies every page in one step inside one read transaction, so the copy is one
consistent state even while another abctl run writes (WAL lets that writer go on). A copy is written to a
temporary file beside its destination (0600) and renamed into place only when complete, so a failure (full disk,
read-only folder) leaves no half-written file. Without tokens, the copy's `secrets` rows are deleted with
`secure_delete` and the file vacuumed, so not one sToken byte remains in it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from abctl.errors import ConfigError
from abctl.models.accounts import AccountStatus
from abctl.store.database import Database
from abctl.store.faults import sqlite_kind, store_fault
from abctl.store.schema import SchemaState, newer_schema_error, read_schema
from abctl.timeutil import to_iso, utc_now

NO_TOKENS_DETAIL = "backup taken without --with-tokens: upload the token again with abctl tokens update"
LIVE_STATES = ("pending", "active", "revoking")


@dataclass(frozen=True)
class Contents:
    """What an abctl database holds, for `backup` to report and `restore` to compare."""

    path: Path
    size: int
    schema: SchemaState
    accounts: int
    tokens: int
    licenses: int
    users: int
    devices: int
    last_sync_at: str | None
    backup_taken_at: str | None


def _scalar(conn: sqlite3.Connection, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return None if row is None else row[0]


def contents(conn: sqlite3.Connection, path: Path) -> Contents:
    """Counts of an abctl database (the schema must be known to be abctl's)."""
    taken = conn.execute("SELECT value FROM settings WHERE key = 'backup_taken_at'").fetchone()
    return Contents(
        path=path,
        size=path.stat().st_size if path.exists() else 0,
        schema=read_schema(Database(conn)),
        accounts=int(_scalar(conn, "SELECT count(*) FROM accounts") or 0),
        tokens=int(_scalar(conn, "SELECT count(*) FROM secrets") or 0),
        licenses=int(_scalar(conn, f"SELECT count(*) FROM licenses WHERE state IN {LIVE_STATES}") or 0),
        users=int(_scalar(conn, "SELECT count(*) FROM users") or 0),
        devices=int(_scalar(conn, "SELECT count(*) FROM devices") or 0),
        last_sync_at=_text(_scalar(conn, "SELECT max(last_sync_at) FROM accounts")),
        backup_taken_at=None if taken is None else str(taken[0]),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def temporary_beside(dest: Path, purpose: str) -> Path:
    return dest.with_name(f".{dest.name}.{purpose}-{os.getpid()}")


@contextlib.contextmanager
def private_temporary(dest: Path, purpose: str) -> Iterator[Path]:
    """A new 0600 file beside `dest`; removed (with any sidecar) unless the block renamed it into place."""
    temp = temporary_beside(dest, purpose)
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as error:
        raise _fault(error, dest) from None
    os.close(fd)
    try:
        yield temp
    finally:
        for name in (temp.name, temp.name + "-journal", temp.name + "-wal", temp.name + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                temp.with_name(name).unlink()


def _fault(error: BaseException, path: Path) -> ConfigError:
    fault = store_fault(error, path)
    if isinstance(fault, ConfigError):
        return fault
    return ConfigError(f"cannot write {path} ({error})", hint=f"check that you may write to {path.parent}")


def copy_into(source: sqlite3.Connection, temp: Path, *, strip_tokens: bool, stamp: bool) -> None:
    """Copy the whole database into `temp` (a self-contained file, no -wal), optionally without sTokens."""
    target = sqlite3.connect(temp, isolation_level=None)
    try:
        source.backup(target)  # every page in one step: one consistent snapshot
        target.execute("PRAGMA journal_mode = DELETE")
        if strip_tokens:
            target.execute("PRAGMA secure_delete = ON")
            target.execute("BEGIN")
            target.execute("DELETE FROM secrets")
            target.execute(
                "UPDATE accounts SET status = ?, status_detail = ?",
                (str(AccountStatus.TOKEN_MISSING), NO_TOKENS_DETAIL),
            )
            target.execute("COMMIT")
        if stamp:
            target.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('backup_taken_at', ?), ('backup_tokens', ?)",
                (to_iso(utc_now()), "no" if strip_tokens else "yes"),
            )
        target.execute("VACUUM")  # no free page keeps a deleted token
        checked = str(_scalar(target, "PRAGMA integrity_check"))
        if checked != "ok":
            raise ConfigError(f"the copy in {temp} failed its integrity check ({checked})")
    finally:
        target.close()
    _fsync(temp)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def install(temp: Path, dest: Path) -> None:
    """Rename a finished copy into place atomically (same folder), 0600, and make the rename durable."""
    os.chmod(temp, 0o600)
    os.replace(temp, dest)
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_copy(source: sqlite3.Connection, dest: Path, *, strip_tokens: bool, stamp: bool = False) -> None:
    """A complete copy of the database at `dest`, or (on any failure) nothing new at all.

    Raises:
        ConfigError: the destination's disk is full, its folder read-only, or the copy failed its check.
    """
    with private_temporary(dest, "partial") as temp:
        try:
            copy_into(source, temp, strip_tokens=strip_tokens, stamp=stamp)
            install(temp, dest)
        except (sqlite3.Error, OSError) as error:
            raise _fault(error, dest) from None


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (a backup being restored from)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


def _bad_backup(source: Path, why: str) -> ConfigError:
    return ConfigError(f"{source} cannot be restored: {why}", hint="restore another backup: abctl restore BACKUP")


def stage_backup(source: Path, staged: Path) -> Contents:
    """Check the backup at `source` and copy it into `staged`; accounts without a token become `token_missing`.

    Raises:
        ConfigError: `source` is not SQLite, fails integrity_check, is not an abctl database, or was written by
            a newer abctl; or `staged`'s disk is full or read-only.
    """
    try:
        reader = open_read_only(source)
        try:
            checked = str(_scalar(reader, "PRAGMA integrity_check"))
            if checked != "ok":
                raise _bad_backup(source, f"it is damaged ({checked})")
            state = read_schema(Database(reader))
            if not state.is_abctl:
                raise _bad_backup(source, "it is not an abctl database")
            if state.unknown:
                raise newer_schema_error(source, state)
            copy_into(reader, staged, strip_tokens=False, stamp=False)
        finally:
            reader.close()
        writer = sqlite3.connect(staged, isolation_level=None)
        try:
            writer.execute(
                "UPDATE accounts SET status = ?, status_detail = coalesce(status_detail, 'restored without its token')"
                " WHERE id NOT IN (SELECT account_id FROM secrets)",
                (str(AccountStatus.TOKEN_MISSING),),
            )
            return contents(writer, staged)
        finally:
            writer.close()
    except sqlite3.Error as error:
        kind = sqlite_kind(error)
        if kind == "NOTADB":
            raise _bad_backup(source, f"it is not an SQLite database ({error})") from None
        if kind == "CORRUPT":
            raise _bad_backup(source, f"it is damaged ({error})") from None
        if kind in {"FULL", "READONLY", "CANTOPEN", "IOERR"}:
            raise _fault(error, staged) from None
        raise _bad_backup(source, str(error)) from None
