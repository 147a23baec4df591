"""`abctl tokens`: add, list, show and check Apps and Books accounts (one sToken each)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.interrupted import explained
from abctl.cli.options import SpaceOpt
from abctl.cli.token_views import (
    CHECK_COLUMNS,
    DRIFTED_COLUMNS,
    DRIFTED_KEYS,
    SHOW_COLUMNS,
    TOKEN_COLUMNS,
    token_row,
)
from abctl.errors import CheckFailedError
from abctl.output import Column

app = typer.Typer(help="Add, list, show and check Apps and Books accounts (one sToken each).")

FileOpt = Annotated[str, typer.Option("--file", "-F", help="The .vpptoken file, or - to read it from stdin.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the account.")],
    *,
    file: FileOpt,
    space: SpaceOpt = None,
    priority: Annotated[int | None, typer.Option("--priority", min=1, help="1 is highest (default: last).")] = None,
    no_auto_distribute: Annotated[bool, typer.Option("--no-auto-distribute", help="No FCFS to All Users.")] = False,
    take_over: Annotated[bool, typer.Option("--take-over", help="Claim a location another MDM manages.")] = False,
    clear_previous: Annotated[
        bool, typer.Option("--clear-previous", help="Revoke every license this token's location holds first.")
    ] = False,
) -> None:
    """Add an account from its sToken and run the first full sync.

    Example: abctl tokens add district --file district.vpptoken --priority 1
    """
    from abctl.apple.stoken import read_stoken_text
    from abctl.services.accounts.tokens import add_account

    actx = AppContext.of(ctx, creates_state=True)
    text = read_stoken_text(file, sys.stdin)
    with (
        explained(lambda: _add_interrupted(actx, name), replace=True),
        actx.writer_lock(),
        actx.renderer.progress(f"Syncing {name}") as advance,
    ):
        added = add_account(
            actx.runtime(), name, text, space=space, priority=priority, auto_distribute=not no_auto_distribute,
            take_over=take_over, clear_previous=clear_previous,
            on_progress=lambda _account, done, total: advance(done, total),
        )  # fmt: skip
    account = added.account
    if added.took_over:
        actx.renderer.warn(f"abctl now manages location `{account.location_name}` (--take-over).")
    found = added.sync.found if added.sync else 0
    actx.renderer.success(
        f"Added `{account.name}`: {account.location_name} ({account.org_name}), space `{account.space}`, priority "
        f"{account.priority}, expires {account.expires_at:%Y-%m-%d}; {found} existing license(s) found on Apple."
    )


def _add_interrupted(actx: AppContext, name: str) -> str:
    """After Ctrl-C in `tokens add`: was the account recorded (then only its first sync is missing)?"""
    if any(account.name == name for account in actx.store().list_accounts()):
        return f"Interrupted: `{name}` added, its first sync not finished; run abctl sync {name}"
    return f"Interrupted: `{name}` not added, nothing changed; run {actx.command_line}"


@app.command("list")
def list_(ctx: typer.Context, *, space: SpaceOpt = None) -> None:
    """List accounts by space and priority.

    Example: abctl --format json tokens list
    """
    from abctl.services.names.spaces import resolve_space

    actx = AppContext.of(ctx)
    store = actx.store()
    rows = [token_row(a) for a in store.list_accounts(resolve_space(store, space) if space is not None else None)]
    actx.renderer.rows(rows, TOKEN_COLUMNS, title="Accounts")


@app.command("show")
def show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Show one account: location, dates, counts, open notifications.

    Example: abctl tokens show district
    """
    from abctl.services.names.accounts import resolve_account

    actx = AppContext.of(ctx)
    store = actx.store()
    account = resolve_account(store, name)
    row = token_row(account)
    row["assets"] = len(store.list_account_assets(account.id))
    row["licenses"] = sum(store.live_counts_by_asset(account.id).values())
    row["open_notifications"] = store.open_notification_count(account.id)
    actx.renderer.record(row, SHOW_COLUMNS, title=f"Account {name}")


@app.command("check")
def check(
    ctx: typer.Context,
    *,
    expiring_within: Annotated[
        int, typer.Option("--expiring-within", min=0, max=3650, help="Days of warning (up to 10 years).")
    ] = 30,
) -> None:
    """Probe every token; exit 8 if any is expired, revoked, claimed or expiring.

    Example: abctl tokens check --expiring-within 45 || mail -s "abctl tokens" admins@example.org
    """
    from abctl.services.accounts.tokens import check_tokens

    actx = AppContext.of(ctx)
    problems = check_tokens(actx.runtime(), expiring_within_days=expiring_within)
    actx.renderer.rows([vars(p) for p in problems], CHECK_COLUMNS, title="Token problems")
    if problems:
        raise CheckFailedError(
            f"{len(problems)} token(s) need attention",
            hint="follow the action of each row, then run: abctl tokens check",
        )
    actx.renderer.success("Every token is valid and not expiring soon.")


@app.command("update")
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name.")],
    *,
    file: FileOpt,
    clear_previous: Annotated[
        bool, typer.Option("--clear-previous", help="Revoke every license of this token on Apple first.")
    ] = False,
    no_auto_distribute: Annotated[bool, typer.Option("--no-auto-distribute", help="No FCFS to All Users.")] = False,
) -> None:
    """Replace an account's token (CI rotation); keeps name, priority, policies.

    Example: abctl tokens update district --file - < district.vpptoken
    """
    from abctl.apple.stoken import read_stoken_text
    from abctl.services.accounts.lifecycle import update_token
    from abctl.services.names.accounts import resolve_account

    actx = AppContext.of(ctx)
    text = read_stoken_text(file, sys.stdin)
    with actx.writer_lock():
        update_token(actx.runtime(), name, text, clear_previous=clear_previous,
                     auto_distribute=False if no_auto_distribute else None)  # fmt: skip
    account = resolve_account(actx.store(), name)
    actx.renderer.success(f"Updated the token of `{name}`; it expires {account.expires_at:%Y-%m-%d}.")


@app.command("resync")
def resync(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Accounts to resync.")] = None,
    *,
    all_: Annotated[bool, typer.Option("--all", help="Every account.")] = False,
) -> None:
    """Re-read everything from Apple and report the drift found.

    Example: abctl tokens resync district
    """
    from abctl.cli.sync import SYNC_COLUMNS, sync_row
    from abctl.errors import InputError
    from abctl.output import Format
    from abctl.services.accounts.lifecycle import resync as resync_accounts
    from abctl.services.names.accounts import resolve_accounts

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(SYNC_COLUMNS, DRIFTED_COLUMNS, [Column("drifted", "Drifted licenses")])
    if not names and not all_:
        known = [account.name for account in actx.store().list_accounts()][:1]
        hint = f"abctl tokens resync {known[0]}, or abctl tokens resync --all" if known else "abctl tokens list"
        raise InputError("name an account to resync, or give --all", hint=hint)
    store = actx.store()
    accounts = store.list_accounts() if all_ else resolve_accounts(store, names or [])
    with actx.writer_lock():
        results, drifted = resync_accounts(actx.runtime(), accounts)
    renderer = actx.renderer
    rows = [sync_row(r) for r in results]
    if renderer.fmt.for_people:
        renderer.rows(rows, SYNC_COLUMNS, title="Resync", outcome=True)
        if drifted:
            renderer.rows([d.as_dict() for d in drifted], DRIFTED_COLUMNS, title="Drifted licenses", outcome=True)
    else:  # scripts: each account's row names its drifted licenses
        for row in rows:
            mine = [d.as_dict() for d in drifted if d.account == row["account"]]
            row["drifted"] = [f"{d['direction']} {d['target']} {d['adam_id']}" for d in mine] if (
                renderer.fmt is Format.CSV) else [{k: d[k] for k in DRIFTED_KEYS} for d in mine]  # fmt: skip
        renderer.rows(rows, [*SYNC_COLUMNS, Column("drifted", "Drifted licenses")], title="Resync", outcome=True)
    if drifted:
        renderer.info(f"{len(drifted)} drifted license(s); see them all with: abctl drift")
    for result in results:
        if result.error is not None:
            raise result.error


@app.command("delete")
def delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name.")],
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revoke an account's licenses on Apple, then delete it.

    Example: abctl tokens delete old-campus --yes
    """
    from abctl.errors import InputError
    from abctl.services.accounts.lifecycle import delete_account
    from abctl.services.names.accounts import resolve_account

    actx = AppContext.of(ctx)
    account = resolve_account(actx.store(), name)
    licenses = sum(actx.store().live_counts_by_asset(account.id).values())
    actx.renderer.info(
        f"Deleting `{name}` revokes its {licenses} known license(s) on Apple (users keep a 30-day grace on iOS),"
        " drops its reservations and forgets the account. Catalog apps stay."
    )
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("deleting an account needs confirmation", hint=f"run: abctl tokens delete {name} --yes")
        typer.confirm(f"Delete `{name}`?", abort=True, err=True)
    with actx.writer_lock():
        revoked = delete_account(actx.runtime(), name)
    actx.renderer.success(
        f"Deleted `{name}`: {revoked.serials} device(s) and {revoked.users} user(s) revoked in {revoked.calls} call(s)."
    )


@app.command("move")
def move(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name.")],
    *,
    to: Annotated[str, typer.Option("--to", help="The space the account moves to.", show_default=False)],
    keep_licenses: Annotated[
        bool, typer.Option("--keep-licenses", help="Keep licenses of targets outside the new space (drift).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan and change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Move an account to another space with its token and policies.

    Its licenses for devices and users outside the new space are revoked first (iOS uninstalls with a 30-day
    grace, Macs keep the app), or kept with --keep-licenses; both spaces' priorities are renumbered.

    Example: abctl tokens move highschool --to hs --dry-run
    """
    from dataclasses import replace

    from abctl.cli.license_views import confirm, show_result
    from abctl.cli.revoke import REVOKE_RESULT_COLUMNS, show_revocation_plan
    from abctl.services.accounts.move import move_account, plan_account_move

    actx = AppContext.of(ctx)
    plan = plan_account_move(actx.runtime(), name, to, keep_licenses=keep_licenses)
    account, behind = plan.account, plan.left_behind
    order = ", ".join(f"`{n}` {p}" for n, p in plan.source_priorities.items()) or "no account left"
    notes = [f"`{account.name}`: space `{account.space}` -> `{plan.destination}`, priority {plan.priority} there;"
             f" `{account.space}` renumbered: {order}."]  # fmt: skip
    if keep_licenses and behind.rows:
        notes.append(f"--keep-licenses: these {len(behind.rows)} license(s) stay on Apple and show as drift.")
    what = "kept" if keep_licenses else "to revoke"
    shown = behind
    if keep_licenses:  # nothing goes back to Apple: nothing uninstalls
        rows = tuple(replace(row, uninstall=False, usable_until=None) for row in behind.rows)
        shown = replace(behind, rows=rows, uninstall_devices=(), keep_devices=())
    show_revocation_plan(
        actx, shown, title=f"Licenses of `{account.name}` outside space `{plan.destination}` ({what})",
        nothing=f"No license of `{account.name}` is held outside space `{plan.destination}`.",
        accounts=[account.name], dry_run=dry_run, notes=notes,
    )  # fmt: skip
    if dry_run:
        return
    if behind.to_send and not keep_licenses:
        confirm(f"Move `{account.name}` to `{plan.destination}` and revoke {len(behind.to_send)} license(s)?",
                yes=yes, retry=f"abctl tokens move {account.name} --to {plan.destination}")  # fmt: skip
    with actx.writer_lock(), actx.renderer.progress("Revoking") as advance:
        result = move_account(actx.runtime(), plan, on_progress=advance)
    if result.moved:
        actx.renderer.success(f"Moved `{account.name}` to space `{plan.destination}` (priority {plan.priority}).")
    else:
        actx.renderer.warn(f"`{account.name}` stays in `{account.space}` until every license is revoked")
    if result.revoked is not None:
        show_result(actx, result.revoked, REVOKE_RESULT_COLUMNS)
