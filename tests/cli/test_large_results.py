"""A result of more than a few hundred rows (here 2 apps to 400 devices: 800 licenses) is counted per app,
account and result in the table; `-o wide`, json and csv list every row."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import Cli

from abctl.apple.transport import in_process_transport
from abctl.cli.context import Overrides
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.state import SandboxAsset, SandboxState
from abctl.sandbox.tokens import mint_token

API = "http://sandbox.test/mdm/v2/"
DEVICES = 400


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    state = SandboxState()
    state.max_request_per_second = 100_000
    state.event_delay = 0
    expires = datetime.now(UTC) + timedelta(days=300)
    location = state.add_location("big", org_name="Big District", location_name="Big", expires_at=expires)
    for adam_id, name in (("3000000001", "Atlas"), ("3000000002", "Binder")):
        state.add_asset("big", SandboxAsset(adam_id, "STDQ", name, "App", 1000, True, True, ("iOS",)))
    token = tmp_path / "big.vpptoken"
    token.write_text(mint_token(location.token_id, org_name="Big District", expires_at=expires))
    devices = tmp_path / "devices.csv"
    devices.write_text("serial,platform\n" + "".join(f"PAD{i:05d},ipados\n" for i in range(DEVICES)))
    monkeypatch.setenv("ABCTL_API_URL", API)
    cli = Cli(Overrides(transport=in_process_transport(SandboxApp(state)), sleep=lambda seconds: None))
    cli.expect("tokens", "add", "big", "--file", str(token))
    cli.expect("devices", "import", "--file", str(devices))
    (tmp_path / "targets.txt").write_text("".join(f"device:PAD{i:05d}\n" for i in range(DEVICES)))
    return cli


def test_a_long_plan_and_result_are_counted_and_scripts_get_every_row(school: Cli, tmp_path: Path) -> None:
    targets = str(tmp_path / "targets.txt")
    plan = school.expect("assign", "Atlas", "Binder", "--from", targets, "--dry-run")
    assert plan.stdout == (
        "Assign Atlas, Binder: plan (dry run: nothing sent): 800 rows, counted\n"
        "App     Account  Result   Rows\n"
        "------  -------  -------  ----\n"
        "Atlas   big      planned   400\n"
        "Binder  big      planned   400\n"
    )
    assert plan.stderr == "800 rows in 2 group(s); -o wide, json or csv lists every row.\n"
    wide = school.expect("-o", "wide", "assign", "Atlas", "Binder", "--from", targets, "--dry-run")
    assert len(wide.stdout.splitlines()) == 3 + 800
    done = school.expect("assign", "Atlas", "Binder", "--from", targets)
    assert done.stdout.splitlines() == [
        "Assign Atlas, Binder: 800 rows, counted",
        "App     Account  Result    Rows",
        "------  -------  --------  ----",
        "Atlas   big      assigned   400",
        "Binder  big      assigned   400",
    ]
    again = school.expect("-o", "json", "assign", "Atlas", "Binder", "--from", targets)
    rows = json.loads(again.stdout)
    assert len(rows) == 800 and {row["result"] for row in rows} == {"already licensed"}
    assert {(row["name"], row["adam_id"]) for row in rows} == {("Atlas", "3000000001"), ("Binder", "3000000002")}
