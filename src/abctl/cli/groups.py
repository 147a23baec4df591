"""`abctl groups`: user groups per space; `All Users` is implicit and holds everyone."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import SpaceOpt
from abctl.output import Column

app = typer.Typer(help="User groups per space (FCFS lists name them); `All Users` holds everyone.")

GROUP_COLUMNS = [
    Column("name", "Group"),
    Column("space", "Space"),
    Column("members", "Members", "right"),
    Column("implicit", "Implicit"),
    Column("created_at", "Created"),
]
MEMBER_COLUMNS = [
    Column("client_user_id", "User"),
    Column("email", "Email"),
    Column("state", "State"),
]
GroupArg = Annotated[str, typer.Argument(help="Group name.", show_default=False)]
UsersArg = Annotated[list[str], typer.Argument(help="User ids.", show_default=False)]


@app.command("add")
def add(ctx: typer.Context, name: GroupArg, *, space: SpaceOpt = None) -> None:
    """Add a group to a space.

    Example: abctl groups add teachers
    """
    from abctl.services.inventory import groups as service

    actx = AppContext.of(ctx, creates_state=True)
    group = service.add_group(actx.store(), name, space=space, now=actx.runtime().now())
    actx.renderer.success(f"Added group `{group.name}` in space `{group.space}`.")


@app.command("list")
def list_(ctx: typer.Context, *, space: SpaceOpt = None) -> None:
    """List a space's groups with member counts.

    Example: abctl groups list --space lab
    """
    from abctl.services.inventory import groups as service

    actx = AppContext.of(ctx)
    groups = service.list_groups(actx.store(), space=space)
    actx.renderer.rows([group.as_dict() for group in groups], GROUP_COLUMNS, title="Groups")


@app.command("members")
def members(ctx: typer.Context, name: GroupArg, *, space: SpaceOpt = None) -> None:
    """List a group's members (`All Users`: everyone).

    Example: abctl groups members "All Users"
    """
    from abctl.services.inventory import groups as service

    actx = AppContext.of(ctx)
    users = service.group_members(actx.store(), name, space=space)
    rows = [{"client_user_id": u.client_user_id, "email": u.email, "state": u.state} for u in users]
    actx.renderer.rows(rows, MEMBER_COLUMNS, title=f"Members of {name}")


@app.command("add-member")
def add_member(ctx: typer.Context, name: GroupArg, client_user_ids: UsersArg, *, space: SpaceOpt = None) -> None:
    """Add users to a group.

    Example: abctl groups add-member teachers alice bob
    """
    from abctl.services.inventory import groups as service

    actx = AppContext.of(ctx)
    change = service.add_members(actx.store(), name, client_user_ids, space=space)
    if change.unchanged:
        actx.renderer.info(f"Already in `{change.group}`: {', '.join(change.unchanged)}.")
    actx.renderer.success(f"Added {len(change.changed)} user(s) to `{change.group}`.")


@app.command("remove-member")
def remove_member(ctx: typer.Context, name: GroupArg, client_user_ids: UsersArg, *, space: SpaceOpt = None) -> None:
    """Remove users from a group.

    Example: abctl groups remove-member teachers bob
    """
    from abctl.services.inventory import groups as service

    actx = AppContext.of(ctx)
    change = service.remove_members(actx.store(), name, client_user_ids, space=space)
    if change.unchanged:
        actx.renderer.info(f"Not in `{change.group}`: {', '.join(change.unchanged)}.")
    actx.renderer.success(f"Removed {len(change.changed)} user(s) from `{change.group}`.")
