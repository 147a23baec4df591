"""`abctl demo`: the main job, end to end, against the built-in sandbox in a temporary database.

Each step runs a real abctl command (the same code paths an admin uses) with the sandbox mounted in-process,
so the demo needs no network and leaves nothing behind.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from abctl.cli.context import AppContext, Overrides

app = typer.Typer()
DEMO_API = "http://sandbox.demo/mdm/v2/"


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Walk through abctl on the built-in sandbox (no network, temporary data).

    Example: abctl demo
    """
    from abctl.apple.transport import in_process_transport
    from abctl.sandbox.app import SandboxApp
    from abctl.sandbox.seeds import demo as demo_seed

    renderer = AppContext.of(ctx).renderer
    run_root = ctx.find_root().command.main  # the group that registered demo runs its sibling commands
    world = demo_seed(now=datetime.now(UTC))
    # The demo skips every wait (sleep is a no-op), so the sandbox must not throttle: 9646 would only be noise.
    world.state.max_request_per_second = 100_000
    overrides = Overrides(transport=in_process_transport(SandboxApp(world.state)), sleep=lambda seconds: None)
    with tempfile.TemporaryDirectory(prefix="abctl-demo-") as folder:
        home = Path(folder)
        for token in world.tokens:
            (home / f"{token.name}.vpptoken").write_text(token.text)

        def step(title: str, *args: str, expect: int = 0) -> None:
            renderer.heading(f"\n== {title}")
            renderer.info("$ abctl " + shlex.join(args))
            code = _run(run_root, ["--db", str(home / "abctl.db"), "--api-url", DEMO_API, *args], overrides)
            if code != expect:
                raise typer.Exit(code or 1)

        renderer.info("abctl demo: a school district with two Apps and Books accounts and a research lab with")
        renderer.info(f"one, served by the built-in sandbox. Data lives in {home} until the demo ends.")
        step("Add the district's accounts; the high school's pays first", "tokens", "add", "district", "--file",
             str(home / "district.vpptoken"))  # fmt: skip
        step("CI can pipe a token on stdin instead (here: a file path, same thing)", "tokens", "add", "highschool",
             "--priority", "1", "--file", str(home / "highschool.vpptoken"))  # fmt: skip
        step("A second space for the lab", "spaces", "add", "lab")
        step("The lab's account, whose token expires in 20 days", "tokens", "add", "research", "--space", "lab",
             "--file", str(home / "research.vpptoken"))  # fmt: skip
        step("Accounts, by space and priority", "tokens", "list")
        step("Priority decides which account pays; changing it moves no license", "priority", "set", "district", "1")
        from abctl.services.demo import load_inventory
        from abctl.store import Store

        with Store.open(home / "abctl.db") as store:
            load_inventory(store, world.users, world.devices, world.groups)
        renderer.info("\n(The demo loads the MDM's inventory: 6 users in 2 groups, 6 devices, one a shared iPad.)")
        step(
            "Reserve a seat for Carol's iPad and give the district's Math Quest to students first",
            "distribute",
            "Math Quest",
            "--account",
            "district",
            "--fcfs",
            "students",
            "--reserve",
            "device:IPAD0001",
        )
        step(
            "Assign Quiz Master (2 + 2 seats) to 5 devices: one is refused, with its reason (exit 7)",
            "assign",
            "Quiz Master",
            "--device",
            "IPAD0001",
            "--device",
            "IPAD0002",
            "--device",
            "IPHONE001",
            "--device",
            "SHAREDPAD1",
            "--device",
            "MAC00001",
            expect=7,
        )
        step(
            "The same request again changes nothing: licensed devices keep their license",
            "assign",
            "Quiz Master",
            "--device",
            "IPAD0001",
            "--dry-run",
        )
        step("Sketchbook Studio becomes a required app: installed on every device", "apps", "add",
             "Sketchbook Studio", "--install-on-device")  # fmt: skip
        step("Reconcile shows its plan first: the devices Sketchbook Studio supports, and which account pays",
             "reconcile", "--dry-run")  # fmt: skip
        step("Reconcile (what cron runs after sync): several apps and devices share each Apple call", "reconcile")
        step("A second run right after has nothing to do", "reconcile")
        step("Dan's iPad moves to the lab: see every step first", "move-space", "IPAD0002", "--to", "lab",
             "--dry-run")  # fmt: skip
        step("Move it: licenses the lab cannot match are revoked and reported (exit 7)", "move-space", "IPAD0002",
             "--to", "lab", "--yes", expect=7)  # fmt: skip
        step("The district lends Code Garden to the lab, whose own account has none", "apps", "delegate",
             "Code Garden", "--to", "lab", "--install-on-device")  # fmt: skip
        step("Reconcile the lab: Dan's iPad and the lab's Mac get it from the district's accounts", "reconcile",
             "--space", "lab")  # fmt: skip
        step("Un-delegating takes it back: the iPad uninstalls it (30 days of grace), the Mac keeps it", "apps",
             "undelegate", "Code Garden", "--from", "lab", "--dry-run")  # fmt: skip
        step("Un-delegate it", "apps", "undelegate", "Code Garden", "--from", "lab", "--yes")
        step("Revoking Sketchbook Studio everywhere: the plan says which devices uninstall and which Macs keep it",
             "revoke", "Sketchbook Studio", "--all", "--dry-run")  # fmt: skip
        step("Take it back from Alice's iPhone only", "revoke", "Sketchbook Studio", "--device", "IPHONE001", "--yes")
        step("On iOS a revoked app stays usable for 30 days: the grace view", "usage", "--grace")
        step("Every Apple write is in the event ledger", "events", "list")
        for ghost in ("GHOST0001", "GHOST0002"):  # the ghost (R22): licenses nobody here can account for
            world.state.external_assign("district", "1000000007", "serialNumber", ghost)
        renderer.info("\n(Another MDM still holding the district's token licenses Code Garden on two iPads abctl has"
                      " never seen.)")  # fmt: skip
        step("Drift: what Apple holds that abctl cannot account for, and what to do about each", "drift",
             "district", "--refresh")  # fmt: skip
        step("Take back the ghosts' licenses (the plan first; nothing unknown is ever revoked unasked)", "drift",
             "settle", "--revoke", "--app", "Code Garden", "--yes")  # fmt: skip
        for serial in range(36):
            world.state.external_assign("district", "1000000001", "serialNumber", f"CART{serial:03d}")
        renderer.info("\n(Meanwhile another system hands out 36 Pocket Planetarium licenses in the district.)")
        step("Incremental sync: one request per collection, changes only", "sync")
        step("Usage of that app per account, and across the space", "usage", "--app", "1000000001")
        step("Threshold notifications raised by that sync", "notifications")
        world.state.revoke_token("highschool")
        renderer.info("\n(Someone downloads a new high-school token in Apple School Manager: the old one is revoked.)")
        step("Cron's token check finds it, with the action to take (exit 8)", "tokens", "check", expect=8)
        renderer.success("\nDemo complete. Try the sandbox yourself: abctl sandbox serve --seed demo")


def _run(run_root: Callable[..., Any], args: Sequence[str], overrides: Overrides) -> int:
    """Run one abctl command in-process through the real root group; return its exit code."""
    try:
        result = run_root(list(args), prog_name="abctl", obj=overrides, standalone_mode=False)
    except typer.Exit as done:
        return int(done.exit_code)
    return result if isinstance(result, int) else 0
