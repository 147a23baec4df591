"""`abctl restore PATH [--yes]`: check a backup, show it against the current database, then put it in place."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import Column

if TYPE_CHECKING:
    from abctl.store.copying import Contents

app = typer.Typer()
COLUMNS = [
    Column("what", "What"), Column("backup", "Backup", "right"), Column("current", "Current database", "right"),
]  # fmt: skip


def compare_rows(backup: Contents, current: Contents | None) -> list[dict[str, object]]:
    def both(label: str, mine: object, theirs: object) -> dict[str, object]:
        return {"what": label, "backup": mine, "current": theirs if current is not None else "(none)"}

    c = current
    return [
        both("taken at", backup.backup_taken_at or "", ""),
        both("schema version", backup.schema.version, c.schema.version if c else None),
        both("accounts", backup.accounts, c.accounts if c else None),
        both("sTokens", backup.tokens, c.tokens if c else None),
        both("live licenses", backup.licenses, c.licenses if c else None),
        both("users", backup.users, c.users if c else None),
        both("devices", backup.devices, c.devices if c else None),
        both("last sync", backup.last_sync_at or "never", (c.last_sync_at or "never") if c else None),
    ]


@app.command("restore")
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup written by abctl backup.")],
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a checked backup; the current one is kept as abctl.db.before-restore.

    Accounts restored without their sToken are marked `token_missing`: `abctl tokens check` names them, and
    `abctl tokens update NAME --file F` brings each back.

    Example: abctl restore /backups/abctl-2026-11-30.db
    """
    from abctl.errors import InputError
    from abctl.services.maintenance.restore import install_staged, staged_restore
    from abctl.store.lock import exclusive_lock

    actx = AppContext.of(ctx)
    db_path = actx.settings.db_path
    with staged_restore(path.expanduser(), db_path) as staged:
        actx.renderer.rows(compare_rows(staged.backup, staged.current), COLUMNS, title=f"Restore {staged.source}")
        if staged.current is not None:
            actx.renderer.info(f"The current database is kept as {staged.keep_path}.")
        if staged.backup.tokens < staged.backup.accounts:
            missing = staged.backup.accounts - staged.backup.tokens
            actx.renderer.warn(f"{missing} account(s) have no sToken in this backup: abctl tokens check lists them.")
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("replacing the database needs confirmation", hint=f"run: abctl restore {path} --yes")
            typer.confirm(f"Replace {db_path} with this backup?", abort=True, err=True)
        waiting = "Waiting for another abctl run to finish..."
        with exclusive_lock(db_path, timeout=actx.settings.lock_timeout, on_wait=lambda: actx.renderer.info(waiting)):
            restored = install_staged(staged)
    actx.renderer.success(
        f"Restored {db_path} from {staged.source}: {restored.accounts} account(s), {restored.licenses} license(s), "
        f"schema version {restored.schema.version}."
    )
    if restored.tokens < restored.accounts:
        actx.renderer.info("Upload the missing sTokens with: abctl tokens update NAME --file TOKEN_FILE")
