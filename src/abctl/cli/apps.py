"""`abctl apps`: the apps and books a space's accounts own, and its catalog (add, remove)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli import license_views
from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, SpaceOpt, YesOpt
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.services.inventory import catalog as service

app = typer.Typer(help="Apps and books the space's accounts own, and the space's catalog.")

APP_COLUMNS = [
    Column("adam_id", "Adam ID"),
    Column("name", "Name"),
    Column("product_type", "Type"),
    Column("platforms", "Platforms", in_table=False),
    Column("accounts", "Accounts"),
    Column("total", "Total", "right"),
    Column("available", "Available", "right"),
    Column("in_catalog", "In catalog"),
    Column("install_on_device", "Install on device", in_table=False),
    Column("auto_update", "Auto-update", in_table=False),
    Column("space", "Space", in_table=False),
    Column("source", "Source", in_table=False),  # `own` unless delegated; Delegated to says the rest
    Column("delegated_to", "Delegated to", drop=1),
]


def label(row: service.AppRow) -> str:
    """`Name (adamId)`, or just the adamId when no name is known."""
    return row.adam_id if row.name == row.adam_id else f"{row.name} ({row.adam_id})"


AppArg = Annotated[str, typer.Argument(help="adamId or app name.", show_default=False)]
InstallOpt = Annotated[bool, typer.Option("--install-on-device", help="A required app: install with device licenses.")]
AutoUpdateOpt = Annotated[bool, typer.Option("--auto-update", help="Update when new versions appear.")]


@app.command("list")
def list_(ctx: typer.Context, *, space: SpaceOpt = None) -> None:
    """List the space's apps and books, where each comes from, and the catalog.

    Source: `own` (an account of the space owns it), `delegated` (lent by the default space's accounts), both, or
    `none` (in the catalog, owned by nobody here: users buy it).

    Example: abctl apps list --space lab
    """
    from abctl.services.inventory import catalog as service

    actx = AppContext.of(ctx)
    rows = service.list_apps(actx.runtime(), space=space)
    actx.renderer.rows([row.as_dict() for row in rows], APP_COLUMNS, title="Apps and books")


@app.command("add")
def add(
    ctx: typer.Context,
    adam_id: AppArg,
    *,
    space: SpaceOpt = None,
    install_on_device: InstallOpt = False,
    auto_update: AutoUpdateOpt = False,
) -> None:
    """Add an app to the space's catalog (or change its options).

    Example: abctl apps add 1000000001 --install-on-device --auto-update
    """
    from abctl.services.inventory import catalog as service

    actx = AppContext.of(ctx)
    added = service.add_app(actx.runtime(), adam_id, space=space, install_on_device=install_on_device,
                            auto_update=auto_update)  # fmt: skip
    row = added.app
    if not row.accounts:
        actx.renderer.warn(f"no account of space `{row.space}` owns {label(row)}; users must buy it themselves")
    what = "Added" if added.added else ("Updated" if added.changed else "Already had")
    actx.renderer.success(f"{what} {label(row)} in the catalog of space `{row.space}`.")


@app.command("remove")
def remove(
    ctx: typer.Context, adam_id: AppArg, *, space: SpaceOpt = None, dry_run: DryRunOpt = False, yes: YesOpt = False
) -> None:
    """Remove an app from the catalog, revoking all its licenses.

    iOS devices uninstall it (usable for 30 days after the revocation); Macs keep it installed.

    Example: abctl apps remove 1000000001 --yes
    """
    from abctl.services.inventory import catalog as service

    actx = AppContext.of(ctx)
    removal = service.plan_app_removal(actx.runtime(), adam_id, space=space)
    name = label(removal.app)
    spaces = ", ".join(f"`{space}` {count}" for space, count in removal.per_space)
    actx.renderer.info(f"Spaces affected (licenses to revoke): {spaces}.")
    if removal.undelegated:
        actx.renderer.info(f"Un-delegated from: {', '.join(f'`{s}`' for s in removal.undelegated)}.")
    license_views.show_plan(actx, removal.plan, title=f"Licenses of {name} to revoke", dry_run=dry_run)
    if dry_run:
        return
    count = len(removal.plan.to_send)
    if count:
        retry = f"abctl apps remove {removal.app.adam_id} --space {removal.app.space}"
        license_views.confirm(f"Remove {name} from the catalog and revoke {count} license(s)?", yes=yes, retry=retry)
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = service.remove_app(actx.runtime(), removal, on_progress=advance)
    if not result.failed_targets():
        actx.renderer.success(f"Removed {name} from the catalog of space `{removal.app.space}`.")
    else:
        actx.renderer.warn(f"{name} stays in the catalog until every license is revoked")
    license_views.show_result(actx, result)


@app.command("delegate")
def delegate(
    ctx: typer.Context,
    app_: AppArg,
    *,
    to: Annotated[str, typer.Option("--to", help="The custom space that may use it.", show_default=False)],
    install_on_device: InstallOpt = False,
    auto_update: AutoUpdateOpt = False,
) -> None:
    """Delegate an app of the default space's accounts to a custom space.

    The space's devices and users may then get its licenses from the default space's accounts, after the space's
    own accounts that own it. With --install-on-device, `abctl reconcile --space SPACE` installs it there.

    Example: abctl apps delegate "Code Garden" --to lab --install-on-device
    """
    from abctl.services.inventory.delegation import delegate_app

    actx = AppContext.of(ctx)
    done = delegate_app(actx.runtime(), app_, to=to, install_on_device=install_on_device, auto_update=auto_update)
    row = done.app
    what = "Delegated" if done.added else ("Updated" if done.changed else "Already delegated:")
    actx.renderer.success(f"{what} {label(row)} to space `{row.space}`; accounts that serve it, in order: "
                          f"{', '.join(f'`{a}`' for a in row.accounts)}.")  # fmt: skip


@app.command("undelegate")
def undelegate(
    ctx: typer.Context,
    app_: AppArg,
    *,
    from_: Annotated[str, typer.Option("--from", help="The custom space to take it back from.", show_default=False)],
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Take a delegated app back from a custom space, revoking what came through it.

    iOS/iPadOS devices of the space uninstall it (usable for 30 days after the revocation); Macs keep it
    installed. Licenses from the space's own accounts stay.

    Example: abctl apps undelegate "Code Garden" --from lab --dry-run
    """
    from abctl.cli.revoke import REVOKE_RESULT_COLUMNS, show_revocation_plan
    from abctl.services.inventory.delegation import plan_undelegation, undelegate_app

    actx = AppContext.of(ctx)
    undelegation = plan_undelegation(actx.runtime(), app_, from_=from_)
    plan, space, name = undelegation.plan, undelegation.space, label(undelegation.app)
    kept = [f"{undelegation.kept} license(s) from the own accounts of `{space}` stay."] if undelegation.kept else []
    show_revocation_plan(
        actx, plan, title=f"Licenses of {name} that came through the delegation to `{space}`",
        nothing=f"No license of {name} came through the delegation to `{space}`.",
        accounts=sorted({row.account for row in plan.to_send}), dry_run=dry_run, notes=kept,
    )  # fmt: skip
    if dry_run:
        return
    if plan.to_send:
        retry = f"abctl apps undelegate {undelegation.app.adam_id} --from {space}"
        license_views.confirm(f"Un-delegate {name} from `{space}` and revoke {len(plan.to_send)} license(s)?",
                              yes=yes, retry=retry)  # fmt: skip
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = undelegate_app(actx.runtime(), undelegation, on_progress=advance)
    if not result.failed_targets():
        stays = "; it stays in its catalog (its own accounts own it)" if undelegation.keeps_catalog else ""
        actx.renderer.success(f"Un-delegated {name} from space `{space}`{stays}.")
    else:
        actx.renderer.warn(f"{name} stays delegated to `{space}` until every license is revoked")
    license_views.show_result(actx, result, REVOKE_RESULT_COLUMNS)
