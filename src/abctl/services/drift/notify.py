"""The `drift` notification of each account (R22): raised when a sync or a settlement finds drift that differs
from what the open notification says (count and reasons), kept while the same drift remains, cleared when it
is settled or gone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.services.drift.find import drift_counts

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime


def evaluate_drift(rt: Runtime, account_ids: Sequence[int], *, unknown: Mapping[int, int] | None = None) -> None:
    """Raise, refresh or clear each account's drift notification from the drift stored now (`unknown`: the
    accounts' licenses of unknown targets, when the caller has counted them already)."""
    from abctl.services.reporting.notifications import set_drift_notification

    if not account_ids:
        return
    counts = drift_counts(rt.store, list(account_ids), unknown=unknown)
    for account_id in account_ids:
        set_drift_notification(rt, rt.store.get_account_by_id(account_id), counts[account_id])
