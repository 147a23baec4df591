import json
import os
import stat
from pathlib import Path

import sqlite_utils
from tests.conftest import Cli


def test_add_creates_private_db_and_lists_as_json(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "x" / "abctl.db"
    result = cli("--db", str(db), "spaces", "add", "lab")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Added space `lab`.\nCreated a new abctl database at {db}\n"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700

    result = cli("--db", str(db), "--format", "json", "spaces", "list")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["name"], r["is_default"], r["accounts"]) for r in rows] == [
        ("default", True, 0),
        ("lab", False, 0),
    ]
    # the row is really in the file, read through a second handle
    assert [r["name"] for r in sqlite_utils.Database(db)["spaces"].rows] == ["default", "lab"]


def test_csv_has_header_and_same_keys(cli: Cli, existing_db: Path) -> None:
    result = cli("--format", "csv", "spaces", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "name,is_default,accounts,devices,users,created_at"
    assert lines[1].startswith("default,true,0,0,0,")
    assert len(lines) == 2


def test_jsonl_one_object_per_line(cli: Cli) -> None:
    cli("spaces", "add", "lab")
    result = cli("--format", "jsonl", "spaces", "list")
    assert [json.loads(line)["name"] for line in result.stdout.splitlines()] == ["default", "lab"]


def test_remove_unknown_space_exits_4(cli: Cli, existing_db: Path) -> None:
    result = cli("spaces", "remove", "nope")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == "Error: no space named `nope`\nHint: list spaces with: abctl spaces list\n"


def test_remove_default_is_refused(cli: Cli, existing_db: Path) -> None:
    result = cli("spaces", "remove", "default")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("Error: the `default` space cannot be removed\nHint: ")


def test_remove_space_holding_a_device_is_refused_and_changes_nothing(cli: Cli, db_path: Path) -> None:
    cli("spaces", "add", "lab")
    db = sqlite_utils.Database(db_path)
    db.execute(
        "INSERT INTO devices (serial, space, platform, created_at, updated_at) VALUES ('S1', 'lab', 'ios', 'x', 'x')"
    )
    db.conn.commit()
    result = cli("spaces", "remove", "lab")
    assert result.exit_code == 3
    assert "still holds 1 device(s)" in result.stderr
    assert "Hint: move or delete them first" in result.stderr
    assert [r["name"] for r in sqlite_utils.Database(db_path)["spaces"].rows] == ["default", "lab"]


def test_remove_empty_space(cli: Cli, db_path: Path) -> None:
    cli("spaces", "add", "lab")
    result = cli("spaces", "remove", "lab")
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in sqlite_utils.Database(db_path)["spaces"].rows] == ["default"]


def test_add_duplicate_and_bad_names(cli: Cli) -> None:
    cli("spaces", "add", "lab")
    duplicate = cli("spaces", "add", "lab")
    assert duplicate.exit_code == 3
    assert duplicate.stderr.startswith("Error: space `lab` already exists\n")
    bad = cli("spaces", "add", "no spaces")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: `no spaces` is not a valid space name\nHint: ")


def test_empty_json_listing_is_an_empty_array(cli: Cli) -> None:
    # the default space always exists, so use a listing that can be empty through the renderer directly
    import io

    from abctl.output import Column, Format, Renderer

    out = io.StringIO()
    Renderer(fmt=Format.JSON, stdout=out).rows([], [Column("name", "Name")])
    assert out.getvalue() == "[]\n"
