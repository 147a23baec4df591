"""`Store`: the one object through which abctl reads and writes its SQLite file.

It migrates the schema when opened. Typed reads and writes live in one mixin per concern (spaces, accounts,
users, devices, licenses, events, activity, notifications) so each stays small.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from abctl.errors import ConfigError
from abctl.store.accounts import AccountsStore
from abctl.store.activity import ActivityStore
from abctl.store.app_details import AppDetailsStore
from abctl.store.assets import AssetsStore
from abctl.store.catalog import CatalogStore
from abctl.store.connection import connect, remove_created, tighten_sidecars
from abctl.store.database import Database
from abctl.store.delegations import DelegationsStore
from abctl.store.devices import DevicesStore
from abctl.store.drift import DriftStore
from abctl.store.events import EventsStore
from abctl.store.faults import store_fault
from abctl.store.health import HealthStore
from abctl.store.licenses import LicensesStore
from abctl.store.notifications import NotificationsStore
from abctl.store.policies import PoliciesStore
from abctl.store.reports import ReportsStore
from abctl.store.schema import migrate
from abctl.store.spaces import SpacesStore
from abctl.store.sync_state import SyncStateStore
from abctl.store.users import UsersStore


class Store(
    SpacesStore,
    AccountsStore,
    LicensesStore,
    EventsStore,
    ActivityStore,
    ReportsStore,
    AssetsStore,
    SyncStateStore,
    NotificationsStore,
    UsersStore,
    DevicesStore,
    CatalogStore,
    PoliciesStore,
    DelegationsStore,
    DriftStore,
    HealthStore,
    AppDetailsStore,
):
    """The abctl database. Open with `Store.open(path)`; close with `close()` or a `with` block."""

    def __init__(
        self, db: Database, path: Path | None = None, *, tightened: bool = False, created: bool = False
    ) -> None:
        self.db = db
        self.path = path
        self.permissions_tightened = tightened
        self.created = created
        self.created_folder: Path | None = None
        self.created_file = False
        self.schema = migrate(db, path or Path(":memory:"))

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open the database at `path` (creating it only when `create` is true) and bring its schema up to date.

        Raises:
            NoDatabaseError: there is no database at `path` and `create` is false; nothing was created.
            ConfigError: the file cannot be created or opened, is not an abctl database, was written by a newer
                abctl, or the disk is full, read-only or damaged (see `abctl.store.faults`).
        """
        opened = connect(path, create=create)
        try:
            store = cls(Database(opened.conn), path, tightened=opened.tightened, created=opened.created)
            store.created_folder, store.created_file = opened.created_folder, opened.created_file
        except (sqlite3.Error, ConfigError) as error:
            opened.conn.close()
            if opened.created_file:
                remove_created(path, opened.created_folder)
            if isinstance(error, ConfigError):
                raise
            raise store_fault(error, path) or error from None
        tighten_sidecars(path)
        return store

    def is_blank(self) -> bool:
        """True when the database holds nothing anyone added: only the `default` space and settings."""
        for table in ("accounts", "users", "devices", "groups", "catalog", "events", "activity"):
            if self._scalar(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                return False
        return bool(self._scalar("SELECT count(*) FROM spaces") <= 1)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file and empty it (before the file is copied or replaced)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self.path is not None:
            tighten_sidecars(self.path)
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
