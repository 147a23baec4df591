"""The one place a failure becomes what the user sees and the process's exit code.

- An `AbctlError`: `Error:` and `Hint:` on stderr, its own exit code. With `--debug` the traceback comes first
  (tokens hidden) and the exit code stays the error's.
- Ctrl-C: the one line of what was done and what was not (from `abctl.interrupt.Interrupted`), exit 130.
- Anything else: what happened, in words (never a Python class name), exit 1; the traceback with `--debug`.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn

import typer

from abctl.cli.context import AppContext
from abctl.config import EnvVars, is_truthy
from abctl.errors import AbctlError, ExitCode
from abctl.failure_words import in_words
from abctl.interrupt import Interrupted
from abctl.output import Renderer
from abctl.redaction import printable, redact, scrub


def handle_failure(ctx: typer.Context, failure: BaseException) -> None:
    """Report `failure` and raise `typer.Exit` with its exit code; return (for the caller to re-raise) when it
    is typer's own (usage errors, `--help`, exits) or the debug traceback of an unexpected error is wanted."""
    if isinstance(failure, typer.Exit | typer.Abort) or _is_typers(failure):
        return
    if isinstance(failure, KeyboardInterrupt):
        summary = failure.summary if isinstance(failure, Interrupted) else None
        sys.stderr.write(printable(summary or "Interrupted.") + "\n")
        _exit(ExitCode.INTERRUPTED, failure)
    if isinstance(failure, Exception) and not isinstance(failure, AbctlError):
        failure = _store_fault(ctx, failure) or failure  # the database is full, read-only, damaged ...: exit 3
    if isinstance(failure, AbctlError):
        scrub(failure)  # a token pasted where a name or path belongs is not echoed back
        if _debug(ctx):
            _print_traceback(failure)
        _renderer(ctx).error(failure.message, failure.hint)
        _exit(failure.exit_code, failure)
    if not isinstance(failure, Exception):
        return  # SystemExit, GeneratorExit: not ours to report
    if _debug(ctx):
        _print_traceback(failure)
    _renderer(ctx).error(
        describe(failure), "run the command again with --debug to see where it happened, and report it"
    )
    _exit(ExitCode.ERROR, failure)


def _store_fault(ctx: typer.Context, error: Exception) -> AbctlError | None:
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        return None
    from abctl.store.faults import cli_fault

    fault = cli_fault(error, root.obj.settings.db_path)
    if fault is not None:
        fault.__cause__ = error  # --debug shows where SQLite failed
    return fault


def describe(error: Exception) -> str:
    """An unexpected error in words: what failed, never the name of a Python class."""
    if isinstance(error, OSError):
        return printable(redact(f"unexpected failure, {in_words(error, path=True)}"))
    sqlite3 = sys.modules.get("sqlite3")  # not imported for it: a command that never opened the database
    if sqlite3 is not None and isinstance(error, sqlite3.Error):
        return printable(redact(f"unexpected database failure: {error}"))
    if isinstance(error, MemoryError):
        return "abctl ran out of memory"
    return "unexpected internal failure (a bug in abctl)"


def _exit(code: int, cause: BaseException) -> NoReturn:
    raise typer.Exit(int(code)) from cause


def _is_typers(failure: BaseException) -> bool:
    return getattr(type(failure), "__module__", "").startswith("typer.")


def _debug(ctx: typer.Context) -> bool:
    root = ctx.find_root()
    if isinstance(root.obj, AppContext):
        return root.obj.settings.debug
    return bool(root.params.get("debug")) or is_truthy(os.environ.get(EnvVars.DEBUG))


def _renderer(ctx: typer.Context) -> Renderer:
    root = ctx.find_root()
    if isinstance(root.obj, AppContext):
        return root.obj.renderer
    return Renderer(no_color=bool(root.params.get("no_color")))


def _print_traceback(failure: BaseException) -> None:
    """The traceback on stderr, with anything shaped like an sToken hidden."""
    text = "".join(traceback.format_exception(failure))
    sys.stderr.write(redact(text))
    sys.stderr.flush()
