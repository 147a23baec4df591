"""Inventory end to end: the real CLI against the sandbox (in-process); Apple's side checked in the sandbox, local
rows re-read through a second handle."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed
from abctl.timeutil import from_iso

PLANETARIUM, SKETCHBOOK, MATH, BIRDS = "1000000001", "1000000002", "1000000003", "1000000005"


pytestmark = pytest.mark.usefixtures("unthrottled")


def assigned(world: Seed, location: str) -> set[tuple[str, str, str]]:
    return {(adam, kind, target) for adam, _p, kind, target in world.state.location(location).assignments}


@pytest.fixture
def ready(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> Cli:
    """Two accounts, users alice (iPad) and bob (Mac), licenses handed out on Apple's side and synced."""
    for name in ("district", "highschool"):
        assert abctl("tokens", "add", name, "--file", str(token_files[name])).exit_code == 0
    for args in (("users", "add", "alice", "--email", "alice@springfield.edu"), ("users", "add", "bob"),
                 ("devices", "add", "IPAD0001", "--platform", "ipados", "--owner", "alice"),
                 ("devices", "add", "MAC00001", "--platform", "macos", "--owner", "bob")):  # fmt: skip
        result = abctl(*args)
        assert result.exit_code == 0, result.output
    for adam_id, kind, target in [(PLANETARIUM, "serialNumber", "IPAD0001"), (SKETCHBOOK, "serialNumber", "IPAD0001"),
                                  (SKETCHBOOK, "serialNumber", "MAC00001"), (MATH, "clientUserId", "alice"),
                                  (BIRDS, "clientUserId", "alice"), (MATH, "clientUserId", "bob")]:  # fmt: skip
        world.state.external_assign("district", adam_id, kind, target)
    assert abctl("sync").exit_code == 0
    return abctl


def licenses(db_path: Path, target: str) -> dict[str, tuple[str, str | None]]:
    rows = sqlite_utils.Database(db_path).query(
        "SELECT adam_id, state, usable_until FROM licenses WHERE target_id = ?", (target,)
    )
    return {row["adam_id"]: (row["state"], row["usable_until"]) for row in rows}


def test_retiring_devices_revokes_on_apple_and_records_grace_for_ios_only(
    ready: Cli, world: Seed, db_path: Path
) -> None:
    result = ready("devices", "retire", "IPAD0001", "MAC00001", "--yes")
    assert result.exit_code == 0, result.output
    assert "iOS devices that must uninstall: IPAD0001 (usable 30 more days)\n" in result.stderr
    assert "Macs that keep the app installed: MAC00001\n" in result.stderr
    assert result.stderr.endswith("Marked `IPAD0001`, `MAC00001` retired.\nRevoked 3 license(s) in 1 Apple call(s).\n")
    left = assigned(world, "district")
    assert not {pair for pair in left if pair[2] in ("IPAD0001", "MAC00001")}
    assert (MATH, "clientUserId", "alice") in left  # user-based licenses stay with their users
    ipad = licenses(db_path, "IPAD0001")
    assert {adam: state for adam, (state, _until) in ipad.items()} == {PLANETARIUM: "revoked", SKETCHBOOK: "revoked"}
    for _state, until in ipad.values():
        assert until is not None
        grace = from_iso(until) - datetime.now(UTC)
        assert timedelta(days=29, hours=23) < grace <= timedelta(days=30)
    assert licenses(db_path, "MAC00001") == {SKETCHBOOK: ("revoked", None)}
    states = dict(sqlite_utils.Database(db_path).execute("SELECT serial, state FROM devices").fetchall())
    assert states == {"IPAD0001": "retired", "MAC00001": "retired"}
    shown = json.loads(ready("--format", "json", "devices", "show", "IPAD0001").stdout)
    device_rows = [row for row in shown["licenses"] if row["license_type"] == "device"]
    assert [(r["name"], r["serial"], r["account"], r["state"], r["last_action"]) for r in device_rows] == [
        ("Pocket Planetarium", "IPAD0001", "district", "revoked", "revoke"),
        ("Sketchbook Studio", "IPAD0001", "district", "revoked", "revoke"),
    ]
    events = {row[0] for row in sqlite_utils.Database(db_path).execute("SELECT event_id FROM activity")}
    assert len(events) == 1 and None not in events


def test_deleting_a_user_revokes_only_their_user_licenses(ready: Cli, world: Seed, db_path: Path) -> None:
    result = ready("--format", "json", "users", "delete", "alice", "--yes")
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)
    assert sorted((o["adam_id"], o["target_id"], o["result"]) for o in outcomes) == [
        (MATH, "alice", "revoked"), (BIRDS, "alice", "skipped")
    ]  # fmt: skip
    assert {"target_id", "action", "uninstall", "usable_until", "event_id", "account"} <= set(outcomes[0])
    left = assigned(world, "district")
    assert (MATH, "clientUserId", "alice") not in left
    assert {(BIRDS, "clientUserId", "alice"), (MATH, "clientUserId", "bob"), (PLANETARIUM, "serialNumber", "IPAD0001"),
            (SKETCHBOOK, "serialNumber", "IPAD0001")} <= left  # fmt: skip
    assert licenses(db_path, "alice")[MATH][0] == "revoked"
    assert licenses(db_path, "bob") == {MATH: ("active", None)}
    assert licenses(db_path, "IPAD0001") == {PLANETARIUM: ("active", None), SKETCHBOOK: ("active", None)}


def test_invite_prints_the_url_and_sync_shows_associated(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> None:
    assert abctl("tokens", "add", "district", "--file", str(token_files["district"])).exit_code == 0
    abctl("users", "add", "carol", "--email", "carol@springfield.edu")
    abctl("users", "add", "dan", "--managed-apple-id", "dan@springfield.appleid.example")
    result = abctl("--format", "json", "users", "invite", "carol", "dan")
    assert result.exit_code == 0, result.output
    rows = {row["client_user_id"]: row for row in json.loads(result.stdout)}
    code = world.state.location("district").users["carol"].invite_code
    assert rows["carol"]["invite_url"] == f"http://sandbox.test/invite?inviteCode={code}&mt=8"
    assert (rows["carol"]["status"], rows["carol"]["result"]) == ("Registered", "registered")
    assert (rows["dan"]["status"], rows["dan"]["result"], rows["dan"]["invite_url"]) == ("Associated", "associated",
                                                                                       None)  # fmt: skip
    assert rows["carol"]["event_id"] == rows["dan"]["event_id"]  # one users/create call for both
    again = json.loads(abctl("--format", "json", "users", "invite", "--all-pending").stdout)
    assert [(r["client_user_id"], r["result"], r["event_id"]) for r in again] == [("carol", "already registered", None)]
    assert again[0]["invite_url"] == rows["carol"]["invite_url"]

    world.state.associate_user("district", "carol")
    assert abctl("sync").exit_code == 0
    listed = json.loads(abctl("--format", "json", "users", "list").stdout)
    assert [(u["client_user_id"], u["apple_status"]) for u in listed] == [
        ("carol", ["district: Associated"]), ("dan", ["district: Associated"])
    ]  # fmt: skip
    assert json.loads(abctl("--format", "json", "users", "invite", "--all-pending").stdout) == []


def test_retire_calls_users_retire(abctl: Cli, world: Seed, token_files: dict[str, Path], db_path: Path) -> None:
    assert abctl("tokens", "add", "district", "--file", str(token_files["district"])).exit_code == 0
    abctl("users", "add", "erin")
    abctl("users", "add", "fay")
    assert abctl("users", "invite", "erin").exit_code == 0
    result = abctl("--format", "json", "users", "retire", "erin", "fay")
    assert result.exit_code == 0, result.output
    assert [(r["client_user_id"], r["account"], r["result"]) for r in json.loads(result.stdout)] == [
        ("erin", "district", "retired"), ("fay", "", "retired locally")
    ]  # fmt: skip
    assert world.state.location("district").users["erin"].status == "Retired"
    states = dict(sqlite_utils.Database(db_path).execute("SELECT client_user_id, state FROM users").fetchall())
    assert states == {"erin": "retired", "fay": "retired"}
    assert abctl("users", "retire", "erin").exit_code == 2
    # Inviting a retired user registers them again.
    back = json.loads(abctl("--format", "json", "users", "invite", "erin").stdout)
    assert [(r["status"], r["result"]) for r in back] == [("Registered", "registered")]


def test_apps_list_add_and_remove_revoke_every_license(ready: Cli, world: Seed, db_path: Path) -> None:
    listed = {row["adam_id"]: row for row in json.loads(ready("--format", "json", "apps", "list").stdout)}
    assert listed[SKETCHBOOK] == {
        "adam_id": SKETCHBOOK, "name": "Sketchbook Studio", "product_type": "App", "platforms": ["iOS", "macOS"],
        "accounts": ["district", "highschool"], "total": 30, "available": 28, "in_catalog": False,
        "install_on_device": False, "auto_update": False, "space": "default", "source": "own", "delegated_to": [],
    }  # fmt: skip
    added = ready("apps", "add", "sketchbook studio", "--install-on-device")
    assert added.stderr == "Added Sketchbook Studio (1000000002) in the catalog of space `default`.\n"
    world.state.external_assign("highschool", SKETCHBOOK, "clientUserId", "alice")
    ready("sync")
    dry = ready("--format", "json", "apps", "remove", SKETCHBOOK, "--dry-run")
    plan = json.loads(dry.stdout)
    assert [(r["account"], r["target_id"], r["action"], r["uninstall"]) for r in plan] == [
        ("district", "IPAD0001", "disassociate", True), ("district", "MAC00001", "disassociate", False),
        ("highschool", "alice", "disassociate", True),
    ]  # fmt: skip
    result = ready("apps", "remove", "Sketchbook Studio", "--yes")
    assert result.exit_code == 0, result.output
    assert "iOS devices that must uninstall: IPAD0001 (usable 30 more days)\n" in result.stderr
    assert "Macs that keep the app installed: MAC00001\n" in result.stderr
    assert result.stderr.endswith(
        "Removed Sketchbook Studio (1000000002) from the catalog of space `default`.\n"
        "Revoked 3 license(s) in 2 Apple call(s).\n"
    )
    on_apple = assigned(world, "district") | assigned(world, "highschool")
    assert not [pair for pair in on_apple if pair[0] == SKETCHBOOK]
    rows = json.loads(ready("--format", "json", "apps", "list").stdout)
    assert [r["in_catalog"] for r in rows if r["adam_id"] == SKETCHBOOK] == [False]
    kinds = [row[0] for row in sqlite_utils.Database(db_path).execute("SELECT kind FROM events ORDER BY id")]
    assert kinds[-2:] == ["disassociate", "disassociate"]


def test_names_fall_back_to_the_adam_id_when_the_lookup_has_nothing(abctl: Cli, world: Seed,
                                                                   token_files: dict[str, Path]) -> None:  # fmt: skip
    world.state.metadata.clear()
    assert abctl("tokens", "add", "highschool", "--file", str(token_files["highschool"])).exit_code == 0
    rows = json.loads(abctl("--format", "json", "apps", "list").stdout)
    assert {r["adam_id"]: r["name"] for r in rows}[MATH] == MATH
    missing = abctl("apps", "add", "Math Quest")
    assert (missing.exit_code, missing.stderr) == (4, "Error: no app named `Math Quest`\n"
                                                      "Hint: list apps with: abctl apps list\n")  # fmt: skip


def test_unenroll_releases_device_licenses_and_leaves_the_owners(ready: Cli, world: Seed, db_path: Path) -> None:
    dry = ready("--format", "json", "devices", "unenroll", "IPAD0001", "--dry-run")
    assert sorted((r["adam_id"], r["license_type"]) for r in json.loads(dry.stdout)) == [
        (PLANETARIUM, "device"), (SKETCHBOOK, "device")
    ]  # fmt: skip
    assert assigned(world, "district") >= {(PLANETARIUM, "serialNumber", "IPAD0001")}  # a dry run sends nothing
    result = ready("devices", "unenroll", "IPAD0001", "--yes")
    assert result.exit_code == 0, result.output
    assert not [pair for pair in assigned(world, "district") if pair[2] == "IPAD0001"]
    assert licenses(db_path, "alice") == {MATH: ("active", None), BIRDS: ("active", None)}
    log = list(sqlite_utils.Database(db_path).query("SELECT action, result, detail FROM activity"))
    assert {(row["action"], row["result"]) for row in log} == {("revoke", "revoked")}
    assert all(row["detail"].startswith("device unenrolled; usable until ") for row in log)
