"""Ctrl-C for long commands: stop within about a second, keep the database consistent, say what was done.

While `sigint_stops()` is active, SIGINT sets one process-wide flag and raises `KeyboardInterrupt` in the main
thread as usual. Threads that work for the main one (page fetches, the page-storing thread, account syncs) cannot
be interrupted from outside, so the loops they run call `check()` (or wait with `sleep()`), which raises
`Interrupted` once the flag is set: no new request is sent, no new page is stored, and what is half done is left
to its transaction. The command that started them then raises `Interrupted` with one line of what was done and
what was not, and how to finish; the CLI prints it and exits 130.

Only the standard library: every layer (apple, store, services) may call `check()`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType

_requested = threading.Event()
_listeners: list[Callable[[], None]] = []


class Interrupted(KeyboardInterrupt):
    """Ctrl-C was noticed. `summary`, when known, is the one line shown to the user."""

    def __init__(self, summary: str | None = None) -> None:
        super().__init__(summary or "interrupted")
        self.summary = summary


def requested() -> bool:
    """True once Ctrl-C was pressed (under `sigint_stops`)."""
    return _requested.is_set()


def check() -> None:
    """Raise `Interrupted` if Ctrl-C was pressed."""
    if _requested.is_set():
        raise Interrupted


def sleep(seconds: float) -> None:
    """`time.sleep` that ends early, with `Interrupted`, on Ctrl-C."""
    if _requested.wait(max(0.0, seconds)):
        raise Interrupted


def request() -> None:
    """What SIGINT does: set the flag and tell the listeners (a progress bar stops drawing at once)."""
    _requested.set()
    for listener in list(_listeners):
        with suppress(Exception):  # a listener must not keep the interrupt from being seen
            listener()


def reset() -> None:
    """Forget an earlier Ctrl-C (a new command in the same process, as in tests and `abctl demo`)."""
    _requested.clear()


@contextmanager
def on_interrupt(listener: Callable[[], None]) -> Iterator[None]:
    """Call `listener` (on the main thread) the moment Ctrl-C is pressed, while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


@contextmanager
def sigint_stops() -> Iterator[None]:
    """Install the SIGINT handler for the block (main thread only; elsewhere the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        request()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    reset()
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        reset()
