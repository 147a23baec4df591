"""`abctl events`: the ledger of Apple writes (every associate, disassociate, revoke and user call)."""

from __future__ import annotations

from typing import Annotated

import typer

from abctl.cli.context import AppContext
from abctl.cli.options import LimitOpt
from abctl.models.ledger import LedgerEvent
from abctl.output import Column

app = typer.Typer(help="The ledger of Apple writes: list them, and wait for pending ones to settle.")
COLUMNS = [  # the Apple event id stays whole: `abctl events wait ID` takes it
    Column("id", "#", "right", in_table=False), Column("event_id", "Apple event"), Column("account", "Account"),
    Column("kind", "Kind"), Column("state", "State", style_by_value={"failed": "red", "unknown": "yellow"}),
    Column("done", "Done", "right", machine=False),
    Column("num_requested", "Requested", "right", in_table=False),
    Column("num_completed", "Completed", "right", in_table=False),
    Column("failures", "Failures", wrap=True, drop=1), Column("created_at", "Created", in_table=False),
    Column("finished_at", "Finished", in_table=False),
]  # fmt: skip


def event_row(event: LedgerEvent) -> dict[str, object]:
    failures = [f"{f.error_number}: {f.error_message}" for f in event.failures]
    return {"id": event.id, "event_id": event.event_id, "account": event.account_name, "kind": event.kind,
            "state": event.state, "num_requested": event.num_requested, "num_completed": event.num_completed,
            "failures": failures, "created_at": event.created_at, "finished_at": event.finished_at,
            "done": f"{event.num_completed or 0}/{event.num_requested or 0}"}  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    pending: Annotated[bool, typer.Option("--pending", help="Only writes not yet settled.")] = False,
    limit: LimitOpt = 50,
) -> None:
    """List Apple writes, newest first.

    Example: abctl events list --pending
    """
    from abctl.services.ledger.events import list_events

    actx = AppContext.of(ctx)
    events = list_events(actx.runtime(), pending_only=pending, limit=limit)
    actx.renderer.rows([event_row(e) for e in events], COLUMNS, title="Events")


@app.command("wait")
def wait(
    ctx: typer.Context,
    event_ids: Annotated[list[str] | None, typer.Argument(help="Apple event ids (default: every pending one).")] = None,
) -> None:
    """Wait for pending Apple events and record how they ended.

    Example: abctl events wait
    """
    from abctl.services.ledger.events import wait_for_events

    actx = AppContext.of(ctx)
    with actx.writer_lock():
        events = wait_for_events(actx.runtime(), event_ids or [])
    actx.renderer.rows([event_row(e) for e in events], COLUMNS, title="Events")
