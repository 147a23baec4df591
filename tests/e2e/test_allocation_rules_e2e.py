"""The allocation rules (R2-R9) through the CLI against the sandbox: the same scenarios as the domain tables.

District pays first (priority 0), the high school second. Carol (students) owns IPAD0001, alice (teachers) owns
IPAD0002, bob owns MAC00001; both accounts own Code Garden (10 seats each, iOS and macOS).
"""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed

CODE, PLANETARIUM = "1000000007", "1000000001"


pytestmark = pytest.mark.usefixtures("unthrottled")


def assign(abctl: Cli, *args: str, expect: int = 0) -> list[tuple[str, str | None, str | None, str, str]]:
    rows = json.loads(abctl.expect("--format", "json", "assign", *args, code=expect).stdout)
    return [(r["target"], r["account"], r["license_type"], r["result"], r["reason"]) for r in rows]


@pytest.fixture
def school(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> Cli:
    for name in ("district", "highschool"):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]))
    for user in ("alice", "bob", "carol", "dan"):
        abctl.expect("users", "add", user, "--email", f"{user}@springfield.edu")
    abctl.expect("groups", "add", "teachers")
    abctl.expect("groups", "add", "students")
    abctl.expect("groups", "add-member", "teachers", "alice", "bob")
    abctl.expect("groups", "add-member", "students", "carol", "dan")
    for serial, platform, owner in (("IPAD0001", "ipados", "carol"), ("IPAD0002", "ipados", "alice"),
                                    ("MAC00001", "macos", "bob")):  # fmt: skip
        abctl.expect("devices", "add", serial, "--platform", platform, "--owner", owner)
    return abctl


def test_a_reservation_in_the_lower_account_beats_fcfs_in_the_higher_one(school: Cli, db_path: Path) -> None:
    school.expect("distribute", CODE, "--account", "highschool", "--reserve", "device:IPAD0001")
    held = sqlite_utils.Database(db_path).execute(
        "SELECT a.name, l.source FROM licenses l JOIN accounts a ON a.id = l.account_id WHERE l.target_id = 'IPAD0001'"
    )
    assert held.fetchall() == [("highschool", "reserved")]
    already = "device `IPAD0001` already holds a device-based license"
    assert assign(school, CODE, "--device", "IPAD0001") == [
        ("IPAD0001", "highschool", "device", "already licensed", already)
    ]


def test_higher_account_exhausted_and_not_on_the_next_list_means_no_license(school: Cli, world: Seed) -> None:
    world.state.set_total("district", CODE, 0)
    school.expect("sync")
    school.expect("distribute", CODE, "--account", "highschool", "--fcfs", "teachers")
    assert assign(school, CODE, "--device", "IPAD0001", "--device", "IPAD0002", expect=7) == [
        ("IPAD0001", None, None, "refused", "no free seat in any account that may serve it"),
        ("IPAD0002", "highschool", "device", "assigned", "from `highschool` (on list)"),
    ]


def test_disallowed_in_the_first_account_falls_to_the_second(school: Cli) -> None:
    school.expect("distribute", CODE, "--account", "district", "--disallow", "carol")
    assert assign(school, CODE, "--device", "IPAD0001", "--device", "IPAD0002") == [
        ("IPAD0001", "highschool", "device", "assigned", "from `highschool` (on list)"),
        ("IPAD0002", "district", "device", "assigned", "from `district` (on list)"),
    ]


def test_a_user_holding_a_user_based_license_keeps_it_and_gets_no_second(school: Cli, world: Seed) -> None:
    school.expect("users", "invite", "alice")
    world.state.associate_user("district", "alice")
    school.expect("sync")
    assert assign(school, CODE, "--user", "alice") == [
        ("alice", "district", "user", "assigned", "from `district` (on list)")
    ]
    assert assign(school, CODE, "--user", "alice") == [
        ("alice", "district", "user", "already licensed", "user `alice` already holds a user-based license")
    ]
    # R8: her own iPad installs the app with her license; a required install gives it no device license
    school.expect("apps", "add", CODE, "--install-on-device")
    result = json.loads(school.expect("--format", "json", "reconcile").stdout)
    assert sorted(r["target"] for r in result) == ["IPAD0001", "MAC00001"]


def test_an_unenrolled_user_waits_with_the_invitation_hint(school: Cli) -> None:
    assert assign(school, CODE, "--user", "dan", expect=7) == [
        ("dan", None, None, "refused", "`dan` is not enrolled with `district`; run: abctl users invite dan")
    ]


def test_a_platform_the_app_does_not_support_is_refused(school: Cli) -> None:
    assert assign(school, PLANETARIUM, "--device", "MAC00001", expect=7) == [
        ("MAC00001", None, None, "refused", "the app supports iOS, not macos")
    ]
