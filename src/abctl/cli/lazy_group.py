"""A command group (`abctl tokens`, `abctl devices` ...) whose subcommands are built when first asked for.

Typer builds every subcommand of a group from its function's signature up front, which is most of the work of
`abctl tokens --help` and costs `abctl tokens list` the seven subcommands it does not run. Here the group holds
each subcommand's `CommandInfo` and builds the click command on first use; while the group's help or a
subcommand-name completion is drawn, a subcommand not built yet is a stand-in with what that listing shows of it
(name, help, short help, hidden, deprecated, help panel), taken from the same places typer takes them.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import typer
import typer.core
import typer.main
from typer.models import CommandInfo, TyperInfo


def command_name(info: CommandInfo) -> str:
    """The subcommand's name, as typer names it."""
    assert info.callback is not None, "a command has a function"
    return info.name or typer.main.get_command_name(info.callback.__name__)


def stand_in(info: CommandInfo) -> typer.core.TyperCommand:
    """What a group's listing shows of a subcommand, without reading its parameters."""
    help_text = inspect.getdoc(info.callback) if info.help is None else inspect.cleandoc(info.help)
    return typer.core.TyperCommand(
        name=command_name(info), help=help_text, short_help=info.short_help, hidden=info.hidden,
        deprecated=info.deprecated, rich_help_panel=info.rich_help_panel,
    )  # fmt: skip


class LazyCommands(MutableMapping[str, Any]):
    """Subcommands by name, in typer's order; each built by `build(info)` when first read."""

    def __init__(self, infos: list[CommandInfo], built: dict[str, Any], build: Callable[[CommandInfo], Any]) -> None:
        self._items: dict[str, Any] = {command_name(info): info for info in infos}
        self._items.update(built)
        self._build = build

    def __getitem__(self, name: str) -> Any:
        item = self._items[name]
        if isinstance(item, CommandInfo):
            item = self._items[name] = self._build(item)
        return item

    def summary(self, name: str) -> Any:
        """The subcommand if built, else its stand-in; None when there is no such subcommand."""
        item = self._items.get(name)
        return stand_in(item) if isinstance(item, CommandInfo) else item

    def __setitem__(self, name: str, command: Any) -> None:
        self._items[name] = command

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class ListingGroup(typer.core.TyperGroup):
    """A group that knows when it is only listing its commands (its own help, a command-name completion): then
    `_listing` is true, and `get_command` may answer with a stand-in instead of building the command."""

    _listing = False

    @contextmanager
    def _summaries_only(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        with self._summaries_only():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: typer.Context, incomplete: str) -> Any:  # type: ignore[override]
        with self._summaries_only():
            return super().shell_complete(ctx, incomplete)


class LazyGroup(ListingGroup):
    """A group over `LazyCommands`: a subcommand is built when it runs, or its own help or completion is asked."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(self.commands)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        if self._listing and isinstance(self.commands, LazyCommands):
            return self.commands.summary(cmd_name)
        return self.commands.get(cmd_name)


def lazy_group(sub: typer.Typer, name: str, *, suggest_commands: bool, **settings: Any) -> LazyGroup:
    """The group of `sub`'s commands as typer's `get_group_from_info` builds it, with its subcommands lazy."""
    shell = copy.copy(sub)  # the same app without its commands: typer builds the group itself, and nested groups
    shell.registered_commands = []
    group = typer.main.get_group_from_info(
        TyperInfo(shell, name=name, cls=LazyGroup), suggest_commands=suggest_commands, **settings
    )
    assert isinstance(group, LazyGroup)
    group.commands = LazyCommands(
        sub.registered_commands, dict(group.commands), lambda info: typer.main.get_command_from_info(info, **settings)
    )
    return group


def is_plain(sub: typer.Typer) -> bool:
    """True when `sub` asks for no group class of its own (such a class may read its subcommands itself)."""
    cls = sub.info.cls
    return getattr(cls, "value", cls) is None
