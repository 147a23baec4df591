"""`abctl --version` and `abctl --help` must not import httpx or sqlite_utils (design.md section 6)."""

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
sys.argv = ["abctl", {arg!r}]
from abctl.cli.app import main
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("httpx", "sqlite_utils", "sqlite3") if m in sys.modules)
sys.stderr.write(json.dumps(heavy))
"""


@pytest.mark.parametrize("arg", ["--version", "--help"])
def test_light_commands_import_no_http_or_database_library(arg: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True, text=True, timeout=60, check=False
    )
    assert json.loads(completed.stderr.strip().splitlines()[-1]) == []
    if arg == "--version":
        assert completed.stdout.startswith("abctl ")


def test_python_dash_m_works() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "abctl", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0
    from abctl import __version__

    assert completed.stdout == f"abctl {__version__}\n"
