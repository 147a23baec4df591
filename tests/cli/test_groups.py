"""`abctl groups`: per-space groups; `All Users` is implicit and holds everyone."""

import json
from pathlib import Path
from textwrap import dedent

import sqlite_utils
from tests.conftest import Cli


def members(cli: Cli, group: str, *space: str) -> list[str]:
    result = cli("--format", "json", "groups", "members", group, *space)
    assert result.exit_code == 0, result.output
    return [row["client_user_id"] for row in json.loads(result.stdout)]


def test_all_users_is_everyone_and_cannot_be_changed(cli: Cli) -> None:
    for user in ("alice", "bob", "carol"):
        cli("users", "add", user)
    cli("users", "delete", "carol", "--yes")
    assert members(cli, "All Users") == ["alice", "bob"]
    assert members(cli, "all users") == ["alice", "bob"]
    for args in (("groups", "add", "All Users"), ("groups", "add-member", "All Users", "alice"),
                 ("groups", "remove-member", "All Users", "alice")):  # fmt: skip
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("Error: `All Users` is implicit: every user is in it\n")


def test_add_list_and_members(cli: Cli, db_path: Path) -> None:
    cli("users", "add", "alice")
    cli("users", "add", "bob")
    assert cli("groups", "add", "Math teachers").stderr == "Added group `Math teachers` in space `default`.\n"
    result = cli("groups", "add-member", "Math teachers", "alice", "bob")
    assert result.stderr == "Added 2 user(s) to `Math teachers`.\n"
    result = cli("groups", "add-member", "Math teachers", "bob")
    assert result.stderr == "Already in `Math teachers`: bob.\nAdded 0 user(s) to `Math teachers`.\n"
    assert members(cli, "Math teachers") == ["alice", "bob"]
    result = cli("groups", "remove-member", "Math teachers", "bob", "bob")
    assert result.stderr == "Removed 1 user(s) from `Math teachers`.\n"
    result = cli("groups", "remove-member", "Math teachers", "bob")
    assert result.stderr == "Not in `Math teachers`: bob.\nRemoved 0 user(s) from `Math teachers`.\n"
    rows = json.loads(cli("--format", "json", "groups", "list").stdout)
    assert [(r["name"], r["members"], r["implicit"]) for r in rows] == [
        ("All Users", 2, True),
        ("Math teachers", 1, False),
    ]
    assert [tuple(r.values()) for r in sqlite_utils.Database(db_path)["group_members"].rows] == [
        ("default", "Math teachers", "alice")
    ]
    table = cli("groups", "list").stdout
    assert table.splitlines()[0] == "Groups (times in UTC)"
    assert table.splitlines()[3] == "All Users      default        2  yes"


def test_groups_belong_to_one_space(cli: Cli) -> None:
    cli("spaces", "add", "lab")
    cli("users", "add", "larry", "--space", "lab")
    cli("users", "add", "alice")
    cli("groups", "add", "chess", "--space", "lab")
    result = cli("groups", "add-member", "chess", "alice", "--space", "lab")
    assert (result.exit_code, result.stderr) == (
        2, "Error: user `alice` is in space `default`, not `lab`\nHint: a group holds users of its own space only\n"
    )  # fmt: skip
    result = cli("groups", "add-member", "chess", "larry")
    assert (result.exit_code, result.stderr) == (
        4, "Error: no group `chess` in space `default`\nHint: it is in space `lab`: add --space lab\n"
    )  # fmt: skip
    assert members(cli, "All Users", "--space", "lab") == ["larry"]


def test_errors(cli: Cli) -> None:
    cli("groups", "add", "chess")
    cases = [
        (("groups", "add", "chess"), 3,
         "Error: group `chess` already exists in space `default`\nHint: abctl groups list\n"),
        (("groups", "members", "Chess"), 4,
         "Error: no group `Chess` in space `default`\nHint: did you mean `chess`?\n"),
        (("groups", "add-member", "chess", "nobody"), 4,
         "Error: no user `nobody`\nHint: list users with: abctl users list\n"),
        (("groups", "add", "a;b"), 2,
         "Error: group name `a;b` is not valid\nHint: use 1-64 characters, without `;`\n"),
    ]  # fmt: skip
    for args, code, stderr in cases:
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (code, stderr), args


def test_empty_group_table(cli: Cli) -> None:
    cli("groups", "add", "chess")
    result = cli("groups", "members", "chess")
    assert (result.stdout, result.stderr) == ("", "No members of chess.\n")
    assert cli("--format", "json", "groups", "members", "chess").stdout == "[]\n"
    assert dedent(cli("--format", "csv", "groups", "members", "chess").stdout) == "client_user_id,email,state\n"
