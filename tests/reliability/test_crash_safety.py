"""Crash safety: a real `abctl assign` killed with SIGKILL before the call, after it, and while waiting for the event;
`abctl events wait` or `abctl sync` then settles the ledger so every license is recorded exactly once."""

from __future__ import annotations

import signal
import stat
from pathlib import Path

import pytest
from tests.reliability.conftest import Abctl, Served

from abctl.services.ledger.recovery import NOT_LANDED
from abctl.services.ledger.writes import CRASH_POINTS, crash_point

APP = "1000000001"  # Pocket Planetarium: 40 seats in `district`
CASES = [(stage, settler) for stage in CRASH_POINTS for settler in ("events wait", "sync")]


def serials(case: int) -> list[str]:
    return [f"CRASH{case:02d}{n}" for n in ("A", "B")]


@pytest.fixture(scope="module")
def prepared(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Abctl:
    """One data folder with the district account and every case's devices; each test works on a copy."""
    folder = tmp_path_factory.mktemp("template")
    abctl = Abctl(folder / "home", served.api_url)
    abctl.expect("tokens", "add", "district", "--file", str(served.token("district")))
    devices = folder / "devices.csv"
    rows = [f"{serial},ipados" for case in range(len(CASES)) for serial in serials(case)]
    devices.write_text("serial,platform\n" + "\n".join(rows) + "\n")
    abctl.expect("devices", "import", str(devices))
    return abctl


def license_states(abctl: Abctl, targets: list[str]) -> list[tuple[str, str]]:
    marks = ", ".join("?" for _ in targets)
    return (
        abctl.db()
        .execute(
            f"SELECT target_id, state FROM licenses WHERE adam_id = ? AND target_id IN ({marks}) ORDER BY id",
            (APP, *targets),
        )
        .fetchall()
    )


@pytest.mark.parametrize(("stage", "settler"), CASES)
def test_a_killed_assign_ends_with_every_license_recorded_once(
    prepared: Abctl, served: Served, tmp_path: Path, stage: str, settler: str
) -> None:
    abctl = prepared.copy_to(tmp_path / "home")
    targets = serials(CASES.index((stage, settler)))
    devices = [f"--device={serial}" for serial in targets]

    killed = abctl("assign", APP, *devices, ABCTL_TEST_CRASH_AT=stage)
    assert killed.returncode == -signal.SIGKILL
    sent = stage != "before_send"
    opened = abctl.db().execute("SELECT state, event_id IS NOT NULL FROM events WHERE kind = 'associate'").fetchall()
    assert opened == [("pending", 1) if stage == "while_waiting" else ("intent", 0)]
    assert license_states(abctl, targets) == [(serial, "pending") for serial in targets]
    assert [served.assigned("district", serial) for serial in targets] == [[APP] if sent else [], [APP] if sent else []]

    abctl.expect(*settler.split())
    ledger = abctl.db().execute("SELECT state, failures FROM events WHERE kind = 'associate'").fetchall()
    assert [state for state, _failures in ledger] == ["complete" if sent else "failed"]
    assert (NOT_LANDED in (ledger[0][1] or "")) is not sent
    assert license_states(abctl, targets) == [(serial, "active" if sent else "failed") for serial in targets]

    again = abctl.expect("assign", APP, *devices)
    assert ("2 associate call" not in again.stderr) and (("1 associate call" in again.stderr) is not sent)
    abctl.expect("sync")
    for serial in targets:
        assert served.assigned("district", serial) == [APP]  # on Apple once: Apple keeps one assignment per pair
        live = abctl.db().execute(
            "SELECT state FROM licenses WHERE adam_id = ? AND target_id = ? AND state IN ('pending', 'active',"
            " 'revoking')", (APP, serial),
        ).fetchall()  # fmt: skip
        assert live == [("active",)]  # recorded once: never lost, never twice
    events = abctl.db().execute("SELECT state FROM events WHERE kind = 'associate' ORDER BY id").fetchall()
    assert events == ([("complete",)] if sent else [("failed",), ("complete",)])
    assert abctl.db().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert stat.S_IMODE(abctl.db_path.stat().st_mode) == 0o600  # private after the crash and every recovery write


@pytest.mark.parametrize("value", ["", "1", "yes", "BEFORE_SEND", " before_send", "before_send ", "after_send,x"])
def test_the_crash_hook_fires_only_on_an_exact_stage_name(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ABCTL_TEST_CRASH_AT", value)
    for stage in CRASH_POINTS:
        crash_point(stage)  # still alive: nothing matched exactly
    monkeypatch.setenv("ABCTL_TEST_CRASH_AT", "before_send")
    crash_point("not_a_stage")
