"""Token health: Apple's word first, then the expiry date (30 days of warning by default)."""

from datetime import UTC, datetime, timedelta

import pytest

from abctl.domain.token_health import token_status
from abctl.models.accounts import AccountStatus

NOW = datetime(2026, 12, 1, 7, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "days_left", "within", "expected"),
    [
        ("ok", 300, 30, AccountStatus.OK),
        ("ok", 30, 30, AccountStatus.EXPIRING),
        ("ok", 31, 30, AccountStatus.OK),
        ("ok", 19, 30, AccountStatus.EXPIRING),
        ("ok", 19, 10, AccountStatus.OK),
        ("ok", 0, 30, AccountStatus.EXPIRED),
        ("ok", -3, 30, AccountStatus.EXPIRED),
        ("expiring", 300, 30, AccountStatus.OK),
        ("revoked", 19, 30, AccountStatus.REVOKED),
        ("claimed", 300, 30, AccountStatus.CLAIMED),
        ("invalid", -3, 30, AccountStatus.INVALID),
    ],
)
def test_token_status(stored: str, days_left: int, within: int, expected: AccountStatus) -> None:
    assert token_status(stored, NOW + timedelta(days=days_left), NOW, within_days=within) is expected
