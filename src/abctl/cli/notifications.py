"""`abctl notifications`: open usage, authentication and expiry notifications (and cleared ones with --all)."""

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import LEVEL_STYLES, Column, Format
from abctl.services.names.spaces import resolve_space
from abctl.services.reporting import reports
from abctl.services.reporting.reports import Severity

app = typer.Typer()

SpaceFilterOpt = Annotated[
    str | None, typer.Option("--space", "-s", help="Only this space (default: every space).", show_default=False)
]

NOTIFICATION_COLUMNS = [
    Column("id", "ID", "right"),
    Column("severity", "Severity", style_by_value=LEVEL_STYLES),
    Column("trigger", "Trigger"),
    Column("type", "Type"),
    Column("component", "Component"),
    Column("space", "Space"),
    Column("account", "Account"),
    Column("adam_id", "Adam ID"),
    Column("app", "App"),
    Column("message", "Message"),
    Column("action", "Action"),
    Column("raised_at", "Raised"),
]
CLEARED_COLUMN = Column("cleared_at", "Cleared")


@app.command("notifications")
def notifications(
    ctx: typer.Context,
    *,
    all_: Annotated[bool, typer.Option("--all", help="Include cleared notifications.")] = False,
    space: SpaceFilterOpt = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", case_sensitive=False, help="Exit 8 when a notification this bad is open."),
    ] = None,
) -> None:
    """List open notifications, worst first.

    License usage (50/70/80/90/100% redeemed), authentication errors and token expiry, each with its action.

    Example: abctl notifications --fail-on warn
    """
    actx = AppContext.of(ctx)
    store = actx.store()
    space_name = resolve_space(store, space) if space is not None else None
    rows = reports.list_notifications(store, space=space_name, include_cleared=all_)
    # Scripts always get the cleared_at key; people see the column only when cleared rows can appear.
    show_cleared = all_ or actx.renderer.fmt is not Format.TABLE
    columns = NOTIFICATION_COLUMNS + ([CLEARED_COLUMN] if show_cleared else [])
    actx.renderer.rows([row.as_dict() for row in rows], columns, title="Notifications")
    reports.check_fail_on(rows, fail_on)
