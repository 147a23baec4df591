"""Numbered schema migrations of the abctl database (sqlite-utils `Migrations`).

An applied migration is never edited: a schema change is always a new `mNNN_verb_object` function, whose name is
also appended to `KNOWN_MIGRATIONS` (abctl.store.schema), so that opening an up-to-date database imports neither
this module nor sqlite-utils. The first migration writes its DDL (store/initial_schema.py) as SQL because the data
model needs composite unique keys, partial indexes and `ON DELETE` actions that sqlite-utils' table API does not
express.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from abctl.store.initial_schema import INITIAL_SCHEMA

migrations = Migrations("abctl")


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";\n") if statement.strip()]


@migrations()
def m001_initial(db: Database) -> None:
    """The whole data model of design.md section 2."""
    for statement in _statements(INITIAL_SCHEMA):
        db.execute(statement)
    db.execute(
        "INSERT INTO spaces (name, is_default, created_at) VALUES ('default', 1, strftime('%Y-%m-%dT%H:%M:%SZ'))"
    )


@migrations()
def m002_add_delegations(db: Database) -> None:
    """Apps the default space's accounts own, delegated to a custom space (R21); gone with the space."""
    db.execute(
        """
        CREATE TABLE delegations (
            space TEXT NOT NULL REFERENCES spaces(name) ON DELETE CASCADE CHECK (space != 'default'),
            adam_id TEXT NOT NULL,
            delegated_at TEXT NOT NULL,
            PRIMARY KEY (space, adam_id)
        )
        """
    )
    db.execute("CREATE INDEX idx_delegations_app ON delegations(adam_id)")


@migrations()
def m003_upper_case_serials(db: Database) -> None:
    """Serial numbers are case-insensitive: the inventory keys them in capitals, as input is normalised at the edges.

    Devices, their installed apps, device reservations and the activity log are rewritten; a lower-case serial
    whose capital form already exists stays as it was (two devices are never merged behind the admin's back).
    License rows keep the serial Apple reported, which sync compares with Apple's own.
    """
    db.execute("PRAGMA defer_foreign_keys = ON")  # devices and installed_apps change together
    fresh = "serial != upper(serial) AND upper(serial) NOT IN (SELECT serial FROM devices)"
    db.execute(f"UPDATE installed_apps SET serial = upper(serial) WHERE {fresh}")
    db.execute(f"UPDATE devices SET serial = upper(serial) WHERE {fresh}")
    lower = "target_kind = 'device' AND target_id != upper(target_id)"
    db.execute(f"UPDATE OR IGNORE reservations SET target_id = upper(target_id) WHERE {lower}")
    db.execute(f"DELETE FROM reservations WHERE {lower}")  # the same reservation was also held in capitals
    db.execute(f"UPDATE activity SET target_id = upper(target_id) WHERE {lower}")


NOTIFICATIONS_WITH_DRIFT = """
CREATE TABLE notifications_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('usage', 'auth', 'expiry', 'drift')),
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    account_name TEXT NOT NULL,
    adam_id TEXT,
    pricing_param TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warn', 'alert')),
    trigger TEXT NOT NULL,
    message TEXT NOT NULL,
    action TEXT,
    raised_at TEXT NOT NULL,
    cleared_at TEXT
);
INSERT INTO notifications_new SELECT id, kind, account_id, account_name, adam_id, pricing_param, severity, trigger,
    message, action, raised_at, cleared_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX idx_notifications_open ON notifications(account_id, kind, cleared_at)
"""


@migrations()
def m004_allow_drift_notifications(db: Database) -> None:
    """Notifications of kind `drift` (R22). SQLite cannot change a CHECK constraint, so the table is rebuilt
    with its rows and ids."""
    for statement in _statements(NOTIFICATIONS_WITH_DRIFT):
        db.execute(statement)


@migrations()
def m005_app_details(db: Database) -> None:
    """What the content lookup says beyond the name (issue 17): bundle id, version, price, size, store links."""
    for column, kind in (("bundle_id", "TEXT"), ("version", "TEXT"), ("price", "REAL"), ("price_formatted", "TEXT"),
                         ("currency", "TEXT"), ("size_bytes", "INTEGER"), ("artwork_url", "TEXT"),
                         ("store_url", "TEXT")):  # fmt: skip
        db.execute(f"ALTER TABLE app_metadata ADD COLUMN {column} {kind}")
    db.execute("CREATE INDEX idx_app_metadata_bundle ON app_metadata(bundle_id)")


@migrations()
def m006_add_drift_indexes(db: Database) -> None:
    """`abctl drift` (R22) over 1,000,000 licenses: what a target holds by app (both sides of a wasted seat,
    answered from the index alone; it replaces idx_licenses_target, its prefix) and the few licenses a complete
    read found gone from Apple."""
    db.execute("CREATE INDEX idx_licenses_holder ON licenses(target_kind, target_id, adam_id, state)")
    db.execute("DROP INDEX idx_licenses_target")
    db.execute(
        "CREATE INDEX idx_licenses_gone ON licenses(account_id) WHERE state = 'revoked' AND last_action = 'sync'"
    )


@migrations()
def m007_index_active_licenses(db: Database) -> None:
    """Each account's active licenses by target: after every sync, the drift count (R22) looks up each one's target
    in the inventory from this index alone (another MDM's 100,000 licenses of unknown targets on a shared token:
    0.03 s per account instead of a pass over every account's licenses)."""
    db.execute(
        "CREATE INDEX idx_licenses_active ON licenses(account_id, target_kind, target_id) WHERE state = 'active'"
    )


@migrations()
def m008_index_only_licenses_with_an_event(db: Database) -> None:
    """Licenses by Apple event only where there is one: an assign writes its licenses as intents (no event yet)
    and a sync those it finds (never one), and each of them cost an index entry (30,000 at a time, issue 19.5);
    a lookup by event (`event_id = ?`) still uses it."""
    db.execute("DROP INDEX idx_licenses_event")
    db.execute("CREATE INDEX idx_licenses_event ON licenses(event_id) WHERE event_id IS NOT NULL")
