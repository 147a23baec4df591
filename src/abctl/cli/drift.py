"""`abctl drift`: what Apple holds that abctl does not know or should not hold, what abctl believes that Apple
dropped, and counts that disagree (R22); `abctl drift settle` settles it with a plan, only when asked.

`drift settle --revoke` has `abctl revoke`'s contract (plan, --dry-run, confirmation unless --yes, exit 5/6 when
Apple refused or could not be reached) and goes through the same revocation service.
"""

from __future__ import annotations

import shlex
from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core

from abctl.cli.context import AppContext
from abctl.cli.options import DryRunOpt, YesOpt
from abctl.domain.drift import DriftReason, Settlement
from abctl.errors import CheckFailedError, InputError
from abctl.output import Column
from abctl.timeutil import utc_now

if TYPE_CHECKING:
    from abctl.services.drift.find import DriftScope
    from abctl.services.drift.settle import SettlePlan


class _DriftGroup(typer.core.TyperGroup):
    """`abctl drift [ACCOUNT ...]` lists; `abctl drift settle ...` settles: a word that is not a subcommand
    starts the listing."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["list", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_DriftGroup, help="Differences between what Apple holds and what abctl knows; settle them.")

DRIFT_COLUMNS = [
    Column("account", "Account"),
    Column("space", "Space", in_table=False),
    Column("adam_id", "Adam ID", in_table=False),
    Column("name", "App"),
    Column("pricing_param", "Pricing", in_table=False),
    Column("target_kind", "Target kind", in_table=False),
    Column("target_id", "Target ID", in_table=False),
    Column("target", "Target"),
    Column("group", "Group", in_table=False),
    Column("reason", "Reason", wrap=True),
    Column("first_seen", "First seen", date_only=True, drop=1),
    Column("settlement", "Settle"),
    Column("detail", "Detail", in_table=False),
    Column("license_id", "License", in_table=False),
]
AccountsArg = Annotated[list[str] | None, typer.Argument(metavar="[ACCOUNT]...", help="Accounts (default: all).",
                                                         show_default=False)]  # fmt: skip
SpaceFilterOpt = Annotated[str | None, typer.Option("--space", "-s", help="Only the accounts of this space.",
                                                    show_default=False)]  # fmt: skip
AppOpt = Annotated[str | None, typer.Option("--app", help="Only this app (adamId or catalog name).")]
ReasonOpt = Annotated[
    list[DriftReason] | None,
    typer.Option("--reason", "-r", case_sensitive=False, help="Only drift of this reason (repeatable)."),
]
FailOnDriftOpt = Annotated[bool, typer.Option("--fail-on-drift", help="Exit 8 when any drift remains (for cron).")]
SETTLE_COLUMNS = [*DRIFT_COLUMNS[:11], Column("result", "Result"), Column("detail", "Detail", wrap=True)]
PLAN_DRIFT = Column("reason", "Drift")


@app.command("list", hidden=True)
def list_(
    ctx: typer.Context,
    accounts: AccountsArg = None,
    *,
    space: SpaceFilterOpt = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Read everything from Apple first (a resync).")] = False,
    app_: AppOpt = None,
    reason: ReasonOpt = None,
    fail_on_drift: FailOnDriftOpt = False,
) -> None:
    """Show what Apple holds that abctl does not know or should not hold, and what Apple dropped.

    Grouped by reason: unknown serials and users; retired, wiped, unenrolled, deleted, other-space and
    disallowed targets, and device licenses wasted next to the owner's user license; licenses gone from Apple;
    asset counts that disagree. Each row names the settlement to run: abctl drift settle --revoke | --adopt |
    --forget (counts: abctl tokens resync). As of the last sync; --refresh reads everything from Apple first.

    Example: abctl drift --refresh --reason unknown
    """
    from abctl.services.drift.find import find_drift, resolve_scope

    actx = AppContext.of(ctx)
    store = actx.store()
    scope = resolve_scope(store, accounts or [], space=space, app=app_)
    if refresh:
        _refresh(actx, scope)
    items = find_drift(store, account_ids=scope.account_ids, adam_id=scope.adam_id, reasons=_reasons(reason))
    renderer = actx.renderer
    if items or not renderer.fmt.for_people:
        renderer.rows([item.as_dict() for item in items], DRIFT_COLUMNS, title=f"Drift{_where(scope)}")
    if not items:
        renderer.success(f"No drift{_where(scope)}: Apple and abctl agree{_as_of(actx, scope, refresh)}.")
    else:
        counts = Counter(str(item.reason) for item in items)
        renderer.info(f"{len(items)} difference(s): " + ", ".join(f"{n} {r}" for r, n in counts.items())
                      + f"{_as_of(actx, scope, refresh)}. Settle them with: abctl drift settle --revoke | --adopt"
                      " | --forget (see docs/drift.md).")  # fmt: skip
    if fail_on_drift and items:
        raise CheckFailedError(f"{len(items)} difference(s) between Apple and abctl remain",
                               hint="see them with: abctl drift; settle them with: abctl drift settle")  # fmt: skip


@app.command("settle")
def settle(
    ctx: typer.Context,
    accounts: AccountsArg = None,
    *,
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the licenses back on Apple.")] = False,
    adopt: Annotated[bool, typer.Option("--adopt", help="Keep them; add unknown serials and users.")] = False,
    forget: Annotated[bool, typer.Option("--forget", help="Drop local licenses Apple no longer lists.")] = False,
    space: SpaceFilterOpt = None,
    app_: AppOpt = None,
    reason: ReasonOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Settle drift: revoke, adopt or forget, with the plan first.

    --revoke goes through the revocation service: iOS devices uninstall the app (usable 30 more days), Macs keep
    it, books are skipped. --adopt keeps licenses of unknown serials and users and adds those to the inventory.
    --forget drops local licenses Apple no longer lists, after reading them from Apple once more. Each settles
    only the reasons it applies to; the filters choose among them. abctl never settles drift on its own.

    Example: abctl drift settle --revoke --reason unknown --dry-run
    """
    from abctl.services.drift.find import resolve_scope
    from abctl.services.drift.settle import plan_settlement

    chosen = [s for s, flag in ((Settlement.REVOKE, revoke), (Settlement.ADOPT, adopt), (Settlement.FORGET, forget))
              if flag]  # fmt: skip
    if len(chosen) != 1:
        raise InputError("say how to settle: exactly one of --revoke, --adopt and --forget",
                         hint="abctl drift settle --revoke | --adopt | --forget [--reason R] [--dry-run]")  # fmt: skip
    settlement = chosen[0]
    actx = AppContext.of(ctx)
    store = actx.store()
    scope = resolve_scope(store, accounts or [], space=space, app=app_)
    plan = plan_settlement(store, settlement, account_ids=scope.account_ids, adam_id=scope.adam_id,
                           reasons=_reasons(reason), now=utc_now())  # fmt: skip
    _show_settle_plan(actx, plan, scope, dry_run=dry_run)
    if dry_run or not plan.items:
        return
    retry = _retry(settlement, accounts or [], space, app_, reason)
    if settlement is Settlement.REVOKE:
        from abctl.cli.license_views import RESULT_COLUMNS, confirm, show_result
        from abctl.services.drift.settle import settle_by_revoking

        confirm(f"Revoke {len(plan.revocation().to_send)} drifted license(s)?", yes=yes, retry=retry)
        with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
            result = settle_by_revoking(actx.runtime(), plan, on_progress=advance)
        show_result(actx, result, RESULT_COLUMNS)
        return
    if settlement is Settlement.FORGET:
        from abctl.cli.license_views import confirm
        from abctl.services.drift.settle import settle_by_forgetting

        confirm(f"Forget {len(plan.items)} local license(s) Apple no longer lists?", yes=yes, retry=retry)
        with actx.writer_lock():
            outcomes = settle_by_forgetting(actx.runtime(), plan)
    else:
        from abctl.services.drift.settle import settle_by_adopting

        with actx.writer_lock():
            outcomes = settle_by_adopting(actx.runtime(), plan)
    rows = [outcome.as_dict() for outcome in outcomes]
    actx.renderer.rows(rows, SETTLE_COLUMNS, title="Drift settled")
    done = Counter(outcome.result for outcome in outcomes)
    actx.renderer.success("Settled: " + ", ".join(f"{n} {result}" for result, n in done.items()) + ".")


def _show_settle_plan(actx: AppContext, plan: SettlePlan, scope: DriftScope, *, dry_run: bool) -> None:
    renderer = actx.renderer
    what = {Settlement.REVOKE: "revoke", Settlement.ADOPT: "adopt", Settlement.FORGET: "forget"}[plan.settlement]
    if not plan.items:
        renderer.info(f"No drift to {what}{_where(scope)}.")
        if not renderer.fmt.for_people and dry_run:
            renderer.rows([], DRIFT_COLUMNS)
    elif plan.settlement is Settlement.REVOKE:
        from abctl.cli.license_views import PLAN_COLUMNS, show_plan

        revocation = plan.revocation()
        reasons = {item.license_id: str(item.reason) for item in plan.items}
        rows = [{**row.as_dict(), "reason": reasons.get(row.license_id), "skip_reason": row.reason}
                for row in revocation.rows]  # fmt: skip
        columns = [PLAN_DRIFT, *PLAN_COLUMNS[:-1]]
        if revocation.skipped or not renderer.fmt.for_people:
            columns.append(Column("skip_reason", "Skipped because"))
        scripted = dry_run and not renderer.fmt.for_people  # show_plan prints the plan for scripts then
        show_plan(actx, revocation, title=f"Drifted licenses to revoke{_where(scope)}", dry_run=scripted, rows=rows,
                  columns=columns)  # fmt: skip
        dry_run = dry_run and not scripted
    elif renderer.fmt.for_people or dry_run:
        title = f"Drifted licenses to {what}{_where(scope)}"
        renderer.rows([item.as_dict() for item in plan.items], DRIFT_COLUMNS, title=title)
    if plan.settlement is Settlement.FORGET and plan.items:
        renderer.info("Each app's assignments are read from Apple once more first: a license Apple lists again is"
                      " kept (recorded as live), the others are dropped.")  # fmt: skip
    if plan.other:
        counts = Counter(str(item.reason) for item in plan.other)
        renderer.info(f"Not settled by --{what}: " + ", ".join(f"{n} {r}" for r, n in counts.items())
                      + " (see the Settle column of: abctl drift).")  # fmt: skip
    if dry_run:
        renderer.info("Dry run: nothing was changed.")


def _refresh(actx: AppContext, scope: DriftScope) -> None:
    """A full read of every account in scope, stored as a resync's would be."""
    from abctl.services.accounts.sync import sync_accounts

    store = actx.store()
    accounts = [store.get_account_by_id(account_id) for account_id in scope.account_ids]
    with actx.writer_lock(), actx.renderer.progress("Reading Apple") as advance:
        results = sync_accounts(actx.runtime(), accounts, full=True,
                                on_progress=lambda _a, done, total: advance(done, total))  # fmt: skip
    for result in results:
        if result.error is not None:
            raise result.error


def _reasons(reasons: list[DriftReason] | None) -> set[DriftReason] | None:
    return set(reasons) if reasons else None


def _where(scope: DriftScope) -> str:
    parts = []
    if scope.app is not None:
        parts.append(f"of {scope.app}")
    if len(scope.accounts) == 1:
        parts.append(f"in `{scope.accounts[0]}`")
    return (" " + " ".join(parts)) if parts else ""


def _as_of(actx: AppContext, scope: DriftScope, refresh: bool) -> str:
    if refresh:
        return ", as Apple lists it now"
    synced = [a.last_sync_at for a in actx.store().list_accounts() if a.id in scope.account_ids]
    known = [moment for moment in synced if moment is not None]
    return f", as of the last sync ({min(known):%Y-%m-%d %H:%M} UTC)" if known else ""


def _retry(settlement: Settlement, accounts: list[str], space: str | None, app_: str | None,
           reasons: list[DriftReason] | None) -> str:  # fmt: skip
    parts = ["abctl", "drift", "settle", f"--{settlement}", *accounts]
    if space is not None:
        parts += ["--space", space]
    if app_ is not None:
        parts += ["--app", app_]
    for reason in reasons or []:
        parts += ["--reason", str(reason)]
    return shlex.join(parts)
