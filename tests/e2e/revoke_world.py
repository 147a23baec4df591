"""The world of the revoke end-to-end tests: three accounts in two spaces, users and devices, and licenses handed
out on Apple's side then read by `abctl sync`; helpers that read Apple's side, the ledger and the database.

Default space: district and highschool. Space lab: research.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed
from abctl.timeutil import from_iso

PLANETARIUM, SKETCHBOOK, MATH, BIRDS, CHEM = "1000000001", "1000000002", "1000000003", "1000000005", "1000000006"


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


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, read through a second handle: what another process would see."""
    db = sqlite_utils.Database(db_path)
    return {table: db.execute(f"SELECT * FROM [{table}]").fetchall() for table in db.table_names()}
