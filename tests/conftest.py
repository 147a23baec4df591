"""Shared fixtures: every test runs with its own data folder, no colour, a fixed width and no ABCTL_* leaks."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from abctl import interrupt
from abctl.cli.app import app
from abctl.cli.context import Overrides


@pytest.fixture(autouse=True)
def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for key in list(os.environ):
        if key.startswith("ABCTL_"):
            monkeypatch.delenv(key)
    home = tmp_path / "abctl-home"
    monkeypatch.setenv("ABCTL_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("ABCTL_POLL_INTERVAL", "0")
    interrupt.reset()  # a Ctrl-C a test simulated does not stop the next test's waits
    yield home
    interrupt.reset()


@pytest.fixture
def db_path(isolate: Path) -> Path:
    return isolate / "abctl.db"


@pytest.fixture
def existing_db(db_path: Path) -> Path:
    """An empty abctl database at `db_path`, for commands that need one (only state-creating commands make it)."""
    from abctl.store import Store

    Store.open(db_path).close()
    return db_path


class Cli:
    """Runs abctl in-process through the real root group (so the one error handler is exercised)."""

    def __init__(self, overrides: Overrides | None = None) -> None:
        self.runner = CliRunner()
        self.overrides = overrides

    def __call__(self, *args: str, input: str | None = None, overrides: Overrides | None = None) -> Result:
        return self.invoke(list(args), input=input, overrides=overrides)

    def invoke(self, args: Sequence[str], *, input: str | None = None, overrides: Overrides | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input, obj=overrides or self.overrides)

    def expect(self, *args: str, code: int = 0) -> Result:
        """Run and assert the exit code, showing the output when it differs."""
        result = self(*args)
        assert result.exit_code == code, result.output
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()
