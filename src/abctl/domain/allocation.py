"""Which account pays for a license, which kind, or why none can (R2-R9).

Interpretations, chosen so each rule of the admin guide has a precise meaning:
- A target is on an account's distribution list for an app when it is reserved there, or when the user (or the
  device's owner) is in one of the account's FCFS groups for the app. "All Users" contains every user; a shared
  iPad or an ownerless device is on the list only through "All Users" or a reservation. With no explicit groups,
  an account that auto-distributes uses "All Users" (R3); one that does not has no FCFS list.
- Disallowed users, and devices they own, never get a license from that account (R5); a lower account may serve.
- Accounts where the target is reserved are tried first, in priority order (R4: reserved beats priority); then
  every other account where the target is on the list, in priority order (R2). The first account with a free seat
  whose asset fits the target pays. Offers delegated from the default space come after the space's own (R21).
- Device targets get device-based licenses (shared iPads always, R6), except a user's own request on a device the
  user owns, which is licensed to the user (user-based is the default for requested apps; `license_kind`). A
  device asset must be deviceAssignable and support the device's platform (R7; iPadOS counts as iOS); books never
  are. User targets get user-based licenses, which need the user Associated with that account's location (R8). A
  target already holding a license of that kind for the app keeps it: no second license (R4, R8). No seat anywhere
  is refused, never silent (R9).
Pure: standard library only; seats are consumed as a batch is planned, so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from abctl.models.enums import TargetKind

ALL_USERS = "All Users"
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


# When several accounts refuse for different reasons, the one that tells the admin the most wins.
_REFUSAL_ORDER = [Reason.NO_SEAT, Reason.NOT_ENROLLED, Reason.NOT_DEVICE_ASSIGNABLE, Reason.PLATFORM_UNSUPPORTED,
                  Reason.DISALLOWED, Reason.NOT_ON_LIST]  # fmt: skip


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


@dataclass(frozen=True)
class Target:
    """A device or a user to license, with what the rules need to know about it."""

    kind: TargetKind
    id: str
    platform: str | None = None
    owner: str | None = None
    shared_ipad: bool = False
    active: bool = True
    groups: frozenset[str] = frozenset()  # the user's (or the device owner's) groups
    enrollment: Mapping[int, str] = field(default_factory=dict)  # account id -> Apple status
    invite_urls: Mapping[int, str] = field(default_factory=dict)  # account id -> invite URL
    # (account id, license kind) already held for this app; for a device, its owner's user-based licenses too
    held: frozenset[tuple[int, str]] = frozenset()


@dataclass(frozen=True)
class Decision:
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


def license_kind(target: Target, request: RequestKind) -> TargetKind:
    """R6: which kind of license a target gets. Required installs and admin assignments to a device are
    device-based; a user's request from the user's own device is user-based; a shared iPad is always device-based."""
    if target.kind is TargetKind.USER:
        return TargetKind.USER
    if request is RequestKind.USER_REQUEST and target.owner and not target.shared_ipad:
        return TargetKind.USER
    return TargetKind.DEVICE


def runs_on(offers: Sequence[Offer], platform: str) -> bool:
    """A required app is for the devices whose platform one of its owning accounts' copies supports (R7)."""
    wanted = APPLE_PLATFORM.get(platform)
    return any(wanted in offer.platforms for offer in offers)


def plan_assignments(offers: Sequence[Offer], targets: Iterable[Target], request: RequestKind) -> AllocationPlan:
    """Decide every target, consuming seats as it goes."""
    ordered = sorted(offers, key=lambda offer: (offer.delegated, offer.priority))  # R21: own accounts first
    candidates = [_Candidate.of(offer) for offer in ordered]
    seats = {(o.account_id, o.pricing_param): o.available for o in offers}
    names = {offer.account_id: offer.account for offer in offers}
    return AllocationPlan(tuple(_decide(candidates, seats, names, target, request) for target in targets))


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An offer with its policy precomputed, so deciding 100,000 targets stays well under a second."""

    offer: Offer
    seat_key: tuple[int, str]
    groups: frozenset[str]
    everyone: bool
    reserved: frozenset[tuple[str, str]]
    disallowed: frozenset[str]

    @classmethod
    def of(cls, offer: Offer) -> _Candidate:
        groups = offer.policy.groups()
        return cls(offer, (offer.account_id, offer.pricing_param), groups, ALL_USERS in groups,
                   offer.policy.reserved, offer.policy.disallowed)  # fmt: skip

    def lists(self, target: Target, person: str | None) -> bool:
        """The target is on this account's distribution list (R3): All Users, or the person's groups."""
        if self.everyone:
            return True
        if person is None or target.shared_ipad:
            return False
        return not self.groups.isdisjoint(target.groups)


def _decide(
    candidates: Sequence[_Candidate],
    seats: dict[tuple[int, str], int],
    names: Mapping[int, str],
    target: Target,
    request: RequestKind,
) -> Decision:
    if not candidates:
        return Decision(target, Outcome.REFUSED, Reason.NOT_OWNED, "no account in this space owns the app")
    if not target.active:
        return Decision(target, Outcome.REFUSED, Reason.NOT_ACTIVE, f"{target.kind} `{target.id}` is not active")
    kind = target.kind  # a device gets a device-based license, a user a user-based one (R6)
    if target.held:
        held = [account for account, held_kind in target.held if held_kind == kind]
        if held:
            return Decision(target, Outcome.ALREADY_LICENSED, Reason.ALREADY_LICENSED,
                            f"{target.kind} `{target.id}` already holds a {kind}-based license", held[0],
                            names.get(held[0]), kind)  # fmt: skip
        owners = [account for account, held_kind in target.held if held_kind == TargetKind.USER]
        if kind is TargetKind.DEVICE and owners and not target.shared_ipad:
            # R8: the owner's user-based license installs the app on the owner's device; no second license.
            return Decision(target, Outcome.ALREADY_LICENSED, Reason.ALREADY_LICENSED,
                            f"owner `{target.owner}` already holds a user-based license", owners[0],
                            names.get(owners[0]), TargetKind.USER)  # fmt: skip
    person = target.id if kind is TargetKind.USER else target.owner
    key = (kind.value, target.id)
    reserved = [c for c in candidates if c.reserved and key in c.reserved]
    listed = [c for c in candidates if c.lists(target, person) and c not in reserved]
    refusals: list[tuple[Reason, str, str | None]] = []
    for candidate in reserved + listed if reserved else listed:
        offer = candidate.offer
        if person is not None and person in candidate.disallowed and candidate not in reserved:
            refusals.append((Reason.DISALLOWED, f"`{person}` is disallowed in `{offer.account}`", None))
            continue
        problem = _fit(offer, target, kind)
        if problem is not None:
            refusals.append(problem)
            continue
        if seats[candidate.seat_key] <= 0:
            refusals.append((Reason.NO_SEAT, f"`{offer.account}` has no free seat", None))
            continue
        seats[candidate.seat_key] -= 1
        why = Reason.RESERVED if candidate in reserved else Reason.ON_LIST
        return Decision(target, Outcome.ASSIGN, why, _FROM[why].format(offer.account), offer.account_id,
                        offer.account, kind, offer.pricing_param)  # fmt: skip
    if not refusals:
        return Decision(target, Outcome.REFUSED, Reason.NOT_ON_LIST,
                        f"{target.kind} `{target.id}` is on no account's distribution list for this app")  # fmt: skip
    reason, message, invite = min(refusals, key=lambda item: _REFUSAL_ORDER.index(item[0]))
    if reason is Reason.NO_SEAT:
        message = "no free seat in any account that may serve it"
        if request is RequestKind.USER_REQUEST:
            message += "; the user may buy the app"
    return Decision(target, Outcome.REFUSED, reason, message, invite_url=invite)


_FROM = {Reason.RESERVED: "from `{}` (reserved)", Reason.ON_LIST: "from `{}` (on list)"}


def _fit(offer: Offer, target: Target, kind: TargetKind) -> tuple[Reason, str, str | None] | None:
    if kind is TargetKind.DEVICE:
        if not offer.device_assignable:
            message = "the app is not device-assignable (books never are); assign it to the owner: --user"
            return (Reason.NOT_DEVICE_ASSIGNABLE, message, None)
        wanted = APPLE_PLATFORM.get(target.platform or "", "")
        if wanted not in offer.platforms:
            supported = ", ".join(offer.platforms) or "no platform"
            return (Reason.PLATFORM_UNSUPPORTED, f"the app supports {supported}, not {target.platform}", None)
        return None
    status = target.enrollment.get(offer.account_id)
    if status != "Associated":
        invite = target.invite_urls.get(offer.account_id)  # R8: Apple's invite code, as a link the user opens
        detail = "; send them the invite URL" if invite else f"; run: abctl users invite {target.id}"
        return (Reason.NOT_ENROLLED, f"`{target.id}` is not enrolled with `{offer.account}`{detail}", invite)
    return None
