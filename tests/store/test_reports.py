"""The read-only report queries: what they return for a fixed data set, and that they use the indexes."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.seed_reports import KEYNOTE, PAGES, activity, insert, seed

from abctl.store import Store


@pytest.fixture
def store(db_path: Path) -> Store:
    seed(db_path)
    opened = Store.open(db_path)
    yield opened  # type: ignore[misc]
    opened.close()


def test_asset_usage_reads_counts_of_one_space_with_names(store: Store) -> None:
    rows = store.asset_usage("default")
    assert [(r.account, r.adam_id, r.name, r.total, r.assigned, r.available, r.retired) for r in rows] == [
        ("edu", KEYNOTE, "Keynote", 4, 1, 3, 0),
        ("edu", PAGES, "Pages", 10, 9, 1, 0),
        ("ops", "1000000001", None, 2, 0, 2, 0),
        ("ops", PAGES, "Pages", 10, 5, 5, 2),
    ]
    assert [(r.space, r.account) for r in store.asset_usage("lab")] == [("lab", "lab1")]
    assert [r.account for r in store.asset_usage("default", adam_id=PAGES)] == ["edu", "ops"]


def test_recent_assignments_count_completed_associations_since_a_moment(store: Store) -> None:
    with store.transaction():
        for ts, action, result, account in (
            ("2026-11-20T00:00:00Z", "associate", "complete", "edu"),
            ("2026-11-21T00:00:00Z", "associate", "complete", "edu"),
            ("2026-11-22T00:00:00Z", "associate", "failed", "edu"),
            ("2026-11-22T00:00:00Z", "disassociate", "complete", "edu"),
            ("2026-11-23T00:00:00Z", "associate", "complete", "ops"),
            ("2026-11-23T00:00:00Z", "associate", "complete", "lab1"),
            ("2026-10-01T00:00:00Z", "associate", "complete", "edu"),
        ):
            insert(store, "activity", activity(ts, action, result, account_name=account, adam_id=PAGES))
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert store.recent_assignments("default", since=since) == {("edu", PAGES): 2, ("ops", PAGES): 1}
    assert store.recent_assignments("lab", since=since) == {("lab1", PAGES): 1}


def test_user_licenses_include_the_users_devices(store: Store) -> None:
    found = {(r.target_kind, r.target_id, r.adam_id, r.state) for r in store.user_licenses("alice")}
    assert found == {
        ("user", "alice", PAGES, "active"),
        ("user", "alice", KEYNOTE, "revoked"),
        ("device", "C02ALICE", KEYNOTE, "active"),
        ("device", "C02ALICE", PAGES, "revoked"),
    }


def test_device_licenses_include_the_owners_but_not_on_a_shared_ipad(store: Store) -> None:
    assert {(r.target_kind, r.target_id) for r in store.device_licenses("IPAD1")} == {
        ("device", "IPAD1"),
        ("user", "bob"),
    }
    assert {(r.target_kind, r.target_id) for r in store.device_licenses("SHARED1")} == {("device", "SHARED1")}


def test_known_targets(store: Store) -> None:
    assert store.is_known_target("user", "alice")
    assert store.is_known_target("device", "IPAD1")
    assert not store.is_known_target("user", "nobody")
    assert not store.is_known_target("device", "alice")


def test_notifications_open_or_all_and_by_space(store: Store) -> None:
    assert [n.id for n in store.notifications()] == [1, 2, 3, 5, 6]
    assert [n.id for n in store.notifications(include_cleared=True)] == [1, 2, 3, 4, 5, 6]
    assert [n.id for n in store.notifications(space="lab")] == [6]
    first = store.notifications()[0]
    assert (first.space, first.account, first.name, first.raised_at, first.cleared_at) == (
        "default",
        "edu",
        "Pages",
        datetime(2026, 6, 1, tzinfo=UTC),
        None,
    )


def test_activity_entries_filters_newest_first(store: Store) -> None:
    assert [e.event_id for e in store.activity_entries()] == ["ev-5", "ev-9", "ev-3", "ev-2", "ev-1"]
    assert [e.event_id for e in store.activity_entries(limit=2)] == ["ev-5", "ev-9"]
    assert [e.event_id for e in store.activity_entries(adam_id=PAGES)] == ["ev-5", "ev-3", "ev-1"]
    assert [e.event_id for e in store.activity_entries(space="default", since=datetime(2026, 6, 3, tzinfo=UTC))] == [
        "ev-9",
        "ev-3",
    ]
    assert [e.event_id for e in store.activity_entries(user="alice")] == ["ev-3", "ev-2", "ev-1"]
    assert [e.event_id for e in store.activity_entries(device="C02ALICE")] == ["ev-3", "ev-2"]
    assert store.activity_entries(user="nobody") == []


def test_app_names_and_adam_ids_named(store: Store) -> None:
    assert store.app_names([PAGES, KEYNOTE, "1000000001", PAGES]) == {PAGES: "Pages", KEYNOTE: "Keynote"}
    assert store.adam_ids_named("pages") == [PAGES]
    assert store.adam_ids_named("Numbers") == []


def _plans_of(store: Store, call: Callable[[], object]) -> list[str]:
    """The query plan of every SELECT the call ran (statements captured with their parameters inlined)."""
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        store.db.conn.set_trace_callback(None)
    return [
        "\n".join(row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.parametrize(
    ("call", "index"),
    [
        (lambda s: s.user_licenses("alice"), "idx_licenses_holder"),
        (lambda s: s.device_licenses("IPAD1"), "idx_licenses_holder"),
        (lambda s: s.recent_assignments("default", since=datetime(2026, 11, 1, tzinfo=UTC)), "idx_activity_ts"),
        (lambda s: s.activity_entries(since=datetime(2026, 11, 1, tzinfo=UTC)), "idx_activity_ts"),
        (lambda s: s.activity_entries(user="alice"), "idx_activity_target"),
        (lambda s: s.activity_entries(device="IPAD1"), "idx_activity_target"),
    ],
    ids=["user", "device", "recent", "log-since", "log-user", "log-device"],
)
def test_queries_use_the_indexes(store: Store, call: Callable[[Store], object], index: str) -> None:
    """No full scan of licenses or activity: the benchmark's 1,000,000 rows stay out of the way."""
    plans = _plans_of(store, lambda: call(store))
    assert plans
    for plan in plans:
        assert index in plan, plan
        assert "SCAN l " not in plan + " " and "SCAN activity " not in plan + " ", plan


def test_usage_never_reads_licenses(store: Store) -> None:
    for plan in _plans_of(store, lambda: store.asset_usage("default")):
        assert "licenses" not in plan and "SCAN s" not in plan, plan
