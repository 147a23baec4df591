"""`abctl doctor` against the sandbox: exit 0 on a healthy database, exit 8 naming each thing that needs attention
(a world-readable file, an expired or revoked token, an open ledger row, a lock left by a killed run, an alert)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl import __version__
from abctl.sandbox.seeds import Seed
from abctl.store.schema import schema_version


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")


@pytest.fixture
def healthy(abctl: Cli, token_files: dict[str, Path], db_path: Path) -> Path:
    for name in ("district", "highschool"):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]))
    abctl.expect("drift", "settle", "--adopt", "--yes")  # the demo's licenses another MDM gave: now abctl's
    return db_path


def findings(abctl: Cli, *args: str) -> tuple[int, dict[tuple[str, str], dict[str, str]], str]:
    result = abctl("--format", "json", "doctor", *args)
    found = {(row["check"], row["subject"]): row for row in json.loads(result.stdout)}
    return result.exit_code, found, result.stderr


def test_a_healthy_demo_database_exits_0(abctl: Cli, healthy: Path) -> None:
    code, found, stderr = findings(abctl)
    assert code == 0, stderr
    assert {row["status"] for row in found.values()} == {"ok"}
    assert [check for check, _ in found] == [
        "permissions", "permissions", "lock", "integrity", "schema", "ledger", "notifications", "drift",
        "token", "token", "sync", "sync",
    ]  # fmt: skip
    assert found[("integrity", "")]["detail"] == "quick_check: ok"
    assert found[("schema", "")]["detail"] == f"version {schema_version()} (this abctl writes {schema_version()})"
    assert found[("token", "district")]["detail"].startswith("ok as of the last call to Apple; expires ")
    assert found[("sync", "district")]["detail"].startswith("last successful sync ")
    assert stderr == "Everything abctl checks is fine.\n"
    table = abctl("doctor")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].strip() == (
        f"abctl {__version__} doctor: {healthy} (schema version {schema_version()})"
    )


def test_an_expired_token_an_open_ledger_row_and_a_world_readable_file_exit_8(abctl: Cli, healthy: Path) -> None:
    db = sqlite_utils.Database(healthy)
    db.execute("UPDATE accounts SET expires_at = '2026-01-01T00:00:00Z', status = 'expired' WHERE name = 'district'")
    db.execute(
        "INSERT INTO events (account_id, account_name, kind, payload, state, created_at)"
        " VALUES (1, 'district', 'associate', '{}', 'intent', '2026-11-30T07:00:00Z')"
    )
    db.close()
    os.chmod(healthy, 0o644)
    code, found, stderr = findings(abctl)
    assert code == 8
    assert stderr.splitlines()[-2:] == [
        "Error: 3 check(s) need attention: permissions, ledger, token district",
        "Hint: follow the action of each row, then run: abctl doctor",
    ]
    permissions = found[("permissions", "abctl.db")]
    assert (permissions["status"], permissions["detail"]) == (
        "attention", "mode 0644: others may read the sTokens in it (abctl has now set it to 0600)"
    )  # fmt: skip
    ledger = found[("ledger", "district")]
    assert (ledger["status"], ledger["detail"], ledger["action"]) == (
        "attention", "1 Apple write(s) not settled, the oldest from 2026-11-30T07:00:00Z",
        "abctl events wait (or abctl sync, which settles them first)",
    )  # fmt: skip
    token = found[("token", "district")]
    assert (token["status"], token["action"]) == (
        "attention", "download a new token and run: abctl tokens update district --file -"
    )  # fmt: skip
    assert token["detail"].startswith("expired as of the last call to Apple; expires 2026-01-01 (")
    assert found[("token", "highschool")]["status"] == "ok"


def test_probe_asks_apple_and_finds_a_revoked_token(abctl: Cli, healthy: Path, world: Seed) -> None:
    assert findings(abctl)[0] == 0  # the last call to Apple said ok
    world.state.revoke_token("highschool")
    code, found, _ = findings(abctl, "--probe")
    assert code == 8
    token = found[("token", "highschool")]
    assert token["status"] == "attention" and token["detail"].startswith("revoked probed now; expires ")
    assert found[("notifications", "")]["status"] == "attention"  # the revoked token raised an alert
    assert "highschool: The sToken has been revoked" in found[("notifications", "")]["detail"]


def test_a_lock_left_by_a_killed_run_needs_attention(abctl: Cli, healthy: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from abctl.store.lock import exclusive_lock
            with exclusive_lock(Path({str(healthy)!r}), timeout=5):
                sys.stdout.write("held\\n"); sys.stdout.flush(); time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    code, found, _ = findings(abctl)
    assert (code, found[("lock", "")]["status"]) == (0, "ok")
    assert found[("lock", "")]["detail"] == f"held by pid {holder.pid} (running): a run is writing"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    holder.stdout.close()
    code, found, _ = findings(abctl)
    assert code == 8
    assert found[("lock", "")] == {
        "check": "lock", "subject": "", "status": "attention",
        "detail": f"left by pid {holder.pid}, which is no longer running: that run was killed",
        "action": "abctl sync (takes the lock over and settles what the killed run left open)",
    }  # fmt: skip


def test_doctor_needs_a_database(abctl: Cli, tmp_path: Path) -> None:
    result = abctl("--db", str(tmp_path / "none" / "abctl.db"), "doctor")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: no abctl database at {tmp_path / 'none' / 'abctl.db'}\n")
    assert not (tmp_path / "none").exists()
