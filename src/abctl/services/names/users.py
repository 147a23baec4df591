"""Client user ids turned into users, with a did-you-mean for an id abctl does not know and the space for one that
lives elsewhere. Ids are case-sensitive (they are the directory's ids, sent to Apple as written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.errors import NotFoundError
from abctl.services.names.suggest import did_you_mean

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
    unknown = [user for user in dict.fromkeys(user_ids) if user not in found]
    if unknown:
        more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])}{' ...' if len(unknown) > 4 else ''})"
        hint = did_you_mean(unknown[0], store.user_ids(), LIST_USERS + (f" --space {space}" if space else ""))
        return NotFoundError(f"no user `{unknown[0]}`" + (more if len(unknown) > 1 else ""), hint=hint)
    elsewhere = [user for user in dict.fromkeys(user_ids) if space is not None and found[user].space != space]
    if elsewhere:
        other = found[elsewhere[0]].space
        more = f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else ""
        return NotFoundError(
            f"user `{elsewhere[0]}` is in space `{other}`, not `{space}`{more}", hint=f"add --space {other}"
        )
    return None
