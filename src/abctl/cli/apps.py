"""`abctl apps`: the apps and books a space's accounts own, and its catalog (add, remove)."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli import license_views
from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, SpaceOpt, YesOpt
from abctl.output import Column
from abctl.services.inventory import catalog as service

app = typer.Typer(help="Apps and books the space's accounts own, and the space's catalog.")

APP_COLUMNS = [
    Column("adam_id", "Adam ID"),
    Column("name", "Name"),
    Column("product_type", "Type"),
    Column("platforms", "Platforms"),
    Column("accounts", "Accounts"),
    Column("total", "Licenses", "right"),
    Column("available", "Available", "right"),
    Column("in_catalog", "In catalog"),
    Column("install_on_device", "Install on device"),
    Column("auto_update", "Auto-update"),
    Column("space", "Space"),
]


def label(row: service.AppRow) -> str:
    """`Name (adamId)`, or just the adamId when no name is known."""
    return row.adam_id if row.name == row.adam_id else f"{row.name} ({row.adam_id})"


AppArg = Annotated[str, typer.Argument(help="adamId or app name.", show_default=False)]


@app.command("list")
def list_(ctx: typer.Context, *, space: SpaceOpt = None) -> None:
    """List the space's apps and books and whether each is in the catalog.

    Example: abctl apps list --space lab
    """
    actx = AppContext.of(ctx)
    rows = service.list_apps(actx.runtime(), space=space)
    actx.renderer.rows([row.as_dict() for row in rows], APP_COLUMNS, title="Apps and books")


@app.command("add")
def add(
    ctx: typer.Context,
    adam_id: AppArg,
    *,
    space: SpaceOpt = None,
    install_on_device: Annotated[
        bool, typer.Option("--install-on-device", help="A required app: install with device licenses.")
    ] = False,
    auto_update: Annotated[bool, typer.Option("--auto-update", help="Update when new versions appear.")] = False,
) -> None:
    """Add an app to the space's catalog (or change its options).

    Example: abctl apps add 1000000001 --install-on-device --auto-update
    """
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
    actx = AppContext.of(ctx)
    removal = service.plan_app_removal(actx.runtime(), adam_id, space=space)
    name = label(removal.app)
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
