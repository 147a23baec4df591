"""End-to-end fixtures: the shipped sandbox mounted in-process behind the real CLI."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import Cli

from abctl.apple.transport import in_process_transport
from abctl.cli.context import Overrides
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed, demo

API = "http://sandbox.test/mdm/v2/"


@pytest.fixture
def world() -> Seed:
    return demo(now=datetime.now(UTC))


@pytest.fixture
def unthrottled(world: Seed) -> None:
    """Back-off sleeps are no-ops in these tests, so the sandbox's 15 requests/s would only add 9646 noise."""
    world.state.max_request_per_second = 100_000


@pytest.fixture
def sandbox(world: Seed) -> SandboxApp:
    return SandboxApp(world.state)


@pytest.fixture
def token_files(world: Seed, tmp_path: Path) -> dict[str, Path]:
    files = {}
    for token in world.tokens:
        path = tmp_path / f"{token.name}.vpptoken"
        path.write_text(token.text)
        files[token.name] = path
    return files


@pytest.fixture
def abctl(sandbox: SandboxApp, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("ABCTL_API_URL", API)
    return Cli(Overrides(transport=in_process_transport(sandbox), sleep=lambda seconds: None))
