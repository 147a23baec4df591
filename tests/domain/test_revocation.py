"""The pure revocation rules (R10-R12): skips, platforms, uninstall, grace and the devices a plan affects."""

from datetime import UTC, datetime, timedelta

import pytest

from abctl.domain.platform_behaviour import LicenseAction
from abctl.domain.revocation import (
    BOOK_REASON,
    DISASSOCIATE,
    NOT_REVOCABLE_REASON,
    REVOKE,
    SKIP,
    DeviceOnHand,
    LicenseFacts,
    RevocationPlan,
    device_effects,
    license_platform,
    plan_row,
    skip_reason,
    sort_rows,
    usable_until,
    users_to_look_up,
)
from abctl.models.enums import TargetKind
from abctl.models.licenses import License

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GRACE = NOW + timedelta(days=30)
DEVICE, USER = TargetKind.DEVICE, TargetKind.USER


def lic(kind: TargetKind, target: str, *, lid: int = 1, account: str = "district", adam_id: str = "1",
        platform: str | None = None) -> License:  # fmt: skip
    return License(lid, 7, account, adam_id, "STDQ", kind, target, "fcfs", "active", None, platform, NOW)


@pytest.mark.parametrize(
    ("platform", "kind", "action", "expected"),
    [
        ("ios", DEVICE, LicenseAction.REMOVE_FROM_DISTRIBUTION, GRACE),
        ("ipados", USER, LicenseAction.REMOVE_FROM_DISTRIBUTION, GRACE),
        ("ipados", DEVICE, LicenseAction.DELETE_APP, GRACE),
        ("ios", DEVICE, LicenseAction.UNDELEGATE, GRACE),
        (None, DEVICE, LicenseAction.REMOVE_FROM_DISTRIBUTION, GRACE),
        ("macos", DEVICE, LicenseAction.REMOVE_FROM_DISTRIBUTION, None),
        ("macos", DEVICE, LicenseAction.DELETE_APP, None),
        ("macos", USER, LicenseAction.UNDELEGATE, None),
    ],
)
def test_usable_until(platform: str | None, kind: TargetKind, action: LicenseAction, expected: datetime | None) -> None:
    assert usable_until(platform, NOW, kind, action) == expected


@pytest.mark.parametrize(
    ("product_type", "revocable", "reason"),
    [("App", True, None), ("App", False, NOT_REVOCABLE_REASON), ("Book", False, BOOK_REASON),
     ("Book", True, BOOK_REASON)],
)  # fmt: skip
def test_skip_reason(product_type: str, revocable: bool, reason: str | None) -> None:
    assert skip_reason(product_type, revocable) == reason


@pytest.mark.parametrize(
    ("kind", "device_platform", "stored", "expected"),
    [
        (DEVICE, "macos", "ios", "macos"),  # the inventory wins over what was recorded with the license
        (DEVICE, None, "ipados", "ipados"),
        (DEVICE, None, None, None),
        (DEVICE, None, "", None),
        (USER, None, None, "ios"),  # user-based licenses are NA on macOS
        (USER, "macos", "macos", "ios"),
    ],
)
def test_license_platform(kind: TargetKind, device_platform: str | None, stored: str | None,
                          expected: str | None) -> None:  # fmt: skip
    assert license_platform(kind, device_platform, stored) == expected


@pytest.mark.parametrize(
    ("item", "facts", "send_as", "expected"),
    [
        (lic(DEVICE, "IPAD1"), LicenseFacts("Maps", device_platform="ipados"), REVOKE,
         ("ipados", REVOKE, True, GRACE, None)),
        (lic(DEVICE, "MAC1"), LicenseFacts("Maps", device_platform="macos"), DISASSOCIATE,
         ("macos", DISASSOCIATE, False, None, None)),
        (lic(USER, "alice"), LicenseFacts("Maps"), DISASSOCIATE, ("ios", DISASSOCIATE, True, GRACE, None)),
        (lic(USER, "alice"), LicenseFacts("Birds", "Book", False), REVOKE, ("ios", SKIP, False, None, BOOK_REASON)),
        (lic(DEVICE, "IPAD1"), LicenseFacts("Old", "App", False, "ipados"), REVOKE,
         ("ipados", SKIP, False, None, NOT_REVOCABLE_REASON)),
    ],
)  # fmt: skip
def test_plan_row(item: License, facts: LicenseFacts, send_as: str, expected: tuple[object, ...]) -> None:
    row = plan_row(item, facts, send_as=send_as, now=NOW)
    assert (row.platform, row.action, row.uninstall, row.usable_until, row.reason) == expected
    assert (row.name, row.target, row.account) == (facts.name, f"{item.target_kind}:{item.target_id}", "district")


def test_rows_sort_by_account_then_app_name_case_insensitively() -> None:
    rows = [
        plan_row(lic(DEVICE, "B", account="high"), LicenseFacts("apple"), send_as=REVOKE, now=NOW),
        plan_row(lic(DEVICE, "B", adam_id="2"), LicenseFacts("banana"), send_as=REVOKE, now=NOW),
        plan_row(lic(DEVICE, "A"), LicenseFacts("Apple"), send_as=REVOKE, now=NOW),
    ]
    assert [(r.account, r.name, r.target_id) for r in sort_rows(rows)] == [
        ("district", "Apple", "A"), ("district", "banana", "B"), ("high", "apple", "B")
    ]  # fmt: skip


def test_device_effects_follow_the_behaviour_tables() -> None:
    rows = [
        plan_row(lic(DEVICE, "IPAD1"), LicenseFacts("A", device_platform="ipados"), send_as=REVOKE, now=NOW),
        plan_row(lic(DEVICE, "MAC1"), LicenseFacts("A", device_platform="macos"), send_as=REVOKE, now=NOW),
        plan_row(lic(USER, "alice"), LicenseFacts("A"), send_as=REVOKE, now=NOW),
        plan_row(lic(USER, "bob"), LicenseFacts("Book", "Book", False), send_as=REVOKE, now=NOW),  # skipped
    ]
    assert users_to_look_up(rows) == ["alice"]
    alice = [DeviceOnHand("IPHONE1", "ios"), DeviceOnHand("MAC2", "macos"), DeviceOnHand("CART1", "ipados", True)]
    uninstall, keep = device_effects(rows, {"alice": alice}, [DeviceOnHand("MAC3", "macos")])
    # alice's Mac neither uninstalls nor "keeps" her license (user-based is NA on macOS); a shared iPad only ever
    # holds device-based licenses.
    assert (uninstall, keep) == (["IPAD1", "IPHONE1"], ["MAC1", "MAC3"])


def test_a_device_that_must_uninstall_is_never_also_listed_as_keeping() -> None:
    rows = [plan_row(lic(DEVICE, "IPAD1"), LicenseFacts("A", device_platform="ipados"), send_as=REVOKE, now=NOW)]
    assert device_effects(rows, {}, [DeviceOnHand("IPAD1", "ipados")]) == (["IPAD1"], [])


def test_plan_splits_rows_to_send_from_skipped() -> None:
    send = plan_row(lic(DEVICE, "IPAD1"), LicenseFacts("A"), send_as=REVOKE, now=NOW)
    skip = plan_row(lic(USER, "bob"), LicenseFacts("Book", "Book", False), send_as=REVOKE, now=NOW)
    plan = RevocationPlan(REVOKE, "test", (send, skip))
    assert (plan.to_send, plan.skipped) == ((send,), (skip,))
