"""`abctl move-space` end to end, one test per row of the admin guide's entitlement table (R20).

Default space: district and highschool. Lab space: research, which owns Sketchbook Studio and Chem Sim (iOS and
macOS) but not Pocket Planetarium or Math Quest.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed

PLANETARIUM, SKETCHBOOK, MATH, CHEM = "1000000001", "1000000002", "1000000003", "1000000006"


pytestmark = pytest.mark.usefixtures("unthrottled")


def on_apple(world: Seed, location: str, target: str) -> set[str]:
    return {adam for adam, _p, _k, who in world.state.location(location).assignments if who == target}


def live(db_path: Path, target: str) -> set[tuple[str, str, str]]:
    rows = sqlite_utils.Database(db_path).execute(
        "SELECT l.adam_id, a.name, l.target_kind FROM licenses l JOIN accounts a ON a.id = l.account_id"
        " WHERE l.target_id = ? AND l.state = 'active'",
        (target,),
    )
    return set(rows.fetchall())


def steps(result: Any) -> list[tuple[str, str | None, str | None, str]]:
    return [(r["step"], r["adam_id"], r["account"], r["result"]) for r in json.loads(result.stdout)]


@pytest.fixture
def spaces(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> Cli:
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    abctl.expect("tokens", "add", "highschool", "--file", str(token_files["highschool"]))
    abctl.expect("spaces", "add", "lab")
    abctl.expect("tokens", "add", "research", "--space", "lab", "--file", str(token_files["research"]))
    abctl.expect("users", "add", "carol")
    abctl.expect("devices", "add", "IPAD0001", "--platform", "ipados", "--owner", "carol", "--app", CHEM)
    abctl.expect("devices", "add", "IPAD0002", "--platform", "ipados")
    return abctl


def test_licensed_with_a_seat_in_the_destination_is_revoked_and_reassigned_and_installed_apps_get_one(
    spaces: Cli, world: Seed, db_path: Path
) -> None:
    spaces.expect("assign", SKETCHBOOK, "--device", "IPAD0001")
    dry = spaces.expect("--format", "json", "move-space", "IPAD0001", "--to", "lab", "--dry-run")
    assert steps(dry) == [
        ("revoke", SKETCHBOOK, "district", "planned"),
        ("move", None, None, "planned"),
        ("assign", SKETCHBOOK, "research", "planned"),  # row 1: licensed in the source, seat in the destination
        ("assign", CHEM, "research", "planned"),  # row 3: installed without a license, seat in the destination
    ]
    assert live(db_path, "IPAD0001") == {(SKETCHBOOK, "district", "device")}  # the dry run changed nothing
    result = spaces.expect("--format", "json", "move-space", "IPAD0001", "--to", "lab", "--yes")
    assert [(s, a, acc, r) for s, a, acc, r in steps(result)] == [
        ("revoke", SKETCHBOOK, "district", "revoked"),
        ("move", None, None, "moved"),
        ("assign", SKETCHBOOK, "research", "assigned"),
        ("assign", CHEM, "research", "assigned"),
    ]
    assert on_apple(world, "district", "IPAD0001") == set()
    assert on_apple(world, "research", "IPAD0001") == {SKETCHBOOK, CHEM}
    assert live(db_path, "IPAD0001") == {(SKETCHBOOK, "research", "device"), (CHEM, "research", "device")}
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT space FROM devices WHERE serial = 'IPAD0001'").fetchone() == ("lab",)
    grace = db.execute(
        "SELECT usable_until IS NOT NULL FROM licenses WHERE state = 'revoked' AND target_id = 'IPAD0001'"
    )
    assert grace.fetchall() == [(1,)]  # R12: an iPad keeps the revoked app 30 days
    assert db.execute("SELECT action, result FROM activity WHERE action = 'move'").fetchall() == [("move", "moved")]


def test_licensed_without_a_seat_in_the_destination_is_only_revoked_with_exit_7_and_nothing_else_changes(
    spaces: Cli, world: Seed, db_path: Path
) -> None:
    spaces.expect("assign", PLANETARIUM, "--device", "IPAD0002", "--device", "IPAD0001")
    other_before = live(db_path, "IPAD0001")
    research_before = set(world.state.location("research").assignments)
    world.state.reset_stats()
    result = spaces.expect("--format", "json", "move-space", "IPAD0002", "--to", "lab", "--yes", code=7)
    assert steps(result) == [
        ("revoke", PLANETARIUM, "district", "revoked"),
        ("move", None, None, "moved"),
        ("assign", PLANETARIUM, None, "refused"),  # row 2: no seat in the destination: revoke only
    ]
    assert "Error: `IPAD0002` moved to `lab` without a license for: Pocket Planetarium" in result.stderr
    assert on_apple(world, "district", "IPAD0002") == set()
    assert live(db_path, "IPAD0002") == set()
    assert live(db_path, "IPAD0001") == other_before
    assert set(world.state.location("research").assignments) == research_before
    requests: dict[str, dict[str, int]] = world.state.stats()["requests"]  # type: ignore[assignment]
    writes = {
        (name, endpoint) for name, counts in requests.items() for endpoint in counts if endpoint.startswith("POST")
    }
    assert writes == {("district", "POST assets/disassociate")}


def test_the_owners_user_based_licenses_in_the_source_are_revoked_too(spaces: Cli, world: Seed, db_path: Path) -> None:
    spaces.expect("users", "invite", "carol")
    world.state.associate_user("district", "carol")
    spaces.expect("sync")
    spaces.expect("assign", MATH, "--user", "carol")
    result = spaces.expect("--format", "json", "move-space", "IPAD0001", "--to", "lab", "--yes", code=7)
    assert steps(result) == [
        ("revoke", MATH, "district", "revoked"),
        ("move", None, None, "moved"),
        ("assign", MATH, None, "refused"),
        ("assign", CHEM, "research", "assigned"),
    ]
    assert on_apple(world, "district", "carol") == set()


def test_bad_moves_change_nothing(spaces: Cli, db_path: Path) -> None:
    spaces.expect("assign", SKETCHBOOK, "--device", "IPAD0001")
    refused = spaces.expect("move-space", "IPAD0001", "--to", "lab", code=2)  # no terminal, no --yes
    assert "Error: this change needs confirmation and no terminal can answer" in refused.stderr
    assert "abctl move-space IPAD0001 --to lab --yes" in refused.stderr
    assert "Error: no space named `mars`" in spaces.expect("move-space", "IPAD0001", "--to", "mars", code=4).stderr
    same = spaces.expect("move-space", "IPAD0001", "--to", "default", code=2)
    assert same.stderr.startswith("Error: `IPAD0001` is already in space `default`")
    unknown = spaces.expect("move-space", "NOPE", "--to", "lab", code=4)
    assert unknown.stderr.startswith("Error: no device with serial `NOPE`")
    assert live(db_path, "IPAD0001") == {(SKETCHBOOK, "district", "device")}
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT space FROM devices WHERE serial = 'IPAD0001'").fetchone() == ("default",)
