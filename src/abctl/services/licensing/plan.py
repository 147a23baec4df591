"""Plan an assignment (R2-R9): read the targets and the space's offers once, then let domain.allocation decide,
per app, which account pays, which kind of license, or why none can. Executing a plan is services/assign_execute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl.domain.allocation import AllocationPlan, Offer, Policy, RequestKind, Target, license_kind, plan_assignments
from abctl.domain.delegation import DEFAULT_SPACE, serving_offers
from abctl.errors import InputError, NotFoundError
from abctl.models.enums import TargetKind
from abctl.services.licensing.device_targets import GroupSets, devices_only, lasting_acyclic
from abctl.services.names.devices import missing_devices, normalise_serial
from abctl.services.names.users import missing_users

InviteLink = Callable[[int, str], str | None]  # (account id, invite code) -> the invite URL, when known

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.users import AppleStatus

__all__ = ["AppPlan", "RequestKind", "TargetFacts", "load_offers", "parse_target_spec", "plan", "plan_apps"]
TargetSpec = tuple[TargetKind, str]


def parse_target_spec(text: str) -> TargetSpec:
    """`device:SERIAL` or `user:ID`. Raises: InputError."""
    kind, _, target = text.strip().partition(":")
    if kind not in ("device", "user") or not target.strip():
        raise InputError(f"`{text}` is not a target", hint="write device:SERIAL or user:ID")
    if kind == "device":
        return TargetKind.DEVICE, normalise_serial(target)
    return TargetKind.USER, target.strip()


def missing_targets(store: Store, space: str, specs: Sequence[TargetSpec]) -> NotFoundError | None:
    """The error for devices or users of `specs` that abctl does not know or that live in another space."""
    serials = [t for k, t in specs if k is TargetKind.DEVICE]
    user_ids = [t for k, t in specs if k is TargetKind.USER]
    devices = store.device_facts(serials) if serials else {}
    users = store.users_by_id(user_ids) if user_ids else {}
    return missing_devices(store, serials, devices, space=space) or missing_users(store, user_ids, users, space=space)


def read_target_file(text: str) -> list[TargetSpec]:
    """One target per line (`device:SERIAL` / `user:ID`); blank lines and `#` comments skipped.

    Raises: InputError naming every bad line.
    """
    device = TargetKind.DEVICE
    lines = text.splitlines()
    serials = [line[7:].strip().upper() for line in lines if line.startswith("device:")]
    if len(serials) == len(lines) and all(serials):  # device lines only, the common file: no line by line parse
        with lasting_acyclic():
            return [(device, serial) for serial in serials]
    specs: list[TargetSpec] = []
    bad = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("device:"):  # the common line, without the general parse (100,000-line files)
            serial = stripped[7:].strip().upper()
            if serial:
                specs.append((device, serial))
                continue
        try:
            specs.append(parse_target_spec(line))
        except InputError:
            bad.append(str(number))
    if bad:
        raise InputError(f"bad target on line(s) {', '.join(bad)}", hint="write one device:SERIAL or user:ID per line")
    return specs


def load_offers(store: Store, space: str, adam_id: str) -> list[Offer]:
    """Every account that may serve the space for the app, in serving order (R21): the space's own accounts that
    own it, then, when the app is delegated to the space, the default space's, each with its seats and policy."""
    delegated = space != DEFAULT_SPACE and store.is_delegated(space, adam_id)
    lent = _space_offers(store, DEFAULT_SPACE, adam_id) if delegated else []
    return serving_offers(_space_offers(store, space, adam_id), lent, delegated=delegated)


def _space_offers(store: Store, space: str, adam_id: str) -> list[Offer]:
    """The accounts of one space that own the app."""
    offers = []
    accounts = {a.id: a for a in store.list_accounts(space)}
    for owned in store.owned_assets(space, adam_id):
        record = store.get_policy(owned.account_id, adam_id)
        policy = Policy(
            # No FCFS group named (only reservations or disallowed users set): the account's default list (R3).
            fcfs_groups=frozenset(record.fcfs_groups) if record.fcfs_groups else None,
            reserved=frozenset(record.reserved),
            disallowed=frozenset(record.disallowed),
            auto_distribute=accounts[owned.account_id].auto_distribute,
        )
        offers.append(
            Offer(
                owned.account_id,
                owned.account,
                owned.priority,
                owned.pricing_param,
                owned.available,
                owned.device_assignable,
                owned.platforms,
                policy,
            )
        )
    return offers


def load_targets(
    store: Store, space: str, adam_id: str, specs: Sequence[TargetSpec], request: RequestKind = RequestKind.ADMIN
) -> list[Target]:
    """What the rules need about each target. Raises: NotFoundError for unknown devices or users."""
    return TargetFacts.load(store, space, specs, request).for_app(store, space, adam_id)


@dataclass(frozen=True)
class TargetFacts:
    """The targets of a request read once, so planning many apps costs one read of the inventory; `holders`
    are the devices and the users whose licenses of an app count for them (R4, R8: a device's owner too)."""

    targets: tuple[Target, ...]
    holders: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # (serials, client user ids)

    @classmethod
    def load(
        cls, store: Store, space: str, specs: Sequence[TargetSpec], request: RequestKind,
        invite_link: InviteLink | None = None,
    ) -> TargetFacts:  # fmt: skip
        """`invite_link` (account id, invite code -> URL) names the invite of users Apple has Registered but who
        have not joined yet (R8). One query per fact table, whatever the number of targets. Raises:
        NotFoundError for devices or users not in the space."""
        device_kind, user_kind = TargetKind.DEVICE, TargetKind.USER
        serials = [t for k, t in specs if k is device_kind]
        user_ids = [t for k, t in specs if k is user_kind]
        personal = request is RequestKind.USER_REQUEST
        if serials and not personal and not user_ids:  # devices only, each licensed as a device: the common case
            read = devices_only(store, space, list(dict.fromkeys(serials)))
            if read is not None:
                return cls(*read)
        devices = store.device_facts(serials) if serials else {}
        users = store.users_by_id(user_ids) if user_ids else {}
        missing = None  # counted first: the full check reads every serial and id twice
        if len(devices) < len(set(serials)) or any(device.space != space for device in devices.values()):
            missing = missing_devices(store, serials, devices, space=space)
        if missing is None and (len(users) < len(set(user_ids)) or any(u.space != space for u in users.values())):
            missing = missing_users(store, user_ids, users, space=space)
        if missing is not None:
            raise missing
        # R6: a user's own request on their own device is licensed to the user.
        owners = {d.owner for d in devices.values() if personal and d.owner and not d.shared_ipad}
        owner_users = store.users_by_id(owners - set(user_ids)) if owners else {}
        users.update({u: record for u, record in owner_users.items() if record.space == space})
        groups = store.group_sets(users) if users else {}
        statuses = store.apple_statuses(users) if users else {}
        owned_groups = GroupSets()  # owners alike share one set
        targets: dict[tuple[TargetKind, str], Target] = {}
        none: frozenset[str] = frozenset()
        for kind, target in specs:
            if kind is device_kind:
                device = devices[target]
                owner = device.owner
                as_device = Target(kind, target, device.platform, owner, device.shared_ipad, device.state == "active",
                                   owned_groups[device.owner_groups])  # fmt: skip
                if not personal or license_kind(as_device, request) is device_kind or owner not in users:
                    targets[(kind, target)] = as_device
                    continue
                kind, target = user_kind, owner
            enrollment = {s.account_id: s.status for s in statuses.get(target, [])}
            invites = _invites(statuses.get(target, []), invite_link) if invite_link else {}
            targets[(kind, target)] = Target(kind, target, active=users[target].state == "active",
                                             groups=groups.get(target, none), enrollment=enrollment,
                                             invite_urls=invites)  # fmt: skip
        found = tuple(targets.values())
        return cls(found, _holders(found))

    def for_app(self, store: Store, space: str, adam_id: str, only: Iterable[TargetSpec] | None = None) -> list[Target]:
        """The targets (or `only` those, in that order) with the licenses each already holds for this app (R4,
        R8: no second license), read in one query."""
        targets = list(self.targets)
        if only is not None:
            by_key = {(t.kind, t.id): t for t in targets}
            targets = [by_key[spec] for spec in only if spec in by_key]
        delegated = space != DEFAULT_SPACE and store.is_delegated(space, adam_id)  # R21: the default space's count
        held: dict[tuple[str, str], set[tuple[int, str]]] = {}
        for kind, target, account_id in store.held_licenses(space, adam_id, *self.holders, delegated=delegated):
            held.setdefault((kind, target), set()).add((account_id, kind))
        if not held:
            return targets
        return [_with_held(target, held) for target in targets]


def _holders(targets: Sequence[Target]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The devices, and the users (targets, and owners of devices that are not shared iPads), whose licenses count
    for the targets."""
    users = [t.id for t in targets if t.kind is TargetKind.USER]
    users += [t.owner for t in targets if t.kind is TargetKind.DEVICE and t.owner and not t.shared_ipad]
    return tuple(t.id for t in targets if t.kind is TargetKind.DEVICE), tuple(dict.fromkeys(users))


def _invites(statuses: Sequence[AppleStatus], invite_link: InviteLink) -> dict[int, str]:
    """Invite URLs of a user who is Registered (invited) but not Associated with an account."""
    found = {}
    for status in statuses:
        if status.status == "Registered" and status.invite_code:
            url = invite_link(status.account_id, status.invite_code)
            if url:
                found[status.account_id] = url
    return found


def _with_held(target: Target, held: dict[tuple[str, str], set[tuple[int, str]]]) -> Target:
    have = held.get((str(target.kind), target.id), set())
    if target.kind is TargetKind.DEVICE and target.owner and not target.shared_ipad:
        have = have | held.get((str(TargetKind.USER), target.owner), set())
    return target._replace(held=frozenset(have)) if have else target


@dataclass(frozen=True)
class AppPlan:
    """One app's allocation plan."""

    adam_id: str
    allocation: AllocationPlan


def plan(rt: Runtime, space: str, adam_id: str, specs: Sequence[TargetSpec], request: RequestKind) -> AllocationPlan:
    """Decide every target for one app without touching Apple."""
    return plan_apps(rt, space, [adam_id], specs, request)[0].allocation


def plan_apps(
    rt: Runtime, space: str, adam_ids: Sequence[str], specs: Sequence[TargetSpec], request: RequestKind,
    invite_link: InviteLink | None = None,
) -> list[AppPlan]:  # fmt: skip
    """Decide every target for every app without touching Apple (unless `invite_link` reads Apple's invite URL
    template); the inventory is read once."""
    store = rt.store
    with lasting_acyclic():  # 100,000 targets make ~300,000 small acyclic objects: collecting them is waste
        facts = TargetFacts.load(store, space, specs, request, invite_link)
        return [
            AppPlan(
                adam_id,
                plan_assignments(load_offers(store, space, adam_id), facts.for_app(store, space, adam_id), request),
            )
            for adam_id in dict.fromkeys(adam_ids)
        ]
