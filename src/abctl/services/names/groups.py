"""Group names of a space turned into the stored name, with a did-you-mean. `All Users` is implicit: every user of
the space is in it, so it always resolves. Group names are case-sensitive; another case is only suggested.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from abctl.domain.allocation import ALL_USERS
from abctl.errors import NotFoundError
from abctl.services.names.suggest import unknown

if TYPE_CHECKING:
    from abctl.store import Store

__all__ = ["ALL_USERS", "is_all_users", "resolve_group"]


def is_all_users(name: str) -> bool:
    return name.strip().casefold() == ALL_USERS.casefold()


def resolve_group(store: Store, name: str, space: str) -> str:
    """The group's name as stored (`All Users` for the implicit group). Raises: NotFoundError with a did-you-mean."""
    value = name.strip()
    if is_all_users(value):
        return ALL_USERS
    names = store.group_names(space)
    if value in names:
        return value
    message = f"no group `{value}` in space `{space}`"
    same = [other for other in names if other.casefold() == value.casefold()]
    elsewhere = [
        other.name for other in store.list_spaces() if other.name != space and value in store.group_names(other.name)
    ]
    if elsewhere and not same:  # the very name in another space says more than a similar one here
        raise NotFoundError(message, hint=f"it is in space `{elsewhere[0]}`: add --space {elsewhere[0]}")
    otherwise = f"add it with: abctl groups add {shlex.quote(value)} --space {space}"
    raise unknown(message, value, [*names, ALL_USERS], otherwise=otherwise)
