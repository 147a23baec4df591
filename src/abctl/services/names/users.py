"""Client user ids turned into users, with a did-you-mean for an id abctl does not know and the space for one that
lives elsewhere. Ids are case-sensitive (they are the directory's ids, sent to Apple as written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.errors import NotFoundError
from abctl.services.names.suggest import missing_in_space

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.users import UserRecord

LIST_USERS = "list users with: abctl users list"


def resolve_user(store: Store, client_user_id: str, *, space: str | None = None) -> UserRecord:
    """The user with that id that is not deleted (in `space` when given).

    Raises: NotFoundError with a did-you-mean, or naming the space the user is in.
    """
    return resolve_users(store, [client_user_id], space=space)[0]


def resolve_users(store: Store, client_user_ids: Sequence[str], *, space: str | None = None) -> list[UserRecord]:
    """The users with these ids, in that order and each once. Raises: NotFoundError for the first unknown one."""
    wanted = list(dict.fromkeys(user.strip() for user in client_user_ids))
    found = {key: user for key, user in store.users_by_id(wanted).items() if user.state != "deleted"}
    error = missing_users(store, wanted, found, space=space)
    if error is not None:
        raise error
    return [found[user] for user in wanted]


def unknown_user(store: Store, client_user_id: str) -> NotFoundError:
    """The NotFoundError for an id abctl has no user with, with the closest ids."""
    error = missing_users(store, [client_user_id.strip()], {})
    assert error is not None
    return error


def missing_users(
    store: Store, user_ids: Sequence[str], found: Mapping[str, UserRecord], *, space: str | None = None
) -> NotFoundError | None:
    """The error for the first of `user_ids` not in `found` (or not in `space`), or None when all are there."""
    return missing_in_space("user", "no user `{}`", user_ids, found, store.user_ids, LIST_USERS, space=space)
