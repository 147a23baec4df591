"""`abctl tokens move` end to end on the sandbox: the plan names the licenses held outside the new space, `--yes`
revokes exactly those (Apple's side read through the sandbox, the database through a second handle), priorities
are renumbered in both spaces, and `--keep-licenses` keeps them. The world is tests/e2e/revoke_world.py.
"""

from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.revoke_world import CHEM, SKETCHBOOK, in_grace, on_apple, rows, school, writes

from abctl.sandbox.seeds import Seed

pytestmark = pytest.mark.usefixtures("unthrottled")
__all__ = ["school"]  # the fixture


@pytest.fixture
def moving(school: Cli, world: Seed) -> Cli:
    """highschool (default space) also licenses the lab's iPad: that one is inside the space it moves to."""
    world.state.external_assign("highschool", CHEM, "serialNumber", "LABPAD01")
    school.expect("sync")
    world.state.reset_stats()
    return school


def accounts(db_path: Path) -> list[tuple[str, str, int]]:
    db = sqlite_utils.Database(db_path)
    return [tuple(r) for r in db.execute("SELECT name, space, priority FROM accounts ORDER BY space, priority")]


def licenses(db_path: Path, account: str) -> dict[tuple[str, str], str]:
    db = sqlite_utils.Database(db_path)
    found = db.execute(
        "SELECT l.adam_id, l.target_id, l.state FROM licenses l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.name = ?",
        (account,),
    ).fetchall()
    return {(adam_id, target): state for adam_id, target, state in found}


def test_the_plan_names_the_licenses_outside_the_new_space_and_yes_revokes_exactly_those(
    moving: Cli, world: Seed, db_path: Path
) -> None:
    dry = moving.expect("--format", "json", "tokens", "move", "highschool", "--to", "lab", "--dry-run")
    assert [(r["account"], r["adam_id"], r["target_id"], r["uninstall"]) for r in rows(dry)] == [
        ("highschool", CHEM, "IPAD0001", True), ("highschool", SKETCHBOOK, "bob", True)
    ]  # fmt: skip
    assert "`highschool`: space `default` -> `lab`, priority 2 there; `default` renumbered: `district` 1." in dry.stderr
    assert writes(world) == {}
    assert accounts(db_path) == [("district", "default", 1), ("highschool", "default", 2), ("research", "lab", 1)]

    result = moving.expect("--format", "json", "tokens", "move", "highschool", "--to", "lab", "--yes")
    assert sorted((r["target_id"], r["result"]) for r in rows(result)) == [("IPAD0001", "revoked"), ("bob", "revoked")]
    assert all(in_grace(r["usable_until"]) for r in rows(result))
    assert {(adam, who) for adam, _p, _k, who in world.state.location("highschool").assignments} == {(CHEM, "LABPAD01")}
    assert on_apple(world, "district", SKETCHBOOK) == {"IPAD0001", "MAC00001"}  # another account: untouched
    assert set(writes(world)) == {"highschool"}
    assert accounts(db_path) == [("district", "default", 1), ("research", "lab", 1), ("highschool", "lab", 2)]
    assert licenses(db_path, "highschool") == {
        (CHEM, "IPAD0001"): "revoked", (SKETCHBOOK, "bob"): "revoked", (CHEM, "LABPAD01"): "active"
    }  # fmt: skip
    listed = rows(moving.expect("--format", "json", "priority", "list", "--space", "lab"))
    assert [(r["name"], r["priority"]) for r in listed] == [("research", 1), ("highschool", 2)]


def test_keep_licenses_moves_the_account_and_revokes_nothing(moving: Cli, world: Seed, db_path: Path) -> None:
    before = set(world.state.location("highschool").assignments)
    result = moving.expect("tokens", "move", "highschool", "--to", "lab", "--keep-licenses")  # no --yes needed
    assert "--keep-licenses: these 2 license(s) stay on Apple and show as drift." in result.stderr
    assert "must uninstall" not in result.stderr
    assert result.stderr.endswith("Moved `highschool` to space `lab` (priority 2).\n")
    assert set(world.state.location("highschool").assignments) == before
    assert writes(world) == {}
    assert set(licenses(db_path, "highschool").values()) == {"active"}
    assert accounts(db_path)[-1] == ("highschool", "lab", 2)


def test_bad_moves_change_nothing(moving: Cli, world: Seed, db_path: Path) -> None:
    before = accounts(db_path)
    refused = moving.expect("tokens", "move", "highschool", "--to", "lab", code=2)  # no terminal, no --yes
    assert "abctl tokens move highschool --to lab --yes" in refused.stderr
    unknown = moving.expect("tokens", "move", "highschool", "--to", "lba", code=4)
    assert unknown.stderr.startswith("Error: no space named `lba`\nHint: did you mean `lab`?")
    same = moving.expect("tokens", "move", "highschool", "--to", "default", code=2)
    assert same.stderr.startswith("Error: `highschool` is already in space `default`")
    moving.expect("tokens", "move", "hihgschool", "--to", "lab", code=4)
    assert accounts(db_path) == before
    assert writes(world) == {}
