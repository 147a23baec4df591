"""Spaces and the Apps and Books accounts (one sToken each) that live in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Space:
    """A space: a partition of accounts, users and devices (design.md R20)."""

    name: str
    is_default: bool
    created_at: datetime
    accounts: int = 0
    devices: int = 0
    users: int = 0


class AccountStatus(StrEnum):
    """Health of an account's token, as the last call to Apple (or its expiry date) showed (R18)."""

    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INVALID = "invalid"
    LOGIN_REQUIRED = "login_required"
    CLAIMED = "claimed"
    TOKEN_MISSING = "token_missing"  # restored from a backup taken without --with-tokens


@dataclass(frozen=True)
class Account:
    """An Apps and Books account: one sToken, one Apple location, in one space, at one priority."""

    id: int
    name: str
    space: str
    priority: int
    auto_distribute: bool
    org_name: str
    location_name: str | None
    uid: str
    country: str | None
    token_fingerprint: str
    created_at: datetime
    expires_at: datetime
    status: str = AccountStatus.OK
    status_detail: str | None = None
    mdm_owner_id: str | None = None
    mdm_owner_name: str | None = None
    default_platform: str | None = None
    website_url: str | None = None
    last_full_sync_at: datetime | None = None
    last_sync_at: datetime | None = None
    assets_version_id: str | None = None
    assignments_version_id: str | None = None
    users_version_id: str | None = None
