"""The root of the command line: global options, the single place errors become exit codes, and the wiring of
every command group. Command modules stay thin; this module only wires.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from abctl import __version__
from abctl.cli import (
    apps,
    assign,
    demo,
    devices,
    distribute,
    events,
    groups,
    log,
    move_space,
    notifications,
    priority,
    reconcile,
    revoke,
    sandbox,
    spaces,
    sync,
    tokens,
    usage,
    users,
)
from abctl.cli.context import AppContext, Overrides
from abctl.config import APPLE_API_URL, EnvVars, Settings, default_db_path, is_truthy
from abctl.errors import AbctlError, ExitCode
from abctl.output import Format, Renderer
from abctl.redaction import scrub


def _debug_requested(ctx: typer.Context) -> bool:
    return bool(ctx.params.get("debug")) or is_truthy(os.environ.get(EnvVars.DEBUG))


class AbctlTyperGroup(typer.core.TyperGroup):
    """Catches every `AbctlError` once: `Error:` and `Hint:` on stderr, nothing on stdout, the error's exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except AbctlError as error:
            scrub(error)  # a token pasted where a name or path belongs is not echoed back
            if _debug_requested(ctx):
                raise
            _renderer_for(ctx).error(error.message, error.hint)
            raise typer.Exit(int(error.exit_code)) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if _debug_requested(ctx) or getattr(error, "__module__", "").startswith("typer."):
                raise
            _renderer_for(ctx).error(
                f"unexpected {error.__class__.__name__}",
                "run the command again with --debug to see where it happened, and report it",
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None
        finally:
            if isinstance(ctx.obj, AppContext):
                ctx.obj.close()


def _renderer_for(ctx: typer.Context) -> Renderer:
    if isinstance(ctx.obj, AppContext):
        return ctx.obj.renderer
    return Renderer(no_color=bool(ctx.params.get("no_color")))


app = typer.Typer(
    cls=AbctlTyperGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Manage Apple Apps and Books (formerly VPP) licenses: accounts, sync, distribution, usage.",
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"abctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    *,
    db: Annotated[
        Path | None,
        typer.Option("--db", envvar=EnvVars.DB, help="Database file.", show_default=False, dir_okay=False),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", envvar=EnvVars.FORMAT, help="Output format for data.")
    ] = Format.TABLE,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only data and errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More detail on stderr.")] = False,
    api_url: Annotated[
        str, typer.Option("--api-url", envvar=EnvVars.API_URL, help="Apple API base URL (or a sandbox's).")
    ] = APPLE_API_URL,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            envvar=EnvVars.LOCK_TIMEOUT,
            min=0,
            help="Seconds to wait for another abctl run.",
        ),
    ] = 60.0,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and HTTP traces (tokens stay hidden).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """abctl: Apple Apps and Books licenses from the command line."""
    overrides = ctx.obj if isinstance(ctx.obj, Overrides) else Overrides()
    debug = debug or is_truthy(os.environ.get(EnvVars.DEBUG))
    poll = os.environ.get(EnvVars.POLL_INTERVAL)
    try:
        poll_interval = float(poll) if poll else None
    except ValueError:
        raise typer.BadParameter(f"{EnvVars.POLL_INTERVAL} must be a number of seconds, not {poll!r}") from None
    settings = Settings(
        db_path=(db or default_db_path()).expanduser(),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        debug=debug,
        debug_http=debug or is_truthy(os.environ.get(EnvVars.DEBUG_HTTP)),
        poll_interval=poll_interval,
        lock_timeout=lock_timeout,
    )
    renderer = Renderer(fmt=fmt, quiet=quiet, verbose=verbose, no_color=no_color)
    ctx.obj = AppContext(settings=settings, renderer=renderer, overrides=overrides)


app.add_typer(demo.app)
app.add_typer(spaces.app, name="spaces")
app.add_typer(tokens.app, name="tokens")
app.add_typer(priority.app, name="priority")
app.add_typer(sync.app)
app.add_typer(events.app, name="events")
app.add_typer(distribute.app)
app.add_typer(assign.app)
app.add_typer(reconcile.app)
app.add_typer(revoke.app)
app.add_typer(move_space.app)
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(usage.app)
app.add_typer(notifications.app)
app.add_typer(log.app)
app.add_typer(apps.app, name="apps")
app.add_typer(users.app, name="users")
app.add_typer(groups.app, name="groups")
app.add_typer(devices.app, name="devices")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="abctl")
