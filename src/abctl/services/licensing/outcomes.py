"""What an assign did per app and target (R19): each outcome, the activity entries that log them, and the
recording of one associate call's outcome in the store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseState

if TYPE_CHECKING:
    from abctl.apple.batching import AssetBatch
    from abctl.models.apple import EventFailure
    from abctl.services.ledger.writes import SettledWrite
    from abctl.services.runtime import Runtime
    from abctl.store.activity import LicensesActivity, NewActivity

Asset = tuple[str, str]  # (adamId, pricingParam)
OutcomeKey = tuple[str, str, str]  # (adamId, target kind, target id)


class TargetOutcome(NamedTuple):
    """What happened to one app for one target (a named tuple: an assign makes one per license, 30,000 at a time)."""

    adam_id: str
    kind: str
    target: str
    account: str | None
    license_type: str | None
    result: str  # assigned | already licensed | refused | failed | pending
    reason: str
    event_id: str | None = None
    invite_url: str | None = None  # R8: a refused user-based license for a user who has not joined yet


class LicenseRun(NamedTuple):
    """Outcomes of licenses of one call alike but for their app and target, logged from the licenses."""

    result: str
    reason: str
    license_ids: list[int]
    account: str
    kind: str
    event_id: str | None


@dataclass
class Outcomes:
    """Each app and target's outcome, and what logs them (the outcome itself, or a run of licenses alike), in the
    same order."""

    space: str
    by_key: dict[OutcomeKey, TargetOutcome] = field(default_factory=dict)
    log: list[TargetOutcome | LicenseRun] = field(default_factory=list)

    def add(self, outcome: TargetOutcome) -> None:
        """One outcome, logged on its own."""
        self.by_key[(outcome.adam_id, outcome.kind, outcome.target)] = outcome
        self.log.append(outcome)

    def entries(self) -> list[NewActivity | LicensesActivity]:
        """The activity entries, in order."""
        from abctl.store.activity import LicensesActivity, NewActivity

        # positionally: action, result, space, account, adamId, target kind and id, license type, event, detail
        return [
            NewActivity("associate", o.result, self.space, o.account, o.adam_id, o.kind, o.target, o.license_type,
                        o.event_id, o.reason)
            if isinstance(o, TargetOutcome)
            else LicensesActivity("associate", o.result, o.license_ids, self.space, o.account, o.kind, o.event_id,
                                  o.reason)
            for o in self.log
        ]  # fmt: skip


def record(
    rt: Runtime,
    settled: SettledWrite,
    ids: list[int],
    batch: AssetBatch,
    outcomes: Outcomes,
    reasons: dict[OutcomeKey, str],
    account: str,
) -> None:
    """Record one call's outcome per app and target, its license states and the seats it moved, in one
    transaction (a few statements, whatever the number of licenses); the activity log gets one entry per run of
    licenses alike (the same result and reason), their apps and targets read from the licenses."""
    store, event_id, kind = rt.store, settled.sent.event_id, batch.target_kind
    ok: list[int] = []
    failed: dict[str, list[int]] = {}  # detail -> license ids
    seats: Counter[Asset] = Counter()
    pending = settled.state == "pending"
    error = settled.sent.error
    kind_text, targets, by_key = str(kind), batch.targets, outcomes.by_key
    runs: list[LicenseRun] = []
    result = reason = ""
    run_ids: list[int] = []
    for index, (adam_id, pricing) in enumerate(batch.assets):  # the ids: asset by asset, each for every target
        before = len(ok)
        for license_id, target in zip(ids[index * len(targets) : (index + 1) * len(targets)], targets, strict=True):
            key = (adam_id, kind_text, target)
            failure = _failure(settled, adam_id, kind, target) if settled.failures else None
            if pending:
                result, reason = "pending", "Apple has not finished; run: abctl events wait"
            elif failure is not None or error is not None:
                message = failure.error_message if failure else (error.message if error else "")
                number = failure.error_number if failure else None
                failed.setdefault(f"{number}: {message}" if number else message, []).append(license_id)
                result, reason = "failed", f"Apple: {message}"
            else:
                ok.append(license_id)
                result, reason = "assigned", reasons[key]
            by_key[key] = TargetOutcome(adam_id, kind_text, target, account, kind_text, result, reason, event_id)
            if not runs or reason != runs[-1].reason or result != runs[-1].result:
                run_ids = []
                runs.append(LicenseRun(result, reason, run_ids, account, kind_text, event_id))
            run_ids.append(license_id)
        if len(ok) > before:
            seats[(adam_id, pricing)] += len(ok) - before
    outcomes.log += runs
    with store.transaction():
        for detail, failed_ids in failed.items():
            store.set_license_state(failed_ids, LicenseState.FAILED, event_id=event_id, detail=detail)
        if ok:
            store.set_license_state(ok, LicenseState.ACTIVE, event_id=event_id)
        if not pending:
            # Apple's counts move with the event; mirror them so usage is right before the next sync.
            for (adam_id, pricing), count in seats.items():
                store.adjust_assigned(settled.sent.account.id, adam_id, pricing, count)


def _failure(settled: SettledWrite, adam_id: str, kind: TargetKind, target: str) -> EventFailure | None:
    """Apple's failure entry for this app and target: it names the targets, and the assets when it knows them."""
    for failure in settled.failures:
        targets = failure.serial_numbers if kind is TargetKind.DEVICE else failure.client_user_ids
        if target in targets and (not failure.adam_ids or adam_id in failure.adam_ids):
            return failure
    return None
