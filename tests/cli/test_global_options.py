"""Global options work before or after the subcommand (issue 16.1); a subcommand's own option of the same
spelling wins; nothing after `--` moves."""

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main
from tests.conftest import Cli

from abctl.cli import app as app_module
from abctl.cli.placement import place_global_options


def root_params(*args: str) -> tuple[dict[str, Any], list[str]]:
    """The root's parsed options and what is left for the subcommand."""
    group = typer.main.get_command(app_module.app)
    ctx = group.make_context("abctl", list(args), resilient_parsing=True)
    return ctx.params, [*ctx._protected_args, *ctx.args]


# (option as typed, root parameter, value it sets)
GLOBALS = [
    (["--db", "/tmp/x.db"], "db", Path("/tmp/x.db")),
    (["--db=/tmp/x.db"], "db", Path("/tmp/x.db")),
    (["--format", "json"], "fmt", "json"),
    (["--format=csv"], "fmt", "csv"),
    (["-o", "csv"], "fmt", "csv"),
    (["-ojsonl"], "fmt", "jsonl"),
    (["--no-color"], "no_color", True),
    (["-q"], "quiet", True),
    (["--quiet"], "quiet", True),
    (["-v"], "verbose", True),
    (["--api-url", "http://127.0.0.1:9/mdm/v2/"], "api_url", "http://127.0.0.1:9/mdm/v2/"),
    (["--lock-timeout", "5"], "lock_timeout", 5.0),
    (["--debug"], "debug", True),
]


@pytest.mark.parametrize(("typed", "name", "value"), GLOBALS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "command", [["tokens", "list"], ["usage", "--fail-on", "alert"], ["sync", "district", "--full"]], ids=str
)
def test_a_global_option_after_the_subcommand_means_the_same_as_before(
    typed: list[str], name: str, value: object, command: list[str]
) -> None:
    before, rest_before = root_params(*typed, *command)
    after, rest_after = root_params(*command, *typed)
    assert before[name] == after[name] == value
    assert rest_before == rest_after == command


def test_a_global_option_between_group_and_subcommand_moves_too() -> None:
    params, rest = root_params("tokens", "-o", "csv", "list")
    assert params["fmt"] == "csv"
    assert rest == ["tokens", "list"]


def test_a_subcommand_option_of_the_same_spelling_wins() -> None:
    params, rest = root_params("sandbox", "token", "broken", "--state", "revoked", "-o", "broken.vpptoken")
    assert params["fmt"] == "table"
    assert rest == ["sandbox", "token", "broken", "--state", "revoked", "-o", "broken.vpptoken"]


def test_an_option_value_that_looks_like_a_global_option_stays_a_value() -> None:
    params, rest = root_params("tokens", "add", "x", "--space", "-q")
    assert params["quiet"] is False
    assert rest == ["tokens", "add", "x", "--space", "-q"]


def test_nothing_after_double_dash_moves() -> None:
    params, rest = root_params("users", "show", "--", "-q")
    assert params["quiet"] is False
    assert rest == ["users", "show", "--", "-q"]


def test_no_subcommand_leaves_the_arguments_alone() -> None:
    group = typer.main.get_command(app_module.app)
    ctx = group.make_context("abctl", ["--format", "json", "spaces"], resilient_parsing=True)
    assert place_global_options(group, ctx, ["-q", "--debug"]) == ["-q", "--debug"]  # type: ignore[arg-type]


def test_format_after_the_command_drives_the_output(cli: Cli) -> None:
    cli.expect("spaces", "add", "lab")
    result = cli.expect("spaces", "list", "--format", "json")
    assert [row["name"] for row in json.loads(result.stdout)] == ["default", "lab"]
    result = cli.expect("spaces", "list", "-o", "csv")
    assert result.stdout.splitlines()[0] == "name,is_default,accounts,devices,users,created_at"


def test_db_after_the_command_chooses_the_file(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "abctl.db"
    cli.expect("spaces", "add", "lab", "--db", str(db))
    result = cli.expect("spaces", "list", "-o", "json", "--db", str(db))
    assert [row["name"] for row in json.loads(result.stdout)] == ["default", "lab"]


def test_quiet_after_the_command_silences_messages(cli: Cli) -> None:
    result = cli.expect("spaces", "add", "lab", "-q")
    assert result.stderr == ""


def test_an_unknown_option_is_still_a_usage_error(cli: Cli) -> None:
    result = cli("spaces", "list", "--nope")
    assert result.exit_code == 2
    assert "No such option: --nope" in result.stderr
