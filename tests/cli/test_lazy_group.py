"""A group's subcommands are built when first asked for (abctl.cli.lazy_group), and nothing a user sees changes:
each group's help, at every width, is the help of the group typer builds eagerly; a typo still gets its
suggestion; running one subcommand builds that one only."""

import importlib
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.models import CommandInfo, TyperInfo
from typer.testing import CliRunner

from abctl.cli import app as app_module
from abctl.cli.lazy_group import LazyCommands, LazyGroup, is_plain

GROUPS = [
    name
    for name in app_module.COMMANDS
    if isinstance(app_module.load_command(name), LazyGroup)  # the groups of plain Typer apps
]
SETTINGS = {"pretty_exceptions_short": app_module.app.pretty_exceptions_short,
            "rich_markup_mode": app_module.app.rich_markup_mode}  # fmt: skip


def eager(name: str) -> typer.main.TyperGroup:
    sub = importlib.import_module(app_module.module_of(name)).app
    return typer.main.get_group_from_info(
        TyperInfo(sub, name=name), suggest_commands=app_module.app.suggest_commands, **SETTINGS
    )


def run(group: typer.core.TyperGroup, args: list[str], name: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of the click group run as `abctl NAME ARGS`."""
    code: int | str | None = 0
    with CliRunner().isolation() as (out, err, _):
        try:
            group.main(args=args, prog_name=f"abctl {name}")
        except SystemExit as exit_:
            code = exit_.code
        return int(code or 0), out.getvalue().decode(), err.getvalue().decode()


def built(group: LazyGroup) -> list[str]:
    assert isinstance(group.commands, LazyCommands)
    return [name for name, item in group.commands._items.items() if not isinstance(item, CommandInfo)]


def test_the_groups_are_lazy_but_drift_keeps_its_own_group_class() -> None:
    assert {"spaces", "tokens", "devices", "users", "apps", "groups", "events", "priority", "sandbox"} <= set(GROUPS)
    assert "drift" not in GROUPS
    assert not is_plain(importlib.import_module("abctl.cli.drift").app)


@pytest.mark.parametrize("width", ["80", "100", "120", "200"])
@pytest.mark.parametrize("name", GROUPS)
def test_a_groups_help_is_the_help_of_the_eager_group(name: str, width: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", width)
    lazy = app_module.load_command(name)
    assert isinstance(lazy, LazyGroup)
    shown = run(lazy, ["--help"], name)
    assert built(lazy) == []  # the listing built no subcommand
    expected = run(eager(name), ["--help"], name)
    assert shown == expected
    assert shown[0] == 0 and "Commands" in shown[1]
    assert list(lazy.commands) == list(eager(name).commands)


def test_a_typo_gets_the_suggestion_without_building_every_subcommand() -> None:
    lazy = app_module.load_command("tokens")
    assert isinstance(lazy, LazyGroup)
    code, _, err = run(lazy, ["lst"], "tokens")
    assert code == 2
    assert "No such command 'lst'. Did you mean 'list'?" in err
    assert (code, err) == run(eager("tokens"), ["lst"], "tokens")[::2]
    assert built(lazy) == []


def test_running_a_subcommand_builds_that_one_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from abctl.store import Store

    db = tmp_path / "abctl.db"
    Store.open(db).close()
    built_names: list[str] = []
    real = typer.main.get_command_from_info

    def spy(info: CommandInfo, **kwargs: object) -> object:
        built_names.append(str(info.name))
        return real(info, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(typer.main, "get_command_from_info", spy)
    result = CliRunner().invoke(app_module.app, ["--db", str(db), "-o", "json", "tokens", "list"])
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert built_names == ["list"]


def test_a_typo_of_a_command_gets_the_suggestion_though_the_root_builds_commands_when_used() -> None:
    result = CliRunner().invoke(app_module.app, ["tokns"])
    assert result.exit_code == 2
    assert "No such command 'tokns'. Did you mean 'tokens'?" in result.output
    unlike = CliRunner().invoke(app_module.app, ["xyzzy"])
    assert unlike.exit_code == 2 and "No such command 'xyzzy'." in unlike.output and "Did you mean" not in unlike.output
