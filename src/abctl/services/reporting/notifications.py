"""Raising and clearing notifications: usage thresholds per account and asset (R17), authentication problems
with the action to take (R18), token expiry 30 days ahead, and drift between Apple and abctl (R22).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from abctl.domain import thresholds
from abctl.errors import TokenError, rotate_command
from abctl.models.accounts import Account, AccountStatus

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime

EXPIRY_WARNING_DAYS = 30
AUTH_ACTIONS = {
    AccountStatus.INVALID: ("Invalid Authentication Token", "Upload a valid Apps and Books sToken"),
    AccountStatus.EXPIRED: ("Expired Token", "Generate a new token online using your organization's account"),
    AccountStatus.REVOKED: ("The sToken has been revoked", "Upload a valid Apps and Books sToken"),
    AccountStatus.LOGIN_REQUIRED: ("Login required", "Log into the Apps and Books service"),
    AccountStatus.CLAIMED: (
        "Location claimed by another MDM",
        "Only one MDM should manage a location: stop the other MDM's use of it",
    ),
    AccountStatus.TOKEN_MISSING: (
        "sToken missing (restored from a backup without tokens)",
        "Upload the token again: abctl tokens update NAME --file TOKEN_FILE",
    ),
}
# The statuses a new token cures; the others are fixed at Apple or in the other MDM, then checked again.
NEEDS_NEW_TOKEN = {AccountStatus.INVALID, AccountStatus.EXPIRED, AccountStatus.REVOKED, AccountStatus.EXPIRING}


def auth_action(status: AccountStatus, account: str) -> tuple[str, str]:
    """The notification title and the action with the real next command, the account's name filled in."""
    title, action = AUTH_ACTIONS.get(status, ("Token expires soon", "Download a new token"))
    if status in NEEDS_NEW_TOKEN:
        return title, f"{action}, then run: {rotate_command(account)}"
    return title, f"{action}, then run: abctl tokens check"


def evaluate_usage(rt: Runtime, account_ids: Iterable[int]) -> int:
    """Raise and clear usage notifications for the accounts' assets; returns how many were raised."""
    store, now, raised = rt.store, rt.now(), 0
    for account_id in account_ids:
        account = store.get_account_by_id(account_id)
        assets = store.list_account_assets(account_id)
        names = store.app_names(asset.adam_id for asset in assets)
        opened = store.open_asset_triggers(account_id, "usage")
        for asset in assets:
            percent = thresholds.percent_used(asset.assigned, asset.total)
            open_ = opened.get((asset.adam_id, asset.pricing_param), set())
            change = thresholds.evaluate(percent, frozenset(int(t.rstrip("%")) for t in open_))
            if change.clear:
                store.clear_notifications(account_id, "usage", now=now, adam_id=asset.adam_id,
                                          pricing_param=asset.pricing_param)  # fmt: skip
            for trigger in change.raise_:
                store.raise_notification(
                    kind="usage", account_id=account_id, account_name=account.name, adam_id=asset.adam_id,
                    pricing_param=asset.pricing_param, severity=thresholds.trigger_level(trigger).value,
                    trigger=f"{trigger}%",
                    message=f"{trigger}% of the licenses of {names.get(asset.adam_id, asset.adam_id)} redeemed",
                    action=None, now=now,
                )  # fmt: skip
                raised += 1
    return raised


def set_drift_notification(rt: Runtime, account: Account, reasons: Mapping[str, int]) -> None:
    """R22: raise the account's `drift` notification (count and reasons) when its drift changed, keep it while
    the same drift remains, clear it when none is left."""
    store, now = rt.store, rt.now()
    open_ = store.open_triggers(account.id, "drift", None, None)
    trigger = ", ".join(f"{count} {reason}" for reason, count in reasons.items() if count)
    if trigger in open_:
        return
    if open_:
        store.clear_notifications(account.id, "drift", now=now)
    if not trigger:
        return
    total = sum(reasons.values())
    store.raise_notification(
        kind="drift", account_id=account.id, account_name=account.name, severity="warn", trigger=trigger,
        message=f"{total} difference(s) between Apple and abctl", now=now,
        action=f"Review them: abctl drift {account.name}; settle: abctl drift settle --revoke|--adopt|--forget",
    )  # fmt: skip


def record_token_problem(rt: Runtime, account: Account, error: TokenError) -> None:
    """An Apple call met an authentication error: set the account's status and raise the R18 notification."""
    status = (
        AccountStatus(error.status) if error.status in AccountStatus.__members__.values() else AccountStatus.INVALID
    )
    set_account_status(rt, account, status, detail=error.message)


def set_account_status(rt: Runtime, account: Account, status: AccountStatus, *, detail: str | None = None) -> None:
    """Record a token's health; raise the authentication notification for a new problem, clear it when fixed."""
    store, now = rt.store, rt.now()
    store.update_account(account.id, status=str(status), status_detail=detail)
    if status in AUTH_ACTIONS:
        title, action = auth_action(status, account.name)
        if str(status) not in store.open_triggers(account.id, "auth", None, None):
            store.clear_notifications(account.id, "auth", now=now)
            store.raise_notification(kind="auth", account_id=account.id, account_name=account.name, severity="alert",
                                     trigger=str(status), message=title, action=action, now=now)  # fmt: skip
    else:
        store.clear_notifications(account.id, "auth", now=now)
    days_left = (account.expires_at - now) / timedelta(days=1)
    if 0 < days_left <= EXPIRY_WARNING_DAYS:
        if not store.open_triggers(account.id, "expiry", None, None):
            store.raise_notification(
                kind="expiry", account_id=account.id, account_name=account.name, severity="warn",
                trigger=f"expires {account.expires_at:%Y-%m-%d}",
                message=f"the sToken expires in {int(days_left)} days", now=now,
                action=auth_action(AccountStatus.EXPIRING, account.name)[1],
            )  # fmt: skip
    elif days_left > EXPIRY_WARNING_DAYS:
        store.clear_notifications(account.id, "expiry", now=now)
