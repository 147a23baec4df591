"""Views of licenses shared by several commands: one user's or device's licenses (R16), a revocation plan and
its results, and the confirmation every destructive command asks for.

Revocations (`devices retire|wipe|unenroll`, `users delete`, `apps remove`, later `revoke`): people get the plan
table, then the results; scripts (json, jsonl, csv) get one listing: the plan on --dry-run, else the results.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import typer

from abctl.cli.context import AppContext
from abctl.errors import InputError
from abctl.output import Column, Format, machine_value

if TYPE_CHECKING:
    from abctl.services.reporting.usage import TargetLicenseRow
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan

LICENSE_COLUMNS = [
    Column("name", "App"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("license_type", "License type"),
    Column("serial", "Serial"),
    Column("account", "Account"),
    Column("assigned_at", "Assigned", date_only=True),
    Column("state", "State"),
    Column("last_action", "Latest action", in_table=False),
    Column("usable_until", "Usable until", date_only=True),
]
PLAN_COLUMNS = [
    Column("account", "Account"),
    Column("name", "App"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("license_type", "License type"),
    Column("target_id", "Target"),
    Column("action", "Action", in_table=False),
    Column("uninstall", "Uninstall"),
    Column("usable_until", "Usable until", date_only=True),
    Column("reason", "Reason", wrap=True),
]
RESULT_COLUMNS = [
    Column("account", "Account"),
    Column("name", "App"),
    Column("adam_id", "Adam ID", in_table=False),
    Column("license_type", "License type", drop=2),
    Column("target_id", "Target"),
    Column("action", "Action", in_table=False),
    Column("uninstall", "Uninstall", in_table=False),
    Column("result", "Result", style_by_value={"revoked": "green", "failed": "bold red", "pending": "yellow"}),
    Column("event_id", "Event", in_table=False),
    Column("usable_until", "Usable until", date_only=True, drop=1),
    Column("detail", "Detail", wrap=True),
]
SUMMARY = ("name", "account", "result")


def show_plan(
    actx: AppContext, plan: RevocationPlan, *, title: str, dry_run: bool,
    rows: Sequence[Mapping[str, Any]] | None = None, columns: Sequence[Column] = PLAN_COLUMNS,
) -> None:  # fmt: skip
    """The plan table (for people always; for scripts only on --dry-run) and the devices it leaves behind;
    `rows` and `columns` replace the plan's own rows when a caller adds keys of its own to them."""
    renderer = actx.renderer
    renderer.check_columns(PLAN_COLUMNS, RESULT_COLUMNS)
    if renderer.fmt.for_people and not plan.rows:
        renderer.info("No live licenses to revoke.")
    elif renderer.fmt.for_people or dry_run:
        shown = rows if rows is not None else [row.as_dict() for row in plan.rows]
        renderer.rows(shown, columns, title=title, outcome=not dry_run, summary=SUMMARY[:2])
    if plan.uninstall_devices:
        renderer.info(f"iOS devices that must uninstall: {', '.join(plan.uninstall_devices)} (usable 30 more days)")
    if plan.keep_devices:
        renderer.info(f"Macs that keep the app installed: {', '.join(plan.keep_devices)}")
    if dry_run:
        renderer.info("Dry run: nothing was changed.")


def confirm(question: str, *, yes: bool, retry: str) -> None:
    """Ask before a destructive change; without a terminal, refuse unless --yes was given.

    Raises: InputError when stdin is not a terminal and --yes is missing.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError("this change needs confirmation and no terminal can answer", hint=f"run: {retry} --yes")
    typer.confirm(question, abort=True, err=True)


def show_result(actx: AppContext, result: RevocationResult, columns: Sequence[Column] = RESULT_COLUMNS) -> None:
    """The outcome of every license; exit 6 when Apple could not be reached, 3 for a refused token, else 5 when
    some could not be revoked (RevocationResult.failure).

    Raises: AbctlError when a license failed.
    """
    renderer = actx.renderer
    rows = [outcome.as_dict() for outcome in result.outcomes]
    if rows or not renderer.fmt.for_people:
        renderer.rows(rows, columns, title="Revocation results", outcome=True, summary=SUMMARY)
    if not rows:
        return
    summary = f"Revoked {result.count('revoked')} license(s) in {len(result.calls)} Apple call(s)"
    if result.count("skipped"):
        summary += f"; {result.count('skipped')} skipped (cannot be revoked)"
    renderer.success(summary + ".")
    pending = result.count("pending")
    if pending:
        renderer.warn(f"Apple has not finished {pending} revocation(s); settle them with: abctl events wait")
    failure = result.failure(hint="see the rows marked failed; run the same command again to retry them")
    if failure is not None:
        raise failure


def show_licenses(
    actx: AppContext, record: Mapping[str, Any], columns: Sequence[Column], licenses: Sequence[TargetLicenseRow],
    title: str, license_columns: Sequence[Column] = LICENSE_COLUMNS,
) -> None:  # fmt: skip
    """A record and its licenses (R16): two tables for people, one object with a `licenses` array in json."""
    rows = [row.as_dict() for row in licenses]
    if actx.renderer.fmt is Format.JSON:
        machine = [{column.key: machine_value(row[column.key]) for column in license_columns} for row in rows]
        actx.renderer.record({**record, "licenses": machine}, columns)
        return
    actx.renderer.record(record, columns, title=title)
    if actx.renderer.fmt.for_people:
        actx.renderer.rows(rows, license_columns, title="Licenses")
