"""How `--help` names what an option takes: nothing for a flag, the option's own metavar (`--db PATH`) when it
has one, the choices for a choice (`table|json|jsonl|csv`), else a plain word (`TEXT`, `N`, `NUMBER`, `PATH`,
`DATE`). Typer's default shows Python types (`<bool>`, `<list[str]>`, `<float range>`), which mean nothing to an
admin. Arguments show their name only (`NAMES...`).
"""

from __future__ import annotations

import importlib
import sys
import types
from datetime import datetime
from pathlib import Path
from typing import Any

import typer.core

WORDS: dict[type, str] = {str: "TEXT", int: "N", float: "NUMBER", Path: "PATH", datetime: "DATE"}


def option_metavar(param: Any, ctx: Any) -> str | None:
    """What the help's type column shows for one option; None for flags and arguments."""
    if getattr(param, "param_type_name", None) != "option" or getattr(param, "is_flag", False):
        return None
    if getattr(param, "count", False):
        return None
    if param.metavar is not None:
        return str(param.metavar)
    descriptor = param.type_descriptor
    if descriptor.is_choice:
        return str(param.display_type(ctx)).strip("<>").removeprefix("list[").removesuffix("]")
    annotation = descriptor.annotation
    if descriptor.is_list:
        annotation = (getattr(annotation, "__args__", None) or (str,))[0]
    for kind, word in WORDS.items():
        if annotation is kind or (isinstance(annotation, type) and issubclass(annotation, kind)):
            return word
    return "TEXT"


def install() -> None:
    """Use `option_metavar` for every option and argument typer draws in help, and `import_typer_help`."""
    install_light_help()
    typer.core.TyperOption.display_type_rich = option_metavar  # type: ignore[method-assign,assignment]
    typer.core.TyperArgument.display_type_rich = option_metavar  # type: ignore[method-assign,assignment]


class _Deferred:
    """Stands for a class of a module not imported yet; the module is imported on first use."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name

    def _target(self) -> Any:
        return getattr(importlib.import_module(self._module), self._name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target(), attribute)

    def __or__(self, other: object) -> Any:  # `Markdown | Text` in typer's annotations
        return Any

    __ror__ = __or__


# What typer's help module imports but a help screen in abctl's markup mode ("rich") never uses: Markdown (for
# markup_mode="markdown", and it pulls in markdown-it) and Traceback (for pretty tracebacks, with pygments).
# Together they are about a third of the import time of `abctl --help`.
_UNUSED_BY_HELP = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def import_typer_help() -> None:
    """Import typer's help renderer without the parts of rich it never uses for abctl's help: they are imported
    if and when they are used. The stand-ins are seen by typer's module only, never by other importers."""
    if "typer.rich_utils" in sys.modules:
        return
    placed = []
    for module, name in _UNUSED_BY_HELP.items():
        if module not in sys.modules:
            stand_in = types.ModuleType(module)
            setattr(stand_in, name, _Deferred(module, name))
            sys.modules[module] = stand_in
            placed.append(module)
    try:
        importlib.import_module("typer.rich_utils")
    finally:
        for module in placed:
            del sys.modules[module]


def _lightly(format_help: Any) -> Any:
    def drawn(self: Any, ctx: Any, formatter: Any) -> Any:
        import_typer_help()
        return format_help(self, ctx, formatter)

    return drawn


def install_light_help() -> None:
    """Every command's and group's help imports typer's help renderer through `import_typer_help`."""
    for kind in (typer.core.TyperCommand, typer.core.TyperGroup):
        if not getattr(kind.format_help, "_abctl_light", False):
            drawn = _lightly(kind.format_help)
            drawn._abctl_light = True
            kind.format_help = drawn  # type: ignore[method-assign]
