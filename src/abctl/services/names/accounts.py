"""Account names (`tokens show NAME`, `sync NAME`, `distribute --account NAME` ...) turned into the account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from abctl.errors import NotFoundError
from abctl.services.names.suggest import unknown

if TYPE_CHECKING:
    from abctl.models.accounts import Account
    from abctl.store import Store

LIST_ACCOUNTS = "list accounts with: abctl tokens list"


def resolve_account(store: Store, name: str) -> Account:
    """The account with that name. Raises: NotFoundError with a did-you-mean."""
    return resolve_accounts(store, [name])[0]


def resolve_accounts(store: Store, names: Sequence[str]) -> list[Account]:
    """The accounts with these names, in that order (each once). Raises: NotFoundError for the first unknown."""
    accounts = {account.name: account for account in store.list_accounts()}
    found: dict[str, Account] = {}
    for name in names:
        value = name.strip()
        if value not in accounts:
            raise unknown_account(value, accounts)
        found.setdefault(value, accounts[value])
    return list(found.values())


def unknown_account(name: str, known: Sequence[str] | dict[str, Account]) -> NotFoundError:
    """The NotFoundError for an account nobody has: the closest names, else how to list or add one."""
    otherwise = (
        LIST_ACCOUNTS if known else f"no account yet; add it with: abctl tokens add {name} --file TOKEN.vpptoken"
    )
    return unknown(f"no account named `{name}`", name, list(known), otherwise=otherwise)
