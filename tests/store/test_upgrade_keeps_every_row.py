"""Migrations stay safe (issue 21.5): a database built at the FIRST migration, with a row in every table, is
upgraded by opening it, and every row of every table is still there, column for column; the schema version is
recorded with the abctl that wrote it, and `abctl --version --verbose` prints it."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli

from abctl import __version__
from abctl.store import Store
from abctl.store.migrations import migrations
from abctl.store.schema import FIRST_MIGRATION, known_migrations, schema_version

T = "2026-11-01T08:00:00Z"
ROWS = {
    "settings": [{"key": "installation_id", "value": "6f1c0c9e-0000-4000-8000-000000000001"}],
    "spaces": [{"name": "lab", "is_default": 0, "created_at": T}],
    "accounts": [{"id": 1, "name": "district", "space": "default", "priority": 1, "auto_distribute": 1,
                  "org_name": "Springfield", "location_name": "District Office", "uid": "loc-1", "country": "US",
                  "default_platform": "volumePurchaseProgram", "website_url": "https://example.org",
                  "token_fingerprint": "ab12…cd34", "created_at": T, "expires_at": "2027-11-01T08:00:00Z",
                  "status": "ok", "status_detail": None, "mdm_owner_id": "abctl-1", "mdm_owner_name": "abctl",
                  "last_full_sync_at": T, "last_sync_at": T, "assets_version_id": "v1",
                  "assignments_version_id": "v2", "users_version_id": "v3"}],
    "secrets": [{"account_id": 1, "stoken": "eyJ0b2tlbiI6InNhbmRib3gifQ=="}],
    "assets": [{"account_id": 1, "adam_id": "1000000001", "pricing_param": "STDQ", "product_type": "App",
                "total": 40, "assigned": 2, "available": 38, "retired": 0, "device_assignable": 1, "revocable": 1,
                "platforms": "iOS", "synced_at": T}],
    "app_metadata": [{"adam_id": "1000000001", "name": "Pocket Planetarium", "kind": "App", "platforms": "iOS",
                      "fetched_at": T}],
    "catalog": [{"space": "default", "adam_id": "1000000001", "install_on_device": 1, "auto_update": 0,
                 "added_at": T}],
    "distribution_policies": [{"account_id": 1, "adam_id": "1000000001", "updated_at": T}],
    "fcfs_groups": [{"account_id": 1, "adam_id": "1000000001", "group_name": "teachers"}],
    "reservations": [{"account_id": 1, "adam_id": "1000000001", "target_kind": "device", "target_id": "DMPX0001"}],
    "disallowed": [{"account_id": 1, "adam_id": "1000000001", "client_user_id": "mallory"}],
    "users": [{"client_user_id": "alice", "space": "default", "email": "alice@example.org",
               "managed_apple_id": "alice@appleid.example.org", "state": "active", "created_at": T,
               "updated_at": T}],
    "apple_users": [{"account_id": 1, "client_user_id": "alice", "status": "Associated", "email": "alice@example.org",
                     "invite_code": "INV1", "id_hash": "h1", "synced_at": T}],
    "groups": [{"space": "default", "name": "teachers", "created_at": T}],
    "group_members": [{"space": "default", "group_name": "teachers", "client_user_id": "alice"}],
    "devices": [{"serial": "DMPX0001", "space": "default", "platform": "ipados", "owner": "alice", "shared_ipad": 0,
                 "state": "active", "created_at": T, "updated_at": T}],
    "installed_apps": [{"serial": "DMPX0001", "adam_id": "1000000001", "installed_at": T}],
    "licenses": [
        {"id": 1, "account_id": 1, "adam_id": "1000000001", "pricing_param": "STDQ", "target_kind": "device",
         "target_id": "DMPX0001", "source": "reserved", "state": "active", "event_id": "ev-1", "platform": "ipados",
         "assigned_at": T, "revoked_at": None, "usable_until": None, "last_action": "associate", "detail": None},
        {"id": 2, "account_id": 1, "adam_id": "1000000001", "pricing_param": "STDQ", "target_kind": "user",
         "target_id": "alice", "source": "admin", "state": "revoked", "event_id": "ev-2", "platform": None,
         "assigned_at": T, "revoked_at": T, "usable_until": "2026-12-01T08:00:00Z", "last_action": "revoke",
         "detail": "left"},
    ],
    "events": [{"id": 1, "event_id": "ev-1", "account_id": 1, "account_name": "district", "kind": "associate",
                "payload": '{"assets":[]}', "state": "complete", "num_requested": 1, "num_completed": 1,
                "failures": None, "created_at": T, "sent_at": T, "finished_at": T}],
    "activity": [{"id": 1, "ts": T, "actor": "admin", "space": "default", "account_name": "district",
                  "adam_id": "1000000001", "target_kind": "device", "target_id": "DMPX0001", "license_type": "device",
                  "action": "assign", "result": "ok", "event_id": "ev-1", "detail": None}],
    "notifications": [{"id": 7, "kind": "usage", "account_id": 1, "account_name": "district",
                       "adam_id": "1000000001", "pricing_param": "STDQ", "severity": "warn", "trigger": "50%",
                       "message": "50% used", "action": None, "raised_at": T, "cleared_at": None}],
}  # fmt: skip


def every_row(path: Path) -> dict[str, list[dict[str, object]]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}
    finally:
        conn.close()


def test_a_database_of_the_first_migration_keeps_every_row_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    db = sqlite_utils.Database(path)
    later = known_migrations()[1:]
    migrations.apply(db, stop_before=later)
    assert [m.name for m in migrations.applied(db)] == [FIRST_MIGRATION]
    db.execute("PRAGMA foreign_keys = ON")
    with db.atomic():
        for table, rows in ROWS.items():
            for row in rows:
                db[table].insert(row)
    db.close()
    before = every_row(path)
    assert set(ROWS) <= set(before) and all(before[table] for table in ROWS)

    with Store.open(path) as store:
        assert store.schema.version == schema_version() and store.schema.pending == ()
    after = every_row(path)
    for table, rows in before.items():
        if table == "_sqlite_migrations":
            continue
        kept = [{key: row[key] for key in rows[0]} for row in after[table]] if rows else after[table]
        if table == "settings":
            kept = [row for row in kept if row["key"] != "schema_written_by"]
        assert kept == rows, table
    written_by = [row for row in after["settings"] if row["key"] == "schema_written_by"]
    assert written_by == [{"key": "schema_written_by", "value": __version__}]
    assert [row["name"] for row in after["_sqlite_migrations"]] == list(known_migrations())
    assert sqlite_utils.Database(path).execute("PRAGMA foreign_key_check").fetchall() == []


def test_version_verbose_prints_the_schema_version(cli: Cli) -> None:
    assert cli("--version").stdout == f"abctl {__version__}\n"
    assert cli("-v", "--version").stdout == f"abctl {__version__}\nschema version {schema_version()}\n"
    for args in (["--version", "--verbose"], ["--verbose", "--version"], ["--version", "-v"]):
        result = subprocess.run([sys.executable, "-m", "abctl", *args], capture_output=True, text=True, check=False)
        assert (result.returncode, result.stdout) == (0, f"abctl {__version__}\nschema version {schema_version()}\n")
