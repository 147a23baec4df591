"""Self-healing after an incremental sync (R15): which apps to read again, or whether to read everything.

Apple's deltas list additions only, so an app whose assigned count on Apple differs from the live local licenses
lost some that abctl cannot see in the delta: its assignments are read again. Each such read costs at least one
page, so removals spread over many apps can cost more pages than reading every assignment once; then one full
read is cheaper, and it heals every app at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from abctl.models.apple import Asset

PAGE_SIZE = 1_000  # assignments per page as Apple serves them; both costs scale with it alike


@dataclass(frozen=True)
class HealPlan:
    """What to read again: nothing, some apps (`adam_ids`, in the assets' order), or everything (`full`)."""

    adam_ids: tuple[str, ...] = ()
    full: bool = False
    per_app_pages: int = 0
    full_pages: int = 0


def pages(assignments: int, page_size: int = PAGE_SIZE) -> int:
    """Pages a listing of `assignments` records takes (an empty listing is still one page)."""
    return max(1, -(-assignments // page_size))


def heal_plan(assets: Iterable[Asset], local: Mapping[tuple[str, str], int], page_size: int = PAGE_SIZE) -> HealPlan:
    """Apps whose Apple count disagrees with `local` ((adamId, pricingParam) -> live licenses), read again one
    by one (a read by adamId returns every pricingParam of the app), unless that would take more pages than one
    full read of the account's assignments."""
    assigned: dict[str, int] = {}
    mismatched: dict[str, None] = {}
    total = 0
    for asset in assets:
        total += asset.assigned
        assigned[asset.adam_id] = assigned.get(asset.adam_id, 0) + asset.assigned
        if local.get((asset.adam_id, asset.pricing_param), 0) != asset.assigned:
            mismatched[asset.adam_id] = None
    if not mismatched:
        return HealPlan()
    per_app = sum(pages(assigned[adam_id], page_size) for adam_id in mismatched)
    full = pages(total, page_size)
    return HealPlan(tuple(mismatched), per_app > full, per_app, full)
