"""services.reporting.reports: the notifications view, --fail-on, --since parsing, app names and the activity log."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.seed_reports import KEYNOTE, PAGES, insert, seed

from abctl.errors import CheckFailedError, ExitCode, InputError, NotFoundError
from abctl.services.reporting.reports import (
    Severity,
    activity_log,
    check_fail_on,
    list_notifications,
    parse_since,
)
from abctl.store import Store


@pytest.fixture
def store(db_path: Path) -> Store:
    seed(db_path)
    opened = Store.open(db_path)
    yield opened  # type: ignore[misc]
    opened.close()


def test_open_notifications_worst_then_newest_first(store: Store) -> None:
    rows = list_notifications(store)
    assert [(r.id, r.severity, r.trigger) for r in rows] == [
        (2, "alert", "90%"),
        (6, "alert", "100%"),
        (5, "warn", "expires in 30 days"),
        (3, "info", "50%"),
        (1, "info", "50%"),
    ]
    first = rows[0]
    assert (first.type, first.component, first.account, first.name, first.space) == (
        "License Usage",
        "Apps and Books",
        "edu",
        "Pages",
        "default",
    )
    assert (rows[2].type, rows[2].name, rows[2].adam_id) == ("Token Expiry", None, None)


def test_all_puts_cleared_ones_last_and_space_and_kind_filter(store: Store) -> None:
    rows = list_notifications(store, include_cleared=True)
    assert [r.id for r in rows] == [2, 6, 5, 3, 1, 4]
    assert rows[-1].cleared_at == datetime(2026, 5, 10, tzinfo=UTC) and not rows[-1].is_open
    assert [r.id for r in list_notifications(store, space="lab")] == [6]
    assert [r.id for r in list_notifications(store, space="default", kind="usage")] == [2, 3, 1]


def test_auth_notification_type(store: Store) -> None:
    with store.transaction():
        insert(
            store,
            "notifications",
            {
                "kind": "auth",
                "account_id": 1,
                "account_name": "edu",
                "severity": "alert",
                "trigger": "expired",
                "message": "The token of `edu` expired",
                "action": "Generate a new token online using your organization's account",
                "raised_at": "2026-06-10T00:00:00Z",
            },
        )
    assert list_notifications(store)[0].type == "Authentication Error"


@pytest.mark.parametrize(
    ("fail_on", "fails"),
    [(None, False), (Severity.INFO, True), (Severity.WARN, True), (Severity.ALERT, False)],
)
def test_check_fail_on_counts_open_rows_at_or_above(store: Store, fail_on: Severity | None, fails: bool) -> None:
    rows = [r for r in list_notifications(store, include_cleared=True) if r.account == "ops"]  # info + warn
    if not fails:
        check_fail_on(rows, fail_on)
        return
    with pytest.raises(CheckFailedError) as raised:
        check_fail_on(rows, fail_on)
    assert raised.value.exit_code == ExitCode.CHECK_FAILED
    assert raised.value.hint == "see them with: abctl notifications"


def test_check_fail_on_message_and_cleared_rows_never_count(store: Store) -> None:
    with pytest.raises(CheckFailedError) as raised:
        check_fail_on(list_notifications(store), Severity.ALERT, what="usage notification")
    assert raised.value.message == "2 open usage notification(s) at alert or worse (worst: alert 90% for `edu`)"
    cleared_only = [r for r in list_notifications(store, include_cleared=True) if not r.is_open]
    check_fail_on(cleared_only, Severity.INFO)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-03", datetime(2026, 6, 3, tzinfo=UTC)),
        ("2026-06-03T10:20:30Z", datetime(2026, 6, 3, 10, 20, 30, tzinfo=UTC)),
        ("2026-06-03T10:20", datetime(2026, 6, 3, 10, 20, tzinfo=UTC)),
        ("2026-06-03T12:00:00+02:00", datetime(2026, 6, 3, 10, 0, tzinfo=UTC)),
        (" 2026-06-03 ", datetime(2026, 6, 3, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    assert parse_since(text) == expected
    assert parse_since(text).tzinfo is not None
    assert parse_since(text).utcoffset() == timezone(timedelta(0)).utcoffset(None)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "03/06/2026", ""])
def test_parse_since_rejects_other_text(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_since(text)
    assert raised.value.message == f"`{text}` is not a date"
    assert raised.value.hint == "use YYYY-MM-DD or an ISO date-time such as 2026-11-28T18:00:00Z"


def test_activity_log_rows_and_filters(store: Store) -> None:
    rows = activity_log(store)
    assert [r.event_id for r in rows] == ["ev-5", "ev-9", "ev-3", "ev-2", "ev-1"]
    bob = rows[1]
    assert bob.as_dict() == {
        "ts": datetime(2026, 6, 4, 9, 0, tzinfo=UTC),
        "actor": "admin",
        "space": "default",
        "account": "edu",
        "adam_id": KEYNOTE,
        "name": "Keynote",
        "target": "user:bob",
        "license_type": "user",
        "action": "associate",
        "result": "failed",
        "event_id": "ev-9",
        "detail": "9609 unknown user",
    }
    assert [r.event_id for r in activity_log(store, user="alice")] == ["ev-3", "ev-2", "ev-1"]
    assert [r.event_id for r in activity_log(store, device="C02ALICE")] == ["ev-3", "ev-2"]
    assert [r.event_id for r in activity_log(store, adam_id=PAGES, space="default")] == ["ev-3", "ev-1"]
    assert [r.event_id for r in activity_log(store, since=datetime(2026, 6, 4, tzinfo=UTC), limit=1)] == ["ev-5"]
    with pytest.raises(NotFoundError):
        activity_log(store, user="nobody")
    assert [r.event_id for r in activity_log(store, device="c02alice")] == ["ev-3", "ev-2"]  # serials: any case
    with pytest.raises(InputError):
        activity_log(store, user="alice", device="IPAD1")
