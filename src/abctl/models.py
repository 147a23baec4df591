"""Frozen dataclasses shared by every layer of abctl.

Names are snake_case; Apple's camelCase stops in `abctl.apple.wire`. This module imports only
the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class TargetKind(StrEnum):
    """What a license is assigned to: a device (serial number) or a user (clientUserId)."""

    DEVICE = "device"
    USER = "user"


class Platform(StrEnum):
    """Device platforms abctl knows; Apple's `supportedPlatforms` use iOS for iPadOS too."""

    IOS = "ios"
    IPADOS = "ipados"
    MACOS = "macos"
    TVOS = "tvos"
    VISIONOS = "visionos"


class ProductType(StrEnum):
    APP = "App"
    BOOK = "Book"


class AppleUserStatus(StrEnum):
    """Apple's status of a user registered with one location."""

    REGISTERED = "Registered"
    ASSOCIATED = "Associated"
    RETIRED = "Retired"
    DELETED = "Deleted"


class EventState(StrEnum):
    """Overall state of an Apple asynchronous event (`GET status`)."""

    PENDING = "PENDING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class EventType(StrEnum):
    ASSOCIATE = "ASSOCIATE"
    DISASSOCIATE = "DISASSOCIATE"
    REVOKE = "REVOKE"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    RETIRE = "RETIRE"


@dataclass(frozen=True)
class SToken:
    """A parsed `.vpptoken`. `secret` is the whole base64 file content sent as the bearer credential."""

    secret: str = field(repr=False)
    org_name: str
    expires_at: datetime

    @property
    def fingerprint(self) -> str:
        """First 4 and last 4 hex digits of the SHA-256 of the secret: safe to show."""
        import hashlib

        digest = hashlib.sha256(self.secret.encode()).hexdigest()
        return f"{digest[:4]}…{digest[-4:]}"


@dataclass(frozen=True)
class Limits:
    """Request-size and rate limits from `service/config` (apple-api.md 3.1)."""

    max_assets: int = 25
    max_serial_numbers: int = 1000
    max_client_user_ids: int = 1000
    max_revoke_serial_numbers: int = 100
    max_revoke_client_user_ids: int = 100
    max_users: int = 100
    max_request_per_second: int = 15


@dataclass(frozen=True)
class ServiceConfig:
    limits: Limits
    urls: dict[str, str]
    error_codes: dict[int, str]
    notification_types: tuple[str, ...] = ()

    @property
    def invitation_url_template(self) -> str | None:
        return self.urls.get("invitationEmail")

    def invite_url(self, invite_code: str) -> str | None:
        """The invite link for a registered user (`%25inviteCode%25` replaced, apple-api.md 2.7)."""
        template = self.invitation_url_template
        if template is None:
            return None
        return template.replace("%25inviteCode%25", invite_code).replace("%inviteCode%", invite_code)


@dataclass(frozen=True)
class MdmInfo:
    """Which device-management service claims a location (`mdmInfo`)."""

    id: str
    name: str
    metadata: str


@dataclass(frozen=True)
class ClientConfig:
    """`GET/POST client/config`: the location behind a token."""

    location_name: str
    uid: str
    country: str | None
    default_platform: str | None
    website_url: str | None
    token_expires_at: datetime | None
    mdm_info: MdmInfo | None
    notification_url: str | None = None
    subscribed_notification_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    """One asset of a location, identified by (adam_id, pricing_param)."""

    adam_id: str
    pricing_param: str
    product_type: str
    total: int
    assigned: int
    available: int
    retired: int
    device_assignable: bool
    revocable: bool
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class AppMetadata:
    """Display facts about one adamId from Apple's content lookup; everything but the id is optional."""

    adam_id: str
    name: str
    kind: str | None = None
    platforms: tuple[str, ...] = ()
    bundle_id: str | None = None


@dataclass(frozen=True)
class Assignment:
    """A license held by a device (serial number) or a user (clientUserId). v2 has no license ids."""

    adam_id: str
    pricing_param: str
    target_kind: TargetKind
    target_id: str


@dataclass(frozen=True)
class AppleUser:
    """A user registered with one location (`GET users`)."""

    client_user_id: str
    status: str
    email: str | None = None
    invite_code: str | None = None
    id_hash: str | None = None


@dataclass(frozen=True)
class Listing(Generic[T]):
    """All records of a paginated collection and the versionId of its first page."""

    items: tuple[T, ...]
    version_id: str | None
    pages: int


@dataclass(frozen=True)
class EventFailure:
    """One entry of `failures` in `GET status`: an error and the targets it hit."""

    error_number: int
    error_message: str
    serial_numbers: tuple[str, ...] = ()
    client_user_ids: tuple[str, ...] = ()
    adam_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventStatus:
    """The state of one Apple asynchronous event."""

    event_id: str
    state: EventState
    event_type: str | None
    num_requested: int
    num_completed: int
    failures: tuple[EventFailure, ...] = ()

    @property
    def is_settled(self) -> bool:
        return self.state is not EventState.PENDING


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


class LicenseState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"
    REVOKING = "revoking"
    REVOKED = "revoked"


class LicenseSource(StrEnum):
    """Why a license exists: a reservation, an FCFS request, a required app, an admin's assign, or found on Apple."""

    RESERVED = "reserved"
    FCFS = "fcfs"
    REQUIRED = "required"
    ADMIN = "admin"
    EXTERNAL = "external"


@dataclass(frozen=True)
class License:
    """One license abctl knows of: which account pays, for which asset, for which device or user."""

    id: int
    account_id: int
    account_name: str
    adam_id: str
    pricing_param: str
    target_kind: TargetKind
    target_id: str
    source: str
    state: str
    event_id: str | None
    platform: str | None
    assigned_at: datetime
    revoked_at: datetime | None = None
    usable_until: datetime | None = None
    last_action: str | None = None
    detail: str | None = None


class EventKind(StrEnum):
    ASSOCIATE = "associate"
    DISASSOCIATE = "disassociate"
    REVOKE = "revoke"
    USER_CREATE = "user_create"
    USER_UPDATE = "user_update"
    USER_RETIRE = "user_retire"


class LedgerState(StrEnum):
    """Where an Apple write stands in abctl's ledger: intent (committed before the call), then pending, then
    complete or failed; unknown when the call may or may not have reached Apple."""

    INTENT = "intent"
    PENDING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LedgerEvent:
    """One Apple write in the event ledger, with its payload and outcome."""

    id: int
    event_id: str | None
    account_id: int | None
    account_name: str
    kind: str
    payload: dict[str, object]
    state: str
    num_requested: int | None
    num_completed: int | None
    failures: tuple[EventFailure, ...]
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the activity log (R19)."""

    id: int
    ts: datetime
    actor: str
    action: str
    result: str
    space: str | None = None
    account_name: str | None = None
    adam_id: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    license_type: str | None = None
    event_id: str | None = None
    detail: str | None = None
