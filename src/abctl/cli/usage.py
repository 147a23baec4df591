"""`abctl usage`: license usage per account and app (with per-app totals and a forecast), the licenses of one
user or device, Prometheus gauges, and `--fail-on` for cron and CI.
"""

from datetime import datetime
from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import SpaceOpt
from abctl.errors import InputError
from abctl.output import LEVEL_STYLES, Column
from abctl.services.reporting import usage as service
from abctl.services.reporting.reports import Severity
from abctl.timeutil import utc_now

app = typer.Typer()

USAGE_COLUMNS = [  # the title names the space; the adamId and the (constant) pricing are in wide and json
    Column("space", "Space", in_table=False),
    Column("account", "Account"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("name", "App"),
    Column("pricing_param", "Pricing", in_table=False),
    Column("total", "Total", "right"),
    Column("assigned", "Assigned", "right"),
    Column("available", "Available", "right"),
    Column("retired", "Retired", "right", in_table=False),
    Column("percent_used", "Used %", "right"),
    Column("level", "Level", style_by_value=LEVEL_STYLES),
    Column("forecast_days", "Days left", "right", in_table=False),
    Column("days_left", "Days left", "right", drop=1, machine=False),  # whole days: the forecast is an estimate
    Column("cost", "Cost", "right", drop=2),  # shown once the content lookup gave some app a price
    Column("price", "Price", in_table=False),
    Column("currency", "Currency", in_table=False),
    Column("value", "Value", "right", in_table=False),
]
TARGET_COLUMNS = [
    Column("name", "App"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("license_type", "License type"),
    Column("serial", "Serial"),
    Column("client_user_id", "User"),
    Column("account", "Account"),
    Column("space", "Space", in_table=False),
    Column("pricing_param", "Pricing", in_table=False),
    Column("source", "Source", in_table=False),
    Column("assigned_at", "Assigned", date_only=True),
    Column("state", "State"),
    Column("last_action", "Latest action", in_table=False),
    Column("usable_until", "Usable until", date_only=True),
    Column("event_id", "Event", in_table=False),
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
    Column("usable_until", "Usable until", date_only=True),
    Column("days_left", "Days left", "right"),
]
FailOnOpt = Annotated[
    Severity | None,
    typer.Option("--fail-on", case_sensitive=False, help="Exit 8 when an app's usage level is this bad now."),
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
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.spaces import resolve_space
    from abctl.services.reporting import prometheus, reports

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
            title = f"License usage in space {space_name}"
            listing = [{**row.as_dict(), "days_left": _whole(row.forecast_days)} for row in usage_rows]
            actx.renderer.rows(listing, USAGE_COLUMNS, title=title)
    if fail_on is not None:
        reports.check_usage_levels(service.usage(store, space=space_name, adam_id=adam_id, now=now), fail_on)


def _whole(days: float | None) -> str | None:
    return None if days is None else str(int(days))


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
