"""The terms of license allocation (domain.allocation): what is asked, the accounts that may pay (offers and
their policies), the targets, and what the rules decide for each. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from abctl.models.enums import TargetKind

ALL_USERS = "All Users"
_NONE: Mapping[int, str] = MappingProxyType({})  # no enrollment, no invite: shared, and read-only
APPLE_PLATFORM = {"ios": "iOS", "ipados": "iOS", "macos": "macOS", "tvos": "tvOS", "visionos": "visionOS"}


class RequestKind(StrEnum):
    REQUIRED = "required"  # install on device: device-based by default
    USER_REQUEST = "user_request"  # a user asks: user-based by default; no seat means the user may buy
    ADMIN = "admin"  # an admin assigns to a named device or user


class Outcome(StrEnum):
    ASSIGN = "assign"
    ALREADY_LICENSED = "already_licensed"
    REFUSED = "refused"


class Reason(StrEnum):
    RESERVED = "reserved"
    ON_LIST = "on_list"
    ALREADY_LICENSED = "already_licensed"
    NO_SEAT = "no_seat"
    NOT_ON_LIST = "not_on_list"
    DISALLOWED = "disallowed"
    NOT_ENROLLED = "not_enrolled"
    NOT_DEVICE_ASSIGNABLE = "not_device_assignable"
    PLATFORM_UNSUPPORTED = "platform_unsupported"
    NOT_ACTIVE = "not_active"
    NOT_OWNED = "not_owned"


@dataclass(frozen=True)
class Policy:
    """An account's distribution policy for one app (`abctl distribute`)."""

    fcfs_groups: frozenset[str] | None = None  # None: not set explicitly
    reserved: frozenset[tuple[str, str]] = frozenset()  # (kind, id)
    disallowed: frozenset[str] = frozenset()
    auto_distribute: bool = True

    def groups(self) -> frozenset[str]:
        if self.fcfs_groups is not None:
            return self.fcfs_groups
        return frozenset({ALL_USERS}) if self.auto_distribute else frozenset()


@dataclass(frozen=True)
class Offer:
    """One account that owns the app: its priority, the asset's free seats and traits, and its policy."""

    account_id: int
    account: str
    priority: int
    pricing_param: str
    available: int
    device_assignable: bool
    platforms: tuple[str, ...]
    policy: Policy = Policy()
    delegated: bool = False  # a default-space account serving a custom space (R21): tried after the space's own


class Target(NamedTuple):
    """A device or a user to license, with what the rules need to know about it (a named tuple: planning makes
    them by the hundred thousand, and a frozen dataclass costs five times as much to build)."""

    kind: TargetKind
    id: str
    platform: str | None = None
    owner: str | None = None
    shared_ipad: bool = False
    active: bool = True
    groups: frozenset[str] = frozenset()  # the user's (or the device owner's) groups
    enrollment: Mapping[int, str] = _NONE  # account id -> Apple status
    invite_urls: Mapping[int, str] = _NONE  # account id -> invite URL
    # (account id, license kind) already held for this app; for a device, its owner's user-based licenses too
    held: frozenset[tuple[int, str]] = frozenset()


class Decision(NamedTuple):
    """What the rules decided for one target (a named tuple, like Target)."""

    target: Target
    outcome: Outcome
    reason: Reason
    message: str
    account_id: int | None = None
    account: str | None = None
    license_kind: TargetKind | None = None
    pricing_param: str | None = None
    invite_url: str | None = None


@dataclass(frozen=True)
class AllocationPlan:
    decisions: tuple[Decision, ...]

    @property
    def to_assign(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.outcome is Outcome.ASSIGN)

    @property
    def refused(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.outcome is Outcome.REFUSED)

    def by_account(self) -> dict[tuple[int, str, TargetKind], list[str]]:
        """Targets to associate, grouped per (account, pricing param, license kind), in plan order."""
        groups: dict[tuple[int, str, TargetKind], list[str]] = {}
        for d in self.to_assign:
            assert d.account_id is not None and d.pricing_param is not None and d.license_kind is not None
            groups.setdefault((d.account_id, d.pricing_param, d.license_kind), []).append(d.target.id)
        return groups
