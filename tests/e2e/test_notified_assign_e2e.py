"""The acceptance of issue 17: with a notification URL registered on a loopback receiver, `abctl assign` against
the sandbox (real HTTP both ways) makes the receiver get ASSET_MANAGEMENT naming the event and the serials, with
the configured bearer."""

import json
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.sandbox.apple_wire import Apple, Receiver

from abctl.cli.context import Overrides
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed
from abctl.sandbox.server import serve


def test_assign_is_announced_to_the_mdm_s_receiver(
    world: Seed, token_files: dict[str, Path], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = Receiver()
    with serve(SandboxApp(world.state)) as running:
        try:
            monkeypatch.setenv("ABCTL_API_URL", running.api_url)
            abctl = Cli(Overrides(sleep=lambda seconds: None))
            district = Apple(running.api_url, token_files["district"].read_text())
            answer = district.post("client/config", {"notificationUrl": receiver.url, "notificationAuthToken": "s3c",
                                                     "notificationTypes": ["ASSET_MANAGEMENT"]})  # fmt: skip
            assert answer.status == 200, answer.body
            abctl.expect("tokens", "add", "district", "--file", str(token_files["district"]))
            for serial in ("CARTA1", "CARTA2"):
                abctl.expect("devices", "add", serial, "--platform", "ipados")
            result = abctl.expect("--format", "json", "assign", "Pocket Planetarium", "-d", "CARTA1", "-d", "CARTA2")
            event_id = {row["event_id"] for row in json.loads(result.stdout)}.pop()
            got = receiver.wait_for("ASSET_MANAGEMENT")[0]
        finally:
            receiver.close()
    assert got.authorization == "Bearer s3c"
    note = got.body["notification"]
    assert (note["eventId"], note["type"], note["result"]) == (event_id, "ASSOCIATE", "SUCCESS")
    assert sorted(a["serialNumber"] for a in note["assignments"]) == ["CARTA1", "CARTA2"]
    ledger = sqlite_utils.Database(db_path).execute("SELECT event_id, state FROM events").fetchall()
    assert ledger == [(event_id, "complete")]
