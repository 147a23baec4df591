"""Which schema a database file is at, against the migrations this abctl knows.

The schema version is the number of abctl migrations applied. A database that has a migration this abctl does
not know was written by a newer abctl: it is refused (an older abctl would misread or damage it), with the
version of abctl that wrote it, which each abctl records in `settings` when it migrates.

Opening an up-to-date database reads the applied names with plain SQL and compares them with `KNOWN_MIGRATIONS`;
sqlite-utils (which runs the migrations, abctl.store.migrations) is imported only when one is pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from abctl import __version__
from abctl.errors import ConfigError
from abctl.store.database import Database

WRITTEN_BY_KEY = "schema_written_by"  # settings key: the abctl version that applied the newest migration
FIRST_MIGRATION = "m001_initial"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' record of applied migrations, one set per name
MIGRATION_SET = "abctl"
# The names of abctl.store.migrations, in order (tests/store/test_light_open.py checks that they are the same).
KNOWN_MIGRATIONS = (
    "m001_initial",
    "m002_add_delegations",
    "m003_upper_case_serials",
    "m004_allow_drift_notifications",
    "m005_app_details",
    "m006_add_drift_indexes",
    "m007_index_active_licenses",
    "m008_index_only_licenses_with_an_event",
)


def known_migrations() -> tuple[str, ...]:
    """Every migration this abctl has, in order."""
    return KNOWN_MIGRATIONS


def schema_version() -> int:
    """The schema version this abctl writes."""
    return len(known_migrations())


@dataclass(frozen=True)
class SchemaState:
    """The migrations a database file has, and what this abctl makes of them."""

    applied: tuple[str, ...]
    known: tuple[str, ...]
    has_tables: bool
    written_by: str | None

    @property
    def version(self) -> int:
        return len(self.applied)

    @property
    def is_abctl(self) -> bool:
        return FIRST_MIGRATION in self.applied

    @property
    def unknown(self) -> tuple[str, ...]:
        """Migrations applied by a newer abctl."""
        return tuple(name for name in self.applied if name not in self.known)

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(name for name in self.known if name not in self.applied)


def read_schema(db: Database) -> SchemaState:
    """Read (never write) which migrations the database has."""
    tables = set(db.table_names())
    applied: tuple[str, ...] = ()
    if MIGRATIONS_TABLE in tables:
        sql = f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid"
        applied = tuple(str(row[0]) for row in db.execute(sql, (MIGRATION_SET,)))
    written_by = None
    if "settings" in tables:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (WRITTEN_BY_KEY,)).fetchone()
        written_by = None if row is None else str(row[0])
    return SchemaState(applied, known_migrations(), bool(tables), written_by)


def newer_schema_error(path: Path, state: SchemaState) -> ConfigError:
    who = f"abctl {state.written_by}" if state.written_by else "a newer abctl"
    needs = f"abctl {state.written_by} or newer" if state.written_by else "a newer abctl"
    return ConfigError(
        f"{path} was written by {who} (schema version {state.version}); this is abctl {__version__}, which knows "
        f"schema version {len(state.known)}",
        hint=f"install {needs} (pip install --upgrade abctl), or point --db at another database",
    )


def not_abctl_error(path: Path) -> ConfigError:
    return ConfigError(
        f"{path} is an SQLite database, but not an abctl one",
        hint="check --db / ABCTL_DB (or ABCTL_HOME): abctl never writes into another program's database",
    )


def check_usable(db: Database, path: Path) -> SchemaState:
    """The schema of a database abctl may open and migrate.

    Raises:
        ConfigError: the file holds another program's tables, or a newer abctl wrote it.
    """
    state = read_schema(db)
    if state.has_tables and not state.is_abctl:
        raise not_abctl_error(path)
    if state.unknown:
        raise newer_schema_error(path, state)
    return state


def migrate(db: Database, path: Path) -> SchemaState:
    """Bring the schema up to date (each migration in its own transaction) and record who did it.

    Raises:
        ConfigError: see `check_usable`.
    """
    before = check_usable(db, path)
    if before.pending:
        import sqlite_utils

        from abctl.store.migrations import migrations

        migrations.apply(sqlite_utils.Database(db.conn))
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (WRITTEN_BY_KEY, __version__))
    return read_schema(db)
