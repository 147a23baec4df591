"""Every command that takes `--space` refuses a space that does not exist: exit 4, a did-you-mean, nothing on
stdout and nothing changed. The list of commands is read from the command tree, so a new command with `--space`
fails here until it is added to INVOCATIONS."""

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import typer
from tests.conftest import Cli

from abctl.cli.app import app

# The command, then arguments that would otherwise be acceptable (FILE is replaced by a real file).
INVOCATIONS: dict[str, tuple[str, ...]] = {
    "tokens add": ("tokens", "add", "newacct", "--file", "FILE"),
    "tokens list": ("tokens", "list"),
    "priority list": ("priority", "list"),
    "distribute": ("distribute", "1000000001"),
    "assign": ("assign", "1000000001", "--device", "LABPAD01"),
    "reconcile": ("reconcile", "--dry-run"),
    "revoke": ("revoke", "1000000001", "--all", "--dry-run"),
    "usage": ("usage",),
    "notifications": ("notifications",),
    "log": ("log",),
    "apps list": ("apps", "list"),
    "apps add": ("apps", "add", "1000000001"),
    "apps remove": ("apps", "remove", "1000000001", "--dry-run"),
    "users add": ("users", "add", "newuser"),
    "users list": ("users", "list"),
    "users import": ("users", "import", "FILE"),
    "users invite": ("users", "invite", "--all-pending"),
    "groups add": ("groups", "add", "band"),
    "groups list": ("groups", "list"),
    "groups members": ("groups", "members", "band"),
    "groups add-member": ("groups", "add-member", "band", "lena"),
    "groups remove-member": ("groups", "remove-member", "band", "lena"),
    "devices add": ("devices", "add", "NEWPAD01", "--platform", "ipados"),
    "devices list": ("devices", "list"),
    "devices import": ("devices", "import", "FILE"),
    "drift list": ("drift",),  # `abctl drift` is `abctl drift list`
    "drift settle": ("drift", "settle", "--revoke", "--dry-run"),
}


def commands_with_space() -> set[str]:
    root = typer.main.get_command(app)
    found: set[str] = set()

    def walk(command: Any, path: list[str], ctx: Any) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name], ctx)
        elif any("--space" in getattr(param, "opts", ()) for param in command.params):
            found.add(" ".join(path))

    walk(root, [], typer.Context(root))
    return found


def test_every_command_with_space_is_listed() -> None:
    assert commands_with_space() == set(INVOCATIONS)


@pytest.fixture
def lab(cli: Cli, tmp_path: Path) -> Path:
    cli.expect("spaces", "add", "lab")
    file = tmp_path / "input.csv"
    file.write_text("serial,platform\nNEWPAD02,ipados\n")
    return file


@pytest.mark.parametrize("command", sorted(INVOCATIONS))
def test_an_unknown_space_exits_4_with_a_did_you_mean(cli: Cli, lab: Path, db_path: Path, command: str) -> None:
    args = [str(lab) if arg == "FILE" else arg for arg in INVOCATIONS[command]]
    db = sqlite_utils.Database(db_path)
    before = {table: db.execute(f"SELECT count(*) FROM [{table}]").fetchone() for table in db.table_names()}
    result = cli(*args, "--space", "lba")
    assert result.exit_code == 4, result.output
    assert result.stdout == ""
    assert result.stderr == "Error: no space named `lba`\nHint: did you mean `lab`?\n"
    after = {table: db.execute(f"SELECT count(*) FROM [{table}]").fetchone() for table in db.table_names()}
    assert after == before
