"""APP arguments: an adamId or the unique name of an app or book, turned into the adamId every command keys on."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from abctl.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from abctl.store import Store


def _relevant(store: Store, space: str) -> set[str]:
    return {a.adam_id for a in store.owned_assets(space)} | {e.adam_id for e in store.catalog_entries(space)}


def resolve_app(store: Store, text: str, space: str | None = None) -> str:
    """An APP argument as an adamId: digits are an adamId; otherwise the one app with that name (names of the
    space's apps win over others). Raises: InputError when the name is ambiguous; NotFoundError when unknown."""
    value = text.strip()
    if value.isdigit():
        return value
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
    names = store.metadata_names()
    distinct = {name.casefold(): name for name in sorted(names.values(), reverse=True)}
    close = difflib.get_close_matches(value, sorted(distinct.values()), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else "list apps with: abctl apps list"
    raise NotFoundError(f"no app named `{value}`", hint=hint)
