"""Start-up stays light (design.md section 6, issue 19.4): `--version` imports neither typer nor rich, `--help`
imports no command module and neither httpx nor sqlite_utils, a command loads only its own module; and the
summaries `abctl --help` is drawn from are each command's own."""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abctl.cli import app as app_module

PROBE = """
import io, json, sys
from contextlib import redirect_stdout
sys.argv = ["abctl", *{args!r}]
from abctl.__main__ import main
with redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""
COMMAND_MODULES = {"abctl.cli." + name.replace("-", "_") for name in app_module.COMMANDS}


def loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    return set(json.loads(completed.stderr.strip().splitlines()[-1]))


def test_version_imports_neither_typer_nor_rich() -> None:
    modules = loaded("--version")
    assert {m.split(".")[0] for m in modules} & {"typer", "rich", "httpx", "sqlite_utils", "sqlite3"} == set()
    assert "abctl.cli.app" not in modules


def test_help_imports_no_command_module_no_http_and_no_database() -> None:
    modules = loaded("--help")
    assert modules & COMMAND_MODULES == set()
    assert {m.split(".")[0] for m in modules} & {"httpx", "sqlite_utils", "sqlite3"} == set()
    assert "rich.markdown" not in modules  # typer's help never uses it in abctl's markup mode


def test_a_group_help_loads_only_that_group() -> None:
    modules = loaded("tokens", "--help")
    assert modules & COMMAND_MODULES == {"abctl.cli.tokens"}
    assert {m.split(".")[0] for m in modules} & {"httpx", "sqlite_utils", "sqlite3"} == set()


def test_a_subcommand_help_does_not_load_markdown_either() -> None:
    modules = loaded("tokens", "--help")
    assert "rich.markdown" not in modules and "rich.traceback" not in modules


def test_a_read_command_imports_neither_http_nor_pydantic(tmp_path: object) -> None:
    modules = loaded("spaces", "list")
    assert {m.split(".")[0] for m in modules} & {"httpx", "pydantic"} == set()
    assert modules & COMMAND_MODULES == {"abctl.cli.spaces"}


def test_python_dash_m_works() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "abctl", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0
    from abctl import __version__

    assert completed.stdout == f"abctl {__version__}\n"


@pytest.mark.parametrize("name", list(app_module.COMMANDS))
def test_each_summary_is_the_first_paragraph_of_the_commands_help(name: str) -> None:
    command = app_module.load_command(name)
    first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert app_module.COMMANDS[name] == first_paragraph, f"COMMANDS[{name!r}] should be:\n{first_paragraph!r}"


def test_root_help_from_summaries_is_the_help_of_the_loaded_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    runner = CliRunner()
    from_summaries = runner.invoke(app_module.app, ["--help"]).stdout
    group = app_module.AbctlTyperGroup
    monkeypatch.setattr(group, "_listing", property(lambda self: False, lambda self, value: None))
    loaded_help = runner.invoke(app_module.app, ["--help"]).stdout
    assert from_summaries == loaded_help
    assert "Commands" in loaded_help and "move-space" in loaded_help


@pytest.mark.parametrize("args", [("spaces", "list"), ("tokens", "list")])
def test_a_read_command_on_an_up_to_date_database_loads_no_migration_no_apple_model_no_ledger(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    from abctl.store import Store

    db = tmp_path / "abctl.db"
    Store.open(db).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABCTL_")} | {"ABCTL_DB": str(db)}
    modules = loaded(*args, env=env)
    assert "abctl.store.store" in modules  # it did open the database
    assert (
        modules & {"sqlite_utils", "abctl.store.migrations", "abctl.models.apple", "abctl.models.ledger", "httpx"}
        == set()
    )


def test_typer_loads_without_subprocess_until_it_is_used() -> None:
    modules = loaded("--help")
    assert "typer.main" in modules and "subprocess" not in modules


DEFERRING = """
import sys
sys.path.insert(0, sys.argv[1])
from abctl.__main__ import import_deferring
import_deferring("probe", ("colorsys",))
import probe
print("colorsys" in sys.modules, type(probe.colorsys).__name__, probe.hue())
import colorsys
print("colorsys" in sys.modules, colorsys is sys.modules["colorsys"], type(colorsys).__name__, probe.hue())
"""


def test_a_deferred_module_is_loaded_on_first_use_and_is_the_real_one_afterwards(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text("import colorsys\n\n\ndef hue():\n    return colorsys.rgb_to_hsv(1, 0, 0)[0]\n")
    completed = subprocess.run(
        [sys.executable, "-c", DEFERRING, str(tmp_path)], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.splitlines() == ["False Deferred 0.0", "True True module 0.0"]
