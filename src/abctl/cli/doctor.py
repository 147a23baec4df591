"""`abctl doctor [--probe]`: one command that checks everything an admin worries about; exit 8 if anything needs
attention."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl import __version__
from abctl.cli.context import AppContext
from abctl.errors import CheckFailedError
from abctl.output import Column

app = typer.Typer()
PER_ACCOUNT = {"token", "sync"}
COLUMNS = [
    Column("check", "Check"), Column("subject", "Of"),
    Column("status", "Status", style_by_value={"ok": "green", "attention": "bold red"}),
    Column("detail", "Detail", wrap=True), Column("action", "Action", wrap=True),
]  # fmt: skip


@app.command("doctor")
def doctor(
    ctx: typer.Context,
    *,
    probe: Annotated[bool, typer.Option("--probe", help="Ask Apple about every token now (one call each).")] = False,
    expiring_within: Annotated[
        int, typer.Option("--expiring-within", min=0, max=3650, help="Days before expiry a token needs attention.")
    ] = 30,
) -> None:
    """Check the database and everything in it; exit 8 if anything needs attention.

    Checks: file and folder permissions, integrity (quick_check), schema version, the writer lock (held by a
    running process, or left by a killed one), Apple writes still open in the ledger, each token's state and
    expiry (from the last call to Apple, or asked now with --probe), notifications open at alert, drift, and
    each account's last successful sync (attention after 24 hours).

    Example: abctl doctor || mail -s "abctl needs attention" it@example.org < /dev/null
    """
    from abctl.services.maintenance.doctor import ATTENTION, examine, file_findings
    from abctl.store.connection import database_exists
    from abctl.store.faults import no_database

    actx = AppContext.of(ctx)
    db_path = actx.settings.db_path
    if not database_exists(db_path):
        raise no_database(db_path)
    files = file_findings(db_path)  # before opening: opening tightens a wide mode
    runtime = actx.runtime()
    if probe:
        with actx.writer_lock():
            found = examine(runtime, files, probe=True, expiring_within=expiring_within)
    else:
        found = examine(runtime, files, probe=False, expiring_within=expiring_within)
    title = f"abctl {__version__} doctor: {db_path} (schema version {runtime.store.schema.version})"
    actx.renderer.rows([f.as_dict() for f in found], COLUMNS, title=title)
    attention = [f for f in found if f.status == ATTENTION]
    if attention:
        names = ", ".join(
            dict.fromkeys(f"{f.check} {f.subject}" if f.check in PER_ACCOUNT else f.check for f in attention)
        )
        raise CheckFailedError(
            f"{len(attention)} check(s) need attention: {names}",
            hint="follow the action of each row, then run: abctl doctor",
        )
    actx.renderer.success("Everything abctl checks is fine.")
