"""`abctl users` without Apple: add, list, show, import (atomic, idempotent, every bad line reported)."""

import json
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli


def test_add_creates_missing_groups_and_lists_as_json(cli: Cli, db_path: Path) -> None:
    result = cli("users", "add", "alice", "--email", "alice@example.org", "-g", "teachers", "-g", "staff")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Created group(s): teachers, staff.\nAdded user `alice` in space `default`.\n"
        f"Created a new abctl database at {db_path}\n"
    )
    listed = json.loads(cli("--format", "json", "users", "list").stdout)
    assert listed == [
        {"client_user_id": "alice", "space": "default", "email": "alice@example.org", "managed_apple_id": None,
         "state": "active", "groups": ["staff", "teachers"], "apple_status": []}
    ]  # fmt: skip
    db = sqlite_utils.Database(db_path)
    assert [(r["client_user_id"], r["state"]) for r in db["users"].rows] == [("alice", "active")]
    assert sorted((r["group_name"], r["client_user_id"]) for r in db["group_members"].rows) == [
        ("staff", "alice"), ("teachers", "alice")
    ]  # fmt: skip


def test_csv_listing_keys(cli: Cli) -> None:
    cli("users", "add", "bob", "--managed-apple-id", "bob@appleid.example.org")
    result = cli("--format", "csv", "users", "list")
    assert result.stdout == (
        "client_user_id,space,email,managed_apple_id,state,groups,apple_status\n"
        "bob,default,,bob@appleid.example.org,active,,\n"
    )


def test_add_errors(cli: Cli) -> None:
    cli("users", "add", "alice")
    cases = [
        (("users", "add", "alice"), 3, "Error: user `alice` already exists in space `default`\n"
                                        "Hint: see it with: abctl users show alice\n"),
        (("users", "add", "bad id"), 2, "Error: user id `bad id` is not valid\nHint: use a stable id without spaces"
                                        " (1-256 characters), e.g. the directory's user id\n"),
        (("users", "add", "x", "--email", "nope"), 2, "Error: email `nope` is not an email address\n"
                                                      "Hint: use the form name@example.org\n"),
        (("users", "add", "x", "--space", "lab"), 4, "Error: no space named `lab`\n"
                                                     "Hint: list spaces with: abctl spaces list\n"),
        (("users", "add", "x", "-g", "All Users"), 2, "Error: `All Users` is implicit: every user is in it\n"
                                                      "Hint: name another group, or leave All Users as it is\n"),
        (("users", "show", "zed"), 4, "Error: no user `zed`\nHint: list users with: abctl users list\n"),
    ]  # fmt: skip
    for args, code, stderr in cases:
        result = cli(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr), args


def test_show_without_licenses(cli: Cli) -> None:
    cli("users", "add", "alice", "--email", "alice@example.org")
    cli("devices", "add", "IPAD1", "--platform", "ipados", "--owner", "alice")
    shown = json.loads(cli("--format", "json", "users", "show", "alice").stdout)
    assert shown["devices"] == ["IPAD1"]
    assert shown["licenses"] == []
    assert shown["state"] == "active"
    result = cli("users", "show", "alice")
    assert result.exit_code == 0, result.output
    assert "Devices           IPAD1" in result.stdout
    assert result.stderr == "No licenses.\n"


def test_import_is_atomic_and_idempotent(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    good = tmp_path / "staff.csv"
    good.write_text("client_user_id,email,groups\ncarol,carol@example.org,students\ndan,,students;chess\n")
    result = cli("users", "import", str(good))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Created group(s): students, chess.\n"
        "Imported 2 user(s) from staff.csv: 2 added, 0 updated, 0 unchanged; 3 group membership(s) added.\n"
        f"Created a new abctl database at {db_path}\n"
    )
    db = sqlite_utils.Database(db_path)
    before = list(db.query("SELECT * FROM users ORDER BY client_user_id"))
    again = cli("users", "import", str(good))
    assert again.stderr == (
        "Imported 2 user(s) from staff.csv: 0 added, 0 updated, 2 unchanged; 0 group membership(s) added.\n"
    )
    assert list(sqlite_utils.Database(db_path).query("SELECT * FROM users ORDER BY client_user_id")) == before

    bad = tmp_path / "bad.csv"
    bad.write_text("client_user_id,email\ncarol,carol@new.example.org\nerin,nope\nfay,\nfay,\n")
    result = cli("users", "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: line 3: email `nope` is not an email address (2 bad lines in bad.csv; nothing was imported)\n"
        "Hint: fix these lines and import the file again:\n"
        "  line 3: email `nope` is not an email address\n"
        "  line 5: user `fay` repeats line 4\n"
    )
    assert list(sqlite_utils.Database(db_path).query("SELECT * FROM users ORDER BY client_user_id")) == before


def test_import_updates_changed_rows_and_keeps_values_left_empty(cli: Cli, tmp_path: Path) -> None:
    cli("users", "add", "carol", "--email", "carol@example.org", "--managed-apple-id", "carol@appleid.example.org")
    update = tmp_path / "update.json"
    update.write_text('[{"client_user_id": "carol", "email": "c@example.org"}, {"client_user_id": "gil"}]')
    result = cli("users", "import", str(update))
    assert result.stderr.endswith("1 added, 1 updated, 0 unchanged; 0 group membership(s) added.\n"), result.stderr
    rows = json.loads(cli("--format", "json", "users", "list").stdout)
    assert [(r["client_user_id"], r["email"], r["managed_apple_id"]) for r in rows] == [
        ("carol", "c@example.org", "carol@appleid.example.org"), ("gil", None, None)
    ]  # fmt: skip


def test_import_from_stdin_and_unreadable_file(cli: Cli) -> None:
    result = cli("users", "import", "-", input="client_user_id\nhal\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Imported 1 user(s) from stdin: 1 added")
    missing = cli("users", "import", "/nonexistent/users.csv")
    assert (missing.exit_code, missing.stderr) == (
        2, "Error: cannot read `/nonexistent/users.csv`: no such file or directory\nHint: check the file path\n"
    )  # fmt: skip


def test_invite_needs_users_or_all_pending(cli: Cli) -> None:
    result = cli("users", "invite")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: name the users to invite, or give --all-pending\n"
        "Hint: no user is waiting for an invite; see: abctl users list\n"
    )
    cli("users", "add", "alice")
    result = cli("users", "invite", "alice")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: space `default` has no Apps and Books account to register users with\n")


def test_delete_without_licenses_needs_no_apple_but_asks(cli: Cli, db_path: Path) -> None:
    cli("users", "add", "alice", "-g", "teachers")
    refused = cli("users", "delete", "alice")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "No live licenses to revoke.\n"
        "Error: this change needs confirmation and no terminal can answer\n"
        "Hint: run: abctl users delete alice --yes\n"
    )
    result = cli("users", "delete", "alice", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == "No live licenses to revoke.\nDeleted `alice`.\n"
    db = sqlite_utils.Database(db_path)
    assert [(r["client_user_id"], r["state"]) for r in db["users"].rows] == [("alice", "deleted")]
    assert list(db["group_members"].rows) == []
    assert json.loads(cli("--format", "json", "users", "list").stdout) == []
    assert [r["state"] for r in json.loads(cli("--format", "json", "users", "list", "--deleted").stdout)] == ["deleted"]
    again = cli("users", "delete", "alice", "--yes")
    assert again.exit_code == 4
    # A deleted user can be added again.
    assert cli("users", "add", "alice").stderr == "Restored user `alice` in space `default`.\n"
