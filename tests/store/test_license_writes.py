"""The writes of an assignment in a few statements (store/licenses.py): a grid of pending licenses with their ids
in call order, the same for a list, and state changes by id, read back through a second handle."""

from datetime import UTC, datetime
from pathlib import Path

from abctl.models.enums import TargetKind
from abctl.models.licenses import LicenseState
from abctl.store import Store
from abctl.store.activity import LicensesActivity, NewActivity
from abctl.store.licenses import NewLicense, ids_where

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
STAMP = "2026-01-01T00:00:00Z"


def account(store: Store) -> None:
    with store.transaction():
        store.db.conn.execute(
            "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at,"
            " expires_at) VALUES (7, 'acct', 'default', 1, 'Org', 'uid', 'x', ?, '2030-01-01T00:00:00Z')",
            (STAMP,),
        )


def rows(store: Store) -> list[tuple[object, ...]]:
    return store.db.conn.execute(
        "SELECT id, account_id, adam_id, pricing_param, target_kind, target_id, source, state, platform, assigned_at,"
        " last_action, event_id, detail FROM licenses ORDER BY id"
    ).fetchall()


def test_a_grid_of_pending_licenses_asset_by_asset_then_their_states(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    serials = [(f"S{n:04d}", "ios" if n % 2 else None) for n in range(1_200)]  # more than 999 parameters
    with Store.open(path) as store:
        account(store)
        first = store.insert_pending_licenses(
            [NewLicense(7, "100", "STDQ", TargetKind.USER, "carol", "admin")], now=NOW
        )
        grid = store.insert_pending_grid(7, [("200", "STDQ"), ("300", "PLUS")], TargetKind.DEVICE, serials, "fcfs",
                                         now=NOW)  # fmt: skip
        assert first == [1] and grid == list(range(2, 2 + 2_400))
        store.set_license_state(grid[:1_500], LicenseState.ACTIVE, event_id="E1")
        store.set_license_state(grid[1_500:1_501], LicenseState.FAILED, event_id="E1", detail="9610: nope")
        assert store.insert_pending_grid(7, [], TargetKind.DEVICE, serials, "fcfs", now=NOW) == []
    with Store.open(path) as again:
        found = rows(again)
    assert len(found) == 2_401
    assert found[0] == (1, 7, "100", "STDQ", "user", "carol", "admin", "pending", None, "2026-12-01T10:00:00Z",
                        "associate", None, None)  # fmt: skip
    assert found[1] == (2, 7, "200", "STDQ", "device", "S0000", "fcfs", "active", None, "2026-12-01T10:00:00Z",
                        "associate", "E1", None)  # fmt: skip
    assert found[2][5:9] == ("S0001", "fcfs", "active", "ios")
    assert found[1_201][2:6] == ("300", "PLUS", "device", "S0000")  # the second asset after every target
    assert found[1_501][5:] == (
        "S0300",
        "fcfs",
        "failed",
        None,
        "2026-12-01T10:00:00Z",
        "associate",
        "E1",
        "9610: nope",
    )
    assert [row[7] for row in found[1_502:]] == ["pending"] * 899


def test_activity_entries_of_licenses_read_their_apps_and_targets_in_order_among_single_entries(
    tmp_path: Path,
) -> None:
    path = tmp_path / "abctl.db"
    with Store.open(path) as store:
        account(store)
        grid = store.insert_pending_grid(7, [("200", "STDQ"), ("300", "PLUS")], TargetKind.DEVICE,
                                         [("S1", "ios"), ("S2", None)], "admin", now=NOW)  # fmt: skip
        entries = [
            NewActivity("associate", "refused", "default", None, "100", "device", "S9", None, None, "no seat"),
            LicensesActivity("associate", "assigned", grid[:3], "default", "acct", "device", "E1", "on list"),
            NewActivity("associate", "refused", "default", "acct", "300", "user", "bob", "user", None, "9609"),
            LicensesActivity("associate", "failed", [grid[0], grid[3]], "default", "acct", "device", "E1", "Apple: x"),
            LicensesActivity("associate", "failed", [], "default", "acct", "device", "E1", "never logged"),
        ]
        store.log_activity(entries, actor="ann", now=NOW)
    with Store.open(path) as again:
        logged = again.db.conn.execute(
            "SELECT id, ts, actor, space, account_name, adam_id, target_kind, target_id, license_type, action, result,"
            " event_id, detail FROM activity ORDER BY id"
        ).fetchall()
    stamp = "2026-12-01T10:00:00Z"
    assert logged == [
        (1, stamp, "ann", "default", None, "100", "device", "S9", None, "associate", "refused", None, "no seat"),
        (2, stamp, "ann", "default", "acct", "200", "device", "S1", "device", "associate", "assigned", "E1", "on list"),
        (3, stamp, "ann", "default", "acct", "200", "device", "S2", "device", "associate", "assigned", "E1", "on list"),
        (4, stamp, "ann", "default", "acct", "300", "device", "S1", "device", "associate", "assigned", "E1", "on list"),
        (5, stamp, "ann", "default", "acct", "300", "user", "bob", "user", "associate", "refused", None, "9609"),
        (6, stamp, "ann", "default", "acct", "200", "device", "S1", "device", "associate", "failed", "E1", "Apple: x"),
        (7, stamp, "ann", "default", "acct", "300", "device", "S2", "device", "associate", "failed", "E1", "Apple: x"),
    ]  # fmt: skip


def test_ids_where_is_a_range_when_consecutive_else_as_one_json_array() -> None:
    assert ids_where("id", [4, 5, 6]) == ("id BETWEEN ? AND ?", (4, 6))
    assert ids_where("id", [4, 6]) == ("id IN (SELECT value FROM json_each(?))", ("[4, 6]",))
    assert ids_where("id", [4, 4, 6]) == ("id IN (SELECT value FROM json_each(?))", ("[4, 4, 6]",))
    assert ids_where("id", [6, 5, 4]) == ("id IN (SELECT value FROM json_each(?))", ("[6, 5, 4]",))
    assert ids_where("id", []) == ("id IN (SELECT value FROM json_each(?))", ("[]",))
