"""Help for people (issue 16.13): no Python type metavars, no internal rule numbers, in every command's help."""

import re
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from abctl.cli import app as app_module

PYTHON_TYPES = re.compile(r"<(bool|str|int|float|file|path|list\[[^>]*\]|[a-z]+ range)>")
RULE_NUMBER = re.compile(r"\bR\d{1,2}\b")


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*path, name])

    walk(typer.main.get_command(app_module.app), [])
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "abctl")
def test_help_names_no_python_type_and_no_rule_number(path: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app_module.app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert PYTHON_TYPES.findall(result.stdout) == []
    assert RULE_NUMBER.findall(result.stdout) == []


def test_options_that_take_values_say_what_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = CliRunner().invoke(app_module.app, ["--help"]).stdout
    assert re.search(r"--db\s+PATH\s+Database file", text)
    assert re.search(r"--format\s+-o\s+table\|[a-z|]*json", text)
    assert re.search(r"--lock-timeout\s+SECONDS \[x>=0\]", text)
    assert re.search(r"--quiet\s+-q\s+Only data and errors", text)  # a flag: nothing between name and help
