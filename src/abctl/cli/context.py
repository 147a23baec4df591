"""`AppContext`: what every command gets from the global options: settings, the renderer, and a lazily opened
store and Apple client factory. It builds those three things and nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from abctl.config import Settings
from abctl.output import Renderer

if TYPE_CHECKING:
    from abctl.apple.client import AppsBooksClient
    from abctl.apple.ratelimit import RateBudgets
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
    creates_state: bool = False
    _store: Store | None = None
    _runtime: Runtime | None = None
    _budgets: RateBudgets | None = None

    @staticmethod
    def of(ctx: typer.Context, *, creates_state: bool = False) -> AppContext:
        """The run's context. A command that creates state (`tokens add`, `spaces add` ...) says
        `creates_state=True`: only such a command may create the database when there is none."""
        root = ctx.find_root()
        assert isinstance(root.obj, AppContext), "the root callback sets the AppContext"
        if creates_state:
            root.obj.creates_state = True
        return root.obj

    def store(self) -> Store:
        """Open the database on first use (so `--help` never touches it); never create one by accident.

        Raises:
            NoDatabaseError: no database exists and this command does not create state (nothing is created).
        """
        if self._store is None:
            from abctl.store import Store

            path = self.settings.db_path
            self._store = Store.open(path, create=self.creates_state)
            if self._store.permissions_tightened:
                self.renderer.warn(f"{path} was readable by others; its mode is now 0600")
        return self._store

    def client_factory(self) -> Callable[[SToken], AppsBooksClient]:
        """A function that builds an Apple client for one token, with this run's URL, transport and tracing (httpx
        is imported when the first client is built: a dry run never builds one)."""
        trace = self.renderer.detail if not self.settings.debug_http else self.renderer.info
        tracer = trace if (self.settings.debug_http or self.renderer.verbose) else None

        def build(token: SToken) -> AppsBooksClient:
            from abctl.apple.client import AppsBooksClient

            kwargs: dict[str, Any] = {"base_url": self.settings.api_url, "trace": tracer}
            kwargs["limiter"] = self.rate_budgets().limiter(token.org_name, token=token.digest)
            if self.overrides.transport is not None:
                kwargs["transport"] = self.overrides.transport
            if self.overrides.sleep is not None:
                kwargs["sleep"] = self.overrides.sleep
            return AppsBooksClient(token, **kwargs)

        return build

    def rate_budgets(self) -> RateBudgets:
        """This run's rate limiters: one per token, one per organization Apple is known to count together."""
        if self._budgets is None:
            from abctl import interrupt
            from abctl.apple.ratelimit import RateBudgets

            sleep = self.overrides.sleep or interrupt.sleep  # a wait for the rate ends on Ctrl-C, as every wait
            self._budgets = RateBudgets(self.store().shared_rate_organizations(), sleep=sleep)
        return self._budgets

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
            on_stale=lambda pid: self.renderer.warn(
                f"took over the database lock left by abctl pid {pid}, which is no longer running (killed?); "
                "anything it left unfinished is settled by: abctl sync"
            ),
        ), apple_writes(store, self.command_line):  # fmt: skip
            yield

    def close(self) -> None:
        if self._budgets is not None and self._budgets.learned and self._store is not None:
            # Apple showed this run that it counts these organizations' tokens together: the next run knows.
            self._store.remember_shared_rate_organizations(self._budgets.learned)
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None
        if self._store is not None:
            store, self._store = self._store, None
            # A database this run created and left without any state (the command failed, say) is not kept:
            # the next run must not find an empty database where there was none.
            discard = store.created_file and store.is_blank()
            store.close()
            if discard:
                from abctl.store.connection import remove_created

                remove_created(self.settings.db_path, store.created_folder)
            elif store.created and not _failing():
                self.renderer.info(f"Created a new abctl database at {self.settings.db_path}")


def _failing() -> bool:
    """True while an error is on its way out (close runs in the root's `finally`): a failed command keeps its
    Error/Hint lines last."""
    error = sys.exc_info()[1]
    if error is None:
        return False
    return not (isinstance(error, typer.Exit) and error.exit_code == 0)
