"""`abctl notifications`: the open usage, authentication and expiry notifications, one row per account and app
(its highest open trigger); `--all` lists each one, cleared ones too.
"""

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import LEVEL_STYLES, Column
from abctl.services.reporting import reports
from abctl.services.reporting.reports import Severity

app = typer.Typer()

SpaceFilterOpt = Annotated[
    str | None, typer.Option("--space", "-s", help="Only this space (default: every space).", show_default=False)
]

NOTIFICATION_COLUMNS = [
    Column("id", "ID", "right", in_table=False),
    Column("severity", "Severity", style_by_value=LEVEL_STYLES),
    Column("trigger", "Trigger"),
    Column("type", "Type", in_table=False),
    Column("component", "Component", in_table=False),
    Column("space", "Space", in_table=False),
    Column("account", "Account"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("name", "App"),
    Column("message", "Message", wrap=True, in_table=False),
    Column("action", "Action", wrap=True, in_table=False),
    Column("raised_at", "Raised", drop=1),
    Column("cleared_at", "Cleared"),
]
CLEARING = "Usage notifications clear when usage drops below 50%; abctl usage shows each app's level now."


@app.command("notifications")
def notifications(
    ctx: typer.Context,
    *,
    all_: Annotated[
        bool, typer.Option("--all", help="Every notification, not only the highest per app; cleared ones too.")
    ] = False,
    space: SpaceFilterOpt = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", case_sensitive=False, help="Exit 8 when a notification this bad is open."),
    ] = None,
) -> None:
    """List open notifications, worst first.

    One row per account and app: the highest trigger reached (--all: each one, and cleared ones).
    License usage (50/70/80/90/100% redeemed), authentication errors and token expiry, each with its action.
    Usage notifications stay open until usage drops below 50% (the admin guide's rule).

    Example: abctl notifications --fail-on warn
    """
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    store = actx.store()
    space_name = resolve_space(store, space) if space is not None else None
    every = reports.list_notifications(store, space=space_name, include_cleared=all_)
    rows = every if all_ else reports.highest_per_app(every)
    actions = dict.fromkeys(f"`{row.account}`: {row.action}" for row in rows if row.is_open and row.action)
    footer = "\n".join([*(f"Action for {action}" for action in actions), CLEARING])
    actx.renderer.rows([row.as_dict() for row in rows], NOTIFICATION_COLUMNS, title="Notifications", footer=footer)
    reports.check_fail_on(every, fail_on)
