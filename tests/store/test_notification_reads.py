"""The open usage notifications of every asset of an account, read in one query."""

from datetime import UTC, datetime
from pathlib import Path

from abctl.store import Store

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_open_asset_triggers_groups_the_open_ones_by_asset(tmp_path: Path) -> None:
    with Store.open(tmp_path / "abctl.db") as store:
        for n in (1, 2):
            store.db.execute(
                "INSERT INTO accounts (id, name, space, priority, org_name, uid, token_fingerprint, created_at,"
                " expires_at) VALUES (?, ?, 'default', ?, 'Org', ?, 'x', '2026-01-01T00:00:00Z',"
                " '2030-01-01T00:00:00Z')",
                (n, f"acct{n}", n, f"uid{n}"),
            )
        for account, adam_id, trigger in ((1, "100", "50%"), (1, "100", "70%"), (1, "200", "90%"), (2, "100", "50%")):
            store.raise_notification(kind="usage", account_id=account, account_name=f"acct{account}",
                                     severity="info", trigger=trigger, message="m", action=None, now=NOW,
                                     adam_id=adam_id, pricing_param="STDQ")  # fmt: skip
        store.raise_notification(kind="drift", account_id=1, account_name="acct1", severity="warn", trigger="1 gone",
                                 message="m", action=None, now=NOW)  # fmt: skip
        store.clear_notifications(1, "usage", now=NOW, adam_id="200", pricing_param="STDQ")
    with Store.open(tmp_path / "abctl.db") as reopened:  # a second handle
        assert reopened.open_asset_triggers(1, "usage") == {("100", "STDQ"): {"50%", "70%"}}
        assert reopened.open_asset_triggers(2, "usage") == {("100", "STDQ"): {"50%"}}
        assert reopened.open_asset_triggers(1, "drift") == {}  # an account's own notification names no asset
