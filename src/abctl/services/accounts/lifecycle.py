"""Token rotation, resync and deletion (R13-R15): update keeps name, priority and policies; `clear previous` and
delete revoke the token's licenses on Apple through the shared revocation service (same plan, ledger, grace and
activity log as every other revocation) before local records change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from abctl.errors import AppleAPIError, ConfigError, TokenError
from abctl.models.accounts import Account
from abctl.models.enums import TargetKind
from abctl.services.names.accounts import resolve_account
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.services.accounts.sync import AccountSync
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.runtime import Runtime


@dataclass(frozen=True)
class Revoked:
    """What revoking everything of one account did on Apple."""

    calls: int
    serials: int
    users: int
    event_ids: tuple[str, ...]
    errors: tuple[str, ...]
    result: RevocationResult | None = None


def revoke_everything(
    rt: Runtime, account: Account, *, reason: str, on_progress: Callable[[int, int], None] | None = None
) -> Revoked:
    """Revoke every revocable license the token's location holds, through the shared revocation service.

    The account is synced first, so the plan (assets/revoke by target) covers what Apple holds, including licenses
    handed out before abctl knew the location; then the events are awaited, licenses get their R12 grace and the
    activity log its entries, as for every other revocation.

    Raises:
        AppleAPIError (5), AppleUnavailableError (6): a license could not be revoked, or Apple has not finished;
        what was revoked stays recorded. TokenError: the sync before the plan was refused.
    """
    from abctl.services.accounts.sync import sync_accounts
    from abctl.services.revocation.execute import execute_revocation
    from abctl.services.revocation.plan import plan_for_account

    synced = sync_accounts(rt, [account])[0]
    if synced.error is not None:
        raise synced.error
    plan = plan_for_account(rt.store, account.id, reason=reason, now=rt.now())
    result = execute_revocation(rt, plan, on_progress=on_progress)
    hint = "nothing else was changed; run the command again, or see: abctl events list"
    failure = result.failure(hint=hint)
    if failure is not None:
        raise failure
    pending = result.count("pending")
    if pending:
        raise AppleAPIError(
            f"Apple has not finished {pending} revocation(s) for `{account.name}`",
            hint="nothing else was changed; settle them with: abctl events wait, then run the command again",
        )
    sent = [outcome.row for outcome in result.outcomes if outcome.result == "revoked"]
    return Revoked(
        calls=len(result.calls),
        serials=len({row.target_id for row in sent if row.license_type == TargetKind.DEVICE}),
        users=len({row.target_id for row in sent if row.license_type == TargetKind.USER}),
        event_ids=tuple(call.event_id for call in result.calls if call.event_id is not None),
        errors=(),
        result=result,
    )


def update_token(rt: Runtime, name: str, token_text: str, *, clear_previous: bool = False,
                 auto_distribute: bool | None = None) -> AccountSync:  # fmt: skip
    """Rotate an account's token (same location); keep its name, priority and policies; resync.

    Raises:
        TokenError: bad, expired or revoked token. ConfigError: the token is for another location.
    """
    from abctl.apple.stoken import parse_stoken
    from abctl.services.accounts.sync import sync_accounts

    store = rt.store
    account = resolve_account(store, name)
    token = parse_stoken(token_text, now=rt.now())
    client = rt.clients(token)
    try:
        config = client.client_config()
    except TokenError as error:
        raise error.for_account(account.name) from None
    finally:
        client.close()
    if config.uid != account.uid:
        new = re.sub(r"[^a-z0-9]+", "-", config.location_name.lower()).strip("-")[:64] or "location"
        raise ConfigError(
            f"the new token is for location `{config.location_name}`, not `{account.location_name}`",
            hint=f"download the token of `{account.location_name}`, or add this location as a new account: "
            f"abctl tokens add {new} --file NEW.vpptoken",
        )
    with store.transaction():
        store.replace_secret(account.id, token.secret)
        fields: dict[str, object] = {"token_fingerprint": token.fingerprint, "org_name": token.org_name,
                                     "expires_at": to_iso(config.token_expires_at or token.expires_at)}  # fmt: skip
        if auto_distribute is not None:
            fields["auto_distribute"] = int(auto_distribute)
        store.update_account(account.id, **fields)
    rt.forget_client(account)
    account = store.get_account(name)
    if clear_previous:
        revoke_everything(rt, account, reason="token updated with --clear-previous")
        store.delete_licenses_of_account(account.id)
    result = sync_accounts(rt, [account], full=True)[0]
    if result.error is not None:
        raise result.error
    return result


def delete_account(rt: Runtime, name: str) -> Revoked:
    """R14: revoke the account's licenses on Apple first, then drop its data (catalog apps stay)."""
    store = rt.store
    account = resolve_account(store, name)
    revoked = revoke_everything(rt, account, reason=f"token `{name}` deleted")
    with store.transaction():
        store.delete_account(account.id)
        remaining = [a.name for a in store.list_accounts(account.space)]
        store.set_priorities(account.space, {n: i for i, n in enumerate(remaining, start=1)})
    return revoked


DIRECTIONS = {"found": "on Apple only", "missing": "gone from Apple"}


@dataclass(frozen=True)
class DriftedLicense:
    """A license a resync found on Apple only (now recorded as `external`) or gone from Apple (now revoked)."""

    account: str
    adam_id: str
    name: str
    pricing_param: str
    target_kind: str
    target_id: str
    direction: str

    @property
    def target(self) -> str:
        return f"{self.target_kind}:{self.target_id}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "target": self.target}


def resync(rt: Runtime, accounts: Sequence[Account]) -> tuple[list[AccountSync], list[DriftedLicense]]:
    """R15: a full re-read of every account, replacing local license state; also names each license the read
    found on Apple only or gone from Apple (R22), by account, direction, app name and target."""
    from abctl.services.accounts.sync import sync_accounts

    results = sync_accounts(rt, accounts, full=True, name_drift=True)
    names = rt.store.app_names({key[0] for result in results for _, key in result.drifted})
    drifted = [
        DriftedLicense(result.account, adam_id, names.get(adam_id, adam_id), pricing, kind, target, DIRECTIONS[way])
        for result in results
        for way, (adam_id, pricing, kind, target) in result.drifted
    ]
    drifted.sort(key=lambda d: (d.account, d.direction, d.name.casefold(), d.adam_id, d.target))
    return results, drifted
