"""What every service needs besides its arguments: the store, Apple clients per account, a clock, and how
patiently to wait for Apple's asynchronous events. The CLI builds one `Runtime` per invocation.
"""

from __future__ import annotations

import gc
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from abctl.models.accounts import Account
from abctl.models.apple import SToken
from abctl.timeutil import utc_now

if TYPE_CHECKING:
    from abctl.apple.client import AppsBooksClient
    from abctl.store import Store

ClientFactory = Callable[[SToken], "AppsBooksClient"]
ProgressCallback = Callable[[int, int], None]


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "abctl"


@dataclass
class Runtime:
    """Dependencies of a service call. `clients` builds an Apple client for a token; clients are cached per account."""

    store: Store
    clients: ClientFactory
    clock: Callable[[], datetime] = utc_now
    poll_interval: float = 0.5
    event_deadline_seconds: float = 600.0
    actor: str = field(default_factory=_actor)
    _cache: dict[int, AppsBooksClient] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def client(self, account: Account) -> AppsBooksClient:
        """The Apple client for an account, built from its stored sToken on first use."""
        if account.id not in self._cache:
            from abctl.apple.stoken import parse_stoken

            token = parse_stoken(self.store.load_secret(account.id), now=None)
            self._cache[account.id] = self.clients(token)
        return self._cache[account.id]

    def forget_client(self, account: Account) -> None:
        """Drop a cached client (after its token was replaced)."""
        client = self._cache.pop(account.id, None)
        if client is not None:
            client.close()

    def close(self) -> None:
        for client in self._cache.values():
            client.close()
        self._cache.clear()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building many small objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
