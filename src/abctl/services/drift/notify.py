"""The `drift` notification of each account (R22): raised when a sync or a settlement finds drift that differs
from what the open notification says (count and reasons), kept while the same drift remains, cleared when it
is settled or gone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.services.drift.find import AccountTally, drift_counts

if TYPE_CHECKING:
    from abctl.services.runtime import Runtime


def evaluate_drift(
    rt: Runtime, account_ids: Sequence[int], *, tallies: Mapping[int, AccountTally] | None = None
) -> None:
    """Raise, refresh or clear each account's drift notification from the drift stored now (`tallies`: what of
    it the caller has taken already, account by account)."""
    from abctl.services.reporting.notifications import set_drift_notification

    if not account_ids:
        return
    counts = drift_counts(rt.store, list(account_ids), tallies=tallies)
    for account_id in account_ids:
        set_drift_notification(rt, rt.store.get_account_by_id(account_id), counts[account_id])
