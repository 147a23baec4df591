"""Shell completion of names from the database (issue 16.15): through the real `abctl` entry point, as bash,
zsh and fish ask for them, without httpx or sqlite_utils, and never creating a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import Cli

from abctl.cli.completion import kind_of

PROBE = """
import json, sys
from abctl.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def complete(words: str, db: Path, shell: str = "bash") -> tuple[list[str], set[str]]:
    """What `abctl` offers for the last word of `words` (the shell's line so far), and the packages it loaded."""
    parts = words.split(" ")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABCTL_")}
    env.update(ABCTL_DB=str(db), _ABCTL_COMPLETE=f"complete_{shell}", _TYPER_COMPLETE_FISH_ACTION="get-args")
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env.update(_TYPER_COMPLETE_ARGS=words, _TYPER_COMPLETE_WORD_TO_COMPLETE=parts[-1])
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return [line for line in completed.stdout.splitlines() if line], set(
        json.loads(completed.stderr.strip().splitlines()[-1])
    )


@pytest.fixture
def filled(cli: Cli, db_path: Path) -> Path:
    """A database with spaces, a group, users, devices and (via an app on a device) nothing from Apple."""
    cli.expect("spaces", "add", "lab")
    cli.expect("spaces", "add", "library")
    cli.expect("users", "add", "alice", "--email", "alice@example.org")
    cli.expect("users", "add", "albert")
    cli.expect("groups", "add", "teachers")
    cli.expect("devices", "add", "DMPX0001", "--platform", "ipados")
    cli.expect("devices", "add", "DMPX0002", "--platform", "macos")
    cli.expect("devices", "add", "C02Z0001", "--platform", "macos", "--space", "lab")
    return db_path


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("abctl spaces remove l", ["lab", "library"]),
        ("abctl devices show dmpx", ["DMPX0001", "DMPX0002"]),  # serials in any case
        ("abctl assign Pages --device C0", ["C02Z0001"]),
        ("abctl users show al", ["albert", "alice"]),
        ("abctl usage --user ali", ["alice"]),
        ("abctl groups members t", ["teachers"]),
        ("abctl tokens list --space li", ["library"]),
        ("abctl tokens list --db /nonexistent/x.db --space li", []),  # --db given on the line is the database
        ("abctl spaces add l", []),  # a new name: nothing to offer
    ],
)
def test_bash_completes_names_from_the_database(filled: Path, words: str, offered: list[str]) -> None:
    found, packages = complete(words, filled)
    assert found == offered
    assert packages & {"httpx", "sqlite_utils", "pydantic"} == set()


def test_zsh_and_fish_get_the_names_with_what_they_are(filled: Path) -> None:
    zsh, _ = complete("abctl users show al", filled, shell="zsh")
    assert zsh == ['_arguments \'*: :(("albert"', '"alice":"alice@example.org"))\'']
    fish, _ = complete("abctl devices show DMPX", filled, shell="fish")
    assert [line.split("\t")[0] for line in fish] == ["DMPX0001", "DMPX0002"]
    assert fish[0].split("\t")[1] == "ipados"


def test_no_database_completes_nothing_and_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "none" / "abctl.db"
    found, _ = complete("abctl tokens show d", db)
    assert found == []
    assert not db.exists() and not db.parent.exists()


@pytest.mark.parametrize(
    ("command", "parameter", "kind"),
    [(("tokens", "show"), "name", "accounts"), (("tokens", "add"), "name", None), (("sync",), "names", "accounts"),
     (("assign",), "app_names", "apps"), (("assign",), "group", "groups"), (("move-space",), "to", "spaces"),
     (("events", "wait"), "event_ids", "events"), (("devices", "add"), "serial", None),
     (("apps", "remove"), "adam_id", "apps"), (("distribute",), "account", "accounts")],
)  # fmt: skip
def test_which_parameter_takes_which_names(command: tuple[str, ...], parameter: str, kind: str | None) -> None:
    assert kind_of(command, parameter) == kind
