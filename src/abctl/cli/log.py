"""`abctl log`: the activity log of license actions (R19), newest first, with filters."""

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import LimitOpt
from abctl.output import Column

app = typer.Typer()

SpaceFilterOpt = Annotated[
    str | None, typer.Option("--space", "-s", help="Only this space (default: every space).", show_default=False)
]

LOG_COLUMNS = [
    Column("ts", "Time"),
    Column("actor", "Actor", in_table=False),
    Column("space", "Space", in_table=False),
    Column("account", "Account", drop=2),
    Column("adam_id", "Adam ID", in_table=False),
    Column("name", "App"),
    Column("target", "Target"),
    Column("license_type", "License type", in_table=False),
    Column("action", "Action"),
    Column("result", "Result"),
    Column("event_id", "Event", in_table=False),
    Column("detail", "Detail", wrap=True, drop=1),
]
DEFAULT_LIMIT = 100


@app.command("log")
def log(
    ctx: typer.Context,
    *,
    app_: Annotated[str | None, typer.Option("--app", help="Only this app (adamId or name).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this user and the devices they own.")] = None,
    device: Annotated[str | None, typer.Option("--device", help="Only this device (serial).")] = None,
    space: SpaceFilterOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only from this day (YYYY-MM-DD) or ISO date-time on.")
    ] = None,
    limit: LimitOpt = DEFAULT_LIMIT,
) -> None:
    """Show the activity log, newest first.

    Every license action: who, when, account, app, target, license type, result and Apple's event id.

    Example: abctl log --user alice --since 2026-11-01
    """
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.spaces import resolve_space
    from abctl.services.reporting import reports

    actx = AppContext.of(ctx)
    since_at = reports.parse_since(since) if since is not None else None
    store = actx.store()
    space = resolve_space(store, space) if space is not None else None
    adam_id = resolve_app(store, app_, space) if app_ is not None else None
    rows = reports.activity_log(
        store, adam_id=adam_id, user=user, device=device, space=space, since=since_at, limit=limit
    )
    actx.renderer.rows([row.as_dict() for row in rows], LOG_COLUMNS, title="Activity")
    if len(rows) == limit:
        noun = "entry" if limit == 1 else "entries"
        actx.renderer.info(f"Showing the newest {limit} {noun}; use --limit for more.")
