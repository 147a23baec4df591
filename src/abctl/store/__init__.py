"""The SQLite store: the only package that imports sqlite_utils."""

from abctl.store.store import Store

__all__ = ["Store"]
