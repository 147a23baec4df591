"""Settling drift when an admin asks (R22): revoke through the shared revocation service, adopt unknown targets
into the inventory, forget local licenses Apple no longer lists (after a confirming read). Every settlement is
in the activity log; the drift notification of each account touched is evaluated again afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from abctl.domain.drift import DriftReason, Settlement, accepts, adopted_platform
from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseState
from abctl.services.drift.find import DriftItem, find_drift

if TYPE_CHECKING:
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime
    from abctl.store import Store

Progress = Callable[[int, int], None]
ADOPTED, FORGOTTEN, BACK = "adopted", "forgotten", "back on Apple"


@dataclass(frozen=True)
class SettlePlan:
    """What `drift settle` will do: the drifted licenses this settlement applies to, the ones the filters matched
    that need another settlement, and for --revoke one revocation plan per drift reason."""

    settlement: Settlement
    items: tuple[DriftItem, ...]
    other: tuple[DriftItem, ...]
    revocations: tuple[tuple[DriftReason, RevocationPlan], ...] = ()

    @property
    def account_ids(self) -> list[int]:
        return sorted({item.account_id for item in self.items})

    def revocation(self) -> RevocationPlan:
        """Every revocation of this plan as one plan, for showing it."""
        from abctl.domain.revocation import DISASSOCIATE, RevocationPlan, sort_rows

        rows = sort_rows(row for _, plan in self.revocations for row in plan.rows)
        uninstall = sorted({d for _, plan in self.revocations for d in plan.uninstall_devices})
        keep = sorted({d for _, plan in self.revocations for d in plan.keep_devices} - set(uninstall))
        return RevocationPlan(DISASSOCIATE, "drift settled", tuple(rows), tuple(uninstall), tuple(keep))


@dataclass(frozen=True)
class SettleOutcome:
    """One drifted license after `--adopt` or `--forget`."""

    item: DriftItem
    result: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.item.as_dict(), "result": self.result, "detail": self.detail}


def revoke_reason(reason: DriftReason) -> str:
    """The reason the revocation service logs with each license a drift settlement revokes."""
    return f"drift settled: {reason}"


def plan_settlement(
    store: Store,
    settlement: Settlement,
    *,
    account_ids: Sequence[int] | None = None,
    adam_id: str | None = None,
    reasons: Collection[DriftReason] | None = None,
    now: datetime,
) -> SettlePlan:
    """The drifted licenses the filters select, split into those `settlement` applies to and the others."""
    items = find_drift(store, account_ids=account_ids, adam_id=adam_id, reasons=reasons)
    chosen = tuple(item for item in items if accepts(settlement, item.reason) and item.license_id is not None)
    other = tuple(item for item in items if item not in chosen)
    if settlement is not Settlement.REVOKE:
        return SettlePlan(settlement, chosen, other)
    from abctl.services.revocation.plan import plan_for_licenses

    by_reason: dict[DriftReason, list[int]] = defaultdict(list)
    for item in chosen:
        assert item.license_id is not None
        by_reason[item.reason].append(item.license_id)
    plans = tuple(
        (reason, plan_for_licenses(store, store.get_licenses(ids), reason=revoke_reason(reason), now=now))
        for reason, ids in sorted(by_reason.items(), key=lambda pair: list(DriftReason).index(pair[0]))
    )
    return SettlePlan(settlement, chosen, other, plans)


def settle_by_revoking(rt: Runtime, plan: SettlePlan, *, on_progress: Progress | None = None) -> RevocationResult:
    """Send each reason's revocation through the shared service (ledger, platform behaviour, grace, activity
    log); one result for all of them."""
    from abctl.services.revocation.execute import RevocationResult, execute_revocation

    results = [execute_revocation(rt, revocation, on_progress=on_progress) for _, revocation in plan.revocations]
    _evaluate(rt, plan)
    return RevocationResult(
        plan.revocation(),
        tuple(outcome for result in results for outcome in result.outcomes),
        tuple(call for result in results for call in result.calls),
        tuple(error for result in results for error in result.errors),
    )


def settle_by_adopting(rt: Runtime, plan: SettlePlan) -> list[SettleOutcome]:
    """Record unknown targets as known: a serial joins the paying account's space with the platform its apps
    name (Apple says nothing else about a device); a user likewise, with the email Apple has for it."""
    store, now = rt.store, rt.now()
    devices: dict[str, tuple[str, list[tuple[str, ...]]]] = {}
    users: dict[str, tuple[str, int]] = {}
    platforms: dict[tuple[int, str, str], tuple[str, ...]] = {}
    for account_id in plan.account_ids:
        for asset in store.list_account_assets(account_id):
            platforms[(account_id, asset.adam_id, asset.pricing_param)] = tuple(asset.platforms)
    for item in plan.items:
        assert item.target_id is not None
        if item.target_kind == TargetKind.DEVICE:
            space, seen = devices.setdefault(item.target_id, (item.space, []))
            seen.append(platforms.get((item.account_id, item.adam_id, item.pricing_param), ()))
        else:
            users.setdefault(item.target_id, (item.space, item.account_id))
    emails = store.apple_user_emails([(account_id, user) for user, (_, account_id) in users.items()])
    chosen = {serial: adopted_platform(seen) for serial, (_, seen) in devices.items()}
    outcomes = []
    for item in plan.items:
        assert item.target_id is not None
        if item.target_kind == TargetKind.DEVICE:
            space = devices[item.target_id][0]
            detail = f"device added to space `{space}` as {chosen[item.target_id]} (from its apps' platforms)"
        else:
            space = users[item.target_id][0]
            detail = f"user added to space `{space}`" + (" with Apple's email" if emails.get(item.target_id) else "")
        outcomes.append(SettleOutcome(item, ADOPTED, detail))
    with store.transaction():
        store.upsert_devices([(serial, space, chosen[serial], None, False) for serial, (space, _) in devices.items()],
                             now=now)  # fmt: skip
        store.upsert_users([(user, space, emails.get(user), None) for user, (space, _) in users.items()], now=now)
        ids = [item.license_id for item in plan.items if item.license_id is not None]
        store.set_license_state(ids, LicenseState.ACTIVE, last_action="adopt", detail="adopted from drift")
        _log(rt, outcomes, action="adopt")
    _evaluate(rt, plan)
    return outcomes


def settle_by_forgetting(rt: Runtime, plan: SettlePlan) -> list[SettleOutcome]:
    """Read each app's assignments from Apple again; drop the licenses it still does not list, and record the
    ones it lists again as live (the read is stored as a sync's would be). Nothing changes when a read fails.

    Raises: AppleAPIError (5), AppleUnavailableError (6), TokenError (3): a confirming read failed.
    """
    store, now = rt.store, rt.now()
    wanted = sorted({(item.account_id, item.adam_id) for item in plan.items})
    listings = {}
    for account_id, adam_id in wanted:
        account = store.get_account_by_id(account_id)
        listings[(account_id, adam_id)] = rt.client(account).list_assignments(adam_id=adam_id).items
    outcomes = []
    for item in plan.items:
        listed = {(a.pricing_param, str(a.target_kind), a.target_id) for a in listings[(item.account_id, item.adam_id)]}
        if (item.pricing_param, item.target_kind, item.target_id) in listed:
            outcomes.append(SettleOutcome(item, BACK, "Apple lists it again: recorded as live, nothing dropped"))
        else:
            outcomes.append(SettleOutcome(item, FORGOTTEN, "not listed by Apple at the confirming read: dropped"))
    with store.transaction():
        for (account_id, adam_id), assignments in listings.items():
            if any(o.result == BACK and (o.item.account_id, o.item.adam_id) == (account_id, adam_id) for o in outcomes):
                store.apply_assignments(account_id, assignments, complete=True, now=now, adam_id=adam_id)
        store.forget_licenses([o.item.license_id for o in outcomes if o.result == FORGOTTEN and o.item.license_id])
        _log(rt, outcomes, action="forget")
    _evaluate(rt, plan)
    return outcomes


def _log(rt: Runtime, outcomes: Sequence[SettleOutcome], *, action: str) -> None:
    from abctl.store.activity import NewActivity

    entries = [
        NewActivity(action=action, result=o.result, space=o.item.space, account_name=o.item.account,
                    adam_id=o.item.adam_id, target_kind=o.item.target_kind, target_id=o.item.target_id,
                    license_type=o.item.target_kind, detail=f"drift settled: {o.item.reason}; {o.detail}")
        for o in outcomes
    ]  # fmt: skip
    if entries:
        rt.store.log_activity(entries, actor=rt.actor, now=rt.now())


def _evaluate(rt: Runtime, plan: SettlePlan) -> None:
    from abctl.services.drift.notify import evaluate_drift

    evaluate_drift(rt, plan.account_ids)
