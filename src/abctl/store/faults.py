"""What to tell the admin when the database file itself is not fine: full disk, read-only file or folder, a file
that is not SQLite, a damaged database, a busy one.

SQLite and the file system report these as `sqlite3.Error` / `OSError`; `store_fault` turns them into one
`ConfigError` (exit 3) with a hint naming the real next step, or None when the error is not about the file.
SQLite rolls back the statement (and abctl the transaction) that failed, so nothing is half-written.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from abctl.errors import ConfigError, LockTimeoutError

RESTORE_HINT = "restore your last backup: abctl restore BACKUP (abctl doctor shows what else needs attention)"


class NoDatabaseError(ConfigError):
    """A command that needs existing state found no abctl database at the path it was given."""


def no_database(path: Path) -> NoDatabaseError:
    return NoDatabaseError(
        f"no abctl database at {path}",
        hint="point --db or ABCTL_DB at your database (or ABCTL_HOME at its folder), or start one with: "
        "abctl tokens add NAME --file TOKEN_FILE",
    )


def sqlite_kind(error: sqlite3.Error) -> str:
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_"):
        return name.split("_")[1]  # SQLITE_IOERR_SHORT_READ -> IOERR
    text = str(error).lower()  # errors raised before SQLite set a code (e.g. while preparing a statement)
    for needle, kind in (("disk is full", "FULL"), ("readonly", "READONLY"), ("malformed", "CORRUPT"),
                         ("not a database", "NOTADB"), ("unable to open", "CANTOPEN"), ("disk i/o", "IOERR"),
                         ("database is locked", "BUSY")):  # fmt: skip
        if needle in text:
            return kind
    return ""


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def store_fault(error: BaseException, path: Path) -> ConfigError | LockTimeoutError | None:
    """The error an admin should see for a failure of the database file at `path`, or None if it is not one."""
    folder = path.parent
    if isinstance(error, OSError):
        kind = {errno.ENOSPC: "FULL", errno.EDQUOT: "FULL", errno.EROFS: "READONLY", errno.EACCES: "READONLY",
                errno.EPERM: "READONLY", errno.EIO: "IOERR"}.get(error.errno or 0, "")  # fmt: skip
    elif isinstance(error, sqlite3.Error):
        kind = sqlite_kind(error)
    else:
        return None
    reason = _reason(error)
    if kind == "FULL":
        return ConfigError(
            f"no space left for the database {path} ({reason}); the change was not written",
            hint=f"free space on the disk that holds {folder} (df -h {folder}), then run the command again",
        )
    if kind in {"READONLY", "PERM", "AUTH"}:
        return ConfigError(
            f"the database {path} or its folder is read-only ({reason}); nothing was changed",
            hint=f"abctl writes {path.name} and the -wal, -shm and .lock files beside it: check owner and mode "
            f"with ls -la {folder}, or run abctl as the user that owns them",
        )
    if kind == "CANTOPEN":
        return ConfigError(
            f"cannot open the database {path} ({reason})",
            hint=f"abctl creates the -wal, -shm and .lock files beside it: check that {folder} exists and that "
            "you may write to it, or choose another database with --db or ABCTL_DB",
        )
    if kind == "NOTADB":
        return ConfigError(
            f"{path} is not an SQLite database ({reason})",
            hint=f"check --db / ABCTL_DB; if it was your abctl database, {RESTORE_HINT}",
        )
    if kind == "CORRUPT":
        return ConfigError(f"the database {path} is damaged ({reason})", hint=RESTORE_HINT)
    if kind == "IOERR":
        return ConfigError(
            f"the disk failed while reading or writing {path} ({reason})",
            hint=f"check the disk and the file system that hold {folder}; then run: abctl doctor",
        )
    if kind in {"BUSY", "LOCKED"}:
        return LockTimeoutError(
            f"the database {path} stayed busy ({reason})",
            hint="another program holds a write lock on it: wait for it to finish, then run the command again",
        )
    return None


def cli_fault(error: BaseException, path: Path) -> ConfigError | LockTimeoutError | None:
    """`store_fault` for the CLI's last-resort handler: SQLite errors only (an OSError there may be about any
    file, such as a token file, so the store translates its own file errors where they happen)."""
    return store_fault(error, path) if isinstance(error, sqlite3.Error) else None
