"""A user's side at Apple: `users invite` registers users with every account of their space, and with the default
space's when apps are delegated to it (users/create, batched by maxUsers, through the ledger), waits for the
events, reads the users back for their inviteCode and status, and builds the invite URL from service/config's
`invitationEmail`; a managed Apple ID auto-associates. `users retire` sends users/retire to the accounts where
the user is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from abctl.errors import ConfigError, InputError
from abctl.models.accounts import Account
from abctl.models.apple import AppleUser, AppleUserStatus
from abctl.models.ledger import EventKind, LedgerState
from abctl.services.names.spaces import DEFAULT_SPACE, resolve_space
from abctl.services.names.users import missing_users

if TYPE_CHECKING:
    from abctl.services.ledger.writes import SettledWrite
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.users import UserRecord

ENROLLED = {AppleUserStatus.REGISTERED.value, AppleUserStatus.ASSOCIATED.value}
# Above this many users per account, one full read of GET users is cheaper than one filtered read per user.
READ_BACK_ONE_BY_ONE = 25
ALREADY_EXISTS = 9716  # users/create: a registered user with that clientUserId exists


@dataclass(frozen=True)
class EnrollmentRow:
    """One user in one account after `invite` or `retire`."""

    client_user_id: str
    space: str
    account: str
    status: str | None
    invite_url: str | None
    result: str
    event_id: str | None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _users(rt: Runtime, user_ids: Sequence[str], *, allow_retired: bool) -> list[UserRecord]:
    wanted = list(dict.fromkeys(user.strip() for user in user_ids))
    found = {key: user for key, user in rt.store.users_by_id(wanted).items() if user.state != "deleted"}
    missing = missing_users(rt.store, wanted, found)
    if missing is not None:
        raise missing
    for user in wanted:
        if found[user].state == "retired" and not allow_retired:
            raise InputError(f"user `{user}` is already retired")
    return [found[user] for user in wanted]


def serving_accounts(store: Store, space: str) -> list[Account]:
    """The accounts a space's users enrol with: the space's own, then, when apps are delegated to the space, the
    default space's, which serve those apps' user-based licenses (R21)."""
    own = store.list_accounts(space)
    if space == DEFAULT_SPACE or not store.delegations(space=space):
        return own
    return own + store.list_accounts(DEFAULT_SPACE)


def pending_users(rt: Runtime, space: str | None) -> list[UserRecord]:
    """Active users not yet Associated with every account of their space."""
    store = rt.store
    space_name = resolve_space(store, space) if space is not None else None
    users = store.list_users(space=space_name, states=("active",))
    statuses = store.apple_statuses([user.client_user_id for user in users])
    accounts: dict[str, set[int]] = {}
    pending = []
    for user in users:
        ids = accounts.setdefault(user.space, {a.id for a in serving_accounts(store, user.space)})
        associated = {s.account_id for s in statuses.get(user.client_user_id, ()) if s.status == "Associated"}
        if ids - associated:
            pending.append(user)
    return pending


def _free_name(rt: Runtime, space: str) -> str:
    """An account name to suggest for a space's first token: the space's own name, unless an account has it."""
    taken = {account.name for account in rt.store.list_accounts()}
    return next(name for name in (space, *(f"{space}-{n}" for n in range(2, 100))) if name not in taken)


def _accounts_by_space(rt: Runtime, users: Sequence[UserRecord]) -> dict[str, list[Account]]:
    spaces = sorted({user.space for user in users})
    found = {space: serving_accounts(rt.store, space) for space in spaces}
    empty = [space for space, accounts in found.items() if not accounts]
    if empty:
        raise ConfigError(
            f"space `{empty[0]}` has no Apps and Books account to register users with",
            hint=f"add its token: abctl tokens add {_free_name(rt, empty[0])} --file TOKEN.vpptoken --space {empty[0]}",
        )
    return found


def invite_users(
    rt: Runtime,
    user_ids: Sequence[str] = (),
    *,
    all_pending: bool = False,
    space: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[EnrollmentRow]:
    """Register the users with Apple in every account of their space and return their invite URLs.

    Raises: NotFoundError for an unknown user; ConfigError when a space has no account.
    """
    from abctl.apple.batching import user_batches
    from abctl.services.ledger.writes import send_all, settle_write

    users = pending_users(rt, space) if all_pending else _users(rt, user_ids, allow_retired=True)
    if not users:
        return []
    store = rt.store
    by_space = _accounts_by_space(rt, users)
    statuses = store.apple_statuses([user.client_user_id for user in users])
    writes = []
    for space_name, accounts in by_space.items():
        members = [user for user in users if user.space == space_name]
        for account in accounts:
            known = {s.client_user_id for s in _account_statuses(statuses, account) if s.status in ENROLLED}
            requests = [{"client_user_id": u.client_user_id, "email": u.email, "managed_apple_id": u.managed_apple_id}
                        for u in members if u.client_user_id not in known]  # fmt: skip
            limits = rt.client(account).service_config().limits
            for batch in user_batches(requests, limits):
                payload = {"client_user_ids": [item["client_user_id"] for item in batch]}
                writes.append((account, EventKind.USER_CREATE.value, payload, _create(batch)))
    settled = [settle_write(rt, sent) for sent in send_all(rt, writes, on_progress=on_progress)]
    rows = []
    for space_name, accounts in by_space.items():
        members = [user for user in users if user.space == space_name]
        for account in accounts:
            rows += _invite_rows(
                rt, account, members, statuses, [s for s in settled if s.sent.account.id == account.id]
            )
    _log(rt, rows, action="invite")
    done = [row.client_user_id for row in rows if row.status in ENROLLED]
    revived = [user.client_user_id for user in users if user.state == "retired" and user.client_user_id in done]
    store.set_user_state(revived, "active", now=rt.now())
    return rows


def _create(batch: tuple[dict[str, str | None], ...]) -> Callable[[Any], str]:
    return lambda client: str(client.create_users(list(batch)))


def _account_statuses(statuses: dict[str, list[Any]], account: Account) -> list[Any]:
    return [s for items in statuses.values() for s in items if s.account_id == account.id]


def _invite_rows(
    rt: Runtime, account: Account, members: Sequence[UserRecord], statuses: dict[str, list[Any]],
    settled: Sequence[SettledWrite],
) -> list[EnrollmentRow]:  # fmt: skip
    outcome: dict[str, tuple[str, str | None, str | None]] = {}  # user -> (result, event_id, detail)
    for write in settled:
        for user in write.sent.payload["client_user_ids"]:
            failure = write.failure_for("user", user)
            if write.state is LedgerState.PENDING:
                outcome[user] = ("pending", write.sent.event_id, "Apple has not finished; run: abctl events wait")
            elif failure is not None and failure.error_number != ALREADY_EXISTS:
                outcome[user] = ("failed", write.sent.event_id, f"{failure.error_number} {failure.error_message}")
            elif write.state is LedgerState.COMPLETE or failure is not None:
                outcome[user] = ("registered", write.sent.event_id, None)
            else:
                error = write.sent.error
                outcome[user] = ("failed", None, error.message if error else "not sent")
    stored = {s.client_user_id: s for s in _account_statuses(statuses, account)}
    fresh = _read_back(rt, account, [u for u, (result, _e, _d) in outcome.items() if result == "registered"])
    config = rt.client(account).service_config()
    rows = []
    for user in members:
        result, event_id, detail = outcome.get(user.client_user_id, ("already registered", None, None))
        apple = fresh.get(user.client_user_id)
        status = (
            apple.status if apple else (stored[user.client_user_id].status if user.client_user_id in stored else None)
        )
        code = apple.invite_code if apple else (stored[user.client_user_id].invite_code if status else None)
        url = config.invite_url(code) if code and status == AppleUserStatus.REGISTERED.value else None
        if result in ("registered", "already registered") and status == AppleUserStatus.ASSOCIATED.value:
            result = "associated" if result == "registered" else "already associated"
        rows.append(EnrollmentRow(user.client_user_id, user.space, account.name, status, url, result, event_id, detail))
    return rows


def _read_back(rt: Runtime, account: Account, user_ids: Sequence[str]) -> dict[str, AppleUser]:
    """Apple's record of users just registered (inviteCode, status), saved in apple_users."""
    if not user_ids:
        return {}
    client = rt.client(account)
    wanted = set(user_ids)
    if len(user_ids) <= READ_BACK_ONE_BY_ONE:
        found = [item for user in user_ids for item in client.list_users(client_user_id=user).items]
    else:
        found = list(client.list_users().items)
    found = [item for item in found if item.client_user_id in wanted]
    rt.store.upsert_apple_users(account.id, found, now=rt.now(), replace=False)
    return {item.client_user_id: item for item in found}


def retire_users(
    rt: Runtime, user_ids: Sequence[str], *, on_progress: Callable[[int, int], None] | None = None
) -> list[EnrollmentRow]:
    """users/retire in every account where the users are registered; they become `retired` locally.

    Raises: NotFoundError for an unknown user; InputError for one already retired.
    """
    from abctl.apple.batching import user_batches
    from abctl.services.ledger.writes import send_all, settle_write

    store = rt.store
    users = {user.client_user_id: user for user in _users(rt, user_ids, allow_retired=False)}
    statuses = store.apple_statuses(list(users))
    writes = []
    for space_name, accounts in _accounts_by_space(rt, list(users.values())).items():
        for account in accounts:
            ids = [s.client_user_id for s in _account_statuses(statuses, account)
                   if s.status in ENROLLED and users[s.client_user_id].space == space_name]  # fmt: skip
            for batch in user_batches(ids, rt.client(account).service_config().limits):
                writes.append((account, EventKind.USER_RETIRE.value, {"client_user_ids": list(batch)}, _retire(batch)))
    rows = []
    failed: set[str] = set()
    for write in [settle_write(rt, sent) for sent in send_all(rt, writes, on_progress=on_progress)]:
        done = []
        for user in write.sent.payload["client_user_ids"]:
            failure = write.failure_for("user", user)
            if write.sent.event_id is not None and write.state is not LedgerState.PENDING and failure is None:
                done.append(user)
                row = EnrollmentRow(user, users[user].space, write.sent.account.name, "Retired", None, "retired",
                                    write.sent.event_id)  # fmt: skip
            else:
                failed.add(user)
                detail = _failure_text(write, failure)
                row = EnrollmentRow(user, users[user].space, write.sent.account.name, None, None, "failed",
                                    write.sent.event_id, detail)  # fmt: skip
            rows.append(row)
        store.set_apple_user_status(write.sent.account.id, done, AppleUserStatus.RETIRED.value, now=rt.now())
    sent_users = {user for write in writes for user in write[2]["client_user_ids"]}
    for user in users.values():
        if user.client_user_id not in sent_users:
            note = "not registered with Apple"
            rows.append(EnrollmentRow(user.client_user_id, user.space, "", None, None, "retired locally", None, note))
    store.set_user_state(sorted(set(users) - failed), "retired", now=rt.now())
    _log(rt, rows, action="retire")
    return rows


def _failure_text(write: SettledWrite, failure: Any) -> str:
    if failure is not None:
        return f"{failure.error_number} {failure.error_message}"
    if write.sent.error is not None:
        return write.sent.error.message
    return "Apple has not finished; run: abctl events wait"


def _retire(batch: tuple[str, ...]) -> Callable[[Any], str]:
    return lambda client: str(client.retire_users(list(batch)))


def _log(rt: Runtime, rows: Sequence[EnrollmentRow], *, action: str) -> None:
    from abctl.store.activity import NewActivity

    entries = [
        NewActivity(action=action, result=row.result, space=row.space, account_name=row.account,
                    target_kind="user", target_id=row.client_user_id, event_id=row.event_id, detail=row.detail)
        for row in rows if row.event_id is not None or row.result == "failed"
    ]  # fmt: skip
    if entries:
        rt.store.log_activity(entries, actor=rt.actor, now=rt.now())
