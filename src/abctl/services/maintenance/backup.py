"""`abctl backup`: a consistent copy of the database, without sTokens unless asked (they are what makes a copy
dangerous: whoever holds one can assign and revoke the organization's licenses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from abctl.errors import InputError

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.copying import Contents


@dataclass(frozen=True)
class BackupResult:
    path: Path
    with_tokens: bool
    contents: Contents


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_destination(dest: Path, db_path: Path) -> None:
    """Raises: InputError for `-`, a folder, the live database itself or one of its sidecars."""
    if str(dest) == "-":
        raise InputError(
            "a backup is a database file, not something for standard output",
            hint="give a file path: abctl backup /backups/abctl-$(date +%F).db",
        )
    if dest.is_dir():
        raise InputError(f"{dest} is a folder", hint=f"give a file path: abctl backup {dest / 'abctl-backup.db'}")
    live = [db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", ".lock", ".before-restore"))]
    if any(same_file(dest, path) or dest.resolve() == path.resolve() for path in live):
        raise InputError(
            f"{dest} is the database itself (or a file abctl keeps beside it)",
            hint="back up to another file, ideally on another disk: abctl backup /backups/abctl.db",
        )
    if not dest.parent.is_dir():
        raise InputError(f"no folder {dest.parent} for the backup", hint=f"create it first: mkdir -p {dest.parent}")


def backup(store: Store, dest: Path, *, with_tokens: bool) -> BackupResult:
    """Write a copy of the database to `dest` (atomically, 0600).

    Raises:
        InputError: `dest` is `-`, a folder, or the database itself. ConfigError: the disk is full or the folder
            read-only (nothing is left behind).
    """
    from abctl.store.copying import contents, open_read_only, write_copy

    assert store.path is not None, "a backup needs a database file"
    check_destination(dest, store.path)
    write_copy(store.db.conn, dest, strip_tokens=not with_tokens, stamp=True)
    conn = open_read_only(dest)
    try:
        return BackupResult(dest, with_tokens, contents(conn, dest))
    finally:
        conn.close()
