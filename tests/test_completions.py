"""The shipped completion scripts are what the app generates now (they call back into abctl, so stay small)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = (
    "for sh in bash zsh fish; do _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION=1 "
    "abctl --show-completion $sh > completions/abctl.$sh; done"
)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_is_current(shell: str) -> None:
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'abctl'; from abctl.cli.app import main; main()",
         "--show-completion", shell],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    shipped = (ROOT / "completions" / f"abctl.{shell}").read_text()
    assert completed.stdout == shipped, f"completions/abctl.{shell} is stale; regenerate with:\n{REGENERATE}"
