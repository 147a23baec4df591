"""What Apple's App and Book Management API says, in abctl's names.

Names are snake_case; Apple's camelCase stops in `abctl.apple.wire`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

from abctl.models.enums import TargetKind

T = TypeVar("T")


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
    def digest(self) -> str:
        """The SHA-256 of the secret, in hex: names the token without holding it."""
        import hashlib

        return hashlib.sha256(self.secret.encode()).hexdigest()

    @property
    def fingerprint(self) -> str:
        """First 4 and last 4 hex digits of the SHA-256 of the secret: safe to show."""
        digest = self.digest
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
    version: str | None = None  # offers[0].version.display
    price: float | None = None  # per license, in `currency`
    price_formatted: str | None = None  # as the store shows it: "$4.99", "Free"
    currency: str | None = None
    size_bytes: int | None = None  # offers[0].assets[0].size
    artwork_url: str | None = None  # a template with {w}x{h}bb.{f}
    url: str | None = None  # the store page


class Assignment(NamedTuple):
    """A license held by a device (serial number) or a user (clientUserId). v2 has no license ids.

    A named tuple, not a frozen dataclass like the other models: a full sync builds one per assignment (hundreds
    of thousands), and a frozen dataclass takes twice as long to build."""

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
    """All records of a paginated collection and the versionId of its first page. A read that handed its records
    to a sink page by page keeps none of them (`items` is empty) and counts them in `handed_over`."""

    items: tuple[T, ...]
    version_id: str | None
    pages: int
    handed_over: int = 0

    @property
    def count(self) -> int:
        """How many records the listing had."""
        return len(self.items) + self.handed_over


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
