"""Token rotation, resync and deletion end to end against the sandbox."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed


def test_update_rotates_and_refuses_another_location(abctl: Cli, token_files: dict[str, Path], db_path: Path) -> None:
    assert abctl("tokens", "add", "prod", "--file", str(token_files["district"]), "--priority", "1").exit_code == 0
    assert abctl("tokens", "add", "other", "--file", str(token_files["highschool"])).exit_code == 0
    before = sqlite_utils.Database(db_path).execute("SELECT priority, auto_distribute FROM accounts WHERE name='prod'")
    rotated = abctl("tokens", "update", "prod", "--file", "-", input=token_files["district"].read_text())
    assert rotated.exit_code == 0, rotated.output
    after = sqlite_utils.Database(db_path).execute("SELECT priority, auto_distribute FROM accounts WHERE name='prod'")
    assert after.fetchall() == before.fetchall()
    wrong = abctl("tokens", "update", "prod", "--file", str(token_files["highschool"]))
    assert wrong.exit_code == 3
    assert wrong.stderr.startswith(
        "Error: the new token is for location `Springfield High`, not `District Office`\nHint: download the token"
    )


def test_resync_reports_drift(abctl: Cli, token_files: dict[str, Path], world: Seed) -> None:
    abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    world.state.external_assign("district", "1000000002", "serialNumber", "X1")
    world.state.external_unassign("district", "1000000001", "serialNumber", "OLDPAD001")
    result = abctl("--format", "json", "tokens", "resync", "district")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)[0]
    assert (row["mode"], row["found"], row["missing"]) == ("full", 1, 1)
    assert row["drifted"] == [  # R22: named, not only counted
        {"adam_id": "1000000001", "name": "Pocket Planetarium", "pricing_param": "STDQ", "target": "device:OLDPAD001",
         "direction": "gone from Apple"},
        {"adam_id": "1000000002", "name": "Sketchbook Studio", "pricing_param": "STDQ", "target": "device:X1",
         "direction": "on Apple only"},
    ]  # fmt: skip
    world.state.external_unassign("district", "1000000002", "serialNumber", "X1")
    table = abctl("tokens", "resync", "district")
    assert table.exit_code == 0, table.output
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    header = lines[lines.index("Drifted licenses") + 1]
    assert header == "Account   App                Target     Direction"
    assert "district  Sketchbook Studio  device:X1  gone from Apple" in table.stdout
    assert "1 drifted license(s); see them all with: abctl drift" in table.stderr
    assert abctl("tokens", "resync").exit_code == 2


def test_delete_revokes_on_apple_before_dropping_local_data(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    abctl("tokens", "add", "highschool", "--file", str(token_files["highschool"]))
    refused = abctl("tokens", "delete", "district")
    assert refused.exit_code == 2
    assert "Hint: run: abctl tokens delete district --yes" in refused.stderr
    result = abctl("tokens", "delete", "district", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("Deleted `district`: 3 device(s) and 0 user(s) revoked in 1 call(s).\n")
    assert len(world.state.location("district").assignments) == 0
    db = sqlite_utils.Database(db_path)
    assert [r["name"] for r in db.query("SELECT name FROM accounts")] == ["highschool"]
    assert db.execute("SELECT priority FROM accounts").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM licenses").fetchone() == (0,)
    assert db.execute("SELECT kind, state FROM events").fetchall() == [("revoke", "complete")]
    # The shared revocation service's log shape: result, Apple's eventId, the reason and the R12 grace.
    event_id = db.execute("SELECT event_id FROM events").fetchone()[0]
    logged = db.execute(
        "SELECT action, result, account_name, target_kind, target_id, event_id, detail FROM activity"
        " WHERE action = 'revoke' ORDER BY target_id"
    ).fetchall()
    grace = [row[6].removeprefix("token `district` deleted; usable until ") for row in logged]
    assert [row[:6] for row in logged] == [
        ("revoke", "revoked", "district", "device", serial, event_id) for serial in ("OLDPAD001", "OLDPAD002",
                                                                                       "OLDPAD003")
    ]  # fmt: skip
    assert all(len(until) == 20 and until.endswith("Z") for until in grace), grace


def test_events_ledger_lists_and_settles_stuck_events(abctl: Cli, token_files: dict[str, Path], world: Seed,
                                                      sandbox: object) -> None:  # fmt: skip
    from abctl.sandbox.faults import FaultSpec

    abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    abctl("tokens", "add", "highschool", "--file", str(token_files["highschool"]))
    sandbox.faults = FaultSpec.parse("stuck=1,stuck_polls=2")  # type: ignore[attr-defined]
    assert abctl("tokens", "delete", "district", "--yes").exit_code == 0
    listed = json.loads(abctl("--format", "json", "events", "list").stdout)
    assert [(e["account"], e["kind"], e["state"], e["num_requested"]) for e in listed] == [
        ("district", "revoke", "complete", 3)
    ]
    assert json.loads(abctl("--format", "json", "events", "list", "--pending").stdout) == []
    waited = abctl("--format", "json", "events", "wait", listed[0]["event_id"])
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout)[0]["state"] == "complete"
    missing = abctl("events", "wait", "nope")
    assert missing.exit_code == 4


def test_update_with_clear_previous_revokes_through_the_shared_service_and_forgets_local_records(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    world.state.external_assign("district", "1000000003", "clientUserId", "alice")  # abctl has not seen this one
    abctl.expect("tokens", "update", "district", "--file", str(token_files["district"]), "--clear-previous")
    assert world.state.location("district").assignments == {}
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT count(*) FROM licenses").fetchone() == (0,)
    logged = db.execute(
        "SELECT action, result, target_kind, target_id FROM activity WHERE action = 'revoke' ORDER BY target_id"
    ).fetchall()
    assert logged == [("revoke", "revoked", "device", f"OLDPAD00{n}") for n in (1, 2, 3)] + [
        ("revoke", "revoked", "user", "alice")
    ]
    assert db.execute("SELECT kind, state, num_requested FROM events ORDER BY id").fetchall() == [
        ("revoke", "complete", 3), ("revoke", "complete", 1)
    ]  # fmt: skip


def test_add_with_clear_previous_revokes_what_the_location_held(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    result = abctl("tokens", "add", "district", "--file", str(token_files["district"]), "--clear-previous")
    assert result.exit_code == 0, result.output
    assert world.state.location("district").assignments == {}
    assert sqlite_utils.Database(db_path).execute(
        "SELECT count(*) FROM licenses WHERE state = 'active'"
    ).fetchone() == (0,)
