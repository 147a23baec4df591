"""Fault drills: the same admin session (full sync, incremental sync, assign, revoke, full sync) against the
in-process sandbox with 10-20% faults (429 bursts, 503 + Retry-After, dropped connections, errors with HTTP 200,
events stuck PENDING, versionId changing mid-walk) ends in exactly the state of a fault-free run, in bounded time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.apple.transport import in_process_transport
from abctl.cli.context import Overrides
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.faults import FaultSpec
from abctl.sandbox.seeds import demo

API = "http://sandbox.test/mdm/v2/"
DEVICES = [f"DRILL{n:02d}" for n in range(1, 7)]
FAULTS = "429=0.15,503=0.1,drop=0.1,err200=0.1,version=0.2,stuck=0.2,stuck_polls=3"
LIVE = "('pending', 'active', 'revoking')"


@dataclass(frozen=True)
class Outcome:
    """What a session leaves behind: abctl's licenses and Apple's (the sandbox's) assignments."""

    live: frozenset[tuple[str, str, str, str]]
    revoked: frozenset[tuple[str, str, str, str]]
    on_apple: frozenset[tuple[str, str, str, str]]
    open_events: int
    waited: float  # seconds the clients asked to sleep (back-off, Retry-After, polls): injected, never slept
    attempts: int


def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faults: str) -> Outcome:
    tmp_path.mkdir()
    world = demo(now=datetime(2026, 11, 28, tzinfo=UTC))
    world.state.max_request_per_second = 100_000  # the clients' sleeps are injected: throttling would be noise
    world.state.page_sizes["assignments"] = 3  # walks span pages, so a versionId can change mid-walk
    sandbox = SandboxApp(world.state, faults=FaultSpec.parse(faults))
    slept: list[float] = []
    monkeypatch.setenv("ABCTL_API_URL", API)
    monkeypatch.setenv("ABCTL_HOME", str(tmp_path / "abctl-home"))
    cli = Cli(Overrides(transport=in_process_transport(sandbox), sleep=slept.append))
    attempts = 0

    def until_done(*args: str) -> None:
        """Run a command; when a fault stopped it, settle the ledger and run it again (as an admin would)."""
        nonlocal attempts
        for _ in range(8):
            attempts += 1
            result = cli(*args)
            assert "Traceback" not in result.output, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), result.output
            if result.exit_code == 0:
                return
            assert result.exit_code in {5, 6, 7}, result.output  # Apple, the network or a failed target
            cli("events", "wait")
        raise AssertionError(f"{args} did not finish in 8 attempts")

    for token in world.tokens[:2]:
        path = tmp_path / f"{token.name}.vpptoken"
        path.write_text(token.text)
        until_done("tokens", "add", token.name, "--file", str(path))  # a full sync each
    devices = tmp_path / "devices.csv"
    devices.write_text("serial,platform\n" + "".join(f"{serial},ipados\n" for serial in DEVICES))
    until_done("devices", "import", str(devices))
    world.state.external_assign("district", "1000000003", "serialNumber", "ELSEWHERE1")
    world.state.external_unassign("district", "1000000001", "serialNumber", "OLDPAD002")
    until_done("sync")  # incremental: one found, one gone (healed by the count check)
    for serial in DEVICES:  # one associate call each: more writes for the faults to hit
        until_done("assign", "1000000001", "1000000007", "--device", serial)
    until_done("revoke", "1000000001", "--device", "DRILL02", "--yes")
    until_done("revoke", "1000000007", "--device", "DRILL05", "--yes")
    until_done("sync", "--full")
    db = sqlite_utils.Database(tmp_path / "abctl-home" / "abctl.db")

    def licenses(states: str) -> frozenset[tuple[str, str, str, str]]:
        rows = db.execute(
            "SELECT a.name, l.adam_id, l.target_kind, l.target_id FROM licenses l JOIN accounts a"
            f" ON a.id = l.account_id WHERE l.state IN {states}"
        ).fetchall()
        return frozenset(rows)

    on_apple = frozenset(
        (name, adam_id, kind, target)
        for name, location in world.state.locations.items()
        for adam_id, _pricing, kind, target in location.assignments
    )
    open_events = db.execute("SELECT count(*) FROM events WHERE state IN ('intent', 'pending', 'unknown')").fetchone()
    outcome = Outcome(licenses(LIVE), licenses("('revoked')"), on_apple, open_events[0], sum(slept), attempts)
    db.close()
    return outcome


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The same session without faults: what every drill must end with."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        outcome = session(tmp_path_factory.mktemp("drill") / "clean", monkeypatch, "")
    assert outcome.attempts == 13 and outcome.open_events == 0 and outcome.waited == 0
    return outcome


@pytest.mark.parametrize("seed", [1, 3, 4, 6])
def test_a_session_under_faults_ends_where_a_fault_free_one_does(
    clean: Outcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    started = time.monotonic()
    faulty = session(tmp_path / "faulty", monkeypatch, f"{FAULTS},seed={seed}")
    assert time.monotonic() - started < 30
    assert faulty.attempts > clean.attempts or faulty.waited > 0  # the faults really struck
    assert faulty.live == clean.live
    assert faulty.revoked == clean.revoked
    assert faulty.on_apple == clean.on_apple
    assert faulty.open_events == 0
    assert faulty.waited < 15 * 60  # bounded: every back-off, Retry-After and poll together, never slept here
