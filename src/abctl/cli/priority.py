"""`abctl priority`: the order in which a space's accounts pay for licenses (R1)."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import SpaceOpt
from abctl.output import Column

app = typer.Typer(help="Show and set the order in which a space's accounts pay for licenses.")
COLUMNS = [Column("space", "Space"), Column("priority", "Priority", "right"), Column("name", "Account"),
           Column("location", "Location")]  # fmt: skip


@app.command("list")
def list_(ctx: typer.Context, *, space: SpaceOpt = None) -> None:
    """List accounts by priority (1 pays first).

    Example: abctl priority list --space default
    """
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    rows = [{"space": a.space, "priority": a.priority, "name": a.name, "location": a.location_name}
            for a in actx.store().list_accounts(resolve_space(actx.store(), space) if space else None)]  # fmt: skip
    actx.renderer.rows(rows, COLUMNS, title="Priorities")


@app.command("set")
def set_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name.")],
    priority: Annotated[int, typer.Argument(help="New priority, 1 is highest.")],
) -> None:
    """Set an account's priority; the others shift. No license moves.

    Example: abctl priority set highschool 1
    """
    from abctl.services.accounts.tokens import set_priority

    actx = AppContext.of(ctx)
    accounts = set_priority(actx.runtime(), name, priority)
    actx.renderer.rows([{"space": a.space, "priority": a.priority, "name": a.name, "location": a.location_name}
                        for a in accounts], COLUMNS, title="Priorities")  # fmt: skip
