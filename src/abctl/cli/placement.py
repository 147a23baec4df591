"""Global options where people type them: `abctl usage --fail-on alert --format json` means what
`abctl --format json usage --fail-on alert` means.

The root's own options are the global ones (defined once, on the root callback). Before parsing, every global
option found after the subcommand is moved in front of it, with its value. A subcommand's own option of the same
spelling wins (`abctl sandbox token NAME -o FILE` keeps its `-o`), and nothing after `--` moves.
"""

from __future__ import annotations

from collections.abc import Iterable

import typer
import typer.core

# Options of the root that are not global settings: they act on the root only.
ROOT_ONLY = frozenset({"--help", "--install-completion", "--show-completion"})


def arity(params: Iterable[object]) -> dict[str, bool]:
    """Option spelling -> whether it takes a value, for the options among `params`."""
    spellings: dict[str, bool] = {}
    for param in params:
        if getattr(param, "param_type_name", None) != "option":
            continue
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for spelling in [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]:
            spellings[spelling] = takes_value
    return spellings


def _spelling(token: str) -> tuple[str, bool]:
    """The option a token names, and whether the token carries its value (`--format=json`, `-ojson`)."""
    if token.startswith("--"):
        name, eq, _value = token.partition("=")
        return name, bool(eq)
    return token[:2], len(token) > 2


def place_global_options(root: typer.core.TyperGroup, ctx: typer.Context, args: list[str]) -> list[str]:
    """`args` with the global options given after the subcommand moved to just before it."""
    globals_ = {k: v for k, v in arity(root.get_params(ctx)).items() if k not in ROOT_ONLY}
    command: object = root
    local = globals_
    kept: list[str] = []
    hoisted: list[str] = []
    first_command_at: int | None = None
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            kept.extend(args[i - 1 :])
            break
        if token.startswith("-") and len(token) > 1:
            name, inline = _spelling(token)
            if name in local:
                target, takes_value = kept, local[name]
            elif name in globals_:
                target, takes_value = hoisted, globals_[name]
            else:
                kept.append(token)  # unknown here: click says so
                continue
            target.append(token)
            if takes_value and not inline and i < len(args):
                target.append(args[i])
                i += 1
            continue
        sub = _subcommand(command, ctx, token)
        if sub is not None:
            if first_command_at is None:
                first_command_at = len(kept)
            command = sub
            local = arity(sub.get_params(ctx))
        kept.append(token)
    if not hoisted or first_command_at is None:
        return args
    return [*kept[:first_command_at], *hoisted, *kept[first_command_at:]]


def _subcommand(command: object, ctx: typer.Context, token: str) -> typer.core.TyperCommand | None:
    """The subcommand `token` names, when `command` is a group that has it."""
    if not isinstance(command, typer.core.TyperGroup):
        return None
    found = command.get_command(ctx, token)
    return found if isinstance(found, typer.core.TyperCommand | typer.core.TyperGroup) else None  # type: ignore[return-value]
