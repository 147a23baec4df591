"""`abctl backup PATH [--with-tokens]`: a consistent copy of the database, safe while another abctl run writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.output import Column, Format

app = typer.Typer()
MACHINE_FORMATS = (Format.JSON, Format.JSONL, Format.CSV)
COLUMNS = [
    Column("path", "Backup"), Column("size_bytes", "Bytes", "right"), Column("accounts", "Accounts", "right"),
    Column("tokens", "Tokens", "right"), Column("licenses", "Licenses", "right"), Column("users", "Users", "right"),
    Column("devices", "Devices", "right"), Column("schema_version", "Schema", "right"),
]  # fmt: skip


def size_text(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@app.command("backup")
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The backup file to write (replaced atomically if it exists).")],
    *,
    with_tokens: Annotated[
        bool, typer.Option("--with-tokens", help="Keep the sTokens in the copy (treat it like the token files).")
    ] = False,
) -> None:
    """Write a consistent copy of the database (0600), without sTokens unless --with-tokens.

    Safe while another abctl run writes. Without tokens, the accounts are kept and marked `token_missing`:
    after a restore, upload each token again with `abctl tokens update NAME --file F`.

    Example: abctl backup /backups/abctl-$(date +%F).db
    """
    from abctl.services.maintenance.backup import backup as take_backup

    actx = AppContext.of(ctx)
    result = take_backup(actx.store(), path.expanduser(), with_tokens=with_tokens)
    found = result.contents
    row = {"path": str(result.path), "size_bytes": found.size, "accounts": found.accounts, "tokens": found.tokens,
           "licenses": found.licenses, "users": found.users, "devices": found.devices,
           "schema_version": found.schema.version}  # fmt: skip
    if actx.renderer.fmt in MACHINE_FORMATS:
        actx.renderer.record(row, COLUMNS)
    tokens = "with their sTokens" if with_tokens else "without sTokens (marked token_missing)"
    actx.renderer.success(
        f"Wrote {result.path}: {size_text(found.size)}, {found.accounts} account(s) {tokens}, "
        f"{found.licenses} license(s), {found.users} user(s), {found.devices} device(s); schema version "
        f"{found.schema.version}."
    )
