"""`abctl distribute`: an account's distribution policy for an app (FCFS groups, reservations, disallowed)."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import SpaceOpt
from abctl.output import Column

app = typer.Typer()
COLUMNS = [Column("adam_id", "Adam ID", in_table=False), Column("name", "App", in_table=False),  # the title names it
           Column("account", "Account"), Column("priority", "Priority", "right"), Column("fcfs_groups", "FCFS groups"),
           Column("reserved", "Reserved"), Column("disallowed", "Disallowed"), Column("explicit", "Set")]  # fmt: skip


@app.command("distribute")
def distribute(
    ctx: typer.Context,
    app_name: Annotated[str, typer.Argument(metavar="APP", help="adamId or unique app name.")],
    *,
    account: Annotated[str | None, typer.Option("--account", "-a", help="The account whose policy to set.")] = None,
    fcfs: Annotated[list[str] | None, typer.Option("--fcfs", help="FCFS user group (repeatable).")] = None,
    reserve: Annotated[list[str] | None, typer.Option("--reserve", help="user:ID or device:SERIAL.")] = None,
    disallow: Annotated[list[str] | None, typer.Option("--disallow", help="User never licensed here.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Back to the account's default policy.")] = False,
    space: SpaceOpt = None,
) -> None:
    """Set or show who may get an app's licenses from each account.

    Example: abctl distribute "Math Quest" --account district --fcfs students --reserve device:IPAD0001
    """
    from abctl.services.licensing.distribute import policy_rows, set_policy
    from abctl.services.names.accounts import resolve_account
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(COLUMNS)
    store = actx.store()
    space = resolve_space(store, space) if space is not None else None  # an unknown --space: exit 4 first
    adam_id = resolve_app(store, app_name, space)
    if account is not None:
        with actx.writer_lock():
            served = set_policy(actx.runtime(), account, adam_id, fcfs=fcfs, reserve=reserve or [],
                                disallow=disallow or [], clear=clear)  # fmt: skip
        if served:
            actx.renderer.info(f"Reservations served now: {served}.")
        space_name = resolve_account(store, account).space
    else:
        space_name = resolve_space(store, space)
    name = store.app_names([adam_id]).get(adam_id, adam_id)
    rows = [{"adam_id": adam_id, "name": name, **row} for row in policy_rows(store, space_name, adam_id)]
    actx.renderer.rows(rows, COLUMNS, title=f"Distribution of {name}", outcome=account is not None)
