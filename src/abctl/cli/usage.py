"""`abctl usage`: license usage per account and app (with per-app totals and a forecast), the licenses of one
user or device, Prometheus gauges, and `--fail-on` for cron and CI.
"""

from datetime import datetime
from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import SpaceOpt
from abctl.errors import InputError
from abctl.output import LEVEL_STYLES, Column, Format
from abctl.services.names.apps import resolve_app
from abctl.services.names.spaces import resolve_space
from abctl.services.reporting import prometheus, reports
from abctl.services.reporting import usage as service
from abctl.services.reporting.reports import Severity
from abctl.timeutil import utc_now

app = typer.Typer()

USAGE_COLUMNS = [
    Column("space", "Space"),
    Column("account", "Account"),
    Column("adam_id", "Adam ID"),
    Column("name", "App"),
    Column("pricing_param", "Pricing"),
    Column("total", "Total", "right"),
    Column("assigned", "Assigned", "right"),
    Column("available", "Available", "right"),
    Column("retired", "Retired", "right"),
    Column("percent_used", "Used %", "right"),
    Column("level", "Level", style_by_value=LEVEL_STYLES),
    Column("forecast_days", "Days left", "right"),
    Column("cost", "Cost", "right"),
    Column("price", "Price", in_table=False),
    Column("currency", "Currency", in_table=False),
    Column("value", "Value", "right", in_table=False),
]
TARGET_COLUMNS = [
    Column("name", "App"),
    Column("adam_id", "Adam ID"),
    Column("license_type", "License type"),
    Column("serial", "Serial"),
    Column("client_user_id", "User"),
    Column("account", "Account"),
    Column("space", "Space"),
    Column("pricing_param", "Pricing"),
    Column("source", "Source"),
    Column("assigned_at", "Assigned"),
    Column("state", "State"),
    Column("last_action", "Latest action"),
    Column("usable_until", "Usable until"),
    Column("event_id", "Event"),
]
GRACE_COLUMNS = [
    Column("space", "Space", in_table=False),
    Column("account", "Account"),
    Column("name", "App"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("license_type", "License type"),
    Column("target_id", "Target"),
    Column("platform", "Platform"),
    Column("revoked_at", "Revoked", in_table=False),
    Column("usable_until", "Usable until"),
    Column("days_left", "Days left", "right"),
]
FailOnOpt = Annotated[
    Severity | None,
    typer.Option("--fail-on", case_sensitive=False, help="Exit 8 when a usage notification this bad is open."),
]


@app.command("usage")
def usage(
    ctx: typer.Context,
    *,
    app_: Annotated[str | None, typer.Option("--app", help="Only this app (adamId or name).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="The licenses of this user.")] = None,
    device: Annotated[str | None, typer.Option("--device", help="The licenses of this device (serial).")] = None,
    space: SpaceOpt = None,
    fail_on: FailOnOpt = None,
    prometheus_: Annotated[
        bool, typer.Option("--prometheus", help="Print Prometheus gauges (node_exporter textfile format).")
    ] = False,
    grace: Annotated[
        bool, typer.Option("--grace", help="Revoked licenses still usable (iOS/iPadOS 30-day grace), with the end.")
    ] = False,
) -> None:
    """Show license usage per account and app.

    Per account and app: seats total, assigned, available and retired, percent used, level, days left (30-day rate).

    The row with account `*` totals the app across the space's accounts.

    --grace lists revoked licenses whose app is still usable, and until when (Macs keep revoked apps: not listed).

    Example: abctl usage --app Pages --fail-on alert
    """
    actx = AppContext.of(ctx)
    store = actx.store()
    space_name = resolve_space(store, space)
    adam_id = resolve_app(store, app_, space_name) if app_ is not None else None
    now = utc_now()
    if grace:
        _grace(actx, space_name, adam_id, now, conflicting=user is not None or device is not None or prometheus_)
    elif user is not None or device is not None:
        if prometheus_:
            raise InputError(
                "--prometheus shows per-account gauges, not one target's licenses",
                hint="drop --user/--device, or drop --prometheus",
            )
        rows = service.target_usage(store, user=user, device=device, space=space, adam_id=adam_id, now=now)
        what = f"user `{user}`" if user is not None else f"device `{device}`"
        actx.renderer.rows([row.as_dict() for row in rows], TARGET_COLUMNS, title=f"Licenses of {what}")
    else:
        usage_rows = service.usage(store, space=space_name, adam_id=adam_id, now=now)
        if prometheus_:
            actx.renderer.text(prometheus.usage_exposition(usage_rows))
        else:
            # The title names the space, so people's table drops the column; scripts always get the key. The
            # Cost column shows once the content lookup gave some app a price.
            columns = USAGE_COLUMNS
            if actx.renderer.fmt is Format.TABLE:
                costs = any(row.cost for row in usage_rows)
                columns = [c for c in USAGE_COLUMNS[1:] if c.key != "cost" or costs]
            title = f"License usage in space {space_name}"
            actx.renderer.rows([row.as_dict() for row in usage_rows], columns, title=title)
    if fail_on is not None:
        open_rows = reports.list_notifications(store, space=space_name, kind="usage")
        reports.check_fail_on(
            [row for row in open_rows if adam_id is None or row.adam_id == adam_id], fail_on, what="usage notification"
        )


def _grace(actx: AppContext, space: str, adam_id: str | None, now: datetime, *, conflicting: bool) -> None:
    """`usage --grace`: the space's revoked licenses still in their R12 grace period."""
    from abctl.services.revocation.grace import grace_licenses

    if conflicting:
        raise InputError(
            "--grace lists the space's licenses in their grace period; it does not combine with --user, --device"
            " or --prometheus",
            hint="drop --grace: the per-user and per-device views show `Usable until` for each license",
        )
    rows = grace_licenses(actx.store(), space=space, now=now, adam_id=adam_id)
    title = f"Revoked licenses still usable in space {space}"
    actx.renderer.rows([row.as_dict() for row in rows], GRACE_COLUMNS, title=title)
