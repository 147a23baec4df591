"""The schema a blank database migrates to, exactly, and that migrating again changes nothing."""

from pathlib import Path

import sqlite_utils

from abctl.store import Store
from abctl.store.migrations import migrations

EMPTY = sqlite_utils.Database(memory=True)

EXPECTED_TABLES = {
    "_sqlite_migrations",
    "settings",
    "spaces",
    "accounts",
    "secrets",
    "assets",
    "app_metadata",
    "catalog",
    "distribution_policies",
    "fcfs_groups",
    "reservations",
    "disallowed",
    "users",
    "apple_users",
    "groups",
    "group_members",
    "devices",
    "installed_apps",
    "licenses",
    "events",
    "activity",
    "notifications",
    "delegations",
}

EXPECTED_COLUMNS = {
    "accounts": [
        "id", "name", "space", "priority", "auto_distribute", "org_name", "location_name", "uid", "country",
        "default_platform", "website_url", "token_fingerprint", "created_at", "expires_at", "status",
        "status_detail", "mdm_owner_id", "mdm_owner_name", "last_full_sync_at", "last_sync_at",
        "assets_version_id", "assignments_version_id", "users_version_id",
    ],
    "licenses": [
        "id", "account_id", "adam_id", "pricing_param", "target_kind", "target_id", "source", "state", "event_id",
        "platform", "assigned_at", "revoked_at", "usable_until", "last_action", "detail",
    ],
    "events": [
        "id", "event_id", "account_id", "account_name", "kind", "payload", "state", "num_requested",
        "num_completed", "failures", "created_at", "sent_at", "finished_at",
    ],
    "assets": [
        "account_id", "adam_id", "pricing_param", "product_type", "total", "assigned", "available", "retired",
        "device_assignable", "revocable", "platforms", "synced_at",
    ],
    "devices": ["serial", "space", "platform", "owner", "shared_ipad", "state", "created_at", "updated_at"],
}  # fmt: skip

EXPECTED_INDEXES = {
    "idx_assets_adam_id",
    "idx_users_space",
    "idx_apple_users_user",
    "idx_group_members_user",
    "idx_devices_space",
    "idx_devices_owner",
    "idx_licenses_live",
    "idx_licenses_app",
    "idx_licenses_event",
    "idx_events_state",
    "idx_activity_ts",
    "idx_activity_app",
    "idx_activity_target",
    "idx_notifications_open",
    "idx_delegations_app",
}


def _schema(path: Path) -> list[tuple[str, str]]:
    db = sqlite_utils.Database(path)
    return [(row[0], row[1]) for row in db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()]


def test_blank_database_migrates_to_the_expected_schema(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    Store.open(path).close()
    db = sqlite_utils.Database(path)
    assert set(db.table_names()) == EXPECTED_TABLES
    for table, columns in EXPECTED_COLUMNS.items():
        assert [c.name for c in db[table].columns] == columns, table
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
    assert indexes >= EXPECTED_INDEXES
    assert [r["name"] for r in db["_sqlite_migrations"].rows] == [m.name for m in migrations.pending(EMPTY)]
    assert [r["name"] for r in db["_sqlite_migrations"].rows][:7] == [
        "m001_initial", "m002_add_delegations", "m003_upper_case_serials", "m004_allow_drift_notifications",
        "m005_app_details", "m006_add_drift_indexes", "m007_index_active_licenses",
    ]  # fmt: skip
    assert [c.name for c in db["app_metadata"].columns] == [
        "adam_id", "name", "kind", "platforms", "fetched_at", "bundle_id", "version", "price", "price_formatted",
        "currency", "size_bytes", "artwork_url", "store_url",
    ]  # fmt: skip
    assert [(r["name"], r["is_default"]) for r in db["spaces"].rows] == [("default", 1)]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_applying_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    Store.open(path).close()
    before = _schema(path)
    Store.open(path).close()
    assert _schema(path) == before
    db = sqlite_utils.Database(path)
    assert db["_sqlite_migrations"].count == len(migrations.pending(EMPTY))
    assert db["spaces"].count == 1


def test_foreign_keys_and_live_license_uniqueness_are_enforced(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    store = Store.open(tmp_path / "abctl.db")
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO devices (serial, space, platform, created_at, updated_at)"
            " VALUES ('S', 'nope', 'ios', 'x', 'x')"
        )
    store.db.execute(
        "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at, expires_at)"
        " VALUES (1, 'a', 'default', 1, 'Org', 'u1', 'ab…cd', 'x', 'y')"
    )
    insert = (
        "INSERT INTO licenses (account_id, adam_id, pricing_param, target_kind, target_id, source, state, assigned_at)"
        " VALUES (1, '1', 'STDQ', 'device', 'S', 'admin', ?, 'x')"
    )
    store.db.execute(insert, ("revoked",))
    store.db.execute(insert, ("active",))
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(insert, ("pending",))
    store.close()


def test_serials_are_upper_cased_once_and_never_merged(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m003_upper_case_serials")
    stamp = "2026-01-01T00:00:00Z"
    for serial in ("dmpx0001", "Mac01", "IPAD9", "ipad9"):
        db.execute(
            "INSERT INTO devices (serial, space, platform, created_at, updated_at) VALUES (?, 'default', 'ios', ?, ?)",
            (serial, stamp, stamp),
        )
    db.execute("INSERT INTO installed_apps (serial, adam_id, installed_at) VALUES ('dmpx0001', '1', ?)", (stamp,))
    db.execute(
        "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at, expires_at)"
        " VALUES (1, 'a', 'default', 1, 'Org', 'u1', 'ab…cd', 'x', 'y')"
    )
    db.execute("INSERT INTO distribution_policies (account_id, adam_id, updated_at) VALUES (1, '1', 'x')")
    for kind, target in (("device", "r1"), ("device", "r2"), ("device", "R2"), ("user", "bob")):
        db.execute("INSERT INTO reservations VALUES (1, '1', ?, ?)", (kind, target))
    db.execute(
        "INSERT INTO activity (ts, actor, action, result, target_kind, target_id)"
        " VALUES ('x', 'admin', 'associate', 'assigned', 'device', 'dmpx0001')"
    )
    db.conn.commit()
    db.close()
    Store.open(path).close()
    db = sqlite_utils.Database(path)
    assert sorted(r[0] for r in db.execute("SELECT serial FROM devices")) == ["DMPX0001", "IPAD9", "MAC01", "ipad9"]
    assert db.execute("SELECT serial FROM installed_apps").fetchall() == [("DMPX0001",)]
    assert sorted(db.execute("SELECT target_kind, target_id FROM reservations").fetchall()) == [
        ("device", "R1"), ("device", "R2"), ("user", "bob")
    ]  # fmt: skip
    assert db.execute("SELECT target_id FROM activity").fetchall() == [("DMPX0001",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_event_index_holds_only_licenses_with_an_event_and_serves_a_lookup_by_event(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    Store.open(path).close()
    db = sqlite_utils.Database(path)
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'idx_licenses_event'").fetchone()
    assert sql == "CREATE INDEX idx_licenses_event ON licenses(event_id) WHERE event_id IS NOT NULL"
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM licenses WHERE event_id = ?", ("E1",)).fetchall()
    assert [row[3] for row in plan] == ["SEARCH licenses USING COVERING INDEX idx_licenses_event (event_id=?)"]
