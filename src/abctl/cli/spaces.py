"""`abctl spaces`: add, list and remove spaces."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.models.accounts import Space
from abctl.output import Column
from abctl.services.inventory import spaces as service

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
    actx = AppContext.of(ctx, creates_state=True)
    space = service.add_space(actx.store(), name)
    actx.renderer.success(f"Added space `{space.name}`.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List spaces with what they hold.

    Example: abctl --format json spaces list
    """
    actx = AppContext.of(ctx)
    rows = [space_row(space) for space in service.list_spaces(actx.store())]
    actx.renderer.rows(rows, SPACE_COLUMNS, title="Spaces")


@app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove an empty space (never `default`).

    Example: abctl spaces remove lab
    """
    actx = AppContext.of(ctx)
    service.remove_space(actx.store(), name)
    actx.renderer.success(f"Removed space `{name}`.")
