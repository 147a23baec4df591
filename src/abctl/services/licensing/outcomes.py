"""What an assign did per app and target (R19): each outcome, the activity entries that log them, and the
recording of one associate call's outcome in the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
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
    """The outcomes of one call's licenses of one app, alike but for their targets (an assign of 30 apps to 1,000
    devices is 30 runs, not 30,000 outcomes): logged from the licenses, expanded only when asked."""

    adam_id: str
    targets: Sequence[str]  # in the order of `license_ids`
    license_ids: Sequence[int]
    account: str
    kind: str
    result: str
    reason: str
    event_id: str | None

    def outcomes(self) -> Iterator[TargetOutcome]:
        adam_id, kind, account, result, reason, event_id = (self.adam_id, self.kind, self.account, self.result,
                                                            self.reason, self.event_id)  # fmt: skip
        for target in self.targets:
            yield TargetOutcome(adam_id, kind, target, account, kind, result, reason, event_id)


Part = TargetOutcome | LicenseRun  # one outcome, or a run of them


@dataclass
class Outcomes:
    """Each app and target's outcome, one by one or in runs of licenses alike, in order."""

    space: str
    parts: list[Part] = field(default_factory=list)

    def add(self, outcome: TargetOutcome) -> None:
        self.parts.append(outcome)

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
            for o in self.parts
        ]  # fmt: skip


def expand(parts: Sequence[Part]) -> Iterator[TargetOutcome]:
    """Every outcome of `parts`, in order."""
    for part in parts:
        if isinstance(part, TargetOutcome):
            yield part
        else:
            yield from part.outcomes()


def record(
    rt: Runtime,
    settled: SettledWrite,
    ids: list[int],
    batch: AssetBatch,
    outcomes: Outcomes,
    reasons: Mapping[tuple[str, str], Mapping[str, str]],
    account: str,
) -> None:
    """Record one call's outcome per app and target (in runs), its license states and the seats it moved, in one
    transaction (a few statements, whatever the number of licenses). `reasons`: each assignment's reason, per
    (adamId, license kind) and target."""
    store, event_id, kind = rt.store, settled.sent.event_id, batch.target_kind
    ok: list[int] = []
    failed: dict[str, list[int]] = {}  # detail -> license ids
    seats: Counter[Asset] = Counter()
    pending = settled.state == "pending"
    error = settled.sent.error
    kind_text, targets = str(kind), batch.targets
    if len(ids) != len(batch.assets) * len(targets):
        raise ValueError("one license id per asset and target")
    for index, (adam_id, pricing) in enumerate(batch.assets):  # the ids: asset by asset, each for every target
        asset_ids = ids[index * len(targets) : (index + 1) * len(targets)]
        before = len(ok)
        if pending:
            told = [("pending", PENDING)] * len(targets)
        elif error is not None or settled.failures:
            told = [_told(settled, adam_id, kind, target, reasons, failed, license_id)
                    for license_id, target in zip(asset_ids, targets, strict=True)]  # fmt: skip
            ok += [i for i, (result, _) in zip(asset_ids, told, strict=True) if result == "assigned"]
        else:
            by_target = reasons[(adam_id, kind_text)]
            told = [("assigned", by_target[target]) for target in targets]
            ok += asset_ids
        if len(ok) > before:
            seats[(adam_id, pricing)] += len(ok) - before
        for start, end in _runs(told):
            result, reason = told[start]
            outcomes.parts.append(LicenseRun(adam_id, targets[start:end], asset_ids[start:end], account, kind_text,
                                             result, reason, event_id))  # fmt: skip
    with store.transaction():
        for detail, failed_ids in failed.items():
            store.set_license_state(failed_ids, LicenseState.FAILED, event_id=event_id, detail=detail)
        if ok:
            store.set_license_state(ok, LicenseState.ACTIVE, event_id=event_id)
        if not pending:
            # Apple's counts move with the event; mirror them so usage is right before the next sync.
            for (adam_id, pricing), count in seats.items():
                store.adjust_assigned(settled.sent.account.id, adam_id, pricing, count)


PENDING = "Apple has not finished; run: abctl events wait"


def _runs(told: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(start, end) of each run of equal items: one when all are equal (the usual), found without a loop."""
    if not told or told.count(told[0]) == len(told):
        return [(0, len(told))] if told else []
    runs, start = [], 0
    for end in range(1, len(told) + 1):
        if end == len(told) or told[end] != told[start]:
            runs.append((start, end))
            start = end
    return runs


def _told(
    settled: SettledWrite, adam_id: str, kind: TargetKind, target: str,
    reasons: Mapping[tuple[str, str], Mapping[str, str]], failed: dict[str, list[int]], license_id: int,
) -> tuple[str, str]:  # fmt: skip
    """(result, reason) of one license of a call that failed in part or whole; a failed one joins `failed`
    under its detail."""
    failure = _failure(settled, adam_id, kind, target) if settled.failures else None
    error = settled.sent.error
    if failure is None and error is None:
        return "assigned", reasons[(adam_id, str(kind))][target]
    message = failure.error_message if failure else (error.message if error else "")
    number = failure.error_number if failure else None
    failed.setdefault(f"{number}: {message}" if number else message, []).append(license_id)
    return "failed", f"Apple: {message}"


def _failure(settled: SettledWrite, adam_id: str, kind: TargetKind, target: str) -> EventFailure | None:
    """Apple's failure entry for this app and target: it names the targets, and the assets when it knows them."""
    for failure in settled.failures:
        targets = failure.serial_numbers if kind is TargetKind.DEVICE else failure.client_user_ids
        if target in targets and (not failure.adam_ids or adam_id in failure.adam_ids):
            return failure
    return None
