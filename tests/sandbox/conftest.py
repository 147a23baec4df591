from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.sandbox.apple_wire import Receiver

from abctl.apple.client import AppsBooksClient
from abctl.apple.stoken import parse_stoken
from abctl.apple.transport import in_process_transport
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed, demo

NOW = datetime.now(UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seed(clock: Clock) -> Seed:
    world = demo(now=NOW)
    world.state.clock = clock
    return world


@pytest.fixture
def app(seed: Seed) -> SandboxApp:
    return SandboxApp(seed.state)


def client_for(app: SandboxApp, text: str) -> AppsBooksClient:
    return AppsBooksClient(
        parse_stoken(text, now=None), base_url="http://sandbox.test/mdm/v2/", transport=in_process_transport(app),
        sleep=lambda s: None,
    )  # fmt: skip


@pytest.fixture
def district(app: SandboxApp, seed: Seed) -> Iterator[AppsBooksClient]:
    with client_for(app, seed.tokens[0].text) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An MDM's notification endpoint on loopback (apple_wire.Receiver), closed after the test."""
    found = Receiver()
    yield found
    found.close()
