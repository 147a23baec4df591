"""`abctl drift` end to end against the sandbox, with changes made outside abctl through its admin side: three
serials abctl never heard of get licenses, a license abctl assigned is removed, a retired device is licensed
again. drift lists exactly those, settles them one reason at a time, and cron's check passes afterwards."""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed

PLANETARIUM, MATH = "1000000001", "1000000003"
GHOSTS = ("GHOST0001", "GHOST0002", "GHOST0003")

pytestmark = pytest.mark.usefixtures("unthrottled")


def on_apple(world: Seed, location: str = "district") -> set[tuple[str, str]]:
    """(adamId, target) of every assignment the sandbox holds for the location."""
    return {(adam_id, target) for adam_id, _, _, target in world.state.location(location).assignments}


def drift_rows(abctl: Cli, *args: str) -> list[tuple[str, str, str, str, str]]:
    result = abctl.expect("--format", "json", "drift", *args)
    return [(r["account"], r["adam_id"], r["target"], r["reason"], r["settlement"]) for r in json.loads(result.stdout)]


@pytest.fixture
def school(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> Cli:
    """The district with its devices (the three licensed before abctl arrived included), Math Quest on IPAD0001,
    a retired iPad; then the outside changes."""
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    for serial in ("IPAD0001", "OLDPAD001", "OLDPAD002", "OLDPAD003", "IPAD0009"):
        abctl.expect("devices", "add", serial, "--platform", "ipados")
    abctl.expect("assign", MATH, "--device", "IPAD0001")
    abctl.expect("devices", "retire", "IPAD0009", "--yes")
    for serial in GHOSTS:
        world.state.external_assign("district", PLANETARIUM, "serialNumber", serial)
    world.state.external_unassign("district", MATH, "serialNumber", "IPAD0001")
    world.state.external_assign("district", PLANETARIUM, "serialNumber", "IPAD0009")
    return abctl


def test_drift_lists_settles_and_then_the_check_passes(school: Cli, world: Seed, db_path: Path) -> None:
    assert drift_rows(school) == []  # nothing read since the changes: the last sync agreed with abctl
    assert drift_rows(school, "--refresh") == [
        ("district", PLANETARIUM, "device:GHOST0001", "unknown", "revoke"),
        ("district", PLANETARIUM, "device:GHOST0002", "unknown", "revoke"),
        ("district", PLANETARIUM, "device:GHOST0003", "unknown", "revoke"),
        ("district", PLANETARIUM, "device:IPAD0009", "retired", "revoke"),
        ("district", MATH, "device:IPAD0001", "gone", "forget"),
    ]
    school.expect("drift", "--fail-on-drift", code=8)

    settled = school.expect("drift", "settle", "--revoke", "--reason", "unknown", "--yes")
    assert "Revoked 3 license(s) in 1 Apple call(s)." in settled.stderr
    assert on_apple(world) & {(PLANETARIUM, s) for s in (*GHOSTS, "IPAD0009")} == {(PLANETARIUM, "IPAD0009")}
    assert [r[3] for r in drift_rows(school)] == ["retired", "gone"]

    school.expect("drift", "settle", "--forget", "--yes")
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT count(*) FROM licenses WHERE adam_id = ? AND target_id = 'IPAD0001'",
                      (MATH,)).fetchone() == (0,)  # fmt: skip
    assert [r[3] for r in drift_rows(school)] == ["retired"]

    # reconcile releases the retired iPad's license although abctl never assigned it; then nothing is left
    school.expect("reconcile")
    assert (PLANETARIUM, "IPAD0009") not in on_apple(world)
    assert school.expect("drift", "--fail-on-drift").stderr.startswith("No drift")
    log = db.execute("SELECT action, result, target_id, detail FROM activity WHERE detail LIKE 'drift settled%'"
                     " ORDER BY id").fetchall()  # fmt: skip
    assert [(a, r, t) for a, r, t, _ in log] == [
        ("disassociate", "revoked", "GHOST0001"), ("disassociate", "revoked", "GHOST0002"),
        ("disassociate", "revoked", "GHOST0003"), ("forget", "forgotten", "IPAD0001"),
    ]  # fmt: skip
