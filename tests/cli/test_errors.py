"""The one error handler: Error/Hint on stderr, exit codes, --debug tracebacks without local variables."""

from pathlib import Path

import pytest
import typer
from tests.conftest import Cli

from abctl.cli import app as app_module
from abctl.errors import AbctlError, ExitCode, NotFoundError


@pytest.fixture
def failing_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from abctl.services.inventory import spaces

    def boom(store: object) -> object:
        secret = "eyJzZWNyZXQiOiJ0b3Atc2VjcmV0In0="  # a local variable that must never be shown
        raise RuntimeError("internal detail " + secret[:0])

    monkeypatch.setattr(spaces, "list_spaces", boom)


def test_unexpected_errors_show_no_traceback(cli: Cli, failing_command: None, existing_db: Path) -> None:
    result = cli("spaces", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: unexpected internal failure (a bug in abctl)\n"
        "Hint: run the command again with --debug to see where it happened, and report it\n"
    )


def test_debug_shows_the_traceback_without_local_variables(cli: Cli, failing_command: None, existing_db: Path) -> None:
    result = cli("--debug", "spaces", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert "RuntimeError: internal detail" in result.stderr
    assert "eyJzZWNyZXQi" not in result.stderr
    assert result.stderr.endswith(
        "Error: unexpected internal failure (a bug in abctl)\n"
        "Hint: run the command again with --debug to see where it happened, and report it\n"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_keeps_the_exit_code_of_an_error(cli: Cli, where: str, existing_db: Path) -> None:
    args = ["--debug", "tokens", "show", "nosuch"] if where == "before" else ["tokens", "show", "nosuch", "--debug"]
    plain = cli("tokens", "show", "nosuch")
    result = cli(*args)
    assert plain.exit_code == result.exit_code == ExitCode.NOT_FOUND
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert "abctl.errors.NotFoundError" in result.stderr or "NotFoundError" in result.stderr
    assert result.stderr.endswith(plain.stderr)  # the same Error and Hint lines, after the traceback


def test_no_python_class_name_for_an_operating_system_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, existing_db: Path
) -> None:
    from abctl.services.inventory import spaces

    def missing(store: object) -> object:
        raise FileNotFoundError(2, "No such file or directory", "/srv/abctl/gone.csv")

    monkeypatch.setattr(spaces, "list_spaces", missing)
    result = cli("spaces", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: unexpected failure, no such file or directory: /srv/abctl/gone.csv"
    )
    assert "FileNotFoundError" not in result.stderr


def test_every_exit_code_is_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
    assert NotFoundError("x").exit_code == 4
    assert AbctlError("x").exit_code == 1


def test_usage_errors_keep_typer_exit_code_2(cli: Cli) -> None:
    result = cli("spaces", "add")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_no_arguments_shows_help(cli: Cli) -> None:
    result = cli()
    assert "spaces" in result.output
    assert isinstance(app_module.app, typer.Typer)


def test_pretty_exceptions_never_show_locals() -> None:
    assert app_module.app.pretty_exceptions_show_locals is False
