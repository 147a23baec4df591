"""Option and argument values converted without pydantic.

Typer converts every parameter value through a pydantic TypeAdapter; importing pydantic and building an adapter
per parameter costs about 70 ms at each start, more than the rest of a small command. abctl's parameters are
plain: text, flags, whole numbers and numbers with bounds, choices (enums), paths, and lists of those. Those are
converted here, with plain messages ("must be at least 1"); any other kind of parameter goes to typer's own
conversion, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer.core
from typer import _coercion
from typer._param_types import coerce_cli_choice, coerce_cli_path

TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE = frozenset({"0", "false", "f", "no", "n", "off", ""})


def _leaf(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is list and len(get_args(annotation)) == 1 else annotation


def handled(descriptor: Any) -> bool:
    """Whether abctl converts this parameter itself."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None or getattr(info, "click_type", None):
        return False
    leaf = _leaf(descriptor.annotation)
    if leaf is bool or leaf is str or leaf is int or leaf is float:
        return True
    return isinstance(leaf, type) and (issubclass(leaf, Enum) or issubclass(leaf, Path))


@dataclass(frozen=True)
class PlainRuntimeParam(_coercion.RuntimeParam):
    """Converts one value of a plain parameter (see `handled`)."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation: Any = self.annotation
        if get_origin(annotation) is list:
            items = value if isinstance(value, list | tuple) else [value]
            return [self._one(_leaf(annotation), item, param, ctx) for item in items]
        return self._one(annotation, value, param, ctx)

    def _one(self, kind: Any, value: Any, param: Any, ctx: Any) -> Any:
        info = self.parameter_info
        try:
            if kind is str:
                return value if isinstance(value, str) else str(value)
            if kind is bool:
                return _boolean(value)
            if kind is int or kind is float:
                return _number(kind, value, info.min, info.max, bool(info.clamp))
            if issubclass(kind, Enum):
                return coerce_cli_choice(value, choices=tuple(kind), case_sensitive=info.case_sensitive, ctx=ctx)
            path = value if isinstance(value, Path) else kind(value)
            return coerce_cli_path(path, info, path_type=info.path_type or kind, param=param, ctx=ctx)
        except ValueError as error:
            raise typer.BadParameter(str(error), ctx=ctx, param=param) from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no (true/false, 1/0)")


def _number(kind: Any, value: Any, low: Any, high: Any, clamp: bool) -> Any:
    try:
        number = kind(value) if not isinstance(value, kind) or isinstance(value, bool) else value
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not {'a whole number' if kind is int else 'a number'}") from None
    if low is not None and number < low:
        if clamp:
            return kind(low)
        raise ValueError(f"{value} is too small: it must be at least {low}")
    if high is not None and number > high:
        if clamp:
            return kind(high)
        raise ValueError(f"{value} is too large: it must be at most {high}")
    return number


_typers_own = _coercion.build_runtime_param


def build_runtime_param(descriptor: Any) -> Any:
    """Typer's hook: the plain conversion when `handled`, else typer's own."""
    if handled(descriptor):
        return PlainRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
    return _typers_own(descriptor)


def install() -> None:
    typer.core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]
