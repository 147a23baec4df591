"""Ctrl-C (issue 16.8): a real `abctl` process gets SIGINT in the middle of a 100,000-assignment sync against a
real `abctl sandbox serve` (loopback, 50 ms of latency); it stops within 2 s, says in one line what was done and
what was not, exits 130, leaves no half-written page, and the next `sync` completes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from tests.reliability.conftest import Abctl, Served, serve_sandbox

ASSIGNMENTS = 100_000
PAGE = 1_000  # the sandbox's page size, as Apple's


@pytest.fixture(scope="module")
def bench_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve_sandbox(tmp_path_factory.mktemp("bench-sandbox"), "--seed", "bench", "--latency", "50") as sandbox:
        yield sandbox


def interrupt_mid_listing(abctl: Abctl, *args: str, after_pages: int = 8) -> tuple[int, float, str]:
    """Run `abctl -v ARGS`, send SIGINT once it has read `after_pages` pages of assignments, and return its exit
    code, the seconds from SIGINT to exit, and its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "abctl", "-v", *args], env=abctl.env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    seen: list[str] = []
    pages = 0
    for line in process.stderr:  # -v traces every request as it is answered
        seen.append(line)
        if "/assignments" in line and "-> 200" in line:
            pages += 1
            if pages == after_pages:
                break
    assert pages == after_pages, "".join(seen)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)
    took = time.monotonic() - sent
    return process.returncode, took, "".join(seen) + rest


def summaries(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Interrupted")]


def live_licenses(db_path: Path) -> int:
    db = sqlite_utils.Database(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = db.execute("SELECT count(*) FROM licenses WHERE state IN ('active', 'pending')").fetchone()[0]
        # An unfinished full read must not take what it did not reach yet for gone from Apple.
        assert db.execute("SELECT count(*) FROM licenses WHERE state = 'revoked'").fetchone()[0] == 0
        return int(count)
    finally:
        db.close()


def test_sigint_mid_sync_stops_at_once_keeps_whole_pages_and_the_next_sync_completes(
    bench_served: Served, tmp_path: Path
) -> None:
    abctl = Abctl(tmp_path / "home", bench_served.api_url)
    token = str(bench_served.token("bench1"))

    # Ctrl-C during the first full sync of `tokens add`: the account is kept, its sync is not finished.
    code, took, stderr = interrupt_mid_listing(abctl, "tokens", "add", "bench1", "--file", token)
    assert code == 130, stderr
    assert took < 2.0, f"stopped {took:.2f} s after SIGINT"
    assert summaries(stderr) == ["Interrupted: `bench1` added, its first sync not finished; run abctl sync bench1"]
    assert "Traceback" not in stderr
    stored = live_licenses(abctl.db_path)
    assert 0 < stored < ASSIGNMENTS and stored % PAGE == 0, stored  # whole pages only
    db = sqlite_utils.Database(abctl.db_path)
    account = next(db.query("SELECT * FROM accounts WHERE name = 'bench1'"))
    assert account["assignments_version_id"] is None and account["last_sync_at"] is None
    db.close()

    # Ctrl-C during `sync --full`: one line names what was not synced and the command that finishes.
    code, took, stderr = interrupt_mid_listing(abctl, "sync", "--full")
    assert code == 130, stderr
    assert took < 2.0, f"stopped {took:.2f} s after SIGINT"
    assert summaries(stderr) == ["Interrupted: `bench1` not synced; run abctl sync --full bench1"]
    assert live_licenses(abctl.db_path) % PAGE == 0

    # The next sync completes: every assignment once, the account's versions recorded, no event left open.
    result = abctl.expect("-o", "json", "sync")
    assert '"result": "ok"' in result.stdout
    assert live_licenses(abctl.db_path) == ASSIGNMENTS
    db = sqlite_utils.Database(abctl.db_path)
    account = next(db.query("SELECT * FROM accounts WHERE name = 'bench1'"))
    assert account["assignments_version_id"] is not None and account["last_full_sync_at"] is not None
    assert db.execute("SELECT count(*) FROM events WHERE state IN ('intent', 'pending', 'unknown')").fetchone()[0] == 0
    db.close()
