"""Opening an up-to-date database needs neither sqlite-utils nor the migrations module (issue 19.4): the schema
check compares the applied names with `KNOWN_MIGRATIONS`, which must be the migrations module's own list."""

import json
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from abctl.store import Store
from abctl.store.migrations import migrations
from abctl.store.schema import KNOWN_MIGRATIONS, MIGRATION_SET, MIGRATIONS_TABLE

PROBE = """
import json, sys
from pathlib import Path
from abctl.store import Store
with Store.open(Path(sys.argv[1]), create=True) as store:
    version = store.schema.version
    pending = store.schema.pending
print(json.dumps([version, list(pending), "sqlite_utils" in sys.modules, "abctl.store.migrations" in sys.modules]))
"""


def open_in_a_fresh_process(path: Path) -> list[object]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    result: list[object] = json.loads(completed.stdout)
    return result


def test_known_migrations_are_the_migrations_modules_own_list() -> None:
    assert tuple(m.name for m in migrations.pending(sqlite_utils.Database(memory=True))) == KNOWN_MIGRATIONS
    assert (migrations.name, migrations.migrations_table) == (MIGRATION_SET, MIGRATIONS_TABLE)


def test_an_up_to_date_database_opens_without_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    Store.open(path).close()
    assert open_in_a_fresh_process(path) == [len(KNOWN_MIGRATIONS), [], False, False]


def test_a_database_with_a_pending_migration_is_migrated_with_sqlite_utils(tmp_path: Path) -> None:
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    assert open_in_a_fresh_process(new) == [len(KNOWN_MIGRATIONS), [], True, True]  # created: every migration
    db = sqlite_utils.Database(old)
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[-1])
    db.close()
    assert open_in_a_fresh_process(old) == [len(KNOWN_MIGRATIONS), [], True, True]
    names = [row[0] for row in sqlite_utils.Database(old).execute(f"SELECT name FROM {MIGRATIONS_TABLE}")]
    assert names == list(KNOWN_MIGRATIONS)


def test_another_sets_migrations_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "abctl.db"
    Store.open(path).close()
    sqlite_utils.Database(path)[MIGRATIONS_TABLE].insert(
        {"migration_set": "plugin", "name": "m001_initial", "applied_at": "2026-01-01"}
    )
    with Store.open(path) as store:
        assert store.schema.applied == KNOWN_MIGRATIONS
