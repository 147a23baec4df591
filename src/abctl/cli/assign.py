"""`abctl assign`: give an app's licenses to devices and users, by the space's accounts and policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, SpaceOpt
from abctl.errors import AllocationError, InputError
from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseSource
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.output.json_text import SharedRows
    from abctl.services.licensing.outcomes import Part
    from abctl.services.licensing.plan import AppPlan

app = typer.Typer()
COLUMNS = [
    Column("name", "App"), Column("adam_id", "Adam ID", in_table=False), Column("kind", "Kind", in_table=False),
    Column("target", "Target"), Column("account", "Account"), Column("license_type", "License"),
    Column("result", "Result", style_by_value={"refused": "red", "failed": "bold red", "assigned": "green"}),
    Column("reason", "Why", wrap=True), Column("event_id", "Apple event", in_table=False),
    Column("invite_url", "Invite URL", in_table=False),  # an unenrolled user's (R8): whole, under the table
]  # fmt: skip
TITLE_APPS = 3  # a title names this many apps, then counts the rest
SUMMARY = ("name", "account", "result")  # a result of more than a few hundred rows is counted by these


@app.command("assign")
def assign(
    ctx: typer.Context,
    app_names: Annotated[list[str], typer.Argument(metavar="APP...", help="adamIds or unique app names.")],
    *,
    device: Annotated[list[str] | None, typer.Option("--device", "-d", help="Serial number (repeatable).")] = None,
    user: Annotated[list[str] | None, typer.Option("--user", "-u", help="Client user id (repeatable).")] = None,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Every member of a group.")] = None,
    from_file: Annotated[Path | None, typer.Option("--from", help="File of device:SERIAL / user:ID lines.")] = None,
    space: SpaceOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Do not wait for Apple's events.")] = False,
    request: Annotated[
        bool,
        typer.Option("--request", help="The users asked for it: user-based licenses on their own devices."),
    ] = False,
) -> None:
    """Assign apps' licenses; several apps share Apple calls; exit 7 when a target is refused.

    Example: abctl assign "Pocket Planetarium" "Field Notes" --device IPAD0001 --device IPAD0002
    """
    from abctl.services.licensing import plan as service
    from abctl.services.licensing.refusals import invite_links, refusal_hint
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.devices import normalise_serial
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(COLUMNS)
    store = actx.store()
    space_name = resolve_space(store, space)
    adam_ids = list(dict.fromkeys(resolve_app(store, name, space_name) for name in app_names))
    specs = [(TargetKind.DEVICE, normalise_serial(s)) for s in device or []]
    specs += [(TargetKind.USER, u.strip()) for u in user or []]
    names = store.app_names(adam_ids)
    label = _label([names.get(adam_id, adam_id) for adam_id in adam_ids])
    if group:
        from abctl.services.inventory.groups import group_members

        specs += [(TargetKind.USER, member.client_user_id) for member in group_members(store, group, space=space_name)]
    if from_file:
        try:
            specs += service.read_target_file(from_file.read_text())
        except OSError as error:
            raise InputError(f"cannot read `{from_file}`: {error.strerror}", hint="check the path") from None
    if not specs:
        raise InputError("no target given", hint="use --device, --user, --group or --from")
    rt = actx.runtime()
    kind = service.RequestKind.USER_REQUEST if request else service.RequestKind.ADMIN
    plans = service.plan_apps(rt, space_name, adam_ids, list(dict.fromkeys(specs)), kind, invite_links(rt))
    if dry_run:
        planned = _planned_rows(plans, names)
        actx.renderer.rows(planned, COLUMNS, title=f"Assign {label}: plan (dry run: nothing sent)", summary=SUMMARY)
        _invite_urls(actx, planned)
        return
    from abctl.services.licensing.execute import execute  # not needed by a dry run

    source = LicenseSource.FCFS if request else LicenseSource.ADMIN
    with actx.writer_lock(), actx.renderer.progress("Assigning") as advance:
        result = execute(rt, space_name, plans, source=source, wait=not no_wait, on_progress=advance)
    rows = _outcome_rows(result.parts, names)
    actx.renderer.rows(rows, COLUMNS, title=f"Assign {label}", outcome=True, summary=SUMMARY)
    shown = _invite_urls(actx, rows)
    actx.renderer.info(f"{result.calls} associate call(s) to Apple.")
    if result.refused:
        raise AllocationError(f"{result.refused} of {result.total} target(s) got no license",
                              hint=refusal_hint(store, space_name, result.refusals(), urls_shown=shown))  # fmt: skip


def _label(names: Sequence[str]) -> str:
    """The apps, as a title names them: all of a few, else the first ones and how many more."""
    if len(names) <= TITLE_APPS + 1:
        return ", ".join(names)
    return f"{', '.join(names[:TITLE_APPS])} and {len(names) - TITLE_APPS} more apps"


def _invite_urls(actx: AppContext, rows: SharedRows) -> bool:
    """People get each refused user's invite URL (R8) whole on a line of its own under the table (a URL in a
    column would make the table wider than the screen); scripts have it in the rows. True when some were shown."""
    from abctl.output import Format

    renderer = actx.renderer
    if renderer.fmt is not Format.TABLE or renderer.selected or renderer.quiet:
        return False
    lines = []
    for row, base in enumerate(rows.bases):
        if base["invite_url"]:
            users = sorted({str(value) for value, shared in zip(rows.values, rows.which, strict=True) if shared == row})
            lines += [f"{user}:\n  {base['invite_url']}" for user in users]
    if lines:
        renderer.text("\nInvite URLs (each user opens theirs on their device):\n" + "\n".join(lines))
    return bool(lines)


def _planned_rows(plans: Sequence[AppPlan], names: Mapping[str, str]) -> SharedRows:
    """The dry run's rows (COLUMNS order): targets told the same (app, account, result, reason ...) share one
    row but for the target, so 100,000 targets are written as a few rows' text and their ids."""
    from abctl.output.json_text import SharedRows

    shown = {"assign": "planned", "already_licensed": "already licensed", "refused": "refused"}
    bases: list[dict[str, Any]] = []
    which: list[int] = []
    targets: list[str] = []
    for plan in plans:
        decisions = plan.allocation.decisions
        told: dict[tuple[Any, ...], int] = {}  # (target kind, all a decision tells but its target) -> its row
        first = len(bases)
        which += [first + told.setdefault((d.target.kind, d[1:]), len(told)) for d in decisions]
        targets += [d.target.id for d in decisions]
        name = names.get(plan.adam_id, plan.adam_id)
        for kind, (outcome, _, message, _, account, license_kind, _, invite_url) in told:
            bases.append({"name": name, "adam_id": plan.adam_id, "kind": str(license_kind or kind), "target": None,
                          "account": account, "license_type": str(license_kind) if license_kind else None,
                          "result": shown[outcome], "reason": message, "event_id": None,
                          "invite_url": invite_url})  # fmt: skip
    return SharedRows("target", bases, which, targets)


def _outcome_rows(parts: Sequence[Part], names: Mapping[str, str]) -> SharedRows:
    """What happened, as rows (COLUMNS order): outcomes alike but for their target (a run of one call's licenses
    of an app, or refusals told the same) share one row but for the target, so 30,000 licenses are a few rows and
    their targets, counted for the summary without a row each."""
    from abctl.output.json_text import SharedRows
    from abctl.services.licensing.outcomes import TargetOutcome

    bases: list[dict[str, Any]] = []
    told: dict[tuple[Any, ...], int] = {}  # all an outcome tells but its target -> its row
    which: list[int] = []
    targets: list[str] = []
    for part in parts:
        if isinstance(part, TargetOutcome):
            tells: tuple[Any, ...] = (part.adam_id, part.kind, *part[3:])
            found: Sequence[str] = (part.target,)
        else:
            tells = (part.adam_id, part.kind, part.account, part.kind, part.result, part.reason, part.event_id, None)
            found = part.targets
        row = told.setdefault(tells, len(told))
        if row == len(bases):
            adam_id, kind, account, license_type, result, reason, event_id, invite_url = tells
            bases.append({"name": names.get(adam_id, adam_id), "adam_id": adam_id, "kind": kind, "target": None,
                          "account": account, "license_type": license_type, "result": result, "reason": reason,
                          "event_id": event_id, "invite_url": invite_url})  # fmt: skip
        which += [row] * len(found)
        targets += found
    return SharedRows("target", bases, which, targets)
