"""`abctl reconcile` end to end: releases for devices that left and deleted users, waiting reservations served
first, required apps on every active device the app supports, and a second run that changes nothing."""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed

PLANETARIUM, MATH, ATLAS, QUIZ = "1000000001", "1000000003", "1000000009", "1000000012"


pytestmark = pytest.mark.usefixtures("unthrottled")


def writes(world: Seed) -> dict[str, int]:
    """POST requests per location and endpoint since the last reset."""
    requests: dict[str, dict[str, int]] = world.state.stats()["requests"]  # type: ignore[assignment]
    return {f"{loc} {endpoint}": n for loc, counts in requests.items() for endpoint, n in counts.items()
            if endpoint.startswith("POST")}  # fmt: skip


def licenses(db_path: Path) -> set[tuple[str, str, str, str]]:
    rows = sqlite_utils.Database(db_path).execute(
        "SELECT l.adam_id, l.target_id, a.name, l.source FROM licenses l JOIN accounts a ON a.id = l.account_id"
        " WHERE l.state = 'active'"
    )
    return set(rows.fetchall())


@pytest.fixture
def school(abctl: Cli, world: Seed, token_files: dict[str, Path]) -> Cli:
    """Two accounts; three active devices; a retired iPad and a deleted user that Apple still licenses; a
    reservation waiting for a seat; two required apps."""
    for name in ("district", "highschool"):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]))
    for serial, platform in (("IPAD0001", "ipados"), ("IPAD0002", "ipados"), ("MAC00001", "macos"),
                             ("OLDPAD001", "ipados")):  # fmt: skip
        abctl.expect("devices", "add", serial, "--platform", platform)
    abctl.expect("devices", "retire", "OLDPAD001", "--yes")
    abctl.expect("users", "add", "bob")
    abctl.expect("users", "delete", "bob", "--yes")
    # Someone re-licenses them in Apple Business Manager; the next sync finds it.
    world.state.external_assign("district", PLANETARIUM, "serialNumber", "OLDPAD001")
    world.state.external_assign("district", MATH, "clientUserId", "bob")
    world.state.set_total("district", ATLAS, 0)
    abctl.expect("distribute", ATLAS, "--account", "district", "--reserve", "device:IPAD0002")
    world.state.set_total("district", ATLAS, 8)
    abctl.expect("sync")
    abctl.expect("apps", "add", MATH, "--install-on-device")
    abctl.expect("apps", "add", QUIZ, "--install-on-device")
    return abctl


def test_dry_run_lists_every_step_and_changes_nothing(school: Cli, world: Seed, db_path: Path) -> None:
    before = licenses(db_path)
    world.state.reset_stats()
    result = school.expect("--format", "json", "reconcile", "--dry-run")
    steps = sorted((r["step"], r["adam_id"], r["target"], r["account"], r["result"]) for r in json.loads(result.stdout))
    assert steps == [
        ("install", MATH, "IPAD0001", "district", "planned"),
        ("install", MATH, "IPAD0002", "district", "planned"),
        ("install", QUIZ, "IPAD0001", "district", "planned"),
        ("install", QUIZ, "IPAD0002", "district", "planned"),
        ("install", QUIZ, "MAC00001", "highschool", "planned"),  # district's 2 seats are gone: the next account
        ("release", PLANETARIUM, "OLDPAD001", "district", "planned"),
        ("release", MATH, "bob", "district", "planned"),
        ("reserve", ATLAS, "IPAD0002", "district", "planned"),
    ]
    whys = {r["target"]: r["reason"] for r in json.loads(result.stdout) if r["step"] == "release"}
    # released although abctl never assigned them (R22); OLDPAD002/003, unknown here, are never touched
    assert whys == {
        "bob": "user deleted; assigned outside abctl",
        "OLDPAD001": "device retired; assigned outside abctl",
    }
    assert "Would release 2 license(s) and assign 6" in result.stderr
    assert writes(world) == {}
    assert licenses(db_path) == before


def test_reconcile_releases_serves_reservations_installs_required_and_then_rests(
    school: Cli, world: Seed, db_path: Path
) -> None:
    world.state.reset_stats()
    result = school.expect("--format", "json", "reconcile")
    rows = json.loads(result.stdout)
    assert sorted((r["step"], r["target"], r["result"]) for r in rows) == [
        ("install", "IPAD0001", "assigned"), ("install", "IPAD0001", "assigned"),
        ("install", "IPAD0002", "assigned"), ("install", "IPAD0002", "assigned"),
        ("install", "MAC00001", "assigned"),
        ("release", "OLDPAD001", "revoked"), ("release", "bob", "revoked"),
        ("reserve", "IPAD0002", "assigned"),
    ]  # fmt: skip
    # One revoke call per kind of target; IPAD0001 and IPAD0002 get both required apps from district in one call.
    assert writes(world) == {
        "district POST assets/revoke": 2,
        "district POST assets/associate": 2,
        "highschool POST assets/associate": 1,
    }
    active = licenses(db_path)
    assert {
        (MATH, "IPAD0001", "district", "required"),
        (MATH, "IPAD0002", "district", "required"),
        (QUIZ, "IPAD0001", "district", "required"),
        (QUIZ, "IPAD0002", "district", "required"),
        (QUIZ, "MAC00001", "highschool", "required"),
        (ATLAS, "IPAD0002", "district", "reserved"),
    } <= active
    assert not {row for row in active if row[1] in ("OLDPAD001", "bob")}
    district = world.state.location("district").assignments
    assert (PLANETARIUM, "STDQ", "serialNumber", "OLDPAD001") not in district
    assert (ATLAS, "STDQ", "serialNumber", "IPAD0002") in district
    logged = sqlite_utils.Database(db_path).execute(
        "SELECT action, result, count(*) FROM activity WHERE event_id IS NOT NULL"
        " AND (action = 'associate' OR detail LIKE 'reconcile:%') GROUP BY action, result ORDER BY action"
    )
    # the failed one is `distribute`'s first try, when Apple had no seat left for the reservation
    assert logged.fetchall() == [("associate", "assigned", 6), ("associate", "failed", 1), ("revoke", "revoked", 2)]

    world.state.reset_stats()
    again = school.expect("reconcile")
    assert again.stdout == ""
    assert "nothing to change" in again.stderr
    assert writes(world) == {}


def test_a_required_app_without_seats_is_refused_with_exit_7_and_retried_next_run(
    school: Cli, world: Seed, db_path: Path
) -> None:
    school.expect("devices", "add", "IPAD0003", "--platform", "ipados")
    school.expect("devices", "add", "IPAD0004", "--platform", "ipados")
    result = school.expect("--format", "json", "reconcile", code=7)
    refused = [(r["adam_id"], r["target"], r["reason"]) for r in json.loads(result.stdout) if r["result"] == "refused"]
    assert refused == [(QUIZ, "MAC00001", "no free seat in any account that may serve it")]
    assert "Error: 1 required install(s) got no license" in result.stderr
    world.state.reset_stats()
    again = school.expect("--format", "json", "reconcile", code=7)
    assert [r["target"] for r in json.loads(again.stdout)] == ["MAC00001"]
    assert writes(world) == {}
    world.state.set_total("highschool", QUIZ, 3)
    school.expect("sync")
    school.expect("reconcile")
    assert (QUIZ, "MAC00001", "highschool", "required") in licenses(db_path)
