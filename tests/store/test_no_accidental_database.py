"""No database by accident (issue 16.6): a command that needs state refuses to run where there is no database and
creates nothing; a command that creates state makes the database (0600 in a 0700 folder) and says so once."""

import stat
from pathlib import Path

import pytest
import sqlite_utils
from tests.conftest import Cli

NO_DB_HINT = (
    "Hint: point --db or ABCTL_DB at your database (or ABCTL_HOME at its folder), or start one with: "
    "abctl tokens add NAME --file TOKEN_FILE\n"
)

NEEDS_STATE = [
    ["usage"],
    ["tokens", "list"],
    ["tokens", "check"],
    ["sync"],
    ["notifications"],
    ["events", "list"],
    ["log"],
    ["spaces", "list"],
    ["devices", "list"],
    ["users", "list"],
    ["reconcile", "--dry-run"],
    ["spaces", "remove", "lab"],
]


@pytest.mark.parametrize("args", NEEDS_STATE, ids=" ".join)
def test_a_command_that_needs_state_refuses_a_missing_database_and_creates_nothing(
    cli: Cli, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "typo" / "abctl.db"
    result = cli("--db", str(db), *args)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"Error: no abctl database at {db}\n" + NO_DB_HINT
    assert not db.parent.exists()


def test_abctl_home_pointing_nowhere_creates_nothing(cli: Cli, isolate: Path) -> None:
    result = cli("usage")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: no abctl database at {isolate / 'abctl.db'}\n")
    assert not isolate.exists()


def test_an_empty_file_is_no_database_and_stays_as_it_was(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "abctl.db"
    db.touch()
    result = cli("--db", str(db), "tokens", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: no abctl database at {db}\n")
    assert db.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abctl.db"]


@pytest.mark.parametrize(
    "args",
    [["spaces", "add", "lab"], ["groups", "add", "teachers"], ["users", "add", "alice"],
     ["devices", "add", "DMPX1", "--platform", "ipados"]],
    ids=" ".join,
)  # fmt: skip
def test_a_command_that_creates_state_creates_the_database_and_says_so_once(
    cli: Cli, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "new" / "deeper" / "abctl.db"
    first = cli("--db", str(db), *args)
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines()[-1] == f"Created a new abctl database at {db}"
    assert first.stderr.count("Created a new abctl database") == 1
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert sqlite_utils.Database(db)["_sqlite_migrations"].count >= 1
    again = cli("--db", str(db), "spaces", "list")
    assert again.exit_code == 0, again.output
    assert "Created a new abctl database" not in again.stderr


def test_imports_create_the_database(cli: Cli, tmp_path: Path) -> None:
    users = tmp_path / "users.csv"
    users.write_text("client_user_id\nalice\n")
    devices = tmp_path / "devices.csv"
    devices.write_text("serial,platform\nDMPX1,ipados\n")
    for kind, path in (("users", users), ("devices", devices)):
        db = tmp_path / kind / "abctl.db"
        result = cli("--db", str(db), kind, "import", str(path))
        assert result.exit_code == 0, result.output
        assert result.stderr.endswith(f"Created a new abctl database at {db}\n")
        assert sqlite_utils.Database(db)[kind].count == 1


def test_a_failed_first_tokens_add_leaves_no_database(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.vpptoken"
    bad.write_text("not a token")
    db = tmp_path / "home" / "abctl.db"
    result = cli("--db", str(db), "tokens", "add", "district", "--file", str(bad))
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ")
    assert "Created a new abctl database" not in result.stderr
    assert not db.parent.exists()


def test_demo_needs_no_database(cli: Cli, isolate: Path) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert not isolate.exists()
