"""A real `abctl sandbox serve` process on 127.0.0.1 and a runner for `python -m abctl` as a real subprocess,
for the tests that kill abctl or run two of it at once."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils


@dataclass
class Served:
    """The sandbox server process: its URLs and the token files it wrote."""

    process: subprocess.Popen[str]
    api_url: str
    token_dir: Path

    @property
    def base(self) -> str:
        return self.api_url.removesuffix("mdm/v2/")

    def token(self, name: str) -> Path:
        return self.token_dir / f"{name}.vpptoken"

    def assigned(self, location: str, serial: str) -> list[str]:
        """The adamIds Apple's side (the sandbox) has assigned to a serial number, read like Apple's API."""
        request = urllib.request.Request(
            f"{self.api_url}assignments?serialNumber={serial}",
            headers={"Authorization": f"Bearer {self.token(location).read_text().strip()}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return sorted(item["adamId"] for item in json.load(answer)["assignments"])

    def admin(self, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}sandbox/{path}", data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request, timeout=10) as answer:
            result: dict[str, Any] = json.load(answer)
            return result


def _drain(stream: Any) -> None:
    with stream:
        for _line in stream:
            pass


@contextmanager
def serve_sandbox(folder: Path, *options: str) -> Iterator[Served]:
    """A real `abctl sandbox serve` on a free loopback port (with `options`), stopped when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "abctl", "sandbox", "serve", *options, "--port", "0", "--event-delay", "0",
         "--token-dir", str(folder / "tokens")],
        env=base_env(folder / "home"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=folder,
    )  # fmt: skip
    assert process.stderr is not None
    api_url = ""
    for line in process.stderr:  # blocks until the server says where it listens (or exits)
        found = re.search(r"ABCTL_API_URL=(\S+)", line)
        if found:
            api_url = found.group(1)
            break
    assert api_url, "the sandbox did not start"
    drain = threading.Thread(target=_drain, args=(process.stderr,), daemon=True)
    drain.start()
    try:
        yield Served(process, api_url, folder / "tokens")
    finally:
        process.terminate()
        process.wait(timeout=10)
        drain.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve_sandbox(tmp_path_factory.mktemp("sandbox")) as sandbox:
        yield sandbox


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an abctl subprocess: no ABCTL_* leaks, its own data folder, plain output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABCTL_")}
    env.update(ABCTL_HOME=str(home), NO_COLOR="1", COLUMNS="200", ABCTL_POLL_INTERVAL="0", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@dataclass
class Abctl:
    """`python -m abctl` as a real subprocess, against the served sandbox, with its own ABCTL_HOME."""

    home: Path
    api_url: str

    @property
    def db_path(self) -> Path:
        return self.home / "abctl.db"

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.home, ABCTL_API_URL=self.api_url, **extra)

    def __call__(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "abctl", *args], env=self.env(**extra), capture_output=True, text=True, timeout=60
        )

    def expect(self, *args: str, code: int = 0, **extra: str) -> subprocess.CompletedProcess[str]:
        result = self(*args, **extra)
        assert result.returncode == code, result.stdout + result.stderr
        return result

    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.db_path)

    def copy_to(self, home: Path) -> Abctl:
        """Another data folder starting from this one's database (set-up once, used by many tests)."""
        shutil.copytree(self.home, home)
        return Abctl(home, self.api_url)
