"""The SQLite store: the only package that imports sqlite_utils (to apply migrations, abctl.store.schema)."""

from abctl.store.store import Store

__all__ = ["Store"]
