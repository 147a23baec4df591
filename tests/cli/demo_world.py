"""The demo's data, built once per test module: `abctl demo`'s steps run through the real CLI against the
in-process sandbox (accounts in two spaces, inventory, assignments, a reconcile, a space move, revocations,
an incremental sync that raises notifications, user invitations), left in a database tests can read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner, Result

from abctl.apple.transport import in_process_transport
from abctl.cli.app import app
from abctl.cli.context import Overrides
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed, demo
from abctl.services.demo import load_inventory
from abctl.store import Store

API = "http://sandbox.demo/mdm/v2/"


@dataclass
class DemoWorld:
    home: Path
    world: Seed
    overrides: Overrides
    width: int = 200
    outputs: dict[str, Result] = field(default_factory=dict)  # what each mutating step printed, by label

    def run(self, *args: str, input: str | None = None) -> Result:
        """Run abctl on the demo's database with the terminal `width` columns wide."""
        saved = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(self.width)
        try:
            argv = ["--db", str(self.home / "abctl.db"), "--api-url", API, *args]
            return CliRunner().invoke(app, argv, obj=self.overrides, input=input)
        finally:
            if saved is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = saved

    def expect(self, *args: str, code: int = 0, label: str | None = None) -> Result:
        result = self.run(*args)
        assert result.exit_code == code, (args, result.output)
        if label is not None:
            self.outputs[label] = result
        return result


def build(home: Path, width: int = 200) -> DemoWorld:
    """The demo's steps at a terminal `width`; the output of each step that changes something is kept."""
    world = demo(now=datetime.now(UTC))
    world.state.max_request_per_second = 100_000
    overrides = Overrides(transport=in_process_transport(SandboxApp(world.state)), sleep=lambda seconds: None)
    home.mkdir(parents=True, exist_ok=True)
    for token in world.tokens:
        (home / f"{token.name}.vpptoken").write_text(token.text)
    dw = DemoWorld(home, world, overrides, width)
    steps: Sequence[tuple[str, Sequence[str], int]] = [
        ("tokens add", ["tokens", "add", "district", "--file", str(home / "district.vpptoken")], 0),
        ("tokens add 2", ["tokens", "add", "highschool", "--priority", "1", "--file",
                          str(home / "highschool.vpptoken")], 0),
        ("spaces add", ["spaces", "add", "lab"], 0),
        ("tokens add 3", ["tokens", "add", "research", "--space", "lab", "--file", str(home / "research.vpptoken")], 0),
        ("priority set", ["priority", "set", "district", "1"], 0),
    ]  # fmt: skip
    for label, args, code in steps:
        dw.expect(*args, code=code, label=label)
    with Store.open(home / "abctl.db") as store:
        load_inventory(store, world.users, world.devices, world.groups)
    devices = [f"--device={serial}" for serial in ("IPAD0001", "IPAD0002", "IPHONE001", "SHAREDPAD1", "MAC00001")]
    steps = [
        ("distribute set", ["distribute", "Math Quest", "--account", "district", "--fcfs", "students", "--reserve",
                            "device:IPAD0001"], 0),
        ("users invite", ["users", "invite", "carol", "dan"], 0),
        ("assign", ["assign", "Quiz Master", *devices], 7),
        ("apps add", ["apps", "add", "Sketchbook Studio", "--install-on-device"], 0),
        ("reconcile dry-run", ["reconcile", "--dry-run"], 0),
        ("reconcile", ["reconcile"], 0),
        ("move-space dry-run", ["move-space", "IPAD0002", "--to", "lab", "--dry-run"], 0),
        ("move-space", ["move-space", "IPAD0002", "--to", "lab", "--yes"], 7),
        ("revoke dry-run", ["revoke", "Sketchbook Studio", "--all", "--dry-run"], 0),
        ("revoke", ["revoke", "Sketchbook Studio", "--device", "IPHONE001", "--yes"], 0),
        ("devices retire", ["devices", "retire", "MAC00001", "--yes"], 0),
    ]  # fmt: skip
    for label, args, code in steps:
        dw.expect(*args, code=code, label=label)
    for serial in range(36):
        world.state.external_assign("district", "1000000001", "serialNumber", f"CART{serial:03d}")
    dw.expect("sync", label="sync")
    return dw
