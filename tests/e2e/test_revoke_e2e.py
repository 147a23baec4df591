"""`abctl revoke` end to end on the sandbox: one test per row of the admin guide's iOS/macOS behaviour tables and
of its entitlement table that revocation covers, revoke all over 3 accounts with the fewest Apple calls, dry run,
confirmation, books, exit codes and `usage --grace`.

Default space: district and highschool. Space lab: research. Licenses are handed out on Apple's side and read by
`abctl sync`, so each test starts from what Apple holds.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.app import LIMITS
from abctl.sandbox.seeds import Seed
from abctl.sandbox.state import SandboxAsset
from abctl.sandbox.tokens import mint_token
from abctl.timeutil import from_iso

PLANETARIUM, SKETCHBOOK, MATH, BIRDS, CHEM = "1000000001", "1000000002", "1000000003", "1000000005", "1000000006"

pytestmark = pytest.mark.usefixtures("unthrottled")


def on_apple(world: Seed, location: str, adam_id: str) -> set[str]:
    return {who for adam, _p, _k, who in world.state.location(location).assignments if adam == adam_id}


def writes(world: Seed) -> dict[str, dict[str, int]]:
    requests: dict[str, dict[str, int]] = world.state.stats()["requests"]  # type: ignore[assignment]
    return {
        name: {endpoint: n for endpoint, n in counts.items() if endpoint.startswith("POST")}
        for name, counts in requests.items()
        if any(endpoint.startswith("POST") for endpoint in counts)
    }


def rows(result: Any) -> list[dict[str, Any]]:
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def in_grace(value: str | None) -> bool:
    """About 30 days from now (R12), allowing for the seconds a test takes."""
    if value is None:
        return False
    left = from_iso(value) - datetime.now(UTC)
    return timedelta(days=30) - timedelta(minutes=5) < left <= timedelta(days=30)


@pytest.fixture
def school(abctl: Cli, world: Seed, token_files: dict[str, Path], tmp_path: Path) -> Cli:
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    abctl.expect("tokens", "add", "highschool", "--file", str(token_files["highschool"]))
    abctl.expect("spaces", "add", "lab")
    abctl.expect("tokens", "add", "research", "--space", "lab", "--file", str(token_files["research"]))
    (tmp_path / "users.csv").write_text("client_user_id\ncarol\nbob\n")
    abctl.expect("users", "import", str(tmp_path / "users.csv"))
    (tmp_path / "devices.csv").write_text(
        "serial,platform,owner,space\nIPAD0001,ipados,carol,default\nMAC00001,macos,bob,default\n"
        "LABPAD01,ipados,,lab\nLABMAC01,macos,,lab\n"
    )
    abctl.expect("devices", "import", str(tmp_path / "devices.csv"))
    state = world.state
    for location, adam_id, kind, target in [
        ("district", SKETCHBOOK, "serialNumber", "IPAD0001"),
        ("district", SKETCHBOOK, "serialNumber", "MAC00001"),
        ("district", MATH, "clientUserId", "carol"),
        ("district", BIRDS, "clientUserId", "carol"),
        ("highschool", SKETCHBOOK, "clientUserId", "bob"),
        ("highschool", CHEM, "serialNumber", "IPAD0001"),
        ("research", CHEM, "serialNumber", "LABPAD01"),
        ("research", CHEM, "serialNumber", "LABMAC01"),
    ]:
        state.external_assign(location, adam_id, kind, target)
    abctl.expect("sync")
    state.reset_stats()
    return abctl


def license_row(db_path: Path, account: str, adam_id: str, target: str) -> dict[str, Any]:
    found = sqlite_utils.Database(db_path).query(
        "SELECT l.state, l.usable_until, l.last_action FROM licenses l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.name = ? AND l.adam_id = ? AND l.target_id = ?",
        (account, adam_id, target),
    )
    return next(iter(found))


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


# -- revoke all: 3 accounts, 2,500 licenses, fewest calls ----------------------------------------------------------


def test_revoke_all_over_three_accounts_uses_the_fewest_calls_and_counts_are_right_after_sync(
    abctl: Cli, world: Seed, token_files: dict[str, Path], db_path: Path
) -> None:
    state = world.state
    expires = datetime.now(UTC) + timedelta(days=300)
    state.add_location("annex", org_name="Springfield Schools", location_name="Annex", expires_at=expires,
                       token_id="sandbox-annex")  # fmt: skip
    annex = token_files["district"].with_name("annex.vpptoken")
    annex.write_text(mint_token("sandbox-annex", org_name="Springfield Schools", expires_at=expires))
    for location in ("district", "annex"):  # highschool owns Chem Sim already; district and annex buy it now
        state.add_asset(location, SandboxAsset(CHEM, "STDQ", "Chem Sim", "App", 3_000, True, True, ("iOS",)))
    state.set_total("highschool", CHEM, 3_000)
    spread = {"district": (1_100, 150), "highschool": (700, 0), "annex": (500, 50)}  # devices, users: 2,500
    for location, (devices, users) in spread.items():
        for n in range(devices):
            state.external_assign(location, CHEM, "serialNumber", f"{location.upper()}{n:05d}")
        for n in range(users):
            state.external_assign(location, CHEM, "clientUserId", f"{location}-user{n:04d}")
    for name in ("district", "highschool"):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]))
    abctl.expect("tokens", "add", "annex", "--file", str(annex))
    state.reset_stats()
    result = abctl.expect("--format", "json", "revoke", CHEM, "--all", "--yes")
    outcomes = rows(result)
    assert len(outcomes) == 2_500 and {r["result"] for r in outcomes} == {"revoked"}

    def calls(count: int, limit: int) -> int:
        return -(-count // limit)

    expected = {
        location: calls(devices, LIMITS["maxSerialNumbers"]) + calls(users, LIMITS["maxClientUserIds"])
        for location, (devices, users) in spread.items()
    }
    assert expected == {"district": 3, "highschool": 1, "annex": 2}
    assert writes(world) == {name: {"POST assets/disassociate": n} for name, n in expected.items()}
    abctl.expect("sync")
    usage = {r["account"]: r for r in rows(abctl.expect("--format", "json", "usage", "--app", CHEM))}
    counts = {name: (usage[name]["assigned"], usage[name]["available"]) for name in spread}
    assert counts == dict.fromkeys(spread, (0, 3_000))
    live = sqlite_utils.Database(db_path).execute(
        "SELECT count(*) FROM licenses WHERE adam_id = ? AND state IN ('active', 'pending', 'revoking')", (CHEM,)
    )
    assert live.fetchone() == (0,)


# -- dry run, confirmation, books, errors --------------------------------------------------------------------------


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite_utils.Database(db_path)  # a second handle: what another process would read
    return {table: db.execute(f"SELECT * FROM [{table}]").fetchall() for table in db.table_names()}


def test_dry_run_changes_nothing(school: Cli, world: Seed, db_path: Path) -> None:
    before, apple_before = dump(db_path), dict(world.state.location("district").assignments)
    plan = school.expect("--format", "csv", "revoke", SKETCHBOOK, "--all", "--dry-run")
    header, *lines = plan.stdout.splitlines()
    assert header.split(",")[:6] == ["account", "name", "adam_id", "license_type", "target_id", "platform"]
    assert len(lines) == 3
    assert plan.stderr.endswith("Dry run: nothing was changed.\n")
    assert dump(db_path) == before
    assert world.state.location("district").assignments == apple_before
    assert writes(world) == {}


def test_without_a_terminal_and_without_yes_it_refuses(school: Cli, world: Seed, db_path: Path) -> None:
    before = dump(db_path)
    refused = school("revoke", SKETCHBOOK, "--all")
    assert refused.exit_code == 2
    assert refused.stderr.endswith(
        "Error: this change needs confirmation and no terminal can answer\n"
        f"Hint: run: abctl revoke {SKETCHBOOK} --all --space default --yes\n"
    )
    assert dump(db_path) == before
    assert writes(world) == {}


def test_books_are_reported_as_skipped_and_never_sent(school: Cli, world: Seed, db_path: Path) -> None:
    result = school("--format", "json", "revoke", "Field Guide to Birds", "--user", "carol", "--yes")
    assert result.exit_code == 0, result.output
    (row,) = rows(result)
    assert (row["action"], row["result"], row["detail"]) == ("skip", "skipped", "books cannot be revoked")
    assert writes(world) == {}
    assert on_apple(world, "district", BIRDS) == {"carol"}
    assert license_row(db_path, "district", BIRDS, "carol")["state"] == "active"


def test_bad_requests(school: Cli) -> None:
    for args, code, message in [
        ((SKETCHBOOK,), 2, "Error: say which licenses to revoke: exactly one of --all, --user and --device"),
        ((SKETCHBOOK, "--all", "--user", "bob"), 2, "Error: say which licenses to revoke"),
        ((SKETCHBOOK, "--device", "NOPE"), 4, "Error: no device `NOPE`\nHint: list them with: abctl devices list"),
        ((SKETCHBOOK, "--user", "nobody"), 4, "Error: no user `nobody`"),
        (("Sketchbok Studio", "--all"), 4, "Error: no app named `Sketchbok Studio`\nHint: did you mean"),
        ((SKETCHBOOK, "--all", "--space", "mars"), 4, "Error: "),
    ]:
        result = school("revoke", *args, "--yes")
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(message), (args, result.stderr)


def test_nothing_to_revoke_is_not_an_error(school: Cli, world: Seed) -> None:
    result = school.expect("revoke", PLANETARIUM, "--device", "MAC00001", "--yes")
    assert "No live license of Pocket Planetarium to revoke (device:MAC00001, every space)." in result.stderr
    assert writes(world) == {}


def test_apple_refusing_the_call_exits_5_and_leaves_the_licenses_live(
    school: Cli, world: Seed, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abctl.sandbox import reads

    def refuse(location: object, endpoint: str, body: object, limits: object, error: Any) -> None:
        raise error(9602)

    monkeypatch.setattr(reads, "validate_write", refuse)
    result = school("revoke", SKETCHBOOK, "--device", "IPAD0001", "--yes")
    assert result.exit_code == 5, result.output
    assert "Error: 1 license(s) could not be revoked" in result.stderr
    assert license_row(db_path, "district", SKETCHBOOK, "IPAD0001")["state"] == "active"
    assert on_apple(world, "district", SKETCHBOOK) == {"IPAD0001", "MAC00001"}


def test_apple_unreachable_exits_6(school: Cli, sandbox: Any, db_path: Path) -> None:
    from abctl.sandbox.faults import FaultSpec

    sandbox.faults = FaultSpec.parse("503=1")
    result = school("revoke", SKETCHBOOK, "--device", "IPAD0001", "--yes")
    assert result.exit_code == 6, result.output
    assert license_row(db_path, "district", SKETCHBOOK, "IPAD0001")["state"] == "active"


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


def test_an_event_apple_has_not_finished_is_reported_with_events_wait(school: Cli, sandbox: Any, db_path: Path) -> None:
    from abctl.sandbox.faults import FaultSpec

    sandbox.faults = FaultSpec.parse("stuck=1,stuck_polls=1300")  # outlasts the 1,201 polls one run makes
    result = school("revoke", SKETCHBOOK, "--device", "IPAD0001", "--yes")
    assert result.exit_code == 0, result.output
    assert "Apple has not finished 1 revocation(s); settle them with: abctl events wait" in result.stderr
    assert license_row(db_path, "district", SKETCHBOOK, "IPAD0001")["state"] == "revoking"
    sandbox.faults = FaultSpec()
    school.expect("events", "wait")
    settled = license_row(db_path, "district", SKETCHBOOK, "IPAD0001")
    assert settled["state"] == "revoked" and in_grace(settled["usable_until"])
