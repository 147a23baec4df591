"""`abctl reconcile`: the desired-state run for cron (releases, waiting reservations, required apps)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, SpaceOpt
from abctl.errors import AllocationError, AppleAPIError
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.store import Store

app = typer.Typer()
COLUMNS = [
    Column("step", "Step"), Column("adam_id", "Adam ID", in_table=False), Column("name", "App"),
    Column("kind", "Kind", in_table=False), Column("target", "Target"), Column("account", "Account"),
    Column("license_type", "License", in_table=False),
    Column("result", "Result", style_by_value={"refused": "red", "failed": "bold red", "waiting": "yellow",
                                               "assigned": "green", "revoked": "green"}),
    Column("reason", "Why", wrap=True), Column("event_id", "Apple event", in_table=False),
]  # fmt: skip
SUMMARY = ("step", "name", "account", "result")


@app.command("reconcile")
def reconcile(ctx: typer.Context, *, space: SpaceOpt = None, dry_run: DryRunOpt = False) -> None:
    """Bring a space to its desired state: release licenses of devices that left and deleted users, serve
    waiting reservations, license required apps on active devices. Exit 7 when a required app finds no seat.

    Run it from cron after `abctl sync`; a second run right after changes nothing.

    Example: abctl sync && abctl reconcile --space default
    """
    from abctl.services.licensing.reconcile import plan_reconcile, run_reconcile
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(COLUMNS)
    store = actx.store()
    space_name = resolve_space(store, space)
    rt = actx.runtime()
    renderer = actx.renderer
    if dry_run:
        plan = plan_reconcile(rt, space_name)
        renderer.rows(
            _named(store, plan.rows()),
            COLUMNS,
            title=f"Reconcile {space_name} (dry run: nothing sent)",
            summary=SUMMARY,
        )
        renderer.info(
            f"Would release {plan.to_release} license(s) and assign {plan.to_assign}; "
            f"{plan.refused_required} required install(s) refused. Dry run: nothing was changed."
        )
        return
    with actx.writer_lock(), renderer.progress("Reconciling") as advance:
        result = run_reconcile(rt, space_name, on_progress=advance)
    rows = result.rows()
    if rows or not renderer.fmt.for_people:
        renderer.rows(_named(store, rows), COLUMNS, title=f"Reconcile {space_name}", outcome=True, summary=SUMMARY)
    if result.plan.is_empty and not rows:
        renderer.success(f"Space `{space_name}` is reconciled: nothing to change.")
    else:
        renderer.info(f"{result.calls} Apple call(s).")
    if result.failed:
        raise AppleAPIError(f"{result.failed} change(s) failed at Apple", hint="see the rows marked failed; run "
                            "abctl reconcile again to retry them")  # fmt: skip
    if result.refused_required:
        from abctl.services.licensing.refusals import refusal_hint

        refused = result.required.refusals() if result.required is not None else []
        hint = refusal_hint(store, space_name, refused, not_owned=result.plan.not_owned)
        raise AllocationError(f"{result.refused_required} required install(s) got no license", hint=hint)


def _named(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = store.app_names({row["adam_id"] for row in rows})
    return [{"name": names.get(row["adam_id"], row["adam_id"]), **row} for row in rows]
