"""How `abctl tokens` shows accounts: the column sets of list, show, check and resync, and an account's row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from abctl.output import Column

if TYPE_CHECKING:
    from abctl.models.accounts import Account

STATUS_STYLES = {"ok": "green", "expiring": "yellow", "expired": "bold red", "revoked": "bold red",
                 "claimed": "bold red", "invalid": "bold red"}  # fmt: skip
TOKEN_COLUMNS = [
    Column("name", "Account"),
    Column("space", "Space"),
    Column("priority", "Priority", "right"),
    Column("org_name", "Organization", in_table=False),
    Column("location", "Location", in_table=False),
    Column("expires_at", "Expires", date_only=True),
    Column("status", "Status", style_by_value=STATUS_STYLES),
    Column("last_sync_at", "Last sync"),
    Column("auto_distribute", "Auto-distribute", in_table=False),
]
SHOW_COLUMNS = [*TOKEN_COLUMNS, Column("uid", "Location uId"), Column("country", "Country"),
                Column("created_at", "Added"), Column("token_fingerprint", "Token fingerprint"),
                Column("assets", "Assets"), Column("licenses", "Live licenses"),
                Column("open_notifications", "Open notifications")]  # fmt: skip
DRIFTED_COLUMNS = [Column("account", "Account"), Column("name", "App"), Column("target", "Target"),
                   Column("direction", "Direction")]  # fmt: skip
DRIFTED_KEYS = ("adam_id", "name", "pricing_param", "target", "direction")
CHECK_COLUMNS = [
    Column("account", "Account"), Column("space", "Space"), Column("status", "Status", style_by_value=STATUS_STYLES),
    Column("expires_at", "Expires", date_only=True), Column("problem", "Problem", wrap=True),
    Column("action", "Action", wrap=True),
]  # fmt: skip


def token_row(account: Account) -> dict[str, object]:
    """An account as `tokens list` shows it; the status says `expiring` exactly when `tokens check` would."""
    from abctl.domain.token_health import token_status
    from abctl.timeutil import utc_now

    status = token_status(account.status, account.expires_at, utc_now())
    return {
        "name": account.name, "space": account.space, "priority": account.priority, "org_name": account.org_name,
        "location": account.location_name, "expires_at": account.expires_at, "status": status,
        "last_sync_at": account.last_sync_at, "auto_distribute": account.auto_distribute, "uid": account.uid,
        "country": account.country, "created_at": account.created_at, "token_fingerprint": account.token_fingerprint,
    }  # fmt: skip
