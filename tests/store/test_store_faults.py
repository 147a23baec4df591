"""When the database file is not fine (issue 21.4): one Error line and one Hint line, exit 3, no traceback, and the
file exactly as it was: disk full, read-only file or folder, not SQLite, damaged, written by a newer abctl, another
program's SQLite file. A lock left by a killed run is taken over and said on stderr."""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl import __version__
from abctl.store import Store, connection
from abctl.store.schema import schema_version


def fingerprint(db: Path) -> tuple[list[str], list[str]]:
    """The bytes (hashed) of the file and its -wal, and the content dumped from a copy (so that reading it
    creates no -wal or -shm beside the original)."""
    files = [db, db.with_name(db.name + "-wal")]
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() and f.stat().st_size else "" for f in files]
    with tempfile.TemporaryDirectory() as folder:
        for f in files:
            if f.exists():
                shutil.copyfile(f, Path(folder) / f.name)
        conn = sqlite3.connect(Path(folder) / db.name)
        try:
            dump = list(conn.iterdump())
        finally:
            conn.close()
    return digests, dump


STAMP = "2026-11-30T08:00:00Z"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # temporary paths are long: keep each message on its one line


@pytest.fixture
def lab_db(db_path: Path) -> Path:
    """A database with a space and 2,000 devices, checkpointed into the main file."""
    with Store.open(db_path) as store, store.transaction():
        store.db.execute("INSERT INTO spaces (name, is_default, created_at) VALUES ('lab', 0, ?)", (STAMP,))
        store.db.conn.executemany(
            "INSERT INTO devices (serial, space, platform, created_at, updated_at) VALUES (?, 'lab', 'ios', ?, ?)",
            [(f"SER{i:06d}", STAMP, STAMP) for i in range(2_000)],
        )
    return db_path


def assert_one_error(result: object, message: str, hint_start: str) -> None:
    exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr  # type: ignore[attr-defined]
    assert (exit_code, stdout) == (3, ""), stderr
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr
    assert lines[0] == f"Error: {message}"
    assert lines[1].startswith(f"Hint: {hint_start}"), lines[1]
    assert "Traceback" not in stderr


def test_disk_full_is_exit_3_and_nothing_is_written(
    cli: Cli, lab_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(lab_db)
    real = connection._configure

    def no_room_to_grow(conn: sqlite3.Connection) -> None:  # the disk is full: the file may not grow a page
        real(conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(connection, "_configure", no_room_to_grow)
    rows = tmp_path / "devices.csv"
    rows.write_text("serial,platform\n" + "".join(f"NEW{i:06d},ipados\n" for i in range(5_000)))
    result = cli("devices", "import", str(rows))
    assert_one_error(
        result,
        f"no space left for the database {lab_db} (database or disk is full); the change was not written",
        f"free space on the disk that holds {lab_db.parent} (df -h {lab_db.parent}), then run the command again",
    )
    monkeypatch.undo()
    assert fingerprint(lab_db) == before


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder read-only for this process, also when the tests run as root (immutable flag)."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("running as root without chattr: cannot make a file read-only")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)


def test_a_read_only_database_is_exit_3_and_unchanged(cli: Cli, lab_db: Path) -> None:
    before = fingerprint(lab_db)
    with read_only(lab_db):
        result = cli("spaces", "add", "art")
    assert_one_error(
        result,
        f"the database {lab_db} or its folder is read-only (attempt to write a readonly database); nothing was changed",
        f"abctl writes abctl.db and the -wal, -shm and .lock files beside it: check owner and mode with ls -la "
        f"{lab_db.parent}",
    )
    assert fingerprint(lab_db) == before


def test_a_read_only_folder_is_exit_3_and_unchanged(cli: Cli, lab_db: Path) -> None:
    before = fingerprint(lab_db)
    with read_only(lab_db.parent):
        result = cli("spaces", "add", "art")
    assert_one_error(
        result,
        f"cannot open the database {lab_db} (unable to open database file)",
        f"abctl creates the -wal, -shm and .lock files beside it: check that {lab_db.parent} exists and that you "
        "may write to it",
    )
    assert fingerprint(lab_db) == before
    assert sorted(p.name for p in lab_db.parent.iterdir()) == ["abctl.db"]


def test_a_file_that_is_not_sqlite_is_exit_3_and_unchanged(cli: Cli, db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o700)
    db_path.write_bytes(b"district,1000000001,40\n" * 400)
    db_path.chmod(0o600)
    before = db_path.read_bytes()
    result = cli("spaces", "add", "lab")
    assert_one_error(
        result,
        f"{db_path} is not an SQLite database (file is not a database)",
        "check --db / ABCTL_DB; if it was your abctl database, restore your last backup: abctl restore BACKUP",
    )
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["abctl.db"]


def test_a_damaged_database_is_exit_3_and_unchanged(cli: Cli, lab_db: Path) -> None:
    with Store.open(lab_db) as store:
        root = store._scalar("SELECT rootpage FROM sqlite_master WHERE name = 'devices'")
        page_size = store._scalar("PRAGMA page_size")
    with lab_db.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 64)  # the devices table's root page is garbage now
    before = lab_db.read_bytes()
    result = cli("devices", "list")
    assert_one_error(
        result,
        f"the database {lab_db} is damaged (database disk image is malformed)",
        "restore your last backup: abctl restore BACKUP",
    )
    assert lab_db.read_bytes() == before


def test_a_database_of_a_newer_abctl_is_refused_with_the_version_it_needs(cli: Cli, lab_db: Path) -> None:
    db = sqlite_utils.Database(lab_db)
    db["_sqlite_migrations"].insert({"migration_set": "abctl", "name": "m999_from_the_future", "applied_at": "x"})
    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('schema_written_by', '9.1.0')")
    db.close()
    before = fingerprint(lab_db)
    result = cli("spaces", "list")
    assert_one_error(
        result,
        f"{lab_db} was written by abctl 9.1.0 (schema version {schema_version() + 1}); this is abctl {__version__}, "
        f"which knows schema version {schema_version()}",
        "install abctl 9.1.0 or newer (pip install --upgrade abctl), or point --db at another database",
    )
    assert fingerprint(lab_db) == before


def test_another_programs_sqlite_file_is_never_written(cli: Cli, db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o700)
    other = sqlite_utils.Database(db_path)
    other["photos"].insert({"id": 1, "title": "beach"})
    other.close()
    db_path.chmod(0o600)
    before = fingerprint(db_path)
    result = cli("spaces", "add", "lab")
    assert_one_error(
        result,
        f"{db_path} is an SQLite database, but not an abctl one",
        "check --db / ABCTL_DB (or ABCTL_HOME): abctl never writes into another program's database",
    )
    assert fingerprint(db_path) == before


def test_a_lock_left_by_a_killed_run_is_taken_over_and_said_on_stderr(cli: Cli, existing_db: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from abctl.store.lock import exclusive_lock
            with exclusive_lock(Path({str(existing_db)!r}), timeout=5):
                sys.stdout.write("held\\n"); sys.stdout.flush(); time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    holder.stdout.close()
    lock = existing_db.with_name("abctl.db.lock")
    assert lock.read_text() == str(holder.pid)  # what the killed run left behind
    result = cli("--lock-timeout", "0", "sync")
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: took over the database lock left by abctl pid {holder.pid}, which is no longer running (killed?);"
        " anything it left unfinished is settled by: abctl sync\n"
    ) in result.stderr
    assert lock.read_text() == ""  # let go cleanly this time
    assert "took over" not in cli("sync").stderr
