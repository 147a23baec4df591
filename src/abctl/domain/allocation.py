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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from abctl.domain.allocation_terms import (
    ALL_USERS,
    APPLE_PLATFORM,
    AllocationPlan,
    Decision,
    Offer,
    Outcome,
    Policy,
    Reason,
    RequestKind,
    Target,
)
from abctl.models.enums import TargetKind

__all__ = ["ALL_USERS", "APPLE_PLATFORM", "AllocationPlan", "Decision", "Offer", "Outcome", "Policy", "Reason",
           "RequestKind", "Target", "license_kind", "plan_assignments", "runs_on"]  # fmt: skip

# When several accounts refuse for different reasons, the one that tells the admin the most wins.
_REFUSAL_ORDER = [Reason.NO_SEAT, Reason.NOT_ENROLLED, Reason.NOT_DEVICE_ASSIGNABLE, Reason.PLATFORM_UNSUPPORTED,
                  Reason.DISALLOWED, Reason.NOT_ON_LIST]  # fmt: skip


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
    return AllocationPlan(_Planner(offers, request).decide_all(targets))


_new_tuple = tuple.__new__  # a Decision from a prepared tuple of its fields, as Decision._make does, without a call


@dataclass(frozen=True, slots=True)
class _Seat:
    """A license a chain gives when its account still has a free seat: the seat counter's slot in the planner
    and the decision's fields after the target."""

    slot: int
    told: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An offer with its policy precomputed, so deciding 100,000 targets stays well under a second."""

    offer: Offer
    slot: int  # where the planner counts this asset's free seats (one counter per account and pricing param)
    groups: frozenset[str]
    everyone: bool
    reserved: frozenset[tuple[str, str]]
    disallowed: frozenset[str]
    message: str  # the message of a license from this account on its list

    @classmethod
    def of(cls, offer: Offer, slot: int) -> _Candidate:
        groups = offer.policy.groups()
        policy, message = offer.policy, _FROM[Reason.ON_LIST].format(offer.account)
        return cls(offer, slot, groups, ALL_USERS in groups, policy.reserved, policy.disallowed, message)

    def lists(self, target: Target, person: str | None) -> bool:
        """The target is on this account's distribution list (R3): All Users, or the person's groups."""
        if self.everyone:
            return True
        if person is None or target.shared_ipad:
            return False
        return not self.groups.isdisjoint(target.groups)


@dataclass(frozen=True, slots=True)
class _Chain:
    """What the rules say about every target alike in what they read (kind, platform, groups, enrollment), when
    none is reserved or disallowed anywhere: the accounts it fits in serving order (the first with a free seat
    pays), and the account of its refusal when it fits none."""

    fitting: tuple[_Candidate, ...]
    refusing: Offer | None  # the account whose refusal tells the most (_REFUSAL_ORDER), when nothing fits
    seats: tuple[_Seat, ...] = ()  # the fitting accounts' licenses, in the same order


class _Planner:
    """Decides targets one by one against the offers, consuming seats. Targets alike in everything the rules read
    share one _Chain, worked out once; a target reserved or disallowed somewhere walks the accounts itself."""

    def __init__(self, offers: Sequence[Offer], request: RequestKind) -> None:
        ordered = sorted(offers, key=lambda offer: (offer.delegated, offer.priority))  # R21: own accounts first
        slots = {(o.account_id, o.pricing_param): o.available for o in offers}  # the last offer's seats count
        at = {key: n for n, key in enumerate(slots)}
        self.seats = list(slots.values())
        self.candidates = [_Candidate.of(offer, at[(offer.account_id, offer.pricing_param)]) for offer in ordered]
        self.names = {offer.account_id: offer.account for offer in offers}
        self.request = request
        self.reserved = frozenset().union(*(c.reserved for c in self.candidates))
        self.reserved_devices = frozenset(id_ for kind, id_ in self.reserved if kind == TargetKind.DEVICE)
        self.disallowed = frozenset().union(*(c.disallowed for c in self.candidates))
        self.chains: dict[tuple[object, ...], _Chain] = {}
        self.device_chains: dict[tuple[object, ...], _Chain] = {}  # the chains of devices, by what else they read
        message = "no free seat in any account that may serve it"
        if request is RequestKind.USER_REQUEST:
            message += "; the user may buy the app"
        self.no_seat: tuple[Any, ...] = (Outcome.REFUSED, Reason.NO_SEAT, message, None, None, None, None, None)

    def decide_all(self, targets: Iterable[Target]) -> tuple[Decision, ...]:
        """decide() for every target in turn; the common one (an active device holding no license, reserved and
        disallowed nowhere, like others already decided) without a call of its own."""
        if not self.candidates:
            return tuple(map(self.decide, targets))
        decide, chains, seats, no_seat = self.decide, self.device_chains, self.seats, self.no_seat
        reserved, disallowed, device = self.reserved_devices, self.disallowed, TargetKind.DEVICE
        decisions: list[Decision] = []
        append = decisions.append
        for target in targets:
            kind, id_, platform, owner, shared, active, groups, _, _, held = target
            chain = None
            if kind is device and active and not held and id_ not in reserved and owner not in disallowed:
                chain = chains.get((platform, owner is None, shared, groups))
            if chain is None or not chain.fitting:
                append(decide(target))
                continue
            for seat in chain.seats:
                if seats[seat.slot] > 0:
                    seats[seat.slot] -= 1
                    append(_new_tuple(Decision, (target, *seat.told)))
                    break
            else:
                append(_new_tuple(Decision, (target, *no_seat)))
        return tuple(decisions)

    def decide(self, target: Target) -> Decision:
        if target.held or not target.active or not self.candidates:
            early = self._early(target)
            if early is not None:
                return early
        kind = target.kind  # a device gets a device-based license, a user a user-based one (R6)
        person = target.id if kind is TargetKind.USER else target.owner
        # a StrEnum kind hashes and compares as its value: (kind, id) finds a ("device", id) reservation
        if (self.reserved and (kind, target.id) in self.reserved) or (person in self.disallowed):
            return self._walk(target, kind, person)
        if kind is TargetKind.DEVICE:
            key: tuple[object, ...] = (target.platform, person is None, target.shared_ipad, target.groups)
            chains = self.device_chains
        else:
            enrollment = target.enrollment
            key = (target.shared_ipad, target.groups,
                   *(enrollment.get(c.offer.account_id) == "Associated" for c in self.candidates))  # fmt: skip
            chains = self.chains
        chain = chains.get(key)
        if chain is None:
            chain = chains[key] = self._chain(target, kind, person)
        seats = self.seats
        for seat in chain.seats:
            if seats[seat.slot] > 0:
                seats[seat.slot] -= 1
                return _new_tuple(Decision, (target, *seat.told))
        if chain.fitting:
            return self._no_seat(target)
        if chain.refusing is None:
            return _not_on_list(target)
        refusal = _fit(chain.refusing, target, kind)
        assert refusal is not None
        reason, message, invite = refusal
        return Decision(target, Outcome.REFUSED, reason, message, invite_url=invite)

    def _early(self, target: Target) -> Decision | None:
        """No account owns the app, the target is not active, or it already holds a license (R4, R8)."""
        if not self.candidates:
            return Decision(target, Outcome.REFUSED, Reason.NOT_OWNED, "no account in this space owns the app")
        if not target.active:
            return Decision(target, Outcome.REFUSED, Reason.NOT_ACTIVE, f"{target.kind} `{target.id}` is not active")
        if not target.held:
            return None
        kind, names = target.kind, self.names
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
        return None

    def _chain(self, target: Target, kind: TargetKind, person: str | None) -> _Chain:
        """The accounts listing `target` that it fits, and the refusal of the others that tells the most."""
        fitting: list[_Candidate] = []
        refusing: tuple[int, Offer] | None = None
        for candidate in self.candidates:
            if not candidate.lists(target, person):
                continue
            problem = _fit(candidate.offer, target, kind)
            if problem is None:
                fitting.append(candidate)
                continue
            rank = _REFUSAL_ORDER.index(problem[0])
            if refusing is None or rank < refusing[0]:
                refusing = (rank, candidate.offer)
        seats = tuple(_Seat(c.slot, (Outcome.ASSIGN, Reason.ON_LIST, c.message, c.offer.account_id, c.offer.account,
                                     kind, c.offer.pricing_param, None)) for c in fitting)  # fmt: skip
        return _Chain(tuple(fitting), refusing[1] if refusing else None, seats)

    def _walk(self, target: Target, kind: TargetKind, person: str | None) -> Decision:
        """Every account in turn: where the target is reserved first (R4), then where it is listed (R2)."""
        key = (kind.value, target.id)
        reserved = [c for c in self.candidates if c.reserved and key in c.reserved]
        listed = [c for c in self.candidates if c.lists(target, person) and c not in reserved]
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
            if self.seats[candidate.slot] <= 0:
                refusals.append((Reason.NO_SEAT, f"`{offer.account}` has no free seat", None))
                continue
            self.seats[candidate.slot] -= 1
            why = Reason.RESERVED if candidate in reserved else Reason.ON_LIST
            return Decision(target, Outcome.ASSIGN, why, _FROM[why].format(offer.account), offer.account_id,
                            offer.account, kind, offer.pricing_param)  # fmt: skip
        if not refusals:
            return _not_on_list(target)
        reason, message, invite = min(refusals, key=lambda item: _REFUSAL_ORDER.index(item[0]))
        if reason is Reason.NO_SEAT:
            return self._no_seat(target)
        return Decision(target, Outcome.REFUSED, reason, message, invite_url=invite)

    def _no_seat(self, target: Target) -> Decision:
        return _new_tuple(Decision, (target, *self.no_seat))


def _not_on_list(target: Target) -> Decision:
    return Decision(target, Outcome.REFUSED, Reason.NOT_ON_LIST,
                    f"{target.kind} `{target.id}` is on no account's distribution list for this app")  # fmt: skip


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
