"""`abctl revoke`: take back one license of an app (a user's or a device's) or all of them in the space (R10-R12).

People see the plan, confirm, then the results; scripts (json, jsonl, csv) get one listing: the plan on --dry-run,
else the results. Exit 0 when every license was revoked or skipped, 5 when Apple refused one, 6 when Apple could
not be reached; licenses Apple has not finished with are reported with the command that settles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.license_views import PLAN_COLUMNS, RESULT_COLUMNS, SUMMARY, confirm, show_result
from abctl.cli.options import DryRunOpt, SpaceOpt, YesOpt
from abctl.output import Column
from abctl.timeutil import utc_now

if TYPE_CHECKING:
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.revocation.request import AppRevocation

app = typer.Typer()

PLATFORM = Column("platform", "Platform", in_table=False)  # the Uninstall column says what it means
REVOKE_PLAN_COLUMNS = [*PLAN_COLUMNS[:5], PLATFORM, *PLAN_COLUMNS[5:]]
REVOKE_RESULT_COLUMNS = [*RESULT_COLUMNS[:5], PLATFORM, *RESULT_COLUMNS[5:]]


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    app_: Annotated[str, typer.Argument(metavar="APP", help="adamId or catalog name.")],
    *,
    all_: Annotated[
        bool, typer.Option("--all", help="Every license of the app in the space, delegated ones too.")
    ] = False,
    user: Annotated[str | None, typer.Option("--user", help="The license this user (clientUserId) holds.")] = None,
    device: Annotated[str | None, typer.Option("--device", help="The license this device (serial) holds.")] = None,
    space: SpaceOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Revoke an app's licenses: one user's, one device's, or all of them in the space.

    iOS/iPadOS devices uninstall the app (usable for 30 days after the revocation); Macs keep it installed. Books
    cannot be revoked: they are listed as skipped. With --user/--device and no --space, every space is searched.

    Example: abctl revoke "Pocket Planetarium" --all --dry-run
    """
    from abctl.services.revocation.execute import execute_revocation
    from abctl.services.revocation.request import plan_app_revocation

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(REVOKE_PLAN_COLUMNS, REVOKE_RESULT_COLUMNS)
    request = plan_app_revocation(actx.store(), app_, all_=all_, user=user, device=device, space=space,
                                  now=utc_now())  # fmt: skip
    _show_plan(actx, request, dry_run=dry_run)
    if dry_run:
        return
    count = len(request.plan.to_send)
    if count:
        retry = f"abctl revoke {request.adam_id} {_scope_option(request)}"
        if request.space is not None:
            retry += f" --space {request.space}"
        confirm(f"Revoke {count} license(s) of {request.name}?", yes=yes, retry=retry)
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = execute_revocation(actx.runtime(), request.plan, on_progress=advance)
    show_result(actx, result, REVOKE_RESULT_COLUMNS)


def _scope_option(request: AppRevocation) -> str:
    if request.scope == "all":
        return "--all"
    kind, _, target = request.scope.partition(":")
    return f"--{kind} {target}"


def _show_plan(actx: AppContext, request: AppRevocation, *, dry_run: bool) -> None:
    """The plan table (for people always; for scripts only on --dry-run) and the devices it affects."""
    where = f"space `{request.space}`" if request.space is not None else "every space"
    show_revocation_plan(
        actx, request.plan, title=f"Licenses of {request.name} to revoke ({request.scope}, {where})",
        nothing=f"No live license of {request.name} to revoke ({request.scope}, {where}).", accounts=request.accounts,
        dry_run=dry_run,
    )  # fmt: skip


def show_revocation_plan(actx: AppContext, plan: RevocationPlan, *, title: str, nothing: str,
                         accounts: Sequence[str], dry_run: bool, notes: Sequence[str] = ()) -> None:  # fmt: skip
    """A revocation plan as `revoke` shows it: the table (for people always; for scripts only on --dry-run), the
    accounts it touches, what is skipped, the iOS devices that uninstall, the Macs that keep the app, then `notes`."""
    renderer = actx.renderer
    if renderer.fmt.for_people and not plan.rows:
        renderer.info(nothing)
    elif renderer.fmt.for_people or dry_run:
        renderer.rows([row.as_dict() for row in plan.rows], REVOKE_PLAN_COLUMNS, title=title, outcome=not dry_run,
                      summary=SUMMARY[:2])  # fmt: skip
    if plan.to_send:
        names = ", ".join(f"`{account}`" for account in accounts)
        renderer.info(f"{len(plan.to_send)} license(s) from {len(accounts)} account(s): {names}.")
    if plan.skipped:
        renderer.info(f"{len(plan.skipped)} license(s) are skipped: books and non-revocable assets stay assigned.")
    if plan.uninstall_devices:
        devices = ", ".join(plan.uninstall_devices)
        renderer.info(f"iOS/iPadOS devices that must uninstall (usable 30 days after the revocation): {devices}")
    if plan.keep_devices:
        renderer.info(f"Macs that keep the app installed: {', '.join(plan.keep_devices)}")
    for note in notes:
        renderer.info(note)
    if dry_run:
        renderer.info("Dry run: nothing was changed.")
