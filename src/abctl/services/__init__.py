"""Orchestration: plain functions that build plans with abctl.domain, run them with abctl.apple and record them
with abctl.store. They never print; they return dataclasses and accept `on_progress` callbacks.

Services import abctl.store and abctl.apple only for type checking (at run time they are handed a Store and
a client factory), so that `abctl --help` imports neither sqlite_utils nor httpx.

The rooms, lowest first; a package imports only packages listed before it (tests/test_architecture.py checks):
names, reporting, ledger, revocation, inventory, drift, licensing, accounts, maintenance. `runtime` (what every
service is handed) and `demo` (the demo's inventory) stay at the top.
"""
