"""Spaces: add, list and remove the partitions that hold accounts, users and devices (R20)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from abctl.errors import ConfigError
from abctl.models.accounts import Space
from abctl.services.names.spaces import resolve_space, validate_name

if TYPE_CHECKING:
    from abctl.store import Store


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
    space = store.get_space(resolve_space(store, name))
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
