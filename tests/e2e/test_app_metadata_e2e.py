"""App metadata from the content lookup (issue 17): read at sync, cached, refreshed when a day old, never failing
a sync; shown by usage (cost, and the value of assigned licenses in json), users show (version, cost), devices
show (version, platforms, size, bundle id); APP arguments may be bundle ids."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

from abctl.sandbox.seeds import Seed
from abctl.timeutil import from_iso, to_iso

PLANETARIUM = "1000000001"


def meta(world: Seed, adam_id: str) -> dict[str, object]:
    return world.state.metadata[adam_id]


def offer(world: Seed, adam_id: str) -> dict[str, object]:
    return meta(world, adam_id)["offers"][0]  # type: ignore[index, no-any-return]


@pytest.fixture
def synced(abctl: Cli, token_files: dict[str, Path]) -> Cli:
    abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
    return abctl


def test_usage_shows_the_cost_and_json_the_value_of_assigned_licenses(synced: Cli, world: Seed) -> None:
    rows = json.loads(synced("--format", "json", "usage", "--app", PLANETARIUM).stdout)
    district = next(row for row in rows if row["account"] == "district")
    price = offer(world, PLANETARIUM)["price"]
    assert (district["cost"], district["price"], district["currency"]) == (
        offer(world, PLANETARIUM)["priceFormatted"],
        price,
        "USD",
    )
    assert district["value"] == round(price * district["assigned"], 2)  # type: ignore[operator]
    table = synced("usage", "--app", PLANETARIUM).stdout
    assert "Cost" in table and str(offer(world, PLANETARIUM)["priceFormatted"]) in table


def test_devices_show_version_platforms_size_and_bundle_id(synced: Cli, world: Seed) -> None:
    synced.expect("devices", "add", "IPADX1", "--platform", "ipados")
    synced.expect("assign", PLANETARIUM, "--device", "IPADX1")
    shown = json.loads(synced("--format", "json", "devices", "show", "IPADX1").stdout)
    [license_] = shown["licenses"]
    version = offer(world, PLANETARIUM)["version"]["display"]  # type: ignore[index]
    size = offer(world, PLANETARIUM)["assets"][0]["size"]  # type: ignore[index]
    assert (license_["version"], license_["platforms"], license_["size_bytes"], license_["bundle_id"]) == (
        version,
        ["iOS"],
        size,
        "com.example.pocketplanetarium",
    )
    assert license_["size"].endswith(" MB")
    table = synced("devices", "show", "IPADX1").stdout
    assert str(version) in table and license_["size"] in table


def test_users_show_version_and_cost_per_license(synced: Cli, world: Seed) -> None:
    synced.expect("users", "add", "mia", "--managed-apple-id", "mia@springfield.edu")
    synced.expect("users", "invite", "mia")
    synced.expect("assign", "Math Quest", "--user", "mia")
    [license_] = json.loads(synced("--format", "json", "users", "show", "mia").stdout)["licenses"]
    assert (license_["version"], license_["cost"]) == (
        offer(world, "1000000003")["version"]["display"],
        offer(world, "1000000003")["priceFormatted"],
    )  # type: ignore[index]


def test_an_app_argument_may_be_a_bundle_id(synced: Cli) -> None:
    synced.expect("devices", "add", "IPADX2", "--platform", "ipados")
    result = synced("--format", "json", "assign", "com.example.mathquest", "--device", "IPADX2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["adam_id"] == "1000000003"
    unknown = synced("assign", "com.example.nothing", "--device", "IPADX2")
    assert unknown.exit_code == 4 and "no app named `com.example.nothing`" in unknown.stderr


def test_a_failing_lookup_never_fails_a_sync_and_keeps_the_cache(synced: Cli, world: Seed, db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    before = db.execute("SELECT version, price FROM app_metadata WHERE adam_id = ?", (PLANETARIUM,)).fetchone()
    assert before[0] is not None
    db.execute("UPDATE app_metadata SET fetched_at = '2020-01-01T00:00:00Z'")
    db.conn.commit()
    world.state.metadata.clear()  # the lookup now knows nothing
    result = synced("sync")
    assert result.exit_code == 0, result.output
    after = sqlite_utils.Database(db_path)
    assert (
        after.execute("SELECT version, price FROM app_metadata WHERE adam_id = ?", (PLANETARIUM,)).fetchone() == before
    )


def test_metadata_older_than_a_day_is_read_again(synced: Cli, world: Seed, db_path: Path) -> None:
    offer(world, PLANETARIUM)["version"] = {"display": "9.9.9"}
    assert synced("sync").exit_code == 0  # fresh: not asked again
    db = sqlite_utils.Database(db_path)
    assert db.execute("SELECT version FROM app_metadata WHERE adam_id = ?", (PLANETARIUM,)).fetchone() != ("9.9.9",)
    stamp = db.execute("SELECT fetched_at FROM app_metadata WHERE adam_id = ?", (PLANETARIUM,)).fetchone()[0]
    db.execute("UPDATE app_metadata SET fetched_at = ?", (to_iso(from_iso(stamp) - timedelta(days=1, seconds=1)),))
    db.conn.commit()
    assert synced("sync").exit_code == 0
    again = sqlite_utils.Database(db_path)
    assert again.execute("SELECT version FROM app_metadata WHERE adam_id = ?", (PLANETARIUM,)).fetchone() == ("9.9.9",)
