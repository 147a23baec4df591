"""Delegation end to end on the sandbox (R21): a district's accounts in the default space lend apps to a school's
custom space; un-delegating takes them back with the guide's "Un-Delegate" row, one test per cell (iOS device,
iOS user, macOS device; macOS user is NA). Apple's side is read through the sandbox, the database through a
second handle.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.revoke_world import in_grace, on_apple, rows, writes

from abctl.sandbox.seeds import Seed

pytestmark = pytest.mark.usefixtures("unthrottled")
PLANETARIUM, SKETCHBOOK, CODE = "1000000001", "1000000002", "1000000007"  # Code Garden: district and high only


@pytest.fixture
def district(abctl: Cli, world: Seed, token_files: dict[str, Path], tmp_path: Path) -> Cli:
    """Default space: district (priority 1) and highschool. Space lab: research. Space gym: no account."""
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    abctl.expect("tokens", "add", "highschool", "--file", str(token_files["highschool"]))
    abctl.expect("spaces", "add", "lab")
    abctl.expect("tokens", "add", "research", "--space", "lab", "--file", str(token_files["research"]))
    abctl.expect("spaces", "add", "gym")
    (tmp_path / "users.csv").write_text("client_user_id,space\nlena,lab\n")
    abctl.expect("users", "import", str(tmp_path / "users.csv"))
    (tmp_path / "devices.csv").write_text(
        "serial,platform,owner,space\nLABPAD01,ipados,lena,lab\nLENAMAC1,macos,lena,lab\nLABMAC01,macos,,lab\n"
        "GYMPAD01,ipados,,gym\nIPAD0001,ipados,,default\n"
    )
    abctl.expect("devices", "import", str(tmp_path / "devices.csv"))
    world.state.reset_stats()
    return abctl


def db_rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return sqlite_utils.Database(db_path).execute(sql, params).fetchall()


def license_of(db_path: Path, adam_id: str, target: str) -> tuple[Any, ...]:
    (found,) = db_rows(
        db_path,
        "SELECT a.name, l.target_kind, l.state, l.usable_until FROM licenses l JOIN accounts a ON a.id = l.account_id"
        " WHERE l.adam_id = ? AND l.target_id = ? ORDER BY l.id DESC LIMIT 1",
        (adam_id, target),
    )
    return tuple(found)


def test_a_device_of_a_space_without_accounts_is_licensed_by_the_district_and_loses_it_on_undelegate(
    district: Cli, world: Seed, db_path: Path
) -> None:
    done = district.expect("apps", "delegate", "Pocket Planetarium", "--to", "gym")
    assert done.stderr == (
        "Delegated Pocket Planetarium (1000000001) to space `gym`; accounts that serve it, in order: `district`,"
        " `highschool`.\n"
    )
    listed = rows(district.expect("--format", "json", "apps", "list", "--space", "gym"))
    assert [(r["adam_id"], r["source"], r["accounts"], r["in_catalog"]) for r in listed] == [
        (PLANETARIUM, "delegated", ["district", "highschool"], True)
    ]
    assign = ("--format", "json", "assign", PLANETARIUM, "--device", "GYMPAD01", "--space", "gym")
    assigned = rows(district.expect(*assign))
    assert [(r["target"], r["account"], r["result"]) for r in assigned] == [("GYMPAD01", "district", "assigned")]
    assert "GYMPAD01" in on_apple(world, "district", PLANETARIUM)

    plan = district.expect("apps", "undelegate", PLANETARIUM, "--from", "gym", "--dry-run")
    assert "iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): GYMPAD01" in plan.stderr
    assert plan.stderr.endswith("Dry run: nothing was changed.\n")
    assert "GYMPAD01" in on_apple(world, "district", PLANETARIUM)

    world.state.reset_stats()
    result = district.expect("--format", "json", "apps", "undelegate", PLANETARIUM, "--from", "gym", "--yes")
    (row,) = rows(result)
    assert (row["account"], row["target_id"], row["platform"], row["uninstall"], row["result"]) == (
        "district", "GYMPAD01", "ipados", True, "revoked"
    )  # fmt: skip
    assert "GYMPAD01" not in on_apple(world, "district", PLANETARIUM)
    assert {"OLDPAD001", "OLDPAD002", "OLDPAD003"} <= on_apple(world, "district", PLANETARIUM)  # the rest stays
    assert writes(world) == {"district": {"POST assets/disassociate": 1}}
    account, kind, state, until = license_of(db_path, PLANETARIUM, "GYMPAD01")
    assert (account, kind, state) == ("district", "device", "revoked") and in_grace(until)
    assert db_rows(db_path, "SELECT * FROM delegations") == []
    assert db_rows(db_path, "SELECT * FROM catalog WHERE space = 'gym'") == []
    logged = db_rows(db_path, "SELECT action, result, space, adam_id FROM activity WHERE action LIKE '%delegate'")
    assert logged == [("delegate", "delegated", "gym", PLANETARIUM), ("undelegate", "undelegated", "gym", PLANETARIUM)]
    grace = rows(district.expect("--format", "json", "usage", "--grace"))
    assert [(g["account"], g["adam_id"], g["target_id"], g["platform"]) for g in grace] == [
        ("district", PLANETARIUM, "GYMPAD01", "ipados")
    ]
    in_gym = rows(district.expect("--format", "json", "usage", "--grace", "--space", "gym"))  # the gym's view too
    assert [(g["account"], g["target_id"], g["days_left"]) for g in in_gym] == [("district", "GYMPAD01", 30)]
    again = district.expect("assign", PLANETARIUM, "--device", "GYMPAD01", "--space", "gym", code=7)
    assert "GYMPAD01" not in on_apple(world, "district", PLANETARIUM), again.output


def test_revoke_in_a_space_takes_back_what_its_devices_hold_through_a_delegation(
    district: Cli, world: Seed, db_path: Path
) -> None:
    """`revoke --all --space gym` means every license of the app in the gym, the district's lent ones included;
    the district's own licenses elsewhere stay."""
    district.expect("apps", "delegate", PLANETARIUM, "--to", "gym")
    district.expect("assign", PLANETARIUM, "--device", "GYMPAD01", "--space", "gym")
    plan = district.expect("revoke", PLANETARIUM, "--all", "--space", "gym", "--dry-run")
    assert "GYMPAD01" in plan.output and "OLDPAD001" not in plan.output
    world.state.reset_stats()
    result = district.expect("--format", "json", "revoke", PLANETARIUM, "--all", "--space", "gym", "--yes")
    assert [(r["account"], r["target_id"], r["result"]) for r in rows(result)] == [("district", "GYMPAD01", "revoked")]
    assert "GYMPAD01" not in on_apple(world, "district", PLANETARIUM)
    assert {"OLDPAD001", "OLDPAD002", "OLDPAD003"} <= on_apple(world, "district", PLANETARIUM)
    assert writes(world) == {"district": {"POST assets/disassociate": 1}}
    assert license_of(db_path, PLANETARIUM, "GYMPAD01")[:3] == ("district", "device", "revoked")
    district.expect("assign", PLANETARIUM, "--device", "GYMPAD01", "--space", "gym")
    one = district.expect("--format", "json", "revoke", PLANETARIUM, "--device", "GYMPAD01", "--space", "gym", "--yes")
    assert [(r["account"], r["target_id"], r["result"]) for r in rows(one)] == [("district", "GYMPAD01", "revoked")]


# -- the guide's "Un-Delegate Apps and Books app" row, cell by cell --------------------------------------------


def test_ios_device_based_undelegate_uninstalls_from_the_spaces_ipad(district: Cli, world: Seed, db_path: Path) -> None:
    district.expect("apps", "delegate", "Code Garden", "--to", "lab")
    district.expect("assign", CODE, "--device", "LABPAD01", "--space", "lab")
    district.expect("assign", CODE, "--device", "IPAD0001")  # the default space's own iPad: not delegated
    result = district.expect("--format", "json", "apps", "undelegate", CODE, "--from", "lab", "--yes")
    assert [(r["target_id"], r["license_type"], r["uninstall"], r["result"]) for r in rows(result)] == [
        ("LABPAD01", "device", True, "revoked")
    ]
    assert in_grace(rows(result)[0]["usable_until"])
    assert on_apple(world, "district", CODE) == {"IPAD0001"}
    assert license_of(db_path, CODE, "IPAD0001")[2] == "active"


def test_ios_user_based_undelegate_uninstalls_from_the_users_ios_devices_and_the_mac_is_na(
    district: Cli, world: Seed, db_path: Path
) -> None:
    district.expect("apps", "delegate", "Code Garden", "--to", "lab")
    invited = rows(district.expect("--format", "json", "users", "invite", "lena"))
    assert sorted(r["account"] for r in invited) == ["district", "highschool", "research"]  # the lenders too
    world.state.associate_user("district", "lena")
    district.expect("sync")
    assigned = rows(district.expect("--format", "json", "assign", CODE, "--user", "lena", "--space", "lab"))
    assert [(r["target"], r["account"], r["license_type"]) for r in assigned] == [("lena", "district", "user")]
    plan = district.expect("--format", "json", "apps", "undelegate", CODE, "--from", "lab", "--dry-run")
    (row,) = rows(plan)
    assert (row["license_type"], row["target_id"], row["platform"], row["uninstall"]) == ("user", "lena", "ios", True)
    assert "iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): LABPAD01\n" in plan.stderr
    assert "LENAMAC1" not in plan.stderr  # user-based licenses are NA on macOS: her Mac is not affected
    district.expect("apps", "undelegate", CODE, "--from", "lab", "--yes")
    assert on_apple(world, "district", CODE) == set()
    account, kind, state, until = license_of(db_path, CODE, "lena")
    assert (account, kind, state) == ("district", "user", "revoked") and in_grace(until)


def test_macos_device_based_undelegate_the_mac_keeps_the_app(district: Cli, world: Seed, db_path: Path) -> None:
    district.expect("apps", "delegate", "Code Garden", "--to", "lab")
    district.expect("assign", CODE, "--device", "LABMAC01", "--space", "lab")
    result = district("apps", "undelegate", CODE, "--from", "lab", "--yes")
    assert result.exit_code == 0, result.output
    assert "Macs that keep the app installed: LABMAC01" in result.stderr
    assert "must uninstall" not in result.stderr
    assert on_apple(world, "district", CODE) == set()
    assert license_of(db_path, CODE, "LABMAC01") == ("district", "device", "revoked", None)  # no end: it stays


# -- order, what stays, and refusals ------------------------------------------------------------------------------


def test_own_accounts_pay_first_and_their_licenses_stay_on_undelegate(district: Cli, world: Seed,
                                                                       db_path: Path) -> None:  # fmt: skip
    world.state.set_total("research", SKETCHBOOK, 1)  # the lab's own account has one Sketchbook seat
    district.expect("sync")
    district.expect("apps", "delegate", SKETCHBOOK, "--to", "lab")
    listed = {r["adam_id"]: r for r in rows(district.expect("--format", "json", "apps", "list", "--space", "lab"))}
    assert (listed[SKETCHBOOK]["source"], listed[SKETCHBOOK]["accounts"]) == (
        "own + delegated", ["research", "district", "highschool"]
    )  # fmt: skip
    assigned = rows(district.expect("--format", "json", "assign", SKETCHBOOK, "--device", "LABPAD01", "--device",
                                    "LABMAC01", "--space", "lab"))  # fmt: skip
    assert [(r["target"], r["account"]) for r in assigned] == [("LABPAD01", "research"), ("LABMAC01", "district")]
    plan = district.expect("apps", "undelegate", SKETCHBOOK, "--from", "lab", "--dry-run")
    assert "1 license(s) from the own accounts of `lab` stay." in plan.stderr
    done = district.expect("apps", "undelegate", SKETCHBOOK, "--from", "lab", "--yes")
    assert "Un-delegated Sketchbook Studio (1000000002) from space `lab`; it stays in its catalog" in done.stderr
    assert on_apple(world, "research", SKETCHBOOK) == {"LABPAD01"}
    assert "LABMAC01" not in on_apple(world, "district", SKETCHBOOK)
    assert db_rows(db_path, "SELECT space, adam_id FROM catalog WHERE space = 'lab'") == [("lab", SKETCHBOOK)]


def test_bad_delegations_change_nothing(district: Cli, world: Seed, db_path: Path) -> None:
    before = db_rows(db_path, "SELECT * FROM catalog") + db_rows(db_path, "SELECT * FROM delegations")
    cases = [
        (("apps", "delegate", CODE, "--to", "default"), 2, "Error: apps are delegated from the default space"),
        (("apps", "delegate", CODE, "--to", "gmy"), 4, "Error: no space named `gmy`"),
        (("apps", "delegate", "Lab Notebook Pro", "--to", "gym"), 4,
         "Error: no account of the default space owns app 1000000004"),
        (("apps", "undelegate", CODE, "--from", "gym"), 4, "Error: app 1000000007 is not delegated to space `gym`"),
    ]  # fmt: skip
    for args, code, message in cases:
        result = district.expect(*args, code=code)
        assert result.stderr.startswith(message), result.stderr
        assert "Hint: " in result.stderr
    district.expect("apps", "delegate", CODE, "--to", "gym")
    district.expect("assign", CODE, "--device", "GYMPAD01", "--space", "gym")
    refused = district.expect("apps", "undelegate", CODE, "--from", "gym", code=2)  # no terminal, no --yes
    assert "abctl apps undelegate 1000000007 --from gym --yes" in refused.stderr
    assert on_apple(world, "district", CODE) == {"GYMPAD01"}
    assert db_rows(db_path, "SELECT space, adam_id FROM delegations") == [("gym", CODE)]
    assert before == []


def test_reconcile_installs_a_required_delegated_app_on_the_spaces_devices(district: Cli, world: Seed) -> None:
    district.expect("apps", "delegate", "Code Garden", "--to", "lab", "--install-on-device")
    plan = json.loads(district.expect("--format", "json", "reconcile", "--space", "lab", "--dry-run").stdout)
    assert sorted((r["target"], r["account"], r["result"]) for r in plan) == [
        ("LABMAC01", "district", "planned"), ("LABPAD01", "district", "planned"), ("LENAMAC1", "district", "planned")
    ]  # fmt: skip
    district.expect("reconcile", "--space", "lab")
    assert on_apple(world, "district", CODE) == {"LABMAC01", "LABPAD01", "LENAMAC1"}
    again = json.loads(district.expect("--format", "json", "reconcile", "--space", "lab", "--dry-run").stdout)
    assert again == []  # licensed through the delegation: nothing to do


# -- the guide's third row, move-space and reconcile ---------------------------------------------------------------


def test_removing_the_app_from_the_default_space_undelegates_it_everywhere_first(
    district: Cli, world: Seed, db_path: Path
) -> None:
    district.expect("apps", "add", CODE)
    district.expect("apps", "delegate", CODE, "--to", "lab")
    district.expect("apps", "delegate", CODE, "--to", "gym")
    district.expect("assign", CODE, "--device", "IPAD0001")
    district.expect("assign", CODE, "--device", "LABMAC01", "--space", "lab")
    district.expect("assign", CODE, "--device", "GYMPAD01", "--space", "gym")
    plan = district.expect("--format", "json", "apps", "remove", CODE, "--dry-run")
    assert "Spaces affected (licenses to revoke): `default` 1, `gym` 1, `lab` 1." in plan.stderr
    assert "Un-delegated from: `gym`, `lab`." in plan.stderr
    assert sorted((r["target_id"], r["uninstall"]) for r in rows(plan)) == [
        ("GYMPAD01", True), ("IPAD0001", True), ("LABMAC01", False)
    ]  # fmt: skip
    district.expect("apps", "remove", CODE, "--yes")
    assert on_apple(world, "district", CODE) == set()
    assert db_rows(db_path, "SELECT * FROM delegations") == []
    assert db_rows(db_path, "SELECT * FROM catalog") == []


def test_removing_a_delegated_app_from_a_custom_catalog_revokes_the_delegated_licenses(
    district: Cli, world: Seed, db_path: Path
) -> None:
    district.expect("apps", "delegate", CODE, "--to", "gym")
    district.expect("assign", CODE, "--device", "GYMPAD01", "--space", "gym")
    district.expect("apps", "remove", CODE, "--space", "gym", "--yes")
    assert on_apple(world, "district", CODE) == set()
    assert db_rows(db_path, "SELECT * FROM delegations") == []


def test_move_space_into_a_delegated_space_is_licensed_by_the_default_accounts_and_out_of_it_is_revoked(
    district: Cli, world: Seed
) -> None:
    district.expect("apps", "delegate", CODE, "--to", "lab")
    district.expect("assign", CODE, "--device", "IPAD0001")
    moved = rows(district.expect("--format", "json", "move-space", "IPAD0001", "--to", "lab", "--yes"))
    assert [(r["step"], r["account"], r["result"]) for r in moved] == [
        ("revoke", "district", "revoked"), ("move", None, "moved"), ("assign", "district", "assigned")
    ]  # fmt: skip
    assert on_apple(world, "district", CODE) == {"IPAD0001"}
    district.expect("move-space", "IPAD0001", "--to", "gym", "--yes", code=7)  # gym: not delegated, no account
    assert on_apple(world, "district", CODE) == set()


def test_reconcile_releases_a_delegated_license_of_a_retired_device(district: Cli, world: Seed) -> None:
    district.expect("apps", "delegate", CODE, "--to", "lab")
    district.expect("assign", CODE, "--device", "LABMAC01", "--space", "lab")
    world.state.external_assign("district", CODE, "serialNumber", "LABPAD01")  # handed out in School Manager
    district.expect("sync")
    district.expect("devices", "retire", "LABMAC01", "--yes")
    assert on_apple(world, "district", CODE) == {"LABPAD01"}
    district.expect("devices", "retire", "LABPAD01", "--yes")
    world.state.external_assign("district", CODE, "serialNumber", "LABPAD01")  # back again after the retire
    district.expect("sync")
    plan = json.loads(district.expect("--format", "json", "reconcile", "--space", "lab", "--dry-run").stdout)
    assert [(r["step"], r["target"], r["account"]) for r in plan] == [("release", "LABPAD01", "district")]
    district.expect("reconcile", "--space", "lab")
    assert on_apple(world, "district", CODE) == set()


def test_spaces_show_summarises_accounts_inventory_catalog_usage_and_notifications(district: Cli, world: Seed) -> None:
    world.state.set_total("research", SKETCHBOOK, 1)
    district.expect("sync")
    district.expect("apps", "delegate", SKETCHBOOK, "--to", "lab")
    district.expect("apps", "delegate", CODE, "--to", "lab", "--install-on-device")
    district.expect("assign", SKETCHBOOK, "--device", "LABPAD01", "--device", "LABMAC01", "--space", "lab")
    district.expect("devices", "retire", "LENAMAC1", "--yes")
    shown = json.loads(district.expect("--format", "json", "spaces", "show", "lab").stdout)
    notes = shown.pop("notifications")
    assert shown == {
        "name": "lab", "is_default": False, "devices": "2 active, 1 retired", "users": "1 active", "own_apps": 1,
        "delegated_apps": 2, "total": 1 + 12 + 8 + 4, "assigned": 1, "available": 0 + 12 + 8 + 4,
        "delegated_in_use": 1, "open_notifications": len(notes),
        "accounts": [{"priority": 1, "name": "research", "status": "expiring", "expires_at": shown["accounts"][0]
                      ["expires_at"]}],
        "catalog": [
            {**{k: shown["catalog"][0][k] for k in shown["catalog"][0]}, "adam_id": CODE, "source": "delegated",
             "accounts": ["district", "highschool"], "install_on_device": True},
            {**{k: shown["catalog"][1][k] for k in shown["catalog"][1]}, "adam_id": SKETCHBOOK,
             "source": "own + delegated", "accounts": ["research", "district", "highschool"],
             "install_on_device": False},
        ],
    }  # fmt: skip
    assert notes and {n["account"] for n in notes} == {"research"}  # its 1 Sketchbook seat is taken: usage notices
    assert {n["severity"] for n in notes} >= {"alert"}
    table = district.expect("spaces", "show", "lab")
    assert "Delegated licenses in use  1" in table.stdout
    missing = district.expect("spaces", "show", "lba", code=4)
    assert missing.stderr == "Error: no space named `lba`\nHint: did you mean `lab`?\n"


def test_a_district_reservation_for_a_devices_of_the_space_is_served_there_and_waits_for_reconcile(
    district: Cli, world: Seed, db_path: Path
) -> None:
    district.expect("apps", "delegate", CODE, "--to", "lab")
    done = district.expect("distribute", CODE, "--account", "district", "--reserve", "device:LABPAD01")
    assert "Reservations served now: 1." in done.stderr
    assert on_apple(world, "district", CODE) == {"LABPAD01"}
    world.state.set_total("district", CODE, 1)  # the district's last seat is taken: the next reservation waits
    world.state.set_total("highschool", CODE, 0)  # (and the high school, on whose list the Mac is, has none)
    district.expect("sync")
    district.expect("distribute", CODE, "--account", "district", "--reserve", "device:LABMAC01")
    assert on_apple(world, "district", CODE) == {"LABPAD01"}
    world.state.set_total("district", CODE, 2)
    district.expect("sync")
    plan = json.loads(district.expect("--format", "json", "reconcile", "--space", "lab", "--dry-run").stdout)
    assert [(r["step"], r["target"], r["account"], r["result"]) for r in plan] == [
        ("reserve", "LABMAC01", "district", "planned")
    ]
    district.expect("reconcile", "--space", "lab")
    assert on_apple(world, "district", CODE) == {"LABPAD01", "LABMAC01"}
    sources = db_rows(db_path, "SELECT target_id, source FROM licenses WHERE adam_id = ? ORDER BY target_id", (CODE,))
    assert sources == [("LABMAC01", "reserved"), ("LABPAD01", "reserved")]
    district.expect("distribute", CODE, "--account", "district", "--reserve", "device:GYMPAD01", code=4)  # gym: no
