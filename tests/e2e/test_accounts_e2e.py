"""Accounts and sync end to end: the CLI against the sandbox, DB rows re-read through a second handle."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed


def add_both(abctl: Cli, token_files: dict[str, Path]) -> None:
    first = abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    assert first.exit_code == 0, first.output
    second = abctl("tokens", "add", "highschool", "--file", "-", input=token_files["highschool"].read_text())
    assert second.exit_code == 0, second.output


def test_add_list_and_priority_swap_moves_no_license(abctl: Cli, token_files: dict[str, Path], db_path: Path) -> None:
    add_both(abctl, token_files)
    listed = json.loads(abctl("--format", "json", "tokens", "list").stdout)
    assert [(r["name"], r["priority"], r["location"], r["status"]) for r in listed] == [
        ("district", 1, "District Office", "ok"),
        ("highschool", 2, "Springfield High", "ok"),
    ]
    assert set(listed[0]) == {"name", "space", "priority", "org_name", "location", "expires_at", "status",
                              "last_sync_at", "auto_distribute"}  # fmt: skip
    db = sqlite_utils.Database(db_path)
    before = list(db.query("SELECT account_id, adam_id, target_id, state, source FROM licenses ORDER BY id"))
    assert [(r["target_id"], r["source"], r["state"]) for r in before] == [
        ("OLDPAD001", "external", "active"), ("OLDPAD002", "external", "active"), ("OLDPAD003", "external", "active")
    ]  # fmt: skip
    result = abctl("priority", "set", "highschool", "1")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert [(r["name"], r["priority"]) for r in db.query("SELECT name, priority FROM accounts ORDER BY priority")] == [
        ("highschool", 1), ("district", 2)
    ]  # fmt: skip
    assert list(db.query("SELECT account_id, adam_id, target_id, state, source FROM licenses ORDER BY id")) == before


def test_incremental_sync_costs_one_request_per_versioned_collection(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    add_both(abctl, token_files)
    world.state.reset_stats()
    result = abctl("--format", "json", "sync")
    assert result.exit_code == 0, result.output
    assert [r["mode"] for r in json.loads(result.stdout)] == ["incremental", "incremental"]
    for location in ("district", "highschool"):
        assert world.state.stats()["requests"][location] == {"GET assets": 1, "GET assignments": 1, "GET users": 1}
    # a change made outside abctl shows up after the next incremental sync
    world.state.external_assign("district", "1000000002", "serialNumber", "NEWPAD")
    result = abctl("--format", "json", "sync", "district")
    assert json.loads(result.stdout)[0]["found"] == 1
    rows = list(sqlite_utils.Database(db_path).query("SELECT source, state FROM licenses WHERE target_id = 'NEWPAD'"))
    assert rows == [{"source": "external", "state": "active"}]


def test_a_removal_on_apple_is_healed_from_asset_counts(abctl: Cli, token_files: dict[str, Path], world: Seed,
                                                       db_path: Path) -> None:  # fmt: skip
    add_both(abctl, token_files)
    world.state.external_unassign("district", "1000000001", "serialNumber", "OLDPAD002")
    result = abctl("--format", "json", "sync", "district")
    row = json.loads(result.stdout)[0]
    assert (row["missing"], row["healed"]) == (1, ["1000000001"])
    state = (
        sqlite_utils.Database(db_path).execute("SELECT state FROM licenses WHERE target_id = 'OLDPAD002'").fetchone()
    )
    assert state == ("revoked",)


def test_revoked_token_sets_status_notification_and_exit_3(abctl: Cli, token_files: dict[str, Path], world: Seed,
                                                          db_path: Path) -> None:  # fmt: skip
    add_both(abctl, token_files)
    world.state.revoke_token("highschool")
    result = abctl("sync", "highschool")
    assert result.exit_code == 3
    assert "Apple has revoked the sToken (Apple error 9625)" in result.stderr
    rotate = "Upload a valid Apps and Books sToken, then run: abctl tokens update highschool --file NEW.vpptoken"
    assert result.stderr.endswith(f"\nHint: {rotate}\n")
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT status FROM accounts WHERE name = 'highschool'").fetchone() == ("revoked",)
    open_ = "SELECT account_name, kind, severity, trigger, action FROM notifications WHERE cleared_at IS NULL"
    assert list(db.query(open_ + " ORDER BY id")) == [
        # the district's first sync found the three licenses another MDM handed out (R22)
        {"account_name": "district", "kind": "drift", "severity": "warn", "trigger": "3 unknown",
         "action": "Review them: abctl drift district; settle: abctl drift settle --revoke|--adopt|--forget"},
        {"account_name": "highschool", "kind": "auth", "severity": "alert", "trigger": "revoked",
         "action": rotate},
    ]  # fmt: skip
    check = abctl("--format", "json", "tokens", "check")
    assert check.exit_code == 8
    assert [(p["account"], p["status"], p["action"]) for p in json.loads(check.stdout)] == [
        ("highschool", "revoked", rotate)
    ]


def test_a_revoked_token_in_tokens_add_suggests_adding_again_not_updating(
    abctl: Cli, token_files: dict[str, Path], world: Seed, db_path: Path
) -> None:
    world.state.revoke_token("highschool")
    result = abctl("tokens", "add", "highschool", "--file", str(token_files["highschool"]), "--space", "default")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        "Error: Apple has revoked the sToken (Apple error 9625): upload a valid sToken\n"
        "Hint: Upload a valid Apps and Books sToken, then run: "
        "abctl tokens add highschool --file NEW.vpptoken --space default\n"
    )
    assert not db_path.exists()  # the refused first `tokens add` leaves no database behind


def test_claimed_location_is_refused_unless_taken_over(abctl: Cli, token_files: dict[str, Path], world: Seed,
                                                      db_path: Path, sandbox: SandboxApp) -> None:  # fmt: skip
    world.state.claim("district", "jamf-1234", "Jamf Pro")
    refused = abctl("tokens", "add", "district", "--file", str(token_files["district"]))
    assert refused.exit_code == 3
    assert refused.stderr.startswith("Error: location `District Office` is managed by another MDM (Jamf Pro)\n")
    assert "--take-over" in refused.stderr
    assert not db_path.exists()  # the refused first `tokens add` leaves no database behind
    taken = abctl("tokens", "add", "district", "--file", str(token_files["district"]), "--take-over")
    assert taken.exit_code == 0, taken.output
    installation = (
        sqlite_utils.Database(db_path).execute("SELECT value FROM settings WHERE key = 'installation_id'").fetchone()[0]
    )
    assert world.state.location("district").mdm_info == {
        "id": installation, "name": "abctl", "metadata": world.state.location("district").mdm_info["metadata"]
    }  # fmt: skip


def test_expired_token_file_and_duplicate_location(abctl: Cli, token_files: dict[str, Path], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from abctl.sandbox.tokens import mint_token

    old = tmp_path / "old.vpptoken"
    old.write_text(mint_token("sandbox-district", org_name="Org", expires_at=datetime(2020, 1, 1, tzinfo=UTC)))
    expired = abctl("tokens", "add", "old", "--file", str(old))
    assert expired.exit_code == 3
    assert expired.stderr.startswith("Error: the sToken for `Org` expired on 2020-01-01\n")
    assert abctl("tokens", "add", "district", "--file", str(token_files["district"])).exit_code == 0
    again = abctl("tokens", "add", "copy", "--file", str(token_files["district"]))
    assert again.exit_code == 3
    assert "is already account `district`" in again.stderr


def test_the_token_never_appears_in_any_output(abctl: Cli, token_files: dict[str, Path], world: Seed) -> None:
    add_both(abctl, token_files)
    secret = token_files["district"].read_text()
    outputs = []
    for args in (["--debug", "tokens", "show", "district"], ["--format", "json", "tokens", "list"],
                 ["-v", "--debug", "sync"], ["tokens", "check"],
                 ["--format", "json", "tokens", "show", "district"]):  # fmt: skip
        result = abctl(*args)
        outputs.append(result.stdout + result.stderr)
    world.state.revoke_token("district")
    failing = abctl("--debug", "sync", "district")
    outputs.append(failing.stdout + failing.stderr + repr(failing.exception))
    joined = "\n".join(outputs)
    assert "GET http://sandbox.test/mdm/v2/assets" in joined  # the debug trace was on
    assert secret not in joined and secret[:40] not in joined


def test_tokens_show_counts_the_accounts_open_notifications(
    abctl: Cli, token_files: dict[str, Path], db_path: Path
) -> None:
    add_both(abctl, token_files)
    db = sqlite_utils.Database(db_path)
    counts = dict(db.execute(
        "SELECT a.name, count(n.id) FROM accounts a LEFT JOIN notifications n"
        " ON n.account_id = a.id AND n.cleared_at IS NULL GROUP BY a.name"
    ).fetchall())  # fmt: skip
    assert counts["district"] > 0 and counts["highschool"] != counts["district"]  # the seed's drift is district's
    for name in ("district", "highschool"):
        shown = json.loads(abctl("--format", "json", "tokens", "show", name).stdout)
        assert shown["open_notifications"] == counts[name]
