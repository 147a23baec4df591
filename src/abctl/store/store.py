"""`Store`: the one object through which abctl reads and writes its SQLite file.

It migrates the schema when opened. Typed reads and writes live in one mixin per concern (spaces, accounts,
users, devices, licenses, events, activity, notifications) so each stays small.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from abctl.store.accounts import AccountsStore
from abctl.store.activity import ActivityStore
from abctl.store.app_details import AppDetailsStore
from abctl.store.assets import AssetsStore
from abctl.store.catalog import CatalogStore
from abctl.store.connection import connect, tighten_sidecars
from abctl.store.delegations import DelegationsStore
from abctl.store.devices import DevicesStore
from abctl.store.drift import DriftStore
from abctl.store.events import EventsStore
from abctl.store.licenses import LicensesStore
from abctl.store.migrations import migrations
from abctl.store.notifications import NotificationsStore
from abctl.store.policies import PoliciesStore
from abctl.store.reports import ReportsStore
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
    AppDetailsStore,
):
    """The abctl database. Open with `Store.open(path)`; close with `close()` or a `with` block."""

    def __init__(self, db: Database, path: Path | None = None, *, tightened: bool = False) -> None:
        self.db = db
        self.path = path
        self.permissions_tightened = tightened
        migrations.apply(db)

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open or create the database at `path` and bring its schema up to date.

        Raises:
            ConfigError: the file cannot be created or opened.
        """
        conn, tightened = connect(path)
        store = cls(Database(conn), path, tightened=tightened)
        tighten_sidecars(path)
        return store

    def close(self) -> None:
        if self.path is not None:
            tighten_sidecars(self.path)
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
