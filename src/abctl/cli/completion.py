"""Shell completion of names from the database: accounts, apps (names and adamIds), spaces, serials, users,
groups and pending event ids.

Which parameter takes which kind of name is decided here, from the parameter's name (`--space`, `serial`,
`client_user_ids`...) and, where a name means different things (`NAME` is an account in `tokens show` but a new
name in `tokens add`), from the command. The database is opened read-only with the standard library's sqlite3
(never created, never migrated, no sqlite_utils, no httpx), so completing stays well under 150 ms; a missing or
unreadable database completes nothing and says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.core
from typer._click.shell_completion import CompletionItem

# Parameter name -> kind of name it takes, in every command...
BY_PARAMETER: dict[str, str] = {
    "space": "spaces", "to": "spaces", "from_": "spaces", "from_space": "spaces",
    "account": "accounts", "accounts": "accounts", "names": "accounts",
    "app": "apps", "app_": "apps", "app_name": "apps", "app_names": "apps", "adam_id": "apps",
    "device": "serials", "serial": "serials", "serials": "serials",
    "user": "users", "owner": "users", "disallow": "users", "client_user_id": "users", "client_user_ids": "users",
    "group": "groups", "fcfs": "groups",
    "event_ids": "events",
}  # fmt: skip
# ... unless the command says otherwise (None: a new name, nothing to complete).
BY_COMMAND: dict[tuple[str, ...], dict[str, str | None]] = {
    ("spaces", "add"): {"name": None},
    ("spaces", "remove"): {"name": "spaces"},
    ("tokens", "add"): {"name": None},
    ("tokens", "show"): {"name": "accounts"},
    ("tokens", "update"): {"name": "accounts"},
    ("tokens", "delete"): {"name": "accounts"},
    ("tokens", "move"): {"name": "accounts"},
    ("priority", "set"): {"name": "accounts"},
    ("groups", "add"): {"name": None},
    ("groups", "members"): {"name": "groups"},
    ("groups", "add-member"): {"name": "groups"},
    ("groups", "remove-member"): {"name": "groups"},
    ("users", "add"): {"client_user_id": None},
    ("devices", "add"): {"serial": None},
    ("apps", "add"): {"adam_id": None},
    ("sandbox", "token"): {"name": None},
}

QUERIES: dict[str, str] = {
    "accounts": "SELECT name, location_name FROM accounts ORDER BY name",
    "spaces": "SELECT name, NULL FROM spaces ORDER BY name",
    "serials": "SELECT serial, platform FROM devices ORDER BY serial",
    "users": "SELECT client_user_id, email FROM users WHERE state != 'deleted' ORDER BY client_user_id",
    "groups": "SELECT DISTINCT name, NULL FROM groups ORDER BY name",
    "events": "SELECT event_id, kind FROM events WHERE event_id IS NOT NULL"
    " AND state IN ('intent', 'pending', 'unknown') ORDER BY id",
    # adamIds with their names, then the names with their adamIds: either may be typed
    "apps": "SELECT a.adam_id, m.name FROM (SELECT adam_id FROM assets UNION SELECT adam_id FROM catalog) a"
    " LEFT JOIN app_metadata m ON m.adam_id = a.adam_id"
    " UNION ALL SELECT m.name, a.adam_id FROM (SELECT adam_id FROM assets UNION SELECT adam_id FROM catalog) a"
    " JOIN app_metadata m ON m.adam_id = a.adam_id",
}


def kind_of(command_path: tuple[str, ...], parameter: str) -> str | None:
    """The kind of name a parameter of a command takes, if it takes an existing one."""
    overrides = BY_COMMAND.get(command_path, {})
    if parameter in overrides:
        return overrides[parameter]
    return BY_PARAMETER.get(parameter)


def names(db_path: Path, kind: str, incomplete: str) -> Iterator[tuple[str, str | None]]:
    """(value, help) of the names of `kind` starting with `incomplete` (any case), from the database at
    `db_path`, opened read-only. Nothing when there is no database or it cannot be read."""
    if not db_path.is_file():
        return
    import sqlite3  # here, not at the top: `abctl --help` must not load it

    try:
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.1)
    except sqlite3.Error:
        return
    try:
        rows = connection.execute(QUERIES[kind]).fetchall()
    except sqlite3.Error:
        rows = []
    finally:
        connection.close()
    folded = incomplete.casefold()
    seen: set[str] = set()
    for value, detail in rows:
        text = str(value)
        if text.casefold().startswith(folded) and text not in seen:
            seen.add(text)
            yield text, (str(detail) if detail is not None else None)


def _db_path(ctx: Any) -> Path:
    from abctl.config import default_db_path

    root = ctx.find_root()
    given = root.params.get("db")
    return Path(given).expanduser() if given else default_db_path()


def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem] | None:
    """Completions for `param`, or None when it takes no kind of name known here."""
    path = tuple(ctx.command_path.split()[1:])
    kind = kind_of(path, param.name or "")
    if kind is None:
        return None
    return [CompletionItem(value, help=detail) for value, detail in names(_db_path(ctx), kind, incomplete)]


def install() -> None:
    """Complete names for every typer parameter that has no completion of its own."""
    original = typer.core._TyperParameter.shell_complete

    def shell_complete(self: Any, ctx: Any, incomplete: str) -> list[CompletionItem]:
        if self._custom_shell_complete is None:
            found = complete(ctx, self, incomplete)
            if found is not None:
                return found
        return original(self, ctx, incomplete)

    typer.core._TyperParameter.shell_complete = shell_complete  # type: ignore[method-assign]
