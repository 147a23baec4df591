"""The one line a long command prints after Ctrl-C: what was done, what was not, and the command that finishes.

The services stop within about a second (abctl.interrupt) and leave the database consistent: a page of
assignments, an import and every ledger step is one transaction, and a ledger row is written before its Apple
call is sent. These helpers only find the words; abctl.cli.failures prints them and exits 130.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from abctl import interrupt

if TYPE_CHECKING:
    from abctl.store import Store

OPEN_STATES = ("intent", "pending", "unknown")


def command_line(args: Sequence[str]) -> str:
    """The command as the user typed it (global options included), to run again."""
    return shlex.join(["abctl", *args])


@contextmanager
def explained(describe: Callable[[], str], *, replace: bool = False) -> Iterator[None]:
    """Turn Ctrl-C inside the block into `Interrupted` with the line `describe()` gives; a line a deeper layer
    already gave (sync's) is kept unless `replace`."""
    try:
        yield
    except interrupt.Interrupted as stopped:
        if stopped.summary and not replace:
            raise
        raise interrupt.Interrupted(describe()) from None
    except KeyboardInterrupt:
        interrupt.request()
        raise interrupt.Interrupted(describe()) from None


@contextmanager
def apple_writes(store: Store, again: str) -> Iterator[None]:
    """Around every run that holds the writer lock (assign, reconcile, revoke, retire...): after Ctrl-C, count
    the ledger rows this run wrote, to say what reached Apple and how to finish."""
    newest = store.list_events(limit=1)
    mark = newest[0].id if newest else 0

    def describe() -> str:
        rows = [event for event in store.list_events(limit=10_000) if event.id > mark]
        if not rows:
            return f"Interrupted: nothing was sent to Apple, nothing changed; run {again}"
        unsettled = sum(1 for event in rows if event.state in OPEN_STATES)
        done = f"Interrupted: {len(rows)} Apple write(s) recorded in the ledger"
        if unsettled:
            return f"{done} ({unsettled} not settled), the rest not sent; run abctl events wait, then {again}"
        return f"{done} and settled, the rest not sent; run {again}"

    with explained(describe):
        yield


@contextmanager
def local_import(again: str) -> Iterator[None]:
    """For users and devices import: an import is one transaction, so an interrupted one changed nothing."""
    with explained(lambda: f"Interrupted: nothing imported (an import is all or nothing); run {again}"):
        yield
