"""services.reporting.usage: rows per account and app, per-app totals, ordering, forecast, and the per-target views."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.seed_reports import KEYNOTE, NAMELESS, PAGES, activity, insert, seed

from abctl.errors import InputError, NotFoundError
from abctl.services.reporting.usage import TOTAL_ACCOUNT, build_usage_rows, one_decimal_down, target_usage, usage
from abctl.store import Store
from abctl.store.reports import AssetUsage

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_path: Path) -> Store:
    seed(db_path)
    opened = Store.open(db_path)
    yield opened  # type: ignore[misc]
    opened.close()


def _brief(rows: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(r.account, r.adam_id, r.total, r.assigned, r.available, r.percent_used, r.level) for r in rows]


def test_rows_per_account_with_app_totals_most_used_first(store: Store) -> None:
    rows = usage(store, space="default", now=NOW)
    assert _brief(rows) == [
        ("edu", PAGES, 10, 9, 1, 90.0, "alert"),
        ("ops", PAGES, 10, 5, 5, 50.0, "info"),
        (TOTAL_ACCOUNT, PAGES, 20, 14, 6, 70.0, "warn"),
        ("edu", KEYNOTE, 4, 1, 3, 25.0, None),
        (TOTAL_ACCOUNT, KEYNOTE, 4, 1, 3, 25.0, None),
        ("ops", NAMELESS, 2, 0, 2, 0.0, None),
        (TOTAL_ACCOUNT, NAMELESS, 2, 0, 2, 0.0, None),
    ]
    assert [r.name for r in rows] == ["Pages", "Pages", "Pages", "Keynote", "Keynote", NAMELESS, NAMELESS]
    assert rows[2].retired == 2
    assert rows[2].is_total and not rows[0].is_total
    assert {r.space for r in rows} == {"default"}
    assert all(r.forecast_days is None for r in rows)


def test_one_app_and_another_space(store: Store) -> None:
    assert [r.account for r in usage(store, space="default", adam_id=KEYNOTE, now=NOW)] == ["edu", TOTAL_ACCOUNT]
    assert _brief(usage(store, space="lab", now=NOW)) == [
        ("lab1", PAGES, 5, 5, 0, 100.0, "alert"),
        (TOTAL_ACCOUNT, PAGES, 5, 5, 0, 100.0, "alert"),
    ]
    assert usage(store, space="default", adam_id="999", now=NOW) == []


def test_forecast_from_the_last_30_days_of_assignments(store: Store) -> None:
    with store.transaction():
        for days_ago, account, result in (
            (1, "ops", "complete"),
            (2, "ops", "complete"),
            (29, "ops", "complete"),
            (31, "ops", "complete"),  # outside the window
            (3, "ops", "failed"),  # did not hand out a seat
            (4, "edu", "complete"),
        ):
            ts = (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
            insert(store, "activity", activity(ts, "associate", result, account_name=account, adam_id=PAGES))
    rows = {(r.account, r.adam_id): r for r in usage(store, space="default", now=NOW)}
    # ops: 5 seats left at 3 per 30 days; edu: 1 left at 1 per 30 days; the app: 6 left at 4 per 30 days.
    assert rows[("ops", PAGES)].forecast_days == pytest.approx(50.0)
    assert rows[("edu", PAGES)].forecast_days == pytest.approx(30.0)
    assert rows[(TOTAL_ACCOUNT, PAGES)].forecast_days == pytest.approx(45.0)
    assert rows[("edu", KEYNOTE)].forecast_days is None


def asset(account: str, adam_id: str, total: int, assigned: int, name: str | None = None) -> AssetUsage:
    return AssetUsage("default", 1, account, adam_id, "STDQ", "App", name, total, assigned, total - assigned, 0)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, None), (0.0, 0.0), (89.96, 89.9), (90.0, 90.0), (100 * 0.7, 70.0), (69.99999999999999, 70.0),
     (200 / 3, 66.6), (8.571428, 8.5)],
)  # fmt: skip
def test_one_decimal_down(value: float | None, shown: float | None) -> None:
    assert one_decimal_down(value) == shown


def test_rows_show_one_decimal() -> None:
    rows = build_usage_rows([asset("a", "1", 3, 1), asset("b", "1", 5, 0)], {("a", "1"): 6})
    assert [(r.account, r.percent_used, r.forecast_days) for r in rows] == [
        ("a", 33.3, 10.0),  # 2 seats left at 6 per 30 days
        ("b", 0.0, None),
        (TOTAL_ACCOUNT, 12.5, 35.0),  # 1 of 8 used; 7 seats left at 6 per 30 days
    ]


def test_zero_seat_assets_have_no_level_and_sort_last() -> None:
    rows = build_usage_rows([asset("a", "1", 0, 0, "Idle"), asset("a", "2", 10, 1, "Busy")], {})
    assert [(r.name, r.level) for r in rows] == [("Busy", None), ("Busy", None), ("Idle", None), ("Idle", None)]


def test_ties_sort_by_name_then_account() -> None:
    rows = build_usage_rows(
        [asset("z", "2", 10, 5, "beta"), asset("a", "2", 10, 5, "beta"), asset("a", "1", 4, 2, "Alpha")], {}
    )
    assert [(r.name, r.account) for r in rows] == [
        ("Alpha", "a"),
        ("Alpha", TOTAL_ACCOUNT),
        ("beta", "a"),
        ("beta", "z"),
        ("beta", TOTAL_ACCOUNT),
    ]


def _targets(rows: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(r.name, r.license_type, r.serial, r.client_user_id, r.account, r.state, r.usable_until) for r in rows]


def test_user_view_lists_user_and_owned_device_licenses(store: Store) -> None:
    rows = target_usage(store, user="alice", now=NOW)
    grace = datetime(2099, 1, 1, tzinfo=UTC)
    assert _targets(rows) == [
        ("Keynote", "device", "C02ALICE", None, "edu", "active", None),
        ("Pages", "user", None, "alice", "edu", "active", None),
        ("Pages", "device", "C02ALICE", None, "ops", "revoked", grace),
    ]
    assert rows[1].event_id == "ev-1"
    assert rows[0].source == "required"
    assert rows[0].assigned_at == datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


def test_revoked_license_disappears_when_its_grace_ends(store: Store) -> None:
    later = datetime(2099, 1, 2, tzinfo=UTC)
    assert [r.state for r in target_usage(store, user="alice", now=later)] == ["active", "active"]


def test_device_view_lists_device_and_owner_licenses(store: Store) -> None:
    assert _targets(target_usage(store, device="IPAD1", now=NOW)) == [
        ("Keynote", "user", None, "bob", "edu", "failed", None),
        ("Pages", "device", "IPAD1", None, "ops", "active", None),
    ]
    assert _targets(target_usage(store, device="IPAD1", adam_id=PAGES, now=NOW)) == [
        ("Pages", "device", "IPAD1", None, "ops", "active", None),
    ]
    assert target_usage(store, device="IPAD1", space="lab", now=NOW) == []


def test_target_errors(store: Store) -> None:
    with pytest.raises(NotFoundError) as raised:
        target_usage(store, user="nobody", now=NOW)
    assert (raised.value.message, raised.value.hint) == ("no user `nobody`", "list users with: abctl users list")
    with pytest.raises(NotFoundError) as raised:
        target_usage(store, device="NOPE", now=NOW)
    assert raised.value.message == "no device with serial `NOPE`"
    with pytest.raises(InputError):
        target_usage(store, user="alice", device="IPAD1", now=NOW)
    with pytest.raises(InputError):
        target_usage(store, now=NOW)
