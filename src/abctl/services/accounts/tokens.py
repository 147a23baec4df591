"""Accounts and their tokens (R1, R13, R18): add, list, show and check. A token is validated with Apple's
client/config before anything is stored; a location claimed by another MDM is refused unless taken over.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl import __version__
from abctl.domain.priority import reprioritise
from abctl.domain.token_health import token_status
from abctl.errors import ConfigError, TokenError
from abctl.models.accounts import Account, AccountStatus
from abctl.models.apple import ClientConfig, MdmInfo, SToken
from abctl.services.names.accounts import resolve_account
from abctl.services.names.spaces import resolve_space, validate_name
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.services.accounts.sync import AccountSync, ProgressCallback
    from abctl.services.runtime import Runtime


@dataclass(frozen=True)
class AddedAccount:
    account: Account
    sync: AccountSync | None
    took_over: bool


def installation_mdm_info(rt: Runtime) -> MdmInfo:
    """How abctl names itself when it claims a location (`mdmInfo`)."""
    return MdmInfo(
        id=rt.store.installation_id(), name="abctl", metadata=f"abctl {__version__} on {socket.gethostname()}"[:255]
    )


def claimed_by_other(config: ClientConfig, installation_id: str) -> bool:
    return config.mdm_info is not None and config.mdm_info.id != installation_id


def _claimed_error(config: ClientConfig) -> TokenError:
    owner = config.mdm_info.name if config.mdm_info else "another MDM"
    return TokenError(
        f"location `{config.location_name}` is managed by another MDM ({owner})",
        hint="only one MDM should manage a location; to move it to abctl, add --take-over",
        status=str(AccountStatus.CLAIMED),
    )


def add_account(
    rt: Runtime,
    name: str,
    token_text: str,
    *,
    space: str | None = None,
    priority: int | None = None,
    auto_distribute: bool = True,
    take_over: bool = False,
    clear_previous: bool = False,
    sync: bool = True,
    on_progress: ProgressCallback | None = None,
) -> AddedAccount:
    """Validate the token with Apple, record the account at its priority, and run the first full sync.

    Raises:
        InputError: bad name or priority. TokenError: bad, expired, revoked or claimed token.
        ConfigError: the name or the location is already known.
    """
    from abctl.apple.stoken import parse_stoken

    store = rt.store
    validate_name(name, "account")
    space_name = resolve_space(store, space)
    if any(a.name == name for a in store.list_accounts()):
        raise ConfigError(
            f"an account named `{name}` already exists", hint="choose another name, or: abctl tokens update"
        )
    token = parse_stoken(token_text, now=rt.now())
    names = [a.name for a in store.list_accounts(space_name)]
    priorities = reprioritise(names, name, priority if priority is not None else len(names) + 1)
    try:
        config, took_over = _validate_with_apple(rt, token, take_over)
    except TokenError as error:  # no account yet: the next command is this one again, with a good token
        again = f"abctl tokens add {name} --file NEW.vpptoken" + (f" --space {space_name}" if space else "")
        raise error.for_account(name, command=again) from None
    existing = store.find_account_by_uid(config.uid)
    if existing is not None:
        raise ConfigError(
            f"location `{config.location_name}` is already account `{existing.name}`",
            hint=f"to replace its token run: abctl tokens update {existing.name} --file NEW.vpptoken",
        )
    fields = {
        "name": name, "space": space_name, "priority": 10_000_000 + len(names), "auto_distribute": int(auto_distribute),
        "org_name": token.org_name, "location_name": config.location_name, "uid": config.uid,
        "country": config.country, "default_platform": config.default_platform, "website_url": config.website_url,
        "token_fingerprint": token.fingerprint, "created_at": to_iso(rt.now()),
        "expires_at": to_iso(config.token_expires_at or token.expires_at),
        "mdm_owner_id": config.mdm_info.id if config.mdm_info else None,
        "mdm_owner_name": config.mdm_info.name if config.mdm_info else None,
    }  # fmt: skip
    with store.transaction():
        account = store.insert_account(fields, token.secret)
        store.set_priorities(space_name, priorities)
    account = store.get_account(name)
    if clear_previous:
        from abctl.services.accounts.lifecycle import revoke_everything

        revoke_everything(rt, account, reason="token added with --clear-previous")
    result = None
    if sync:
        from abctl.services.accounts.sync import sync_accounts

        result = sync_accounts(rt, [account], full=True, on_progress=on_progress)[0]
        if result.error is not None:
            raise result.error
    return AddedAccount(store.get_account(name), result, took_over)


def _validate_with_apple(rt: Runtime, token: SToken, take_over: bool) -> tuple[ClientConfig, bool]:
    client = rt.clients(token)
    try:
        config = client.client_config()
        if not claimed_by_other(config, rt.store.installation_id()):
            return config, False
        if not take_over:
            raise _claimed_error(config)
        return client.claim_location(installation_mdm_info(rt)), True
    finally:
        client.close()


def set_priority(rt: Runtime, name: str, priority: int) -> list[Account]:
    """Move an account to a priority inside its space (R1); no license moves. Raises: NotFoundError, InputError."""
    store = rt.store
    account = resolve_account(store, name)
    ordered = [a.name for a in store.list_accounts(account.space)]
    store.set_priorities(account.space, reprioritise(ordered, name, priority))
    return store.list_accounts(account.space)


@dataclass(frozen=True)
class TokenProblem:
    account: str
    space: str
    status: str
    expires_at: str
    problem: str
    action: str


def check_tokens(rt: Runtime, *, expiring_within_days: int = 30) -> list[TokenProblem]:
    """Probe every token with client/config (a data endpoint) and list the problems found."""
    from abctl.services.reporting.notifications import auth_action, record_token_problem, set_account_status

    problems: list[TokenProblem] = []
    for account in rt.store.list_accounts():
        status = AccountStatus.OK
        try:
            config = rt.client(account).client_config()
            if claimed_by_other(config, rt.store.installation_id()):
                status = AccountStatus.CLAIMED
                set_account_status(rt, account, status, detail="claimed by another MDM")
            else:
                set_account_status(rt, account, AccountStatus.OK)
        except TokenError as error:
            record_token_problem(rt, account, error)
            status = AccountStatus(rt.store.get_account(account.name).status)
        status = token_status(status, account.expires_at, rt.now(), within_days=expiring_within_days)
        if status is not AccountStatus.OK:
            title, action = auth_action(status, account.name)
            problems.append(TokenProblem(account.name, account.space, str(status), to_iso(account.expires_at),
                                         title, action.replace("NAME", account.name)))  # fmt: skip
    return problems
