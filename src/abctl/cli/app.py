"""The root of the command line: the table of commands, the global options (defined once, on `root`), and the
group that loads a command's module only when that command runs, lets global options follow the subcommand, and
turns every failure into its message and exit code (abctl.cli.failures).

`COMMANDS` lists abctl's commands in the order `abctl --help` shows them. To add a command, add one line: its
module's `app` is loaded on demand, so `abctl spaces list` never imports the sandbox, the Apple client or the
licensing code, and `abctl --help` is drawn from the summaries alone (tests/test_startup.py checks each summary
against the command's own help). `abctl --version` never gets here: abctl.__main__ answers it before typer loads.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main
from typer.models import TyperInfo

from abctl.cli import coercion, completion, help_format, lazy_group
from abctl.cli.placement import place_global_options
from abctl.config import APPLE_API_URL, EnvVars
from abctl.output.columns import Format

help_format.install()
coercion.install()
completion.install()
ARGV_KEY = "abctl.argv"  # ctx.meta: the arguments as typed

# The command `name` is `app` in the module abctl.cli.NAME (a dash becomes an underscore): a Typer app that holds
# subcommands (`abctl tokens add`) or the one command `name` itself (`abctl sync`). The text is the first paragraph
# of the command's help, as `abctl --help` lists it.
COMMANDS: dict[str, str] = {
    "demo": "Walk through abctl on the built-in sandbox (no network, temporary data).",
    "spaces": "Add, list and remove spaces (partitions of accounts, users and devices).",
    "tokens": "Add, list, show and check Apps and Books accounts (one sToken each).",
    "priority": "Show and set the order in which a space's accounts pay for licenses.",
    "sync": "Sync accounts with Apple: assets, assignments and users.",
    "events": "The ledger of Apple writes: list them, and wait for pending ones to settle.",
    "distribute": "Set or show who may get an app's licenses from each account.",
    "assign": "Assign apps' licenses; several apps share Apple calls; exit 7 when a target is refused.",
    "reconcile": "Bring a space to its desired state: release licenses of devices that left and deleted users, serve\n"
    "waiting reservations, license required apps on active devices. Exit 7 when a required app finds no seat.",
    "revoke": "Revoke an app's licenses: one user's, one device's, or all of them in the space.",
    "move-space": "Move a device to another space: its (and its owner's) licenses in the source are revoked, and each "
    "app gets\na license from the destination's accounts when one is free. Exit 7 when an app finds no seat there.",
    "sandbox": "Run a local stand-in for Apple's Apps and Books API, to rehearse without production.",
    "usage": "Show license usage per account and app.",
    "notifications": "List open notifications, worst first.",
    "log": "Show the activity log, newest first.",
    "apps": "Apps and books the space's accounts own, and the space's catalog.",
    "users": "People: inventory, Apple registration (invite, retire) and deletion.",
    "groups": "User groups per space (FCFS lists name them); `All Users` holds everyone.",
    "devices": "Devices by serial number: inventory, and what happens to their licenses when they go.",
    "drift": "Differences between what Apple holds and what abctl knows; settle them.",
    "backup": "Write a consistent copy of the database (0600), without sTokens unless --with-tokens.",
    "restore": "Replace the database with a checked backup; the current one is kept as abctl.db.before-restore.",
    "doctor": "Check the database and everything in it; exit 8 if anything needs attention.",
}


def module_of(name: str) -> str:
    """The module that defines the command `name`."""
    return "abctl.cli." + name.replace("-", "_")


class AbctlTyperGroup(lazy_group.ListingGroup):
    """The root group. Commands come from `abctl.cli.app.COMMANDS` and are built when first asked for; while the
    root's own help or a command-name completion is drawn, a command is a stand-in with its summary only."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:  # type: ignore[override]
        """typer suggests from the commands built so far; the root's are built when used: suggest from all."""
        from typer._click.exceptions import UsageError

        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            matches = difflib.get_close_matches(args[0], list(COMMANDS)) if args else []
            if not matches or "Did you mean" in error.message:
                raise
            suggestion = ", ".join(map(repr, matches))
            raise UsageError(f"{error.message.rstrip('.')}. Did you mean {suggestion}?", ctx=error.ctx) from None

    def get_command(self, ctx: typer.Context, cmd_name: str) -> typer.core.TyperCommand | None:  # type: ignore[override]
        if cmd_name not in COMMANDS:
            return None
        if self._listing and cmd_name not in self.commands:
            return typer.core.TyperCommand(name=cmd_name, help=COMMANDS[cmd_name])
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]  # type: ignore[return-value]

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if ctx.parent is None:
            ctx.meta[ARGV_KEY] = list(args)
            args = place_global_options(self, ctx, args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        from abctl import interrupt  # here, not at the top: the root's `--help` and completion never get this far

        try:
            with interrupt.sigint_stops():
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort):  # a subcommand's --help, an exit code: typer's own, as it is
            raise
        except BaseException as failure:
            from abctl.cli.failures import handle_failure

            handle_failure(ctx, failure)  # raises typer.Exit with the failure's exit code, or re-raises
            raise
        finally:
            from abctl.cli.context import AppContext

            if isinstance(ctx.obj, AppContext):
                ctx.obj.close()


def load_command(name: str) -> typer.core.TyperCommand:
    """Build the click command of `name` from its module's Typer app, as `add_typer` would (a group's
    subcommands are built when first asked for: abctl.cli.lazy_group)."""
    module = importlib.import_module(module_of(name))
    sub: typer.Typer = module.app
    settings: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    commands = sub.registered_commands
    if len(commands) == 1 and commands[0].name == name and not sub.registered_groups and not sub.registered_callback:
        command = typer.main.get_command_from_info(commands[0], **settings)
    elif lazy_group.is_plain(sub):
        command = lazy_group.lazy_group(sub, name, suggest_commands=app.suggest_commands, **settings)
    else:
        command = typer.main.get_group_from_info(
            TyperInfo(sub, name=name), suggest_commands=app.suggest_commands, **settings
        )
    assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
    return command  # type: ignore[return-value]


app = typer.Typer(
    cls=AbctlTyperGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Manage Apple Apps and Books (formerly VPP) licenses: accounts, sync, distribution, usage.",
)


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        from abctl import __version__

        typer.echo(f"abctl {__version__}")
        # --verbose is eager too: known here when it comes first; when it comes after, only the command line knows
        if ctx.params.get("verbose") or {"-v", "--verbose"} & set(sys.argv[1:]):
            from abctl.store.schema import schema_version

            typer.echo(f"schema version {schema_version()}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    *,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", envvar=EnvVars.DB, help="Database file.", show_default=False, dir_okay=False, metavar="PATH"
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-o", envvar=EnvVars.FORMAT, help="Output format for data.")
    ] = Format.TABLE,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="KEYS",
            help="Only these columns, in this order (e.g. name,adam_id).",
            show_default=False,
        ),
    ] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only data and errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", is_eager=True, help="More detail on stderr.")] = False,
    api_url: Annotated[
        str,
        typer.Option("--api-url", envvar=EnvVars.API_URL, metavar="URL", help="Apple API base URL (or a sandbox's)."),
    ] = APPLE_API_URL,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            envvar=EnvVars.LOCK_TIMEOUT,
            min=0,
            metavar="SECONDS",
            help="Seconds to wait for another abctl run.",
        ),
    ] = 60.0,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and HTTP traces (tokens stay hidden).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version (and schema version, with -v)."
        ),
    ] = False,
) -> None:
    """abctl: Apple Apps and Books licenses from the command line."""
    from abctl.cli.context import AppContext, Overrides
    from abctl.cli.interrupted import command_line
    from abctl.config import Settings, default_db_path, is_truthy
    from abctl.output import Renderer

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
    selected = [key.strip() for key in columns.split(",") if key.strip()] if columns else None
    renderer = Renderer(fmt=fmt, quiet=quiet, verbose=verbose, no_color=no_color, columns=selected)
    typed = command_line(ctx.meta.get(ARGV_KEY, []))
    ctx.obj = AppContext(settings=settings, renderer=renderer, overrides=overrides, command_line=typed)


def main() -> None:
    """Run abctl (the console script goes through abctl.__main__.main, which answers --version first)."""
    app(prog_name="abctl")
