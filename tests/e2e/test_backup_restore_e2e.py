"""`abctl backup` and `abctl restore` against the sandbox: no sToken byte in a backup unless --with-tokens, the
accounts kept and marked `token_missing`, restores checked first and atomic, the old database kept beside."""

import json
import re
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli
from tests.store.test_store_faults import fingerprint

from abctl.sandbox.seeds import Seed
from abctl.store.schema import schema_version


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # temporary paths are long: keep each message on its one line


@pytest.fixture
def synced(abctl: Cli, token_files: dict[str, Path], db_path: Path) -> Path:
    for name in ("district", "highschool"):
        abctl.expect("tokens", "add", name, "--file", str(token_files[name]))
    abctl.expect("devices", "add", "DMPX0001", "--platform", "ipados")
    abctl.expect("assign", "1000000003", "--device", "DMPX0001")
    return db_path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def secrets_of(world: Seed) -> list[bytes]:
    """Each token's text, and pieces of it long enough to be the token (no 24-byte run of it may be in a backup)."""
    found = []
    for token in world.tokens:
        text = token.text.strip().encode()
        found += [text[i : i + 24] for i in range(0, len(text) - 24, 12)]
    return found


def test_a_backup_without_tokens_holds_no_token_byte_and_keeps_the_accounts(
    abctl: Cli, synced: Path, world: Seed, tmp_path: Path
) -> None:
    dest = tmp_path / "backups" / "abctl.db"
    dest.parent.mkdir()
    result = abctl("backup", str(dest))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    licenses = rows(synced, "SELECT count(*) FROM licenses WHERE state IN ('pending', 'active', 'revoking')")[0][0]
    assert result.stderr.startswith(f"Wrote {dest}: ")
    assert (
        f"2 account(s) without sTokens (marked token_missing), {licenses} license(s), 0 user(s), 1 device(s); "
        f"schema version {schema_version()}.\n"
    ) in result.stderr
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    data = dest.read_bytes()
    assert all(piece not in data for piece in secrets_of(world))
    assert any(piece in synced.read_bytes() for piece in secrets_of(world))  # the grep can find one
    assert rows(dest, "SELECT name, status FROM accounts ORDER BY name") == [
        ("district", "token_missing"), ("highschool", "token_missing")
    ]  # fmt: skip
    assert rows(dest, "SELECT count(*) FROM secrets") == [(0,)]
    assert rows(dest, "PRAGMA integrity_check") == [("ok",)]
    assert rows(dest, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows(synced, "SELECT count(*) FROM secrets") == [(2,)]  # the live database keeps its tokens
    assert sorted(p.name for p in dest.parent.iterdir()) == ["abctl.db"]  # no temporary file left


def test_a_backup_with_tokens_restores_to_working_accounts(abctl: Cli, synced: Path, tmp_path: Path) -> None:
    dest = tmp_path / "with-tokens.db"
    out = abctl("--format", "json", "backup", str(dest), "--with-tokens")
    assert out.exit_code == 0, out.output
    record = json.loads(out.stdout)
    assert (record["path"], record["accounts"], record["tokens"]) == (str(dest), 2, 2)
    assert record["size_bytes"] == dest.stat().st_size
    abctl.expect("spaces", "add", "later")  # a change after the backup, undone by the restore
    restored = abctl("restore", str(dest), "--yes")
    assert restored.exit_code == 0, restored.output
    assert rows(synced, "SELECT name FROM spaces ORDER BY name") == [("default",)]
    assert abctl("tokens", "check").exit_code == 0
    assert abctl("sync").exit_code == 0


def test_backup_refuses_stdout_a_folder_and_the_database_itself(abctl: Cli, synced: Path, tmp_path: Path) -> None:
    cases = [
        ("-", "Error: a backup is a database file, not something for standard output"),
        (str(tmp_path), f"Error: {tmp_path} is a folder"),
        (str(synced), f"Error: {synced} is the database itself (or a file abctl keeps beside it)"),
        (str(tmp_path / "nowhere" / "b.db"), f"Error: no folder {tmp_path / 'nowhere'} for the backup"),
    ]
    for target, error in cases:
        result = abctl("backup", target)
        assert (result.exit_code, result.stdout) == (2, ""), target
        assert result.stderr.splitlines()[0] == error
        assert result.stderr.splitlines()[1].startswith("Hint: ")


def test_restoring_a_backup_without_tokens_asks_for_each_token(
    abctl: Cli, synced: Path, tmp_path: Path, token_files: dict[str, Path]
) -> None:
    dest = tmp_path / "nightly.db"
    abctl.expect("backup", str(dest))
    before = fingerprint(synced)
    live_before = rows(synced, "SELECT id, account_id, adam_id, target_id, state FROM licenses ORDER BY id")
    refused = abctl("restore", str(dest))  # no terminal to confirm on, no --yes
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-2:] == [
        "Error: replacing the database needs confirmation", f"Hint: run: abctl restore {dest} --yes"
    ]  # fmt: skip
    assert fingerprint(synced) == before
    restored = abctl("restore", str(dest), "--yes")
    assert restored.exit_code == 0, restored.output
    assert re.search(r"sTokens\W+0\W+2\W", restored.stdout), restored.stdout  # the backup against the current one
    kept = synced.with_name("abctl.db.before-restore")
    assert stat.S_IMODE(kept.stat().st_mode) == stat.S_IMODE(synced.stat().st_mode) == 0o600
    assert rows(kept, "SELECT count(*) FROM secrets") == [(2,)]
    assert rows(synced, "PRAGMA integrity_check") == [("ok",)]
    assert rows(synced, "SELECT id, account_id, adam_id, target_id, state FROM licenses ORDER BY id") == live_before
    checked = abctl("--format", "json", "tokens", "check")
    assert checked.exit_code == 8
    problems = {p["account"]: p for p in json.loads(checked.stdout)}
    assert problems["district"]["status"] == "token_missing"
    assert "abctl tokens update district --file TOKEN_FILE" in problems["district"]["action"]
    sync = abctl("sync", "district")
    assert sync.exit_code == 3
    assert "Hint: upload it again: abctl tokens update district --file TOKEN_FILE" in sync.stderr
    abctl.expect("tokens", "update", "district", "--file", str(token_files["district"]))
    assert rows(synced, "SELECT status FROM accounts WHERE name = 'district'") == [("ok",)]


def test_restore_refuses_what_is_not_a_good_abctl_backup_and_changes_nothing(
    abctl: Cli, synced: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all\n" * 300)
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["photos"].insert({"id": 1})
    newer = tmp_path / "newer.db"
    abctl.expect("backup", str(newer))
    db = sqlite_utils.Database(newer)
    db["_sqlite_migrations"].insert({"migration_set": "abctl", "name": "m999_future", "applied_at": "x"})
    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('schema_written_by', '7.0.0')")
    db.close()
    damaged = tmp_path / "damaged.db"
    abctl.expect("backup", str(damaged))
    conn = sqlite3.connect(damaged)
    root, size = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'licenses'").fetchone()[0], 4096
    conn.close()
    with damaged.open("r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\x0d\x00\x00\xff\xff" + b"\xee" * 200)
    before = fingerprint(synced)
    cases = {
        junk: f"Error: {junk} cannot be restored: it is not an SQLite database (file is not a database)",
        other: f"Error: {other} cannot be restored: it is not an abctl database",
        newer: f"Error: {newer} was written by abctl 7.0.0 (schema version {schema_version() + 1}); this is abctl",
        damaged: f"Error: {damaged} cannot be restored: it is damaged",
        tmp_path / "missing.db": f"Error: no backup file {tmp_path / 'missing.db'}",
    }
    for source, error in cases.items():
        result = abctl("restore", str(source), "--yes")
        assert result.exit_code in (2, 3), result.output
        assert result.stderr.splitlines()[0].startswith(error), (source, result.stderr)
        assert result.stderr.splitlines()[1].startswith("Hint: ")
        assert fingerprint(synced) == before
        assert not synced.with_name("abctl.db.before-restore").exists()
    assert sorted(p.name for p in synced.parent.iterdir() if p.name.startswith(".")) == []


def test_restore_where_there_is_no_database_yet(abctl: Cli, synced: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.db"
    abctl.expect("backup", str(dest), "--with-tokens")
    fresh = tmp_path / "new-machine" / "abctl.db"
    result = abctl("--db", str(fresh), "--format", "json", "restore", str(dest), "--yes")
    assert result.exit_code == 0, result.output
    assert {"what": "accounts", "backup": 2, "current": "(none)"} in json.loads(result.stdout)
    assert not fresh.with_name("abctl.db.before-restore").exists()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert rows(fresh, "SELECT count(*) FROM secrets") == [(2,)]
