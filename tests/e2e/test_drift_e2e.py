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


PHOTO_LAB = "1000000011"  # macOS only, owned by the lab's account


def test_adopt_records_unknown_serials_and_users_and_keeps_their_licenses(
    abctl: Cli, world: Seed, token_files: dict[str, Path], db_path: Path
) -> None:
    abctl.expect("spaces", "add", "lab")
    abctl.expect("tokens", "add", "research", "--space", "lab", "--file", str(token_files["research"]))
    loc = world.state.location("research")
    from abctl.sandbox.state import SandboxUser

    loc.users["visitor"] = SandboxUser("visitor", "Associated", "visitor@lab.example", None, "inv", "h", loc.bump())
    world.state.external_assign("research", PHOTO_LAB, "serialNumber", "MACGHOST1")
    world.state.external_assign("research", "1000000002", "clientUserId", "visitor")
    assert drift_rows(abctl, "--refresh") == [
        ("research", PHOTO_LAB, "device:MACGHOST1", "unknown", "revoke"),
        ("research", "1000000002", "user:visitor", "unknown", "adopt"),  # Apple knows the user: most likely ours
    ]
    dry = abctl.expect("--format", "json", "drift", "settle", "--adopt", "--dry-run")
    assert [r["target"] for r in json.loads(dry.stdout)] == ["device:MACGHOST1", "user:visitor"]
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT count(*) FROM devices").fetchone() == (0,)
    world.state.reset_stats()
    adopted = abctl.expect("--format", "json", "drift", "settle", "--adopt")
    assert [(r["target"], r["result"], r["detail"]) for r in json.loads(adopted.stdout)] == [
        ("device:MACGHOST1", "adopted", "device added to space `lab` as macos (from its apps' platforms)"),
        ("user:visitor", "adopted", "user added to space `lab` with Apple's email"),
    ]
    assert world.state.stats()["requests"] == {}  # adopting asks nothing of Apple
    assert db.execute("SELECT serial, space, platform, state FROM devices").fetchall() == [
        ("MACGHOST1", "lab", "macos", "active")]  # fmt: skip
    assert db.execute("SELECT client_user_id, space, email FROM users").fetchall() == [
        ("visitor", "lab", "visitor@lab.example")]  # fmt: skip
    assert db.execute("SELECT target_id, state, last_action FROM licenses WHERE source = 'external' ORDER BY 1"
                      ).fetchall() == [("MACGHOST1", "active", "adopt"), ("visitor", "active", "adopt")]  # fmt: skip
    assert drift_rows(abctl) == []
    log = db.execute("SELECT action, result, target_id FROM activity WHERE action = 'adopt' ORDER BY id").fetchall()
    assert log == [("adopt", "adopted", "MACGHOST1"), ("adopt", "adopted", "visitor")]


def test_sync_raises_the_drift_notification_and_settling_clears_it(school: Cli, world: Seed, db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    query = "SELECT trigger, message, cleared_at IS NULL FROM notifications WHERE kind = 'drift' ORDER BY id"
    # `tokens add` found the three licenses handed out before abctl, whose devices were added after it
    assert db.execute(query).fetchall() == [("3 unknown", "3 difference(s) between Apple and abctl", 1)]
    school.expect("sync")  # Math Quest's count disagrees, so its assignments are re-read: the removal shows too
    assert db.execute(query).fetchall() == [
        ("3 unknown", "3 difference(s) between Apple and abctl", 0),
        ("3 unknown, 1 retired, 1 gone", "5 difference(s) between Apple and abctl", 1),
    ]
    school.expect("notifications", "--fail-on", "warn", code=8)
    school.expect("sync")  # the same drift again: no new notification
    assert len(db.execute(query).fetchall()) == 2
    school.expect("drift", "settle", "--revoke", "--yes")
    assert db.execute(query).fetchall()[1:] == [
        ("3 unknown, 1 retired, 1 gone", "5 difference(s) between Apple and abctl", 0),
        ("1 gone", "1 difference(s) between Apple and abctl", 1),
    ]
    school.expect("drift", "settle", "--forget", "--yes")
    assert [row[2] for row in db.execute(query).fetchall()] == [0, 0, 0]
    school.expect("notifications", "--fail-on", "warn")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("drift", "settle"), 2, "Error: say how to settle: exactly one of --revoke, --adopt and --forget"),
        (("drift", "settle", "--revoke", "--forget"), 2, "Error: say how to settle"),
        (("drift", "nosuch"), 4, "Error: no account named `nosuch`\nHint: list accounts with: abctl tokens list"),
        (("drift", "--space", "nowhere"), 4,
         "Error: no space named `nowhere`\nHint: list spaces with: abctl spaces list"),
        (("drift", "--reason", "bogus"), 2, "Invalid value for '--reason'"),
        (("drift", "settle", "--revoke", "--reason", "unknown"), 2,
         "Hint: run: abctl drift settle --revoke --reason unknown --yes"),
    ],
)  # fmt: skip
def test_bad_input_exits_with_a_hint_and_changes_nothing(school: Cli, world: Seed, args: tuple[str, ...], code: int,
                                                         message: str) -> None:  # fmt: skip
    school.expect("sync")
    before = on_apple(world)
    result = school(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert on_apple(world) == before


def test_forget_reads_again_and_keeps_a_license_apple_lists_again(school: Cli, world: Seed, db_path: Path) -> None:
    school.expect("drift", "--refresh")
    world.state.external_assign("district", MATH, "serialNumber", "IPAD0001")  # someone gave it back meanwhile
    world.state.reset_stats()
    result = school.expect("-o", "json", "drift", "settle", "--forget", "--yes")
    assert [(r["target"], r["result"]) for r in json.loads(result.stdout)] == [("device:IPAD0001", "back on Apple")]
    requests: dict[str, dict[str, int]] = world.state.stats()["requests"]  # type: ignore[assignment]
    assert requests["district"].get("GET assignments") == 1  # the confirming read of Math Quest's assignments
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT state, source FROM licenses WHERE adam_id = ? AND target_id = 'IPAD0001' ORDER BY id",
                      (MATH,)).fetchall() == [("revoked", "admin"), ("active", "external")]  # fmt: skip
    assert "gone" not in [r[3] for r in drift_rows(school)]
