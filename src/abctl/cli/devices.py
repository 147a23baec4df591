"""`abctl devices`: add, list, show, import, and retire / wipe / unenroll (which revoke device licenses)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli import license_views
from abctl.cli.context import AppContext
from abctl.cli.interrupted import local_import
from abctl.cli.options import DryRunOpt, ImportFileArg, ImportFileOpt, SpaceOpt, YesOpt, input_file
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.services.inventory import devices as service

app = typer.Typer(help="Devices by serial number: inventory, and what happens to their licenses when they go.")

DEVICE_COLUMNS = [
    Column("serial", "Serial"),
    Column("space", "Space"),
    Column("platform", "Platform"),
    Column("owner", "Owner"),
    Column("shared_ipad", "Shared iPad"),
    Column("state", "State"),
    Column("installed_apps", "Installed apps"),
]
SHOW_COLUMNS = [*DEVICE_COLUMNS, Column("created_at", "Added"), Column("updated_at", "Updated")]
# The guide's per-device view: app, version, platforms, size, license type; searchable by bundle id.
LICENSE_COLUMNS = [*license_views.LICENSE_COLUMNS[:2], Column("version", "Version", drop=1),
                   Column("platforms", "Platforms", in_table=False), Column("size", "Size", "right", drop=2),
                   Column("size_bytes", "Bytes", in_table=False), Column("bundle_id", "Bundle ID", in_table=False),
                   *license_views.LICENSE_COLUMNS[2:]]  # fmt: skip
SerialArg = Annotated[str, typer.Argument(help="Serial number.", show_default=False)]
SerialsArg = Annotated[list[str], typer.Argument(help="Serial numbers.", show_default=False)]


@app.command("add")
def add(
    ctx: typer.Context,
    serial: SerialArg,
    *,
    platform: Annotated[str, typer.Option("--platform", "-p", help="ios, ipados, macos, tvos or visionos.")],
    owner: Annotated[str | None, typer.Option("--owner", help="The user who owns it.")] = None,
    shared_ipad: Annotated[bool, typer.Option("--shared-ipad", help="A Shared iPad (device licenses only).")] = False,
    space: SpaceOpt = None,
    apps: Annotated[list[str] | None, typer.Option("--app", help="An app installed on it (repeatable).")] = None,
) -> None:
    """Add a device (or re-enroll one that was retired).

    Example: abctl devices add DMPX1234 --platform ipados --owner alice --app 1000000001
    """
    from abctl.services.inventory import devices as service

    actx = AppContext.of(ctx, creates_state=True)
    added = service.add_device(actx.store(), serial, platform=platform, owner=owner, shared_ipad=shared_ipad,
                               space=space, apps=apps or (), now=actx.runtime().now())  # fmt: skip
    device = added.device
    verb = "Re-enrolled" if added.reenrolled else "Added"
    actx.renderer.success(f"{verb} {device.platform} device `{device.serial}` in space `{device.space}`.")


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    space: SpaceOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this user's devices.")] = None,
    active: Annotated[bool, typer.Option("--active", help="Only active devices.")] = False,
) -> None:
    """List devices (every space unless --space is given).

    Example: abctl --format csv devices list --space lab > lab-devices.csv
    """
    from abctl.services.inventory import devices as service

    actx = AppContext.of(ctx)
    views = service.list_devices(actx.store(), space=space, owner=owner, include_inactive=not active)
    actx.renderer.rows([view.as_dict() for view in views], DEVICE_COLUMNS, title="Devices")


@app.command("show")
def show(ctx: typer.Context, serial: SerialArg) -> None:
    """Show a device and every license it holds or may still use.

    Example: abctl devices show DMPX1234
    """
    from abctl.services.inventory import devices as service

    actx = AppContext.of(ctx)
    detail = service.device_detail(actx.store(), serial, now=actx.runtime().now())
    license_views.show_licenses(
        actx,
        detail.device.as_dict(),
        SHOW_COLUMNS,
        detail.licenses,
        f"Device {detail.device.serial}",
        LICENSE_COLUMNS,
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    positional: ImportFileArg = None,
    *,
    file: ImportFileOpt = None,
    space: SpaceOpt = None,
) -> None:
    """Add or update devices from a CSV or JSON file (all or nothing).

    CSV columns: serial,platform (required) and owner,space,shared_ipad.

    Example: abctl devices import --file devices.csv
    """
    from abctl.services.inventory import devices as service
    from abctl.services.inventory.import_files import read_text

    actx = AppContext.of(ctx, creates_state=True)
    text, source = read_text(input_file(file, positional, "devices import"), sys.stdin)
    with local_import(actx.command_line):
        result = service.import_devices(actx.store(), text, source, space=space, now=actx.runtime().now())
    actx.renderer.success(
        f"Imported {result.rows} device(s) from {source}: {result.added} added, {result.updated} updated,"
        f" {result.unchanged} unchanged."
    )


def _act(ctx: typer.Context, serials: list[str], action: service.DeviceAction, dry_run: bool, yes: bool) -> None:
    from abctl.services.inventory import devices as service

    actx = AppContext.of(ctx)
    plan = service.plan_device_action(actx.store(), serials, action, now=actx.runtime().now())
    names = ", ".join(f"`{device.serial}`" for device in plan.devices)
    title = f"Licenses released when {names} {'is' if len(plan.devices) == 1 else 'are'} {action.state}"
    license_views.show_plan(actx, plan.revocation, title=title, dry_run=dry_run)
    if dry_run:
        return
    if plan.revocation.to_send:
        question = f"{action.value.capitalize()} {names} and revoke {len(plan.revocation.to_send)} license(s)?"
        license_views.confirm(question, yes=yes, retry=f"abctl devices {action.value} {' '.join(serials)}")
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = service.apply_device_action(actx.runtime(), plan, on_progress=advance)
    kept = result.failed_targets()
    done = [f"`{d.serial}`" for d in plan.devices if f"device:{d.serial}" not in kept]
    if done:
        actx.renderer.success(f"Marked {', '.join(done)} {action.state}.")
    license_views.show_result(actx, result)


@app.command("retire")
def retire(ctx: typer.Context, serials: SerialsArg, *, dry_run: DryRunOpt = False, yes: YesOpt = False) -> None:
    """Retire devices and revoke their device-based licenses.

    Example: abctl devices retire DMPX1234 --yes
    """
    from abctl.services.inventory import devices as service

    _act(ctx, serials, service.DeviceAction.RETIRE, dry_run, yes)


@app.command("wipe")
def wipe(ctx: typer.Context, serials: SerialsArg, *, dry_run: DryRunOpt = False, yes: YesOpt = False) -> None:
    """Mark devices wiped and revoke their device-based licenses.

    Example: abctl devices wipe DMPX1234 --dry-run
    """
    from abctl.services.inventory import devices as service

    _act(ctx, serials, service.DeviceAction.WIPE, dry_run, yes)


@app.command("unenroll")
def unenroll(ctx: typer.Context, serials: SerialsArg, *, dry_run: DryRunOpt = False, yes: YesOpt = False) -> None:
    """Record a removed MDM profile; revoke device-based licenses.

    The owner's user-based licenses stay with the user (they go when the user is deleted).

    Example: abctl devices unenroll DMPX1234 --yes
    """
    from abctl.services.inventory import devices as service

    _act(ctx, serials, service.DeviceAction.UNENROLL, dry_run, yes)
