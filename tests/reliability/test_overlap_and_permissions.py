"""Overlapping runs wait, then exit 9 with a hint; the database stays private and intact through every write."""

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli
from tests.reliability.conftest import Abctl, Served


def test_a_second_sync_waits_for_the_lock_then_exits_9(cli: Cli, existing_db: Path) -> None:
    db_path = existing_db
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


def test_a_second_assign_waits_then_exits_9_and_changes_nothing(served: Served, tmp_path: Path) -> None:
    abctl = Abctl(tmp_path / "home", served.api_url)
    abctl.expect("tokens", "add", "district", "--file", str(served.token("district")))
    abctl.expect("devices", "add", "OVERLAP01", "--platform", "ipados")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from abctl.store.lock import exclusive_lock
            with exclusive_lock(Path({str(abctl.db_path)!r}), timeout=5):
                sys.stdout.write("held\\n"); sys.stdout.flush(); sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = abctl("--lock-timeout", "0.2", "assign", "1000000001", "--device", "OVERLAP01")
        assert result.returncode == 9, result.stderr
        assert result.stderr.splitlines()[-2:] == [
            f"Error: another abctl run (pid {holder.pid}) has held the database lock for over 0.2 s",
            "Hint: wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)",
        ]
        assert abctl.db().execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert served.assigned("district", "OVERLAP01") == []
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert abctl.db().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    abctl.expect("assign", "1000000001", "--device", "OVERLAP01")  # once the lock is free, it runs
    assert served.assigned("district", "OVERLAP01") == ["1000000001"]


def test_two_real_syncs_at_once_one_waits_and_a_short_timeout_exits_9(served: Served, tmp_path: Path) -> None:
    abctl = Abctl(tmp_path / "home", served.api_url)
    abctl.expect("tokens", "add", "district", "--file", str(served.token("district")))
    lock = abctl.db_path.with_name("abctl.db.lock")
    # Every Apple call takes 2 s: the first sync (its listings read side by side: a round trip or two) holds the lock
    # while the other two start.
    served.admin("faults", {"spec": "latency=2000"})
    try:
        first = start(abctl, "sync", "--full")
        deadline = time.monotonic() + 20
        while lock.read_text() != str(first.pid):  # the first run has the lock once its pid is in the file
            assert time.monotonic() < deadline and first.poll() is None, "the first sync never took the lock"
            time.sleep(0.01)
        impatient = start(abctl, "--lock-timeout", "0.1", "sync")
        patient = start(abctl, "sync")
        outputs = [process.communicate(timeout=60) for process in (first, impatient, patient)]
    finally:
        served.admin("faults", {"spec": ""})
    assert [first.returncode, impatient.returncode, patient.returncode] == [0, 9, 0], outputs
    # On a loaded machine the impatient run may start only after the first finished, and meet the patient one.
    holders = [p.pid for p in (first, patient)]
    assert outputs[1][0] == "" and any(
        outputs[1][1].endswith(
            f"Error: another abctl run (pid {pid}) has held the database lock for over 0.1 s\n"
            "Hint: wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)\n"
        )
        for pid in holders
    ), outputs[1][1]
    assert "Waiting for another abctl run to finish..." in outputs[2][1]
    assert abctl.db().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert abctl.db().execute("SELECT count(*) FROM licenses WHERE state = 'active'").fetchone() >= (3,)
    assert stat.S_IMODE(abctl.db_path.stat().st_mode) == 0o600


def start(abctl: Abctl, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "abctl", *args], env=abctl.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
