"""Move a device to another space (R20): plan every step with domain.space_move, then revoke in the source through
the shared revocation service, move the device, and assign from the destination's accounts.

Nothing moves unless every source license was given back: a failed revocation leaves the device where it was, so
the command can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from abctl.domain.allocation import AllocationPlan, Outcome, RequestKind, Target, plan_assignments
from abctl.domain.delegation import DEFAULT_SPACE
from abctl.domain.space_move import SCENARIO_TEXT, AppMove, plan_move
from abctl.errors import InputError
from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseSource
from abctl.services.licensing.plan import AppPlan, load_offers
from abctl.services.names.devices import resolve_device
from abctl.services.names.spaces import resolve_space

if TYPE_CHECKING:
    from abctl.services.licensing.execute import AssignResult
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store
    from abctl.store.devices import DeviceRecord


@dataclass(frozen=True)
class MovePlan:
    serial: str
    source: str
    destination: str
    apps: tuple[AppMove, ...]
    revocation: RevocationPlan

    @property
    def lost(self) -> tuple[AppMove, ...]:
        """Apps the device will have no license for after the move."""
        return tuple(move for move in self.apps if move.loses_app)

    def rows(self, names: dict[str, str]) -> list[dict[str, Any]]:
        """Every step in order: revocations in the source, the move, assignments from the destination."""
        rows = [
            _row("revoke", r.adam_id, names, r.target_id, r.account, r.license_type,
                 "skipped" if r.action == "skip" else "planned", r.reason or f"held in `{self.source}`")
            for r in self.revocation.rows
        ]  # fmt: skip
        rows.append(_row("move", "", names, self.serial, None, None, "planned",
                         f"`{self.source}` -> `{self.destination}`"))  # fmt: skip
        for move in self.apps:
            d = move.destination
            result = {Outcome.ASSIGN: "planned", Outcome.ALREADY_LICENSED: "already licensed"}.get(d.outcome, "refused")
            why = SCENARIO_TEXT[move.scenario] + ("" if d.outcome is Outcome.ASSIGN else f": {d.message}")
            rows.append(_row("assign", move.adam_id, names, self.serial, d.account,
                             str(d.license_kind) if d.license_kind else None, result, why))  # fmt: skip
        return rows


@dataclass(frozen=True)
class MoveResult:
    plan: MovePlan
    revoked: RevocationResult | None
    assigned: AssignResult | None
    moved: bool


def _row(step: str, adam_id: str, names: dict[str, str], target: str, account: str | None,
         license_type: str | None, result: str, reason: str) -> dict[str, Any]:  # fmt: skip
    return {"step": step, "adam_id": adam_id or None, "name": names.get(adam_id, adam_id) or None, "target": target,
            "account": account, "license_type": license_type, "result": result, "reason": reason}  # fmt: skip


def plan_space_move(rt: Runtime, serial: str, destination: str) -> MovePlan:
    """Decide every step without touching Apple. Raises: NotFoundError, InputError (already there, not active)."""
    from abctl.services.revocation.plan import plan_for_licenses

    store = rt.store
    device = resolve_device(store, serial)
    serial = device.serial
    destination = resolve_space(store, destination)
    if device.space == destination:
        raise InputError(f"`{serial}` is already in space `{destination}`", hint="pick another --to space")
    if device.state != "active":
        raise InputError(f"`{serial}` is {device.state}", hint="only active devices move; re-add it first")
    holders = [(TargetKind.DEVICE, serial)] + ([(TargetKind.USER, device.owner)] if device.owner else [])
    held = store.find_licenses(space=device.space, targets=holders)
    if device.space != DEFAULT_SPACE:  # R21: what came through the source's delegations goes back too
        held += store.delegated_licenses(device.space, targets=[(str(kind), who) for kind, who in holders])
    licensed: dict[str, list[int]] = {}
    for item in held:
        licensed.setdefault(item.adam_id, []).append(item.id)
    installed = store.installed_apps(serial)
    target = _destination_target(store, device, destination, leaving={item.id for item in held})
    decisions = {
        adam_id: plan_assignments(load_offers(store, destination, adam_id), [target], RequestKind.ADMIN).decisions[0]
        for adam_id in sorted(set(licensed) | set(installed))
    }
    reason = f"device {serial} moved to space `{destination}`"
    revocation = plan_for_licenses(store, held, reason=reason, now=rt.now())
    return MovePlan(serial, device.space, destination, plan_move(licensed, installed, decisions), revocation)


def _destination_target(store: Store, device: DeviceRecord, destination: str, *, leaving: set[int]) -> Target:
    """The device as the destination's rules see it: its owner counts only when the owner belongs there."""
    owner = store.users_by_id([device.owner]).get(device.owner) if device.owner else None
    owner_id = owner.client_user_id if owner is not None and owner.space == destination else None
    groups = frozenset(store.groups_of_users([owner_id]).get(owner_id, [])) if owner_id else frozenset()
    held = frozenset(
        (item.account_id, str(item.target_kind))
        for item in store.find_licenses(space=destination, target_kind=TargetKind.DEVICE, target_id=device.serial)
        if item.id not in leaving  # revoked in the source first (a delegated license's account may be here)
    )
    return Target(TargetKind.DEVICE, device.serial, platform=device.platform, owner=owner_id,
                  shared_ipad=device.shared_ipad, groups=groups, held=held)  # fmt: skip


def move_device(rt: Runtime, plan: MovePlan, *, on_progress: Callable[[int, int], None] | None = None) -> MoveResult:
    """Revoke in the source; only when all of it went back, move the device and assign from the destination."""
    from abctl.services.licensing.execute import execute
    from abctl.services.revocation.execute import execute_revocation
    from abctl.store.activity import NewActivity

    revoked = execute_revocation(rt, plan.revocation, on_progress=on_progress) if plan.revocation.rows else None
    if revoked is not None and not revoked.ok:
        return MoveResult(plan, revoked, None, moved=False)
    rt.store.move_device(plan.serial, plan.destination, now=rt.now())
    moved = NewActivity(action="move", result="moved", space=plan.destination, target_kind="device",
                        target_id=plan.serial, detail=f"`{plan.source}` -> `{plan.destination}`")  # fmt: skip
    rt.store.log_activity([moved], actor=rt.actor, now=rt.now())
    plans = [AppPlan(move.adam_id, AllocationPlan((move.destination,))) for move in plan.apps]
    assigned = execute(rt, plan.destination, plans, source=LicenseSource.ADMIN) if plans else None
    return MoveResult(plan, revoked, assigned, moved=True)
