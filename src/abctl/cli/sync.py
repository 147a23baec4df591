"""`abctl sync`: bring local state in step with Apple (incremental by default; what cron runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import Column

app = typer.Typer()

SYNC_COLUMNS = [
    Column("account", "Account"),
    Column("mode", "Mode"),
    Column("assets", "Assets", "right"),
    Column("assignments_read", "Assignments read", "right"),
    Column("users_read", "Users read", "right"),
    Column("found", "New", "right"),
    Column("missing", "Gone", "right"),
    Column("healed", "Re-read apps", in_table=False),
    Column("result", "Result", wrap=True),
]


def sync_row(result: object) -> dict[str, object]:
    from abctl.services.accounts.sync import AccountSync

    assert isinstance(result, AccountSync)
    return {
        "account": result.account, "mode": "full" if result.full else "incremental", "assets": result.assets,
        "assignments_read": result.assignments_read, "users_read": result.users_read, "found": result.found,
        "missing": result.missing, "healed": list(result.healed),
        "result": "ok" if result.error is None else result.error.message,
    }  # fmt: skip


@app.command("sync")
def sync(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Accounts to sync (default: all).")] = None,
    *,
    full: Annotated[bool, typer.Option("--full", help="Re-read everything (a resync).")] = False,
) -> None:
    """Sync accounts with Apple: assets, assignments and users.

    Example: abctl sync            # in cron: */30 * * * * abctl -q sync
    """
    from abctl.services.accounts.sync import sync_accounts
    from abctl.services.names.accounts import resolve_accounts

    actx = AppContext.of(ctx)
    actx.renderer.check_columns(SYNC_COLUMNS)
    store = actx.store()
    accounts = resolve_accounts(store, names) if names else store.list_accounts()
    with actx.writer_lock(), actx.renderer.progress("Syncing") as advance:
        results = sync_accounts(
            actx.runtime(), accounts, full=full, on_progress=lambda _a, done, total: advance(done, total)
        )
    actx.renderer.rows([sync_row(r) for r in results], SYNC_COLUMNS, title="Sync", outcome=True)
    failed = [r for r in results if r.error is not None]
    if failed:
        first = failed[0].error
        assert first is not None
        raise type(first)(f"{len(failed)} of {len(results)} account(s) failed to sync: {first.message}",
                          hint=first.hint)  # fmt: skip
