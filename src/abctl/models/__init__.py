"""Frozen dataclasses shared by every layer of abctl, one module per capability.

Import from the module that owns a name (`from abctl.models.accounts import Account`); this package imports only
the standard library and re-exports nothing, so importing one model does not load the others.
"""
