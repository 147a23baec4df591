"""The store's own connection class (abctl.store.database): dict rows, writes committed at once outside a
transaction, `atomic` with savepoints when nested, rolled back on error; every outcome read back through a
second connection."""

import sqlite3
from pathlib import Path

import pytest

from abctl.store.database import Database, first_keyword, unique_keys


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "t.db"


@pytest.fixture
def db(path: Path) -> Database:
    database = Database(sqlite3.connect(path))
    database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    return database


def names(path: Path) -> list[str]:
    """What is committed, through a second connection."""
    other = sqlite3.connect(path)
    try:
        return [row[0] for row in other.execute("SELECT name FROM t ORDER BY id")]
    finally:
        other.close()


def test_a_write_outside_a_transaction_is_committed_at_once(db: Database, path: Path) -> None:
    db.execute("INSERT INTO t (name) VALUES (?)", ("a",))
    assert not db.conn.in_transaction
    assert names(path) == ["a"]


def test_a_failed_write_leaves_no_transaction_open(db: Database, path: Path) -> None:
    db.execute("INSERT INTO t (name) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t (name) VALUES ('a')")
    assert not db.conn.in_transaction
    db.execute("INSERT INTO t (name) VALUES ('b')")
    assert names(path) == ["a", "b"]


def test_query_gives_dict_rows_and_unique_keys(db: Database) -> None:
    db.execute("INSERT INTO t (name) VALUES ('a'), ('b')")
    assert list(db.query("SELECT id, name FROM t ORDER BY id")) == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    rows = list(db.query("SELECT x.name, y.name, y.id AS name_2 FROM t x JOIN t y ON y.id = x.id + 1"))
    assert rows == [{"name": "a", "name_3": "b", "name_2": 2}]
    assert list(db.query("SELECT name FROM t WHERE id = :id", {"id": 2})) == [{"name": "b"}]


def test_query_refuses_a_statement_without_rows(db: Database) -> None:
    with pytest.raises(ValueError, match="returns rows"):
        db.query("CREATE INDEX idx_name ON t(name)")


def test_atomic_commits_at_the_end_of_the_block(db: Database, path: Path) -> None:
    with db.atomic():
        db.execute("INSERT INTO t (name) VALUES ('a')")
        db.conn.executemany("INSERT INTO t (name) VALUES (?)", [("b",), ("c",)])
        assert names(path) == []  # not yet visible to another connection
    assert not db.conn.in_transaction
    assert names(path) == ["a", "b", "c"]


def test_atomic_rolls_back_everything_on_error(db: Database, path: Path) -> None:
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO t (name) VALUES ('a')")
        raise RuntimeError("stop")
    assert not db.conn.in_transaction
    assert names(path) == []


def test_a_nested_block_is_a_savepoint_undone_alone(db: Database, path: Path) -> None:
    with db.atomic():
        db.execute("INSERT INTO t (name) VALUES ('outer')")
        with pytest.raises(sqlite3.IntegrityError), db.atomic():
            db.execute("INSERT INTO t (name) VALUES ('inner')")
            db.execute("INSERT INTO t (name) VALUES ('outer')")  # fails: only the inner block is undone
        with db.atomic(), db.atomic():
            db.execute("INSERT INTO t (name) VALUES ('deep')")
        assert db.conn.in_transaction
    assert names(path) == ["outer", "deep"]


def test_an_error_in_a_nested_block_that_goes_on_out_rolls_back_the_whole(db: Database, path: Path) -> None:
    with pytest.raises(KeyError), db.atomic():
        db.execute("INSERT INTO t (name) VALUES ('outer')")
        with db.atomic():
            db.execute("INSERT INTO t (name) VALUES ('inner')")
            raise KeyError("x")
    assert names(path) == []


def test_a_failed_commit_rolls_back(path: Path) -> None:
    db = Database(sqlite3.connect(path))
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
    db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError), db.atomic():
        db.execute("INSERT INTO child VALUES (7)")  # checked at COMMIT
    assert not db.conn.in_transaction
    assert sqlite3.connect(path).execute("SELECT count(*) FROM child").fetchone() == (0,)


def test_table_names_lists_tables_only(db: Database) -> None:
    db.execute("CREATE VIEW v AS SELECT name FROM t")
    db.execute("CREATE INDEX idx_t ON t(name)")
    assert db.table_names() == ["t"]


def test_close_closes_the_connection(db: Database) -> None:
    db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        db.conn.execute("SELECT 1")


@pytest.mark.parametrize(
    ("sql", "keyword"),
    [("insert into t", "INSERT"), ("  \n;SAVEPOINT x", "SAVEPOINT"), ("release_x", "RELEASE_X"), ("", "")],
)
def test_first_keyword(sql: str, keyword: str) -> None:
    assert first_keyword(sql) == keyword


def test_unique_keys_skip_names_already_taken() -> None:
    assert unique_keys(["a", "b"]) == ["a", "b"]
    assert unique_keys(["a", "a", "a_2", "a"]) == ["a", "a_3", "a_2", "a_4"]
