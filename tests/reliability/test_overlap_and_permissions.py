"""Overlapping runs wait, then exit 9 with a hint; the database stays private and intact through every write."""

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli


def test_a_second_sync_waits_for_the_lock_then_exits_9(cli: Cli, db_path: Path) -> None:
    cli("spaces", "list")  # create the database
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from abctl.store.lock import exclusive_lock
            with exclusive_lock(Path({str(db_path)!r}), timeout=5):
                sys.stdout.write("held\\n"); sys.stdout.flush(); sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = cli("--lock-timeout", "0.3", "sync")
        assert result.exit_code == 9
        assert result.stdout == ""
        assert "Waiting for another abctl run to finish..." in result.stderr
        assert f"Error: another abctl run (pid {holder.pid}) has held the database lock for over 0.3 s" in result.stderr
        assert "Hint: wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)" in result.stderr
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert sqlite_utils.Database(db_path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert cli("sync").exit_code == 0


def test_a_wider_database_is_tightened_with_a_warning(cli: Cli, db_path: Path) -> None:
    cli("spaces", "add", "lab")
    os.chmod(db_path, 0o644)
    result = cli("spaces", "list")
    assert result.exit_code == 0
    assert f"Warning: {db_path} was readable by others; its mode is now 0600" in result.stderr
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    for sidecar in (db_path.with_name("abctl.db-wal"), db_path.with_name("abctl.db-shm")):
        if sidecar.exists():
            assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0
