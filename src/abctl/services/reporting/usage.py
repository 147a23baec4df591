"""License usage (R16): per account and app from Apple's asset counts, per-app totals, forecasts, and the
licenses one user or device holds. Read-only; the notification levels come from domain.thresholds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from abctl.domain import thresholds
from abctl.errors import InputError
from abctl.services.names.targets import resolve_target

if TYPE_CHECKING:
    from abctl.store import Store
    from abctl.store.app_details import AppDetails
    from abctl.store.reports import AssetUsage, TargetLicense

# The `account` of a per-app total row: no account name can be "*" (names start with a letter or digit).
TOTAL_ACCOUNT = "*"
FORECAST_WINDOW_DAYS = 30
LIVE_STATES = frozenset({"pending", "active", "revoking"})


@dataclass(frozen=True)
class UsageRow:
    """Usage of one asset in one account, or (account "*") of one asset across the space's accounts."""

    space: str
    account: str
    adam_id: str
    name: str
    pricing_param: str
    total: int
    assigned: int
    available: int
    retired: int
    percent_used: float | None
    level: str | None
    forecast_days: float | None
    product_type: str = "App"
    cost: str | None = None  # one license, as the store shows it ("$4.99", "Free"), from the content lookup
    price: float | None = None  # one license, in `currency`
    currency: str | None = None
    value: float | None = None  # assigned x price: what the licenses in use are worth (chargeback)

    @property
    def is_total(self) -> bool:
        return self.account == TOTAL_ACCOUNT

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TargetLicenseRow:
    """One license in the per-user or per-device view (R16)."""

    space: str
    account: str
    adam_id: str
    name: str
    pricing_param: str
    license_type: str
    serial: str | None
    client_user_id: str | None
    source: str
    state: str
    assigned_at: datetime
    last_action: str | None
    usable_until: datetime | None
    event_id: str | None
    version: str | None = None  # the rest from the content lookup, when known
    cost: str | None = None
    price: float | None = None
    currency: str | None = None
    platforms: tuple[str, ...] = ()
    size: str | None = None  # "48.2 MB"
    size_bytes: int | None = None
    bundle_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def one_decimal_down(value: float | None) -> float | None:
    """Rounded down to one decimal: a row never shows a trigger (say 90.0) not reached, nor a day not left."""
    if value is None:
        return None
    return math.floor(round(value * 10, 6)) / 10


def _level_name(percent: float | None) -> str | None:
    found = None if percent is None else thresholds.level(percent)
    return None if found is None else found.value


def _row(
    space: str,
    account: str,
    asset: AssetUsage,
    counts: tuple[int, int, int, int],
    assignments: int,
) -> UsageRow:
    total, assigned, available, retired = counts
    percent = thresholds.percent_used(assigned, total)
    forecast = thresholds.forecast_days(available, assignments, window_days=FORECAST_WINDOW_DAYS)
    return UsageRow(
        space=space,
        account=account,
        adam_id=asset.adam_id,
        name=asset.name or asset.adam_id,
        pricing_param=asset.pricing_param,
        total=total,
        assigned=assigned,
        available=available,
        retired=retired,
        percent_used=one_decimal_down(percent),
        level=_level_name(percent),
        forecast_days=one_decimal_down(forecast),
        product_type=asset.product_type,
    )


def _rank(row: UsageRow) -> float:
    return -1.0 if row.percent_used is None else row.percent_used


def build_usage_rows(assets: Sequence[AssetUsage], recent: dict[tuple[str, str], int]) -> list[UsageRow]:
    """Account rows and one total row per asset, most-used app first; inside an app most-used account first."""
    by_asset: dict[tuple[str, str], list[AssetUsage]] = defaultdict(list)
    for asset in assets:
        by_asset[(asset.adam_id, asset.pricing_param)].append(asset)
    groups: list[tuple[UsageRow, list[UsageRow]]] = []
    for members in by_asset.values():
        rows = []
        for asset in members:
            counts = (asset.total, asset.assigned, asset.available, asset.retired)
            rows.append(_row(asset.space, asset.account, asset, counts, recent.get((asset.account, asset.adam_id), 0)))
        rows.sort(key=lambda row: (-_rank(row), row.account))
        sums = (
            sum(a.total for a in members),
            sum(a.assigned for a in members),
            sum(a.available for a in members),
            sum(a.retired for a in members),
        )
        # Activity has no pricing_param: an account's assignments of the app count once per asset row it owns.
        window = sum(recent.get((a.account, a.adam_id), 0) for a in members)
        total_row = _row(members[0].space, TOTAL_ACCOUNT, members[0], sums, window)
        groups.append((total_row, rows))
    groups.sort(
        key=lambda group: (-_rank(group[0]), group[0].name.casefold(), group[0].adam_id, group[0].pricing_param)
    )
    return [row for total_row, rows in groups for row in (*rows, total_row)]


def usage(store: Store, *, space: str, adam_id: str | None = None, now: datetime) -> list[UsageRow]:
    """Usage rows of a space (one app's when `adam_id` is given), with per-app totals and forecasts."""
    assets = store.asset_usage(space, adam_id=adam_id)
    recent = store.recent_assignments(space, since=now - timedelta(days=FORECAST_WINDOW_DAYS)) if assets else {}
    rows = build_usage_rows(assets, recent)
    details = store.app_details({row.adam_id for row in rows}) if rows else {}
    return [with_cost(row, details.get(row.adam_id)) for row in rows]


def with_cost(row: UsageRow, details: AppDetails | None) -> UsageRow:
    """The row with the license cost the lookup gave, and the value of the assigned licenses."""
    if details is None or details.price is None:
        return row
    value = round(details.price * row.assigned, 2)
    return replace(row, cost=details.price_formatted or f"{details.price:.2f}", price=details.price,
                   currency=details.currency, value=value)  # fmt: skip


def human_size(size_bytes: int | None) -> str | None:
    """Bytes as people read a download size: 950 KB, 48.2 MB, 1.3 GB."""
    if size_bytes is None:
        return None
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:.1f} {unit}" if unit != "KB" else f"{size_bytes // scale} KB"
    return f"{size_bytes} B"


def _with_details(row: TargetLicenseRow, details: AppDetails | None) -> TargetLicenseRow:
    if details is None:
        return row
    cost = details.price_formatted or (f"{details.price:.2f}" if details.price is not None else None)
    return replace(row, version=details.version, cost=cost, price=details.price, currency=details.currency,
                   platforms=details.platforms, size=human_size(details.size_bytes), size_bytes=details.size_bytes,
                   bundle_id=details.bundle_id)  # fmt: skip


def _visible(item: TargetLicense, now: datetime) -> bool:
    """Live and failed licenses, and revoked ones whose grace (usable_until) has not ended."""
    if item.state != "revoked":
        return True
    return item.usable_until is not None and item.usable_until > now


def _target_row(item: TargetLicense) -> TargetLicenseRow:
    is_device = item.target_kind == "device"
    return TargetLicenseRow(
        space=item.space,
        account=item.account,
        adam_id=item.adam_id,
        name=item.name or item.adam_id,
        pricing_param=item.pricing_param,
        license_type=item.target_kind,
        serial=item.target_id if is_device else None,
        client_user_id=None if is_device else item.target_id,
        source=item.source,
        state=item.state,
        assigned_at=item.assigned_at,
        last_action=item.last_action,
        usable_until=item.usable_until,
        event_id=item.event_id,
    )


def _sorted(items: Iterable[TargetLicense], now: datetime, details: dict[str, AppDetails]) -> list[TargetLicenseRow]:
    rows = [_with_details(_target_row(item), details.get(item.adam_id)) for item in items if _visible(item, now)]
    # Same app: newest first (stable sort in two passes).
    rows.sort(key=lambda row: row.assigned_at, reverse=True)
    rows.sort(key=lambda row: (row.name.casefold(), row.adam_id, row.state not in LIVE_STATES))
    return rows


def target_usage(
    store: Store,
    *,
    user: str | None = None,
    device: str | None = None,
    space: str | None = None,
    adam_id: str | None = None,
    now: datetime,
) -> list[TargetLicenseRow]:
    """The licenses a user (with their devices') or a device (with its owner's) holds or may still use.

    Raises: InputError unless exactly one of user and device is given; NotFoundError for an unknown target.
    """
    if (user is None) == (device is None):
        hint = f"abctl usage --user {user}, or abctl usage --device {device}" if user else "add --user or --device"
        raise InputError("give either --user or --device, not both", hint=hint)
    kind, given = ("user", user) if user is not None else ("device", device)
    assert given is not None
    target = resolve_target(store, kind, given)
    items = store.user_licenses(target) if kind == "user" else store.device_licenses(target)
    chosen = [
        item
        for item in items
        if (space is None or item.space == space) and (adam_id is None or item.adam_id == adam_id)
    ]
    return _sorted(chosen, now, store.app_details({item.adam_id for item in chosen}) if chosen else {})
