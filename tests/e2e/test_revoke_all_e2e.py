"""`abctl revoke` end to end: revoke all over 3 accounts and 2,500 licenses in the fewest calls, dry run,
confirmation, books, bad requests and exit codes (5, 6, Apple not finished). The world is tests/e2e/revoke_world.py.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.e2e.revoke_world import (
    BIRDS,
    CHEM,
    PLANETARIUM,
    SKETCHBOOK,
    dump,
    in_grace,
    license_row,
    on_apple,
    rows,
    school,
    writes,
)

from abctl.sandbox.app import LIMITS
from abctl.sandbox.seeds import Seed
from abctl.sandbox.state import SandboxAsset
from abctl.sandbox.tokens import mint_token

pytestmark = pytest.mark.usefixtures("unthrottled")
__all__ = ["school"]  # the fixture


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
        ((SKETCHBOOK, "--device", "NOPE"), 4, "Error: no device with serial `NOPE`\nHint: list devices with"),
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

    def refuse(location: object, endpoint: str, body: object, limits: object, error: Any, **options: object) -> None:
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
