"""`AppContext`: what every command gets from the global options: settings, the renderer, and a lazily opened
store and Apple client factory. It builds those three things and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from abctl.config import Settings
from abctl.output import Renderer

if TYPE_CHECKING:
    from abctl.apple.client import AppsBooksClient
    from abctl.models.apple import SToken
    from abctl.services.runtime import Runtime
    from abctl.store import Store


@dataclass
class Overrides:
    """Injected by `abctl demo` and tests (as `ctx.obj`): an in-process transport instead of the network."""

    transport: Any = None
    sleep: Callable[[float], None] | None = None


@dataclass
class AppContext:
    settings: Settings
    renderer: Renderer
    overrides: Overrides = field(default_factory=Overrides)
    command_line: str = "abctl"  # as typed, to say how to finish after Ctrl-C
    _store: Store | None = None
    _runtime: Runtime | None = None

    @staticmethod
    def of(ctx: typer.Context) -> AppContext:
        root = ctx.find_root()
        assert isinstance(root.obj, AppContext), "the root callback sets the AppContext"
        return root.obj

    def store(self) -> Store:
        """Open the database on first use (so `--help` never touches it)."""
        if self._store is None:
            from abctl.store import Store

            self._store = Store.open(self.settings.db_path)
            if self._store.permissions_tightened:
                self.renderer.warn(f"{self.settings.db_path} was readable by others; its mode is now 0600")
        return self._store

    def client_factory(self) -> Callable[[SToken], AppsBooksClient]:
        """A function that builds an Apple client for one token, with this run's URL, transport and tracing."""
        from abctl.apple.client import AppsBooksClient

        trace = self.renderer.detail if not self.settings.debug_http else self.renderer.info
        tracer = trace if (self.settings.debug_http or self.renderer.verbose) else None

        def build(token: SToken) -> AppsBooksClient:
            kwargs: dict[str, Any] = {"base_url": self.settings.api_url, "trace": tracer}
            if self.overrides.transport is not None:
                kwargs["transport"] = self.overrides.transport
            if self.overrides.sleep is not None:
                kwargs["sleep"] = self.overrides.sleep
            return AppsBooksClient(token, **kwargs)

        return build

    def runtime(self) -> Runtime:
        """The services' dependencies for this run: store, Apple clients, clock and event polling."""
        if self._runtime is None:
            from abctl.services.runtime import Runtime

            self._runtime = Runtime(
                store=self.store(),
                clients=self.client_factory(),
                poll_interval=self.settings.event_poll_interval,
            )
        return self._runtime

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the database's writer lock (bounded by --lock-timeout) while Apple writes and syncs run."""
        from abctl.cli.interrupted import apple_writes
        from abctl.store.lock import exclusive_lock

        store = self.store()
        with exclusive_lock(
            self.settings.db_path,
            timeout=self.settings.lock_timeout,
            on_wait=lambda: self.renderer.info("Waiting for another abctl run to finish..."),
        ), apple_writes(store, self.command_line):  # fmt: skip
            yield

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None
        if self._store is not None:
            self._store.close()
            self._store = None
