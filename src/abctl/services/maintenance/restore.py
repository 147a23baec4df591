"""`abctl restore`: check a backup, stage it beside the database, then put it in place atomically, keeping the
current database as `abctl.db.before-restore`.

The backup is read through SQLite (never trusted as bytes): it must pass `integrity_check`, be an abctl
database, and have no migration this abctl does not know. The staged copy is the one that is renamed into place,
so what was checked is what gets installed. Accounts without a token in it are marked `token_missing`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from abctl.errors import ConfigError, InputError

if TYPE_CHECKING:
    from abctl.store.copying import Contents

BEFORE_RESTORE_SUFFIX = ".before-restore"


@dataclass
class StagedRestore:
    """A checked copy of the backup beside the database, ready to be put in place."""

    source: Path
    db_path: Path
    staged: Path
    backup: Contents
    current: Contents | None

    @property
    def keep_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + BEFORE_RESTORE_SUFFIX)


def _check_source(source: Path, db_path: Path) -> None:
    from abctl.services.maintenance.backup import same_file

    if str(source) == "-":
        raise InputError("restore reads a backup file, not standard input", hint="abctl restore /backups/abctl.db")
    if not source.is_file():
        raise InputError(f"no backup file {source}", hint="give the path of a file written by: abctl backup PATH")
    if same_file(source, db_path):
        raise InputError(f"{source} is the database itself", hint="restore from a backup: abctl restore BACKUP")


def _current(db_path: Path) -> Contents | None:
    from abctl.store import Store
    from abctl.store.connection import database_exists
    from abctl.store.copying import contents

    if not database_exists(db_path):
        return None
    with Store.open(db_path, create=False) as store:
        return contents(store.db.conn, db_path)


@contextlib.contextmanager
def staged_restore(source: Path, db_path: Path) -> Iterator[StagedRestore]:
    """Check `source` and stage a copy of it beside `db_path`; the copy is removed unless `install_staged` ran.

    Raises:
        InputError: no such file, or it is the database itself. ConfigError: the file is not SQLite, is damaged,
            is not an abctl database, or was written by a newer abctl; or the folder is full or read-only.
    """
    from abctl.store.copying import private_temporary, stage_backup

    _check_source(source, db_path)
    current = _current(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with private_temporary(db_path, "restore") as staged:
        found = stage_backup(source, staged)
        yield StagedRestore(source, db_path, staged, found, current)


def install_staged(staged: StagedRestore) -> Contents:
    """Keep the current database as `abctl.db.before-restore`, then rename the staged copy into place.

    The caller holds the writer lock. The current database's -wal and -shm are folded in and gone before the
    rename (they would otherwise be replayed onto the restored file).

    Raises:
        ConfigError: the disk is full or the folder read-only (the current database is then unchanged).
    """
    from abctl.store import Store
    from abctl.store.copying import contents, install, write_copy

    db_path = staged.db_path
    if staged.current is not None:
        with Store.open(db_path, create=False) as store:
            write_copy(store.db.conn, staged.keep_path, strip_tokens=False)
            store.checkpoint()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                db_path.with_name(db_path.name + suffix).unlink()
    try:
        install(staged.staged, db_path)
    except OSError as error:
        from abctl.store.faults import store_fault

        raise store_fault(error, db_path) or ConfigError(f"cannot replace {db_path} ({error})") from None
    with Store.open(db_path, create=False) as store:  # migrates a backup of an older abctl
        return contents(store.db.conn, db_path)
