"""Spaces: add, list and remove the partitions that hold accounts, users and devices (R20)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from abctl.errors import ConfigError, InputError
from abctl.models import Space

if TYPE_CHECKING:
    from abctl.store import Store

DEFAULT_SPACE = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def validate_name(name: str, what: str) -> str:
    """Raises: InputError when the name is empty, too long or has characters other than letters, digits . _ -."""
    if not _NAME.match(name):
        raise InputError(
            f"`{name}` is not a valid {what} name",
            hint="use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit",
        )
    return name


def add_space(store: Store, name: str) -> Space:
    """Raises: InputError for a bad name; ConfigError when the space exists."""
    validate_name(name, "space")
    if store.has_space(name):
        raise ConfigError(f"space `{name}` already exists", hint="list spaces with: abctl spaces list")
    store.insert_space(name)
    return store.get_space(name)


def list_spaces(store: Store) -> list[Space]:
    return store.list_spaces()


def remove_space(store: Store, name: str) -> Space:
    """Raises: NotFoundError; ConfigError for `default` or a space that still holds accounts, devices or users."""
    space = store.get_space(name)
    if space.is_default:
        raise ConfigError(
            "the `default` space cannot be removed",
            hint="every installation keeps a `default` space; remove other spaces instead",
        )
    held = [
        f"{count} {what}"
        for count, what in (
            (space.accounts, "account(s)"),
            (space.devices, "device(s)"),
            (space.users, "user(s)"),
        )
        if count
    ]
    if held:
        raise ConfigError(
            f"space `{name}` still holds {', '.join(held)}",
            hint="move or delete them first (abctl tokens delete, abctl move-space, abctl users delete)",
        )
    store.delete_space(name)
    return space


def resolve_space(store: Store, name: str | None) -> str:
    """The space a command acts on: the one named, else `default`. Raises: NotFoundError."""
    if name is None:
        return DEFAULT_SPACE
    return store.get_space(name).name
