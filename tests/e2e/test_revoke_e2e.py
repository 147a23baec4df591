"""`abctl revoke` end to end on the sandbox: one test per row of the admin guide's iOS/macOS behaviour tables and
of its entitlement table that revocation covers, every automatic trigger logging like `revoke`, and `usage --grace`.
The world is tests/e2e/revoke_world.py.
"""

from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.revoke_world import (
    BIRDS,
    CHEM,
    MATH,
    PLANETARIUM,
    SKETCHBOOK,
    in_grace,
    license_row,
    on_apple,
    rows,
    school,
    writes,
)

from abctl.sandbox.seeds import Seed

pytestmark = pytest.mark.usefixtures("unthrottled")
__all__ = ["school"]  # the fixture


# -- the admin guide's "Apps and Books for iOS" table -----------------------------------------------------------


def test_ios_remove_from_distribution_device_based_the_app_is_uninstalled_with_30_days_grace(
    school: Cli, world: Seed, db_path: Path
) -> None:
    result = school.expect("--format", "json", "revoke", "Sketchbook Studio", "--device", "ipad0001", "--yes")
    (row,) = rows(result)
    assert (row["account"], row["target_id"], row["platform"], row["uninstall"], row["result"]) == (
        "district", "IPAD0001", "ipados", True, "revoked"
    )  # fmt: skip
    assert in_grace(row["usable_until"])
    assert on_apple(world, "district", SKETCHBOOK) == {"MAC00001"}  # only that device's license went back
    assert on_apple(world, "highschool", SKETCHBOOK) == {"bob"}
    assert writes(world) == {"district": {"POST assets/disassociate": 1}}
    stored = license_row(db_path, "district", SKETCHBOOK, "IPAD0001")
    assert (stored["state"], stored["usable_until"], stored["last_action"]) == (
        "revoked", row["usable_until"], "disassociate"
    )  # fmt: skip
    logged = (
        sqlite_utils.Database(db_path)
        .execute(
            "SELECT action, result, account_name, adam_id, target_kind, target_id, event_id, detail FROM activity"
            " WHERE action = 'disassociate'"
        )
        .fetchall()
    )
    assert logged == [
        ("disassociate", "revoked", "district", SKETCHBOOK, "device", "IPAD0001", row["event_id"],
         f"license revoked for device IPAD0001; usable until {row['usable_until']}")
    ]  # fmt: skip


def test_ios_remove_from_distribution_user_based_the_users_ios_devices_uninstall(
    school: Cli, world: Seed, db_path: Path
) -> None:
    dry = school.expect("revoke", MATH, "--user", "carol", "--dry-run")
    assert "iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): IPAD0001" in dry.stderr
    result = school.expect("--format", "json", "revoke", MATH, "--user", "carol", "--yes")
    (row,) = rows(result)
    assert (row["license_type"], row["platform"], row["uninstall"], row["result"]) == ("user", "ios", True, "revoked")
    assert in_grace(row["usable_until"])
    assert on_apple(world, "district", MATH) == set()
    assert on_apple(world, "district", BIRDS) == {"carol"}  # her other licenses stay
    assert license_row(db_path, "district", MATH, "carol")["state"] == "revoked"


def test_ios_undelegate_from_a_non_default_space_uninstalls_from_that_spaces_devices_only(
    school: Cli, world: Seed
) -> None:
    dry = school.expect("revoke", "Chem Sim", "--all", "--space", "lab", "--dry-run")
    assert "iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): LABPAD01" in dry.stderr
    result = school.expect("--format", "json", "revoke", "Chem Sim", "--all", "--space", "lab", "--yes")
    assert {(r["target_id"], r["uninstall"], r["result"]) for r in rows(result)} == {
        ("LABPAD01", True, "revoked"), ("LABMAC01", False, "revoked")
    }  # fmt: skip
    assert on_apple(world, "research", CHEM) == set()
    assert on_apple(world, "highschool", CHEM) == {"IPAD0001"}  # the default space keeps its license


def test_ios_and_macos_deleting_the_app_gives_the_same_plan_as_revoke_all(school: Cli, world: Seed,
                                                                        db_path: Path) -> None:  # fmt: skip
    school.expect("apps", "add", SKETCHBOOK)
    revoke_plan = rows(school.expect("--format", "json", "revoke", SKETCHBOOK, "--all", "--dry-run"))
    remove_plan = rows(school.expect("--format", "json", "apps", "remove", SKETCHBOOK, "--dry-run"))
    keys = ("account", "adam_id", "license_type", "target_id", "uninstall", "usable_until")
    assert [tuple(r[k] for k in keys[:5]) for r in remove_plan] == [tuple(r[k] for k in keys[:5]) for r in revoke_plan]
    assert [(r["target_id"], r["uninstall"]) for r in revoke_plan] == [
        ("IPAD0001", True), ("MAC00001", False), ("bob", True)  # iOS uninstalls; the Mac keeps it
    ]  # fmt: skip
    removed = school("apps", "remove", SKETCHBOOK, "--yes")
    assert removed.exit_code == 0, removed.output
    assert "Macs that keep the app installed: MAC00001" in removed.stderr
    assert on_apple(world, "district", SKETCHBOOK) == on_apple(world, "highschool", SKETCHBOOK) == set()
    assert license_row(db_path, "district", SKETCHBOOK, "MAC00001")["usable_until"] is None


# -- the admin guide's "Apps and Books for macOS" table ---------------------------------------------------------


def test_macos_remove_from_distribution_device_based_the_app_stays_installed(school: Cli, world: Seed,
                                                                           db_path: Path) -> None:  # fmt: skip
    result = school("revoke", SKETCHBOOK, "--device", "MAC00001", "--yes")
    assert result.exit_code == 0, result.output
    assert "Macs that keep the app installed: MAC00001" in result.stderr
    assert "must uninstall" not in result.stderr
    assert result.stderr.endswith("Revoked 1 license(s) in 1 Apple call(s).\n")
    assert on_apple(world, "district", SKETCHBOOK) == {"IPAD0001"}
    stored = license_row(db_path, "district", SKETCHBOOK, "MAC00001")
    assert (stored["state"], stored["usable_until"]) == ("revoked", None)  # no end: the Mac keeps the app


def test_macos_user_based_is_not_applicable_the_owners_mac_is_not_affected(school: Cli, world: Seed) -> None:
    plan = school.expect("--format", "json", "revoke", SKETCHBOOK, "--user", "bob", "--dry-run")
    (row,) = rows(plan)
    assert (row["account"], row["license_type"], row["platform"], row["uninstall"]) == ("highschool", "user", "ios",
                                                                                       True)  # fmt: skip
    assert "MAC00001" not in plan.stderr  # bob's only device is a Mac: user-based licenses are NA there
    school.expect("revoke", SKETCHBOOK, "--user", "bob", "--yes")
    assert on_apple(world, "highschool", SKETCHBOOK) == set()
    assert on_apple(world, "district", SKETCHBOOK) == {"IPAD0001", "MAC00001"}


def test_macos_undelegate_from_a_non_default_space_the_mac_keeps_the_app(school: Cli, db_path: Path) -> None:
    result = school("revoke", CHEM, "--all", "--space", "lab", "--yes")
    assert result.exit_code == 0, result.output
    assert "Macs that keep the app installed: LABMAC01" in result.stderr
    assert license_row(db_path, "research", CHEM, "LABMAC01")["usable_until"] is None
    assert in_grace(license_row(db_path, "research", CHEM, "LABPAD01")["usable_until"])


# -- the entitlement table (a device moving spaces): the rows that revoke in the source ----------------------------


@pytest.mark.parametrize(
    ("adam_id", "destination_seat"),
    [(SKETCHBOOK, True), (PLANETARIUM, False)],  # row 1: lab has a Sketchbook seat; row 2: no Planetarium seat
)
def test_entitlement_rows_revoke_in_the_source_like_revoke_does(
    school: Cli, world: Seed, db_path: Path, adam_id: str, destination_seat: bool
) -> None:
    school.expect("devices", "add", "IPAD0002", "--platform", "ipados")
    world.state.external_assign("district", adam_id, "serialNumber", "IPAD0002")
    school.expect("sync")
    school.expect("move-space", "IPAD0002", "--to", "lab", "--yes", code=0 if destination_seat else 7)
    assert "IPAD0002" not in on_apple(world, "district", adam_id)
    stored = license_row(db_path, "district", adam_id, "IPAD0002")
    assert stored["state"] == "revoked" and in_grace(stored["usable_until"])
    grace = rows(school.expect("--format", "json", "usage", "--grace"))
    assert [(g["account"], g["adam_id"], g["target_id"], g["platform"]) for g in grace] == [
        ("district", adam_id, "IPAD0002", "ipados")
    ]


# -- every automatic trigger goes through the one revocation service ------------------------------------------------


@pytest.mark.parametrize(
    ("command", "target", "reason"),
    [
        (("revoke", SKETCHBOOK, "--device", "IPAD0001", "--yes"), "IPAD0001", "license revoked for device IPAD0001"),
        (("devices", "retire", "IPAD0001", "--yes"), "IPAD0001", "device retired"),
        (("devices", "wipe", "IPAD0001", "--yes"), "IPAD0001", "device wiped"),
        (("devices", "unenroll", "IPAD0001", "--yes"), "IPAD0001", "device unenrolled"),
        (("users", "delete", "carol", "--yes"), "carol", "user deleted"),
        (("apps", "remove", SKETCHBOOK, "--yes"), "IPAD0001", "app removed from the catalog"),
        (("tokens", "delete", "district", "--yes"), "IPAD0001", "token `district` deleted"),
        (("tokens", "update", "district", "--clear-previous", "--file"), "IPAD0001",
         "token updated with --clear-previous"),
    ],
)  # fmt: skip
def test_every_trigger_logs_the_same_revocation_entries(
    school: Cli, token_files: dict[str, Path], db_path: Path, command: tuple[str, ...], target: str, reason: str
) -> None:
    school.expect("apps", "add", SKETCHBOOK)
    args = (*command, str(token_files["district"])) if command[-1] == "--file" else command
    school.expect(*args)
    db = sqlite_utils.Database(db_path)
    logged = db.execute(
        "SELECT action, result, account_name, target_kind, event_id, detail FROM activity"
        " WHERE target_id = ? AND action IN ('revoke', 'disassociate') ORDER BY adam_id",
        (target,),
    ).fetchall()
    assert logged, "no revocation logged"
    events = {row[0] for row in db.execute("SELECT event_id FROM events WHERE state = 'complete'").fetchall()}
    for action, result, account, kind, event_id, detail in logged:
        assert action in ("revoke", "disassociate") and result == "revoked" and account in ("district", "highschool")
        assert kind == ("user" if target == "carol" else "device")
        assert event_id in events  # Apple's eventId, from the ledger
        assert detail.startswith(f"{reason}; usable until ") and in_grace(detail.rpartition(" ")[2])


# -- usage --grace ---------------------------------------------------------------------------------------------------


def test_usage_grace_lists_revoked_licenses_still_usable(school: Cli) -> None:
    school.expect("revoke", SKETCHBOOK, "--all", "--yes")
    grace = rows(school.expect("--format", "json", "usage", "--grace"))
    assert [(g["account"], g["name"], g["license_type"], g["target_id"], g["platform"], g["days_left"])
            for g in grace] == [("district", "Sketchbook Studio", "device", "IPAD0001", "ipados", 30),
                                ("highschool", "Sketchbook Studio", "user", "bob", "ios", 30)]  # fmt: skip
    assert all(in_grace(g["usable_until"]) and g["revoked_at"] for g in grace)  # the Mac keeps it: not listed
    table = school.expect("usage", "--grace")
    assert "Revoked licenses still usable in space default" in table.stdout
    assert rows(school.expect("--format", "json", "usage", "--grace", "--space", "lab")) == []
    assert rows(school.expect("--format", "json", "usage", "--grace", "--app", MATH)) == []
    device_view = rows(school.expect("--format", "json", "usage", "--device", "IPAD0001"))
    assert [in_grace(r["usable_until"]) for r in device_view if r["adam_id"] == SKETCHBOOK] == [True]
    conflict = school("usage", "--grace", "--device", "IPAD0001")
    assert conflict.exit_code == 2
