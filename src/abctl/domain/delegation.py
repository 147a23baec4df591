"""Delegation (R21): apps the default space's accounts own, lent to a custom space, and taken back.

- Who may serve a target: an account of the target's own space; or, for an app delegated to that (custom) space,
  an account of the default space.
- In what order: the space's own accounts that own the app by priority, then the default space's by priority; R2's
  fallback runs across both lists in that order (a lower account only for a target on its list), and reservations
  still beat priority (R4), in either list.
- Whose policies: each default-space account's own. Its named FCFS groups are groups of the default space, which a
  custom space's users are not members of: they are on a delegated app's list through "All Users" (explicit or the
  account's auto-distribution) or a reservation. Disallowed users stay disallowed.
- What un-delegation revokes: the app's licenses that default-space accounts hold for devices and users of that
  space; licenses from the space's own accounts stay. The platform behaviour is the guide's "Un-Delegate" row.
Pure: standard library, models and errors only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from abctl.domain.allocation import ALL_USERS, Offer, Policy
from abctl.domain.platform_behaviour import Behaviour, LicenseAction, behaviour
from abctl.errors import InputError
from abctl.models.enums import TargetKind

DEFAULT_SPACE = "default"


def check_delegation_space(space: str) -> str:
    """Only custom spaces take delegated apps. Raises: InputError for the default space."""
    if space == DEFAULT_SPACE:
        raise InputError(
            "apps are delegated from the default space to a custom space, not to `default`",
            hint="name a custom space with --to (list them with: abctl spaces list)",
        )
    return space


def may_serve(account_space: str, target_space: str, delegated_to: Collection[str]) -> bool:
    """Whether an account of `account_space` may license a target of `target_space` for an app that is delegated to
    the spaces `delegated_to`."""
    if account_space == target_space:
        return True
    return account_space == DEFAULT_SPACE and target_space != DEFAULT_SPACE and target_space in delegated_to


def through_delegation(account_space: str, target_space: str | None, space: str) -> bool:
    """A license came through a delegation to `space`: a default-space account's, held by a target of `space`."""
    return space != DEFAULT_SPACE and account_space == DEFAULT_SPACE and target_space == space


def delegated_policy(policy: Policy) -> Policy:
    """A default-space account's policy as it applies in a custom space: its FCFS list keeps only "All Users"
    (named groups belong to the default space); reservations and disallowed users are unchanged."""
    return replace(policy, fcfs_groups=policy.groups() & {ALL_USERS})


def serving_offers(own: Sequence[Offer], default: Sequence[Offer], *, delegated: bool) -> list[Offer]:
    """The offers that may serve a space for one app, in serving order: its own accounts by priority, then, when
    the app is delegated to the space, the default space's accounts by priority, marked as delegated."""
    ordered = sorted(own, key=lambda offer: offer.priority)
    if delegated:
        lent = sorted(default, key=lambda offer: offer.priority)
        ordered += [replace(offer, delegated=True, policy=delegated_policy(offer.policy)) for offer in lent]
    return ordered


@dataclass(frozen=True)
class HeldLicense:
    """A live license as un-delegation sees it: whose account (space) pays, and where its target lives."""

    license_id: int
    adam_id: str
    account_space: str
    target_kind: TargetKind
    target_id: str
    target_space: str | None  # None: a target abctl has no device or user for


def to_undelegate(licenses: Iterable[HeldLicense], space: str, adam_id: str) -> list[HeldLicense]:
    """The licenses un-delegating `adam_id` from `space` revokes: exactly those that came through the delegation."""
    return [
        item
        for item in licenses
        if item.adam_id == adam_id and through_delegation(item.account_space, item.target_space, space)
    ]


def undelegation_effect(platform: str | None, license_type: TargetKind | str) -> Behaviour:
    """The guide's "Un-Delegate" cell: iOS/iPadOS uninstall (30-day grace), macOS keeps the app, user NA on Mac."""
    return behaviour(LicenseAction.UNDELEGATE, platform, license_type)


def source_label(own: bool, delegated: bool) -> str:
    """Where a space's catalog app comes from, as `apps list` and `spaces show` say it."""
    if own and delegated:
        return "own + delegated"
    if delegated:
        return "delegated"
    return "own" if own else "none"
