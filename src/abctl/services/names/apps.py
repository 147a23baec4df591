"""APP arguments: an adamId or the unique name of an app or book, turned into the adamId every command keys on."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from abctl.errors import InputError, NotFoundError
from abctl.services.names.suggest import close_matches, unknown

BUNDLE_ID = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")  # reverse-DNS, at least two parts, no spaces

if TYPE_CHECKING:
    from abctl.store import Store


LIST_APPS = "list apps with: abctl apps list"


def _relevant(store: Store, space: str) -> set[str]:
    return {a.adam_id for a in store.owned_assets(space)} | {e.adam_id for e in store.catalog_entries(space)}


def resolve_app(store: Store, text: str, space: str | None = None, *, known_only: bool = True) -> str:
    """An APP argument as an adamId: digits are an adamId (one abctl has heard of, unless `known_only` is off);
    a bundle id is the app the content lookup gave it to; otherwise the one app with that name (names of the
    space's apps win over others).

    Raises: InputError when the name is ambiguous; NotFoundError with a did-you-mean when unknown.
    """
    value = text.strip()
    if value.isdigit():
        if known_only and value not in (known := store.known_adam_ids()):
            raise _unknown_adam_id(store, value, known)
        return value
    if BUNDLE_ID.fullmatch(value):  # a bundle id (com.example.mathquest), as the content lookup gave it
        found = store.adam_ids_by_bundle_id(value)
        if len(found) == 1:
            return found[0]
        if found:
            raise InputError(f"{len(found)} apps have the bundle id `{value}`: {', '.join(found)}",
                             hint=f"give the adamId instead, e.g. {found[0]}")  # fmt: skip
    matches = store.adam_ids_by_name(value)
    if space is not None and len(matches) > 1:
        local = [adam_id for adam_id in matches if adam_id in _relevant(store, space)]
        matches = local or matches
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(
            f"{len(matches)} apps are named `{value}`: {', '.join(matches)}",
            hint=f"give the adamId instead, e.g. {matches[0]}",
        )
    raise unknown(f"no app named `{value}`", value, store.metadata_names().values(), otherwise=LIST_APPS)


def _unknown_adam_id(store: Store, adam_id: str, known: set[str]) -> NotFoundError:
    """No account owns it, no catalog has it, no name is cached: most likely a typo of a known adamId."""
    names = store.metadata_names()
    close = close_matches(adam_id, known, n=1)  # adamIds all look alike: only the closest
    if not close:
        return NotFoundError(f"no app with adamId `{adam_id}`", hint=LIST_APPS)
    named = [f"`{other}` ({names[other]})" if other in names else f"`{other}`" for other in close]
    return NotFoundError(f"no app with adamId `{adam_id}`", hint=f"did you mean {' or '.join(named)}?")
