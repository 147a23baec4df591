"""`abctl reconcile`: bring a space to its desired state, the run cron repeats.

In order: give back the licenses of devices that left (retired, wiped, unenrolled) and of deleted users, through
the shared revocation service; serve reservations still waiting for a seat (R4: before anything else can take
it); give required apps (`install_on_device`) to every active device whose platform the app supports, device-based
(R6, R7). Reservations and required installs of an app are planned together, reservations first, so they share
the app's free seats honestly. A second run right after plans nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from abctl.domain.allocation import AllocationPlan, Outcome, RequestKind, plan_assignments, runs_on
from abctl.domain.delegation import DEFAULT_SPACE
from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseSource
from abctl.services.licensing.plan import AppPlan, TargetFacts, TargetSpec, load_offers
from abctl.services.runtime import cyclic_gc_paused

if TYPE_CHECKING:
    from abctl.services.licensing.execute import AssignResult
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.devices import DeviceRecord

RELEASE_REASON = "reconcile: the device left or the user was deleted"


@dataclass(frozen=True)
class ReconcilePlan:
    """Everything one reconcile run would do in a space, before anything changes."""

    space: str
    release: RevocationPlan
    release_why: dict[str, str]  # target id -> why its licenses go back
    reserved: tuple[AppPlan, ...]
    required: tuple[AppPlan, ...]
    not_owned: tuple[str, ...] = field(default=())  # required apps that no account of the space owns

    @property
    def to_release(self) -> int:
        return len(self.release.to_send)

    @property
    def to_assign(self) -> int:
        return sum(len(app.allocation.to_assign) for app in (*self.reserved, *self.required))

    @property
    def refused_required(self) -> int:
        return sum(len(app.allocation.refused) for app in self.required)

    @property
    def is_empty(self) -> bool:
        """Nothing to send to Apple."""
        return self.to_release == 0 and self.to_assign == 0

    def rows(self) -> list[dict[str, Any]]:
        """One row per planned change or refusal, as the CLI shows it; licenses already in place are not listed."""
        rows = [
            _row("release", r.adam_id, r.license_type, r.target_id, r.account, r.license_type,
                 "skipped" if r.action == "skip" else "planned", r.reason or self.release_why.get(r.target_id, ""))
            for r in self.release.rows
        ]  # fmt: skip
        for step, plans, refused in (("reserve", self.reserved, "waiting"), ("install", self.required, "refused")):
            for app in plans:
                for d in app.allocation.decisions:
                    if d.outcome is Outcome.ALREADY_LICENSED:
                        continue
                    result = "planned" if d.outcome is Outcome.ASSIGN else refused
                    kind = str(d.license_kind or d.target.kind)
                    rows.append(_row(step, app.adam_id, kind, d.target.id, d.account,
                                     str(d.license_kind) if d.license_kind else None, result, d.message))  # fmt: skip
        rows.extend(_row("install", adam_id, "", "", None, None, "refused", "no account in this space owns the app")
                    for adam_id in self.not_owned)  # fmt: skip
        return rows


@dataclass(frozen=True)
class ReconcileResult:
    plan: ReconcilePlan
    released: RevocationResult | None
    reserved: AssignResult | None
    required: AssignResult | None

    def rows(self) -> list[dict[str, Any]]:
        """What happened to every planned change."""
        rows = []
        if self.released is not None:
            for o in self.released.outcomes:
                r, why = o.row, o.detail or self.plan.release_why.get(o.row.target_id, "")
                rows.append(_row("release", r.adam_id, r.license_type, r.target_id, r.account, r.license_type,
                                 o.result, why, o.event_id))  # fmt: skip
        for step, result in (("reserve", self.reserved), ("install", self.required)):
            for t in result.outcomes if result is not None else ():
                if t.result == "already licensed":
                    continue
                shown = "waiting" if step == "reserve" and t.result == "refused" else t.result
                rows.append(_row(step, t.adam_id, t.kind, t.target, t.account, t.license_type, shown, t.reason,
                                 t.event_id))  # fmt: skip
        rows.extend(_row("install", adam_id, "", "", None, None, "refused", "no account in this space owns the app")
                    for adam_id in self.plan.not_owned)  # fmt: skip
        return rows

    @property
    def calls(self) -> int:
        released = len(self.released.calls) if self.released is not None else 0
        return released + sum(r.calls for r in (self.reserved, self.required) if r is not None)

    @property
    def refused_required(self) -> int:
        return (self.required.refused if self.required is not None else 0) + len(self.plan.not_owned)

    @property
    def failed(self) -> int:
        release_failed = self.released.count("failed") if self.released is not None else 0
        reserve_failed = self.reserved.count("failed") if self.reserved is not None else 0
        return release_failed + reserve_failed


def _row(step: str, adam_id: str, kind: str, target: str, account: str | None, license_type: str | None,
         result: str, reason: str, event_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"step": step, "adam_id": adam_id, "kind": kind, "target": target, "account": account,
            "license_type": license_type, "result": result, "reason": reason, "event_id": event_id}  # fmt: skip


def plan_reconcile(rt: Runtime, space: str) -> ReconcilePlan:
    """Decide every change without touching Apple or the database."""
    release, why = _plan_release(rt, space)
    reserved, required, not_owned = _plan_assignments(rt.store, space)
    return ReconcilePlan(space, release, why, reserved, required, not_owned)


def run_reconcile(rt: Runtime, space: str, *, on_progress: Callable[[int, int], None] | None = None) -> ReconcileResult:
    """Release, then plan the assignments again on the freed seats and carry them out."""
    from abctl.services.licensing.execute import execute
    from abctl.services.revocation.execute import execute_revocation

    release, why = _plan_release(rt, space)
    released = execute_revocation(rt, release, on_progress=on_progress) if release.rows else None
    reserved, required, not_owned = _plan_assignments(rt.store, space)
    plan = ReconcilePlan(space, release, why, reserved, required, not_owned)
    served = execute(rt, space, reserved, source=LicenseSource.RESERVED, on_progress=on_progress) if reserved else None
    installed = (
        execute(rt, space, required, source=LicenseSource.REQUIRED, on_progress=on_progress) if required else None
    )
    return ReconcileResult(plan, released, served, installed)


def _plan_release(rt: Runtime, space: str) -> tuple[RevocationPlan, dict[str, str]]:
    """Live licenses of the space's accounts held by devices that are no longer active or users that were deleted,
    whoever assigned them (R22: abctl, another MDM, an admin on Apple's side). A target abctl does not know is never
    touched here (only by an explicit `abctl drift settle`)."""
    from abctl.domain.drift import reconcile_releases
    from abctl.services.revocation.plan import plan_for_targets

    store = rt.store
    held = store.find_licenses(space=space, states=("active",))
    if space != DEFAULT_SPACE:  # R21: licenses lent through the space's delegations are the space's to release
        held += store.delegated_licenses(space, states=("active",))
    devices = store.devices_by_serial(item.target_id for item in held if item.target_kind is TargetKind.DEVICE)
    users = store.users_by_id(item.target_id for item in held if item.target_kind is TargetKind.USER)
    why: dict[str, str] = {}
    outside: set[str] = set()
    targets: list[tuple[TargetKind, str]] = []
    for item in held:
        record = devices.get(item.target_id) if item.target_kind is TargetKind.DEVICE else users.get(item.target_id)
        if record is None or not reconcile_releases(item.target_kind, True, record.state):
            continue
        if item.source == LicenseSource.EXTERNAL:
            outside.add(item.target_id)
        if item.target_id not in why:
            why[item.target_id] = f"{item.target_kind} {record.state}"
            targets.append((item.target_kind, item.target_id))
    for target in outside:
        why[target] += "; assigned outside abctl"
    return plan_for_targets(store, targets, reason=RELEASE_REASON, now=rt.now()), why


def _plan_assignments(store: Store, space: str) -> tuple[tuple[AppPlan, ...], tuple[AppPlan, ...], tuple[str, ...]]:
    """Per app: waiting reservations first, then required installs on active devices the app supports."""
    reservations = store.reservations_in_space(space)
    if space != DEFAULT_SPACE:  # R21: the lenders' reservations of the space's targets wait here too
        lent = {d.adam_id for d in store.delegations(space=space)}
        for adam_id, specs in store.reservations_in_space(DEFAULT_SPACE).items():
            if adam_id in lent:
                mine = reservations.setdefault(adam_id, [])
                mine.extend(spec for spec in specs if spec not in mine)
    required_apps = [e.adam_id for e in store.catalog_entries(space) if e.install_on_device]
    active = store.list_devices(space=space, states=("active",))
    reserved_specs = {
        adam_id: [(TargetKind(kind), target) for kind, target in specs] for adam_id, specs in reservations.items()
    }
    known = _existing_targets(store, space, [spec for specs in reserved_specs.values() for spec in specs])
    everything: list[TargetSpec] = list(known) + [(TargetKind.DEVICE, d.serial) for d in active]
    with cyclic_gc_paused():
        return _plan_per_app(store, space, reserved_specs, required_apps, active, known, everything)


def _plan_per_app(
    store: Store,
    space: str,
    reserved_specs: dict[str, list[TargetSpec]],
    required_apps: list[str],
    active: Sequence[DeviceRecord],
    known: set[TargetSpec],
    everything: list[TargetSpec],
) -> tuple[tuple[AppPlan, ...], tuple[AppPlan, ...], tuple[str, ...]]:
    facts = TargetFacts.load(store, space, list(dict.fromkeys(everything)), RequestKind.REQUIRED)
    reserved: list[AppPlan] = []
    required: list[AppPlan] = []
    not_owned: list[str] = []
    for adam_id in dict.fromkeys([*reserved_specs, *required_apps]):
        offers = load_offers(store, space, adam_id)
        wanted = [spec for spec in reserved_specs.get(adam_id, []) if spec in known]
        if adam_id in required_apps:
            if not offers:
                not_owned.append(adam_id)
                continue
            wanted += [(TargetKind.DEVICE, d.serial) for d in active if runs_on(offers, d.platform)]
        targets = facts.for_app(store, space, adam_id, dict.fromkeys(wanted))
        allocation = plan_assignments(offers, targets, RequestKind.REQUIRED)
        first = set(reserved_specs.get(adam_id, []))
        split = [d for d in allocation.decisions if (d.target.kind, d.target.id) in first]
        rest = [d for d in allocation.decisions if (d.target.kind, d.target.id) not in first]
        if _acts(split):
            reserved.append(AppPlan(adam_id, AllocationPlan(tuple(split))))
        if _acts(rest):
            required.append(AppPlan(adam_id, AllocationPlan(tuple(rest))))
    return tuple(reserved), tuple(required), tuple(not_owned)


def _acts(decisions: Sequence[Any]) -> bool:
    """A plan worth showing: something to assign or refuse (licenses already in place need nothing)."""
    return any(d.outcome is not Outcome.ALREADY_LICENSED for d in decisions)


def _existing_targets(store: Store, space: str, specs: Sequence[TargetSpec]) -> set[TargetSpec]:
    """Reserved targets that exist in the space and are active; the others cannot be served."""
    devices = store.devices_by_serial([t for k, t in specs if k is TargetKind.DEVICE])
    users = store.users_by_id([t for k, t in specs if k is TargetKind.USER])
    found = set()
    for kind, target in specs:
        record = devices.get(target) if kind is TargetKind.DEVICE else users.get(target)
        if record is not None and record.space == space and record.state == "active":
            found.add((kind, target))
    return found
