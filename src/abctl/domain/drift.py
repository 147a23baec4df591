"""The pure rules of drift (R22): why a license Apple holds should not be there, when a local license is gone
from Apple or an asset's counts disagree, and which settlement each reason suggests.

services/drift/ loads the facts from the store and calls these; reconcile asks `reconcile_releases` which
inactive targets it may release whoever assigned them (never an unknown target).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from abctl.models.enums import Platform, TargetKind


class DriftReason(StrEnum):
    """Why a license is drift, in the order `abctl drift` groups them."""

    UNKNOWN = "unknown"  # on Apple for a serial or clientUserId abctl has no record of
    RETIRED = "retired"  # on Apple for a retired device or user
    WIPED = "wiped"  # ... a wiped device
    UNENROLLED = "unenrolled"  # ... a device whose MDM profile was removed
    DELETED = "deleted"  # ... a deleted user
    OTHER_SPACE = "other-space"  # ... a device or user of another space than the paying account's
    DISALLOWED = "disallowed"  # ... a user the account's policy disallows for the app (R5)
    WASTED_SEAT = "wasted-seat"  # a device license next to its owner's user license for the app (R8)
    GONE = "gone"  # live here once, no longer listed by Apple
    COUNT = "count"  # Apple's assignedCount differs from the assignments it lists


class DriftGroup(StrEnum):
    """The four kinds of difference between Apple and abctl."""

    UNKNOWN_HERE = "on Apple, unknown here"
    SHOULD_NOT_HOLD = "on Apple, should not hold it"
    GONE_FROM_APPLE = "here, gone from Apple"
    COUNTS = "counts disagree"


class Settlement(StrEnum):
    """What settles a drifted license: the three `drift settle` actions, or a resync for counts."""

    REVOKE = "revoke"
    ADOPT = "adopt"
    FORGET = "forget"
    RESYNC = "resync"


GROUP_OF: dict[DriftReason, DriftGroup] = {
    DriftReason.UNKNOWN: DriftGroup.UNKNOWN_HERE,
    DriftReason.RETIRED: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.WIPED: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.UNENROLLED: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.DELETED: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.OTHER_SPACE: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.DISALLOWED: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.WASTED_SEAT: DriftGroup.SHOULD_NOT_HOLD,
    DriftReason.GONE: DriftGroup.GONE_FROM_APPLE,
    DriftReason.COUNT: DriftGroup.COUNTS,
}
# The settlements each reason accepts: revoke for anything Apple holds, adopt only for an unknown target (it
# becomes known), forget only for a license Apple no longer lists. Counts are settled by a resync.
ACCEPTS: dict[Settlement, frozenset[DriftReason]] = {
    Settlement.REVOKE: frozenset(
        r for r, g in GROUP_OF.items() if g in (DriftGroup.UNKNOWN_HERE, DriftGroup.SHOULD_NOT_HOLD)
    ),
    Settlement.ADOPT: frozenset({DriftReason.UNKNOWN}),
    Settlement.FORGET: frozenset({DriftReason.GONE}),
    Settlement.RESYNC: frozenset({DriftReason.COUNT}),
}
_STATE_REASONS = {
    "retired": DriftReason.RETIRED,
    "wiped": DriftReason.WIPED,
    "unenrolled": DriftReason.UNENROLLED,
    "deleted": DriftReason.DELETED,
}
_RELEASED_BY_RECONCILE = {
    TargetKind.DEVICE: frozenset({"retired", "wiped", "unenrolled"}),
    TargetKind.USER: frozenset({"deleted"}),
}


@dataclass(frozen=True, slots=True)
class HeldFacts:
    """What abctl knows about the target of one license Apple lists (a live license here)."""

    target_kind: TargetKind
    known: bool  # a device or user record exists
    state: str | None = None  # active | retired | wiped | unenrolled (devices) | deleted (users)
    same_space: bool = True  # the target is in the paying account's space
    delegated: bool = False  # R21: the default space's account lends the app to the target's space
    disallowed: bool = False  # user: the account disallows the app for this user (R5)
    owner_holds_user_license: bool = False  # device: its owner holds a live user license for the app
    user_licenses_apply: bool = True  # device: not a Mac and not a shared iPad (user licenses reach it)
    known_to_apple: bool = False  # unknown user: Apple lists the clientUserId among the account's users


def held_reason(facts: HeldFacts) -> DriftReason | None:
    """Why Apple's license for this target is drift, or None when the target should hold it. The first reason
    that applies wins: unknown, then the target's state, then its space, then policy, then a wasted seat."""
    if not facts.known:
        return DriftReason.UNKNOWN
    if facts.state is not None and facts.state != "active":
        return _STATE_REASONS.get(facts.state, DriftReason.RETIRED)
    if not facts.same_space and not facts.delegated:
        return DriftReason.OTHER_SPACE
    if facts.target_kind is TargetKind.USER and facts.disallowed:
        return DriftReason.DISALLOWED
    if facts.target_kind is TargetKind.DEVICE and facts.owner_holds_user_license and facts.user_licenses_apply:
        return DriftReason.WASTED_SEAT
    return None


def count_reason(apple_assigned: int, listed: int) -> DriftReason | None:
    """An asset whose assignedCount differs from the assignments Apple lists (as abctl stored them)."""
    return DriftReason.COUNT if apple_assigned != listed else None


def suggested(reason: DriftReason, *, known_to_apple: bool = False) -> Settlement:
    """The settlement `abctl drift` suggests. An unknown user Apple has registered with this location is most
    likely one abctl has not imported yet: adopt it; an unknown serial is another system's or a device that
    left: revoke it (only when asked: abctl never revokes an unknown license on its own)."""
    if reason is DriftReason.UNKNOWN:
        return Settlement.ADOPT if known_to_apple else Settlement.REVOKE
    if reason is DriftReason.GONE:
        return Settlement.FORGET
    if reason is DriftReason.COUNT:
        return Settlement.RESYNC
    return Settlement.REVOKE


def accepts(settlement: Settlement, reason: DriftReason) -> bool:
    """Whether `drift settle --<settlement>` applies to a drifted license of this reason."""
    return reason in ACCEPTS[settlement]


def reconcile_releases(target_kind: TargetKind, known: bool, state: str | None) -> bool:
    """Whether `reconcile` gives the license back whoever assigned it: retired, wiped and unenrolled devices and
    deleted users. An unknown target is never touched by reconcile (only by an explicit `drift settle`)."""
    return known and state in _RELEASED_BY_RECONCILE[target_kind]


def user_licenses_reach(platform: str | None, shared_ipad: bool) -> bool:
    """Whether an owner's user license installs the app on this device: not on a Mac (NA there), never on a
    shared iPad (device-based only)."""
    return platform != Platform.MACOS.value and not shared_ipad


def adopted_platform(asset_platforms: Iterable[Iterable[str]]) -> str:
    """The platform to record for an adopted serial: Apple says nothing about the device, only which platforms
    its licensed apps support; when every app names exactly one and the same platform, that one, else iOS."""
    named = {frozenset(p.strip().lower() for p in platforms if p.strip()) for platforms in asset_platforms}
    if len(named) == 1:
        (only,) = named
        if len(only) == 1:
            (platform,) = only
            if platform in {p.value for p in Platform}:
                return platform
    return Platform.IOS.value
