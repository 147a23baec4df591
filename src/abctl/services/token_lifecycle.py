"""Token rotation, resync and deletion (R13-R15): update keeps name, priority and policies; `clear previous` and
delete revoke the token's licenses on Apple (through the event ledger) before local records change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from abctl.errors import AppleAPIError, ConfigError
from abctl.models import Account, LicenseState, TargetKind
from abctl.services.ledger import send_write, settle_write
from abctl.timeutil import to_iso

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime
    from abctl.services.sync import AccountSync

GRACE_DAYS = 30


@dataclass(frozen=True)
class Revoked:
    """What revoking everything of one account did on Apple."""

    calls: int
    serials: int
    users: int
    event_ids: tuple[str, ...]
    errors: tuple[str, ...]


def revoke_everything(rt: Runtime, account: Account, *, reason: str) -> Revoked:
    """Revoke every revocable license the token's location holds (assets/revoke by target), waiting for the events.

    Raises:
        AppleAPIError: a call failed; what was already revoked stays recorded.
    """
    from abctl.apple.batching import revoke_batches

    client = rt.client(account)
    listing = client.list_assignments()
    serials = [a.target_id for a in listing.items if a.target_kind is TargetKind.DEVICE]
    users = [a.target_id for a in listing.items if a.target_kind is TargetKind.USER]
    batches = revoke_batches(serial_numbers=serials, client_user_ids=users, limits=client.service_config().limits)
    event_ids: list[str] = []
    errors: list[str] = []
    for batch in batches:
        payload = {"target_kind": str(batch.target_kind), "targets": list(batch.targets), "reason": reason}
        sent = send_write(rt, account, "revoke", payload, lambda c, b=batch: c.revoke(b))  # type: ignore[misc]
        settled = settle_write(rt, sent)
        if sent.error is not None:
            errors.append(sent.error.message)
            continue
        assert sent.event_id is not None
        event_ids.append(sent.event_id)
        _mark_revoked(rt, account, batch.target_kind, batch.targets, sent.event_id, reason)
        if settled.failures:
            errors.extend(f.error_message for f in settled.failures)
    if errors:
        raise AppleAPIError(
            f"{len(errors)} revocation(s) for `{account.name}` failed: {errors[0]}",
            hint="nothing local was removed; run the command again, or see: abctl events list",
        )
    return Revoked(len(batches), len(set(serials)), len(set(users)), tuple(event_ids), ())


def _mark_revoked(rt: Runtime, account: Account, kind: TargetKind, targets: tuple[str, ...], event_id: str,
                  reason: str) -> None:  # fmt: skip
    from abctl.store.activity import NewActivity

    store, now = rt.store, rt.now()
    licenses = store.find_licenses(account_id=account.id, targets=[(kind, t) for t in targets])
    until = {
        item.id: now + timedelta(days=GRACE_DAYS) if item.platform not in ("macos",) else None for item in licenses
    }
    store.set_license_state([item.id for item in licenses], LicenseState.REVOKED, event_id=event_id,
                            last_action="revoke", detail=reason, revoked_at=now, usable_until=until)  # fmt: skip
    store.log_activity(
        [NewActivity(action="revoke", result="ok", space=account.space, account_name=account.name,
                     adam_id=item.adam_id, target_kind=str(item.target_kind), target_id=item.target_id,
                     license_type=str(item.target_kind), event_id=event_id,
                     detail=_grace_detail(reason, until[item.id]))
         for item in licenses],
        actor=rt.actor, now=now,
    )  # fmt: skip


def _grace_detail(reason: str, until: datetime | None) -> str:
    return f"{reason}; usable until {to_iso(until)}" if until is not None else f"{reason}; the app stays installed"


def update_token(rt: Runtime, name: str, token_text: str, *, clear_previous: bool = False,
                 auto_distribute: bool | None = None) -> AccountSync:  # fmt: skip
    """Rotate an account's token (same location); keep its name, priority and policies; resync.

    Raises:
        TokenError: bad, expired or revoked token. ConfigError: the token is for another location.
    """
    from abctl.apple.stoken import parse_stoken
    from abctl.services.sync import sync_accounts

    store = rt.store
    account = store.get_account(name)
    token = parse_stoken(token_text, now=rt.now())
    client = rt.clients(token)
    try:
        config = client.client_config()
    finally:
        client.close()
    if config.uid != account.uid:
        raise ConfigError(
            f"the new token is for location `{config.location_name}`, not `{account.location_name}`",
            hint=f"download the token of `{account.location_name}`, or add it as a new account: abctl tokens add",
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
    account = store.get_account(name)
    revoked = revoke_everything(rt, account, reason=f"token `{name}` deleted")
    with store.transaction():
        store.delete_account(account.id)
        remaining = [a.name for a in store.list_accounts(account.space)]
        store.set_priorities(account.space, {n: i for i, n in enumerate(remaining, start=1)})
    return revoked
