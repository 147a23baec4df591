"""`abctl spaces`: add, list and remove spaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import LEVEL_STYLES, Column

if TYPE_CHECKING:
    from abctl.models.accounts import Space

app = typer.Typer(help="Add, list and remove spaces (partitions of accounts, users and devices).")

SPACE_COLUMNS = [
    Column("name", "Space"),
    Column("is_default", "Default"),
    Column("accounts", "Accounts", "right"),
    Column("devices", "Devices", "right"),
    Column("users", "Users", "right"),
    Column("created_at", "Created"),
]
NameArg = Annotated[str, typer.Argument(help="Space name.", show_default=False)]


def space_row(space: Space) -> dict[str, object]:
    return {
        "name": space.name,
        "is_default": space.is_default,
        "accounts": space.accounts,
        "devices": space.devices,
        "users": space.users,
        "created_at": space.created_at,
    }


@app.command("add")
def add(ctx: typer.Context, name: NameArg) -> None:
    """Add a space.

    Example: abctl spaces add lab
    """
    from abctl.services.inventory import spaces as service

    actx = AppContext.of(ctx, creates_state=True)
    space = service.add_space(actx.store(), name)
    actx.renderer.success(f"Added space `{space.name}`.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List spaces with what they hold.

    Example: abctl --format json spaces list
    """
    from abctl.services.inventory import spaces as service

    actx = AppContext.of(ctx)
    rows = [space_row(space) for space in service.list_spaces(actx.store())]
    actx.renderer.rows(rows, SPACE_COLUMNS, title="Spaces")


@app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove an empty space (never `default`).

    Example: abctl spaces remove lab
    """
    from abctl.services.inventory import spaces as service

    actx = AppContext.of(ctx)
    service.remove_space(actx.store(), name)
    actx.renderer.success(f"Removed space `{name}`.")


SUMMARY_COLUMNS = [
    Column("name", "Space"), Column("is_default", "Default"), Column("devices", "Devices"), Column("users", "Users"),
    Column("own_apps", "Own apps"), Column("delegated_apps", "Delegated apps"), Column("total", "Own seats"),
    Column("assigned", "Assigned"), Column("available", "Available"),
    Column("delegated_in_use", "Delegated licenses in use"), Column("open_notifications", "Open notifications"),
]  # fmt: skip
ACCOUNT_COLUMNS = [Column("priority", "Priority", "right"), Column("name", "Account"), Column("status", "Status"),
                   Column("expires_at", "Expires", date_only=True)]  # fmt: skip
CATALOG_COLUMNS = [Column("name", "App"), Column("adam_id", "Adam ID"), Column("source", "Source"),
                   Column("accounts", "Accounts"), Column("install_on_device", "Install on device")]  # fmt: skip
NOTE_COLUMNS = [
    Column("severity", "Severity", style_by_value=LEVEL_STYLES),
    Column("trigger", "Trigger"),
    Column("account", "Account"),
    Column("name", "App"),
    Column("message", "Message", wrap=True, in_table=False),
]  # as `abctl notifications` shows them


@app.command("show")
def show(ctx: typer.Context, name: NameArg) -> None:
    """Summarise a space: accounts, devices, users, catalog, usage.

    Accounts by priority, devices and users by state, the catalog with own and delegated apps, seat totals of
    the space's own accounts, licenses lent to it by the default space's accounts, and open notifications.

    Example: abctl spaces show lab
    """
    from abctl.domain.token_health import token_status
    from abctl.output import Format, machine_value
    from abctl.services.inventory.space_summary import space_summary
    from abctl.services.reporting import reports

    actx = AppContext.of(ctx)
    summary = space_summary(actx.runtime(), name)
    renderer = actx.renderer
    now = actx.runtime().now()
    accounts = [{"priority": a.priority, "name": a.name, "status": token_status(a.status, a.expires_at, now),
                 "expires_at": a.expires_at} for a in summary.accounts]  # fmt: skip
    catalog = [app.as_dict() for app in summary.catalog]
    # Scripts get every open notification; people, like `abctl notifications`, the highest per account and app.
    open_rows = reports.list_notifications(actx.store(), space=summary.name)
    if renderer.fmt.for_people:
        open_rows = reports.highest_per_app(open_rows)
    notes = [{"severity": n.severity, "trigger": n.trigger, "account": n.account, "name": n.name, "message": n.message}
             for n in open_rows]  # fmt: skip
    if renderer.fmt is Format.JSON:
        lists = {"accounts": accounts, "catalog": catalog, "notifications": notes}
        nested = {key: [{k: machine_value(v) for k, v in row.items()} for row in rows] for key, rows in lists.items()}
        renderer.record({**summary.record(), **nested}, SUMMARY_COLUMNS)
        return
    renderer.record(summary.record(), SUMMARY_COLUMNS, title=f"Space {summary.name}")
    if renderer.fmt.for_people:
        renderer.rows(accounts, ACCOUNT_COLUMNS, title="Accounts by priority")
        renderer.rows(catalog, CATALOG_COLUMNS, title="Catalog")
        renderer.rows(notes, NOTE_COLUMNS, title="Open notifications")
