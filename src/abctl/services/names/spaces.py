"""Space names: what makes a valid name (spaces, accounts, groups), and the space a command acts on (R20)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from abctl.errors import InputError, NotFoundError
from abctl.services.names.suggest import unknown

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


def resolve_space(store: Store, name: str | None) -> str:
    """The space a command acts on: the one named, else `default`. Raises: NotFoundError with a did-you-mean."""
    if name is None:
        return DEFAULT_SPACE
    if store.has_space(name):
        return name
    raise unknown_space(store, name)


def unknown_space(store: Store, name: str) -> NotFoundError:
    """The NotFoundError for a space nobody has, with the closest names."""
    names = [space.name for space in store.list_spaces()]
    return unknown(f"no space named `{name}`", name, names, otherwise="list spaces with: abctl spaces list")
