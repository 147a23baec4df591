"""Apple's assignments stored a page at a time: found licenses, confirmed pending ones, a complete read revoking
what it never saw, walks that start over, deltas that only add, and the lock held for every database step."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import pytest

from abctl.models.apple import Assignment
from abctl.models.enums import TargetKind
from abctl.store import Store
from abctl.store.sync_state import Drift

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
STAMP = "2026-11-29T08:00:00Z"


def device(serial: str, adam_id: str = "100") -> Assignment:
    return Assignment(adam_id, "STDQ", TargetKind.DEVICE, serial)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "abctl.db")
    opened.db.execute(
        "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at, expires_at)"
        " VALUES (1, 'acct', 'default', 1, 'Org', 'uid1', 'x', ?, '2030-01-01T00:00:00Z')",
        (STAMP,),
    )
    yield opened
    opened.close()


def pending(store: Store, serial: str) -> None:
    """A license abctl asked Apple for and has not seen on Apple yet."""
    store.db.execute(
        "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state, assigned_at)"
        " VALUES (1, '100', 'STDQ', 'device', ?, 'admin', 'pending', ?)",
        (serial, STAMP),
    )


def licenses(store: Store) -> list[tuple[str, str, str, str]]:
    rows = store.db.execute("SELECT target_id, source, state, last_action FROM licenses ORDER BY target_id")
    return [tuple(row) for row in rows.fetchall()]


def test_each_page_is_stored_when_it_is_added(store: Store) -> None:
    ingest = store.assignment_ingest(1, complete=True, now=NOW)
    ingest.add([device("A"), device("B")])
    assert licenses(store) == [("A", "external", "active", "sync"), ("B", "external", "active", "sync")]
    ingest.add([device("C"), device("A")])  # A again (pages can overlap while Apple's data moves): stored once
    assert ingest.finish() == Drift(found=3, confirmed=0, missing=0)
    assert [row[0] for row in licenses(store)] == ["A", "B", "C"]
    row = store.db.execute("SELECT assigned_at, detail FROM licenses WHERE target_id = 'A'").fetchone()
    assert tuple(row) == (STAMP, "found on Apple")


def test_a_complete_read_revokes_what_it_never_saw_and_confirms_pending_ones(store: Store) -> None:
    store.apply_assignments(1, [device("A"), device("B")], complete=True, now=NOW)
    pending(store, "P")
    ingest = store.assignment_ingest(1, complete=True, now=NOW)
    ingest.add([device("A")])
    ingest.add([device("P")])
    assert ingest.finish() == Drift(found=0, confirmed=1, missing=1)
    assert licenses(store) == [
        ("A", "external", "active", "sync"),
        ("B", "external", "revoked", "sync"),
        ("P", "admin", "active", "associate"),
    ]
    revoked = store.db.execute("SELECT revoked_at, detail FROM licenses WHERE target_id = 'B'").fetchone()
    assert tuple(revoked) == (STAMP, "not on Apple at sync")


def test_after_a_restart_only_the_new_walk_counts_as_seen(store: Store) -> None:
    ingest = store.assignment_ingest(1, complete=True, now=NOW)
    ingest.add([device("A"), device("B")])  # the abandoned walk saw B, which has gone since
    ingest.restart()
    ingest.add([device("A"), device("C")])
    assert ingest.finish() == Drift(found=3, confirmed=0, missing=1)
    assert [(row[0], row[2]) for row in licenses(store)] == [("A", "active"), ("B", "revoked"), ("C", "active")]


def test_a_delta_only_adds(store: Store) -> None:
    store.apply_assignments(1, [device("A"), device("B")], complete=True, now=NOW)
    ingest = store.assignment_ingest(1, complete=False, now=NOW)
    ingest.add([device("B"), device("D")])
    assert ingest.finish() == Drift(found=1, confirmed=0, missing=0)
    assert [(row[0], row[2]) for row in licenses(store)] == [("A", "active"), ("B", "active"), ("D", "active")]
    assert store.assignment_ingest(1, complete=False, now=NOW).finish() == Drift()  # an empty delta


def test_a_complete_read_of_one_app_leaves_the_other_apps_alone(store: Store) -> None:
    store.apply_assignments(1, [device("A"), device("B", adam_id="200")], complete=True, now=NOW)
    assert store.apply_assignments(1, [], complete=True, now=NOW, adam_id="100") == Drift(missing=1)
    assert [(row[0], row[2]) for row in licenses(store)] == [("A", "revoked"), ("B", "active")]


def test_a_complete_read_that_lists_nothing_revokes_everything(store: Store) -> None:
    store.apply_assignments(1, [device("A"), device("B")], complete=True, now=NOW)
    assert store.assignment_ingest(1, complete=True, now=NOW).finish() == Drift(missing=2)


class CountingLock:
    def __init__(self) -> None:
        self.held = False
        self.entries = 0

    def __enter__(self) -> object:
        assert not self.held
        self.held, self.entries = True, self.entries + 1
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.held = False


def test_every_database_step_holds_the_lock(store: Store) -> None:
    lock = CountingLock()
    unlocked: list[str] = []
    store.db.conn.set_trace_callback(lambda sql: None if lock.held else unlocked.append(sql))
    ingest = store.assignment_ingest(1, complete=True, now=NOW, lock=lock)
    ingest.add([device("A")])
    ingest.add([device("A")])  # nothing new on this page: no database step, no lock
    ingest.add([])
    ingest.restart()  # read back from the database with the next page
    ingest.add([device("B")])
    ingest.finish()
    store.db.conn.set_trace_callback(None)
    assert (unlocked, lock.entries, lock.held) == ([], 4, False)  # two pages, the restart, the finish


def test_found_licenses_are_named_only_when_asked(store: Store) -> None:
    store.apply_assignments(1, [device("A")], complete=True, now=NOW)
    named = store.assignment_ingest(1, complete=True, now=NOW)
    named.add([device("B"), device("C")])
    drift = named.finish()
    assert (drift.found, drift.missing, drift.found_keys, drift.missing_keys) == (
        2, 1, (("100", "STDQ", "device", "B"), ("100", "STDQ", "device", "C")), (("100", "STDQ", "device", "A"),)
    )  # fmt: skip
    counted = store.assignment_ingest(1, complete=True, now=NOW, name_found=False)
    counted.add([device("B"), device("D")])
    drift = counted.finish()
    assert (drift.found, drift.missing, drift.found_keys) == (1, 1, ())  # D found, C gone: counted, not named


def test_a_pending_license_confirmed_before_a_restart_is_not_confirmed_twice(store: Store) -> None:
    pending(store, "P")
    ingest = store.assignment_ingest(1, complete=True, now=NOW)
    ingest.add([device("P")])
    ingest.restart()  # the new walk reads P back from the database: active now
    ingest.add([device("P"), device("Q")])
    assert ingest.finish() == Drift(found=1, confirmed=1, missing=0)
    assert [(row[0], row[2]) for row in licenses(store)] == [("P", "active"), ("Q", "active")]


def test_a_complete_read_prepared_beforehand_compares_its_pages_with_what_it_loaded_then(store: Store) -> None:
    store.apply_assignments(1, [device("A"), device("B")], complete=True, now=NOW)
    ingest = store.assignment_ingest(1, complete=True, now=NOW)
    ingest.prepare()  # (a sync runs it on another thread while the first page is on its way)
    loads: list[str] = []
    store.db.conn.set_trace_callback(loads.append)
    ingest.add([device("A"), device("C")])
    store.db.conn.set_trace_callback(None)
    assert not any(sql.startswith("SELECT") for sql in loads)  # loaded once, beforehand
    assert ingest.finish() == Drift(found=1, confirmed=0, missing=1, found_keys=(("100", "STDQ", "device", "C"),),
                                    missing_keys=(("100", "STDQ", "device", "B"),))  # fmt: skip


def test_a_delta_confirms_pending_licenses_and_names_what_it_found(store: Store) -> None:
    pending(store, "P")
    ingest = store.assignment_ingest(1, complete=False, now=NOW)
    ingest.add([device("P"), device("Q"), device("Q")])
    assert ingest.finish() == Drift(found=1, confirmed=1, missing=0, found_keys=(("100", "STDQ", "device", "Q"),))
    assert [(row[0], row[2]) for row in licenses(store)] == [("P", "active"), ("Q", "active")]


def test_a_target_holding_the_key_separator_is_stored_and_named_exactly(store: Store) -> None:
    odd = Assignment("100", "STDQ", TargetKind.USER, "u\x1f1\x1f")
    drift = store.apply_assignments(1, [odd, device("A")], complete=True, now=NOW)
    assert drift.found_keys == (("100", "STDQ", "device", "A"), ("100", "STDQ", "user", "u\x1f1\x1f"))
    assert store.apply_assignments(1, [odd], complete=True, now=NOW).missing_keys == (("100", "STDQ", "device", "A"),)
