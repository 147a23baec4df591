"""`abctl move-space`: move a device to another space, its licenses following the admin guide's table (R20)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, YesOpt
from abctl.errors import AllocationError, AppleAPIError
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.services.licensing.space_move import MoveResult

app = typer.Typer()
COLUMNS = [  # the target is the device (or its owner) named in the title: wide and json carry it
    Column("step", "Step"), Column("adam_id", "Adam ID", in_table=False), Column("name", "App"),
    Column("target", "Target", in_table=False), Column("account", "Account"), Column("license_type", "License"),
    Column("result", "Result", style_by_value={"refused": "red", "failed": "bold red", "assigned": "green",
                                               "revoked": "green", "moved": "green"}),
    Column("reason", "Why", wrap=True), Column("event_id", "Apple event", in_table=False),
]  # fmt: skip


@app.command("move-space")
def move_space(
    ctx: typer.Context,
    serial: Annotated[str, typer.Argument(metavar="SERIAL", help="The device's serial number.")],
    *,
    to: Annotated[str, typer.Option("--to", help="The space the device moves to.", show_default=False)],
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Move a device to another space: its (and its owner's) licenses in the source are revoked, and each app gets
    a license from the destination's accounts when one is free. Exit 7 when an app finds no seat there.

    Example: abctl move-space IPAD0001 --to lab --dry-run
    """
    from abctl.cli.license_views import confirm
    from abctl.services.licensing.space_move import move_device, plan_space_move

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(COLUMNS)
    store = actx.store()
    rt = actx.runtime()
    renderer = actx.renderer
    plan = plan_space_move(rt, serial, to)
    serial, to = plan.serial, plan.destination  # as stored: serials in capitals
    names = store.app_names({move.adam_id for move in plan.apps} | {r.adam_id for r in plan.revocation.rows})
    if dry_run or (not yes and renderer.fmt.for_people):  # one document for scripts: the plan or the results
        renderer.rows(plan.rows(names), COLUMNS, title=f"Move {serial} to `{to}`: plan")
        if plan.revocation.uninstall_devices:
            devices = ", ".join(plan.revocation.uninstall_devices)
            renderer.info(f"iOS/iPadOS devices that uninstall the revoked apps (after 30 days at most): {devices}")
    if dry_run:
        renderer.info("Dry run: nothing was changed.")
        return
    confirm(f"Move {serial} to `{to}`?", yes=yes, retry=f"abctl move-space {serial} --to {to}")
    with actx.writer_lock(), renderer.progress("Moving") as advance:
        result = move_device(rt, plan, on_progress=advance)
    renderer.rows(_result_rows(result, names), COLUMNS, title=f"Move {serial} to `{to}`: results", outcome=True)
    if not result.moved:
        raise AppleAPIError(f"`{serial}` stays in `{plan.source}`: not every license there could be revoked",
                            hint="see the rows marked failed; run the same command again")  # fmt: skip
    lost = plan.lost
    if lost:
        apps = ", ".join(names.get(move.adam_id, move.adam_id) for move in lost)
        from abctl.services.licensing.refusals import refusal_hint

        refused = [(move.adam_id, move.destination) for move in lost if move.destination.outcome == "refused"]
        raise AllocationError(f"`{serial}` moved to `{to}` without a license for: {apps}",
                              hint=refusal_hint(actx.store(), to, refused))  # fmt: skip
    renderer.success(f"Moved {serial} to `{to}`.")


def _result_rows(result: MoveResult, names: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(step: str, adam_id: str, target: str, account: str | None, license_type: str | None, outcome: str,
            reason: str | None, event_id: str | None) -> None:  # fmt: skip
        rows.append({"step": step, "adam_id": adam_id or None, "name": names.get(adam_id, adam_id) or None,
                     "target": target, "account": account, "license_type": license_type, "result": outcome,
                     "reason": reason, "event_id": event_id})  # fmt: skip

    plan = result.plan
    for o in result.revoked.outcomes if result.revoked is not None else ():
        why = o.detail or (f"usable until {o.usable_until:%Y-%m-%d}" if o.usable_until else "stays installed")
        add("revoke", o.row.adam_id, o.row.target_id, o.row.account, o.row.license_type, o.result, why, o.event_id)
    if result.moved:
        add("move", "", plan.serial, None, None, "moved", f"`{plan.source}` -> `{plan.destination}`", None)
    for t in result.assigned.outcomes if result.assigned is not None else ():
        add("assign", t.adam_id, t.target, t.account, t.license_type, t.result, t.reason, t.event_id)
    return rows
