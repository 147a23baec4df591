"""A token's health as people read it: what Apple last said, or (when Apple was happy) its expiry date.

`tokens list`, `tokens show` and `tokens check` all ask here, so they say `expiring` for the same tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from abctl.models.accounts import AccountStatus

EXPIRING_WITHIN_DAYS = 30  # `tokens check`'s default warning, and when `tokens list` says `expiring`


def token_status(
    stored: AccountStatus | str, expires_at: datetime, now: datetime, *, within_days: int = EXPIRING_WITHIN_DAYS
) -> AccountStatus:
    """`expired` past the expiry date, `expiring` within `within_days` of it, else the status Apple gave."""
    status = AccountStatus(stored)
    if status not in (AccountStatus.OK, AccountStatus.EXPIRING):
        return status
    if expires_at <= now:
        return AccountStatus.EXPIRED
    if expires_at - now <= timedelta(days=within_days):
        return AccountStatus.EXPIRING
    return AccountStatus.OK
