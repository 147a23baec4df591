"""The writer lock: a second holder waits, then fails with exit code 9 and a hint."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from abctl.errors import ExitCode, LockTimeoutError
from abctl.store.lock import exclusive_lock


def test_second_holder_times_out_with_its_own_exit_code(tmp_path: Path) -> None:
    db = tmp_path / "abctl.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from abctl.store.lock import exclusive_lock
                with exclusive_lock(Path({str(db)!r}), timeout=5):
                    sys.stdout.write("held\\n"); sys.stdout.flush()
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        waited: list[float] = []
        ticks = iter(range(1000))
        with (
            pytest.raises(LockTimeoutError) as caught,
            exclusive_lock(db, timeout=1.0, sleep=waited.append, clock=lambda: next(ticks) * 0.1),
        ):
            pass
        assert caught.value.exit_code == ExitCode.LOCKED == 9
        assert f"(pid {holder.pid})" in caught.value.message
        assert caught.value.hint == "wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)"
        assert waited and all(0 <= w <= 0.1 for w in waited)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
    with exclusive_lock(db, timeout=0):
        pass


def test_lock_is_reentrant_across_sequential_uses(tmp_path: Path) -> None:
    db = tmp_path / "abctl.db"
    for _ in range(3):
        with exclusive_lock(db, timeout=0):
            pass
    assert (tmp_path / "abctl.db.lock").stat().st_mode & 0o077 == 0
