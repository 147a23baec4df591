"""A store, the demo sandbox and a services runtime wired together in-process, for inventory service tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from abctl.apple.client import AppsBooksClient
from abctl.apple.transport import in_process_transport
from abctl.models.apple import SToken
from abctl.sandbox.app import SandboxApp
from abctl.sandbox.seeds import Seed, demo
from abctl.services.accounts.tokens import add_account
from abctl.services.runtime import Runtime
from abctl.store import Store

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
API = "http://sandbox.test/mdm/v2/"


@dataclass
class World:
    seed: Seed
    sandbox: SandboxApp
    store: Store
    rt: Runtime
    db_path: Path

    def db(self) -> sqlite_utils.Database:
        """A second handle on the file, to check what was really written."""
        return sqlite_utils.Database(self.db_path)

    def sync(self) -> None:
        from abctl.services.accounts.sync import sync_accounts

        results = sync_accounts(self.rt, self.store.list_accounts())
        assert all(result.ok for result in results), results

    def assigned(self, location: str) -> set[tuple[str, str, str]]:
        """What the sandbox (Apple's side) has assigned in a location: (adamId, kind, target)."""
        loc = self.seed.state.location(location)
        return {(adam_id, kind, target) for adam_id, _pricing, kind, target in loc.assignments}


def make_world(tmp_path: Path, accounts: tuple[str, ...] = ("district", "highschool")) -> World:
    seed = demo(now=datetime.now(UTC))
    seed.state.max_request_per_second = 100_000  # the clients' sleeps are no-ops here
    sandbox = SandboxApp(seed.state)
    transport = in_process_transport(sandbox)

    def client(token: SToken) -> AppsBooksClient:
        return AppsBooksClient(token, base_url=API, transport=transport, sleep=lambda seconds: None)

    db_path = tmp_path / "abctl.db"
    store = Store.open(db_path)
    rt = Runtime(store=store, clients=client, clock=lambda: NOW, poll_interval=0, actor="tester")
    tokens = {token.name: token for token in seed.tokens}
    for name in accounts:
        add_account(rt, name, tokens[name].text, space=tokens[name].space)
    return World(seed, sandbox, store, rt, db_path)
