"""The pure drift rules (R22): one row per reason, the settlement each suggests and accepts, reconcile's share."""

import pytest

from abctl.domain.drift import (
    GROUP_OF,
    DriftGroup,
    DriftReason,
    HeldFacts,
    Settlement,
    accepts,
    adopted_platform,
    count_reason,
    held_reason,
    reconcile_releases,
    suggested,
    user_licenses_reach,
)
from abctl.models.enums import TargetKind

DEVICE, USER = TargetKind.DEVICE, TargetKind.USER
R = DriftReason


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (HeldFacts(DEVICE, known=False), R.UNKNOWN),
        (HeldFacts(USER, known=False, known_to_apple=True), R.UNKNOWN),
        (HeldFacts(DEVICE, known=True, state="retired"), R.RETIRED),
        (HeldFacts(USER, known=True, state="retired"), R.RETIRED),
        (HeldFacts(DEVICE, known=True, state="wiped"), R.WIPED),
        (HeldFacts(DEVICE, known=True, state="unenrolled"), R.UNENROLLED),
        (HeldFacts(USER, known=True, state="deleted"), R.DELETED),
        (HeldFacts(DEVICE, known=True, state="active", same_space=False), R.OTHER_SPACE),
        # R21: a default-space account's license for an app it lends to the target's space is in place
        (HeldFacts(USER, known=True, state="active", same_space=False, delegated=True), None),
        (HeldFacts(USER, known=True, state="active", disallowed=True), R.DISALLOWED),
        (HeldFacts(DEVICE, known=True, state="active", owner_holds_user_license=True), R.WASTED_SEAT),
        # not drift: an active target of the account's space that may hold it
        (HeldFacts(DEVICE, known=True, state="active"), None),
        (HeldFacts(USER, known=True, state="active"), None),
        # a Mac or a shared iPad needs its device license even when the owner holds a user license (R6, the guide)
        (HeldFacts(DEVICE, known=True, state="active", owner_holds_user_license=True, user_licenses_apply=False),
         None),
        # disallowed is a user rule; a device's flag means nothing
        (HeldFacts(DEVICE, known=True, state="active", disallowed=True), None),
        # the first reason that applies wins: state before space before policy
        (HeldFacts(DEVICE, known=True, state="wiped", same_space=False, owner_holds_user_license=True), R.WIPED),
        (HeldFacts(USER, known=True, state="active", same_space=False, disallowed=True), R.OTHER_SPACE),
    ],
)  # fmt: skip
def test_held_reason(facts: HeldFacts, reason: DriftReason | None) -> None:
    assert held_reason(facts) == reason


@pytest.mark.parametrize(("apple", "listed", "reason"), [(12, 11, R.COUNT), (3, 5, R.COUNT), (4, 4, None)])
def test_count_reason(apple: int, listed: int, reason: DriftReason | None) -> None:
    assert count_reason(apple, listed) == reason


@pytest.mark.parametrize(
    ("reason", "known_to_apple", "settlement", "group"),
    [
        (R.UNKNOWN, False, Settlement.REVOKE, DriftGroup.UNKNOWN_HERE),
        (R.UNKNOWN, True, Settlement.ADOPT, DriftGroup.UNKNOWN_HERE),
        (R.RETIRED, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.WIPED, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.UNENROLLED, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.DELETED, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.OTHER_SPACE, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.DISALLOWED, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.WASTED_SEAT, False, Settlement.REVOKE, DriftGroup.SHOULD_NOT_HOLD),
        (R.GONE, False, Settlement.FORGET, DriftGroup.GONE_FROM_APPLE),
        (R.COUNT, False, Settlement.RESYNC, DriftGroup.COUNTS),
    ],
)
def test_suggested_settlement_and_group(reason: DriftReason, known_to_apple: bool, settlement: Settlement,
                                        group: DriftGroup) -> None:  # fmt: skip
    assert suggested(reason, known_to_apple=known_to_apple) == settlement
    assert GROUP_OF[reason] == group
    assert accepts(settlement, reason)


def test_every_reason_has_a_group_and_what_each_settlement_accepts() -> None:
    assert set(GROUP_OF) == set(DriftReason)
    held = set(DriftReason) - {R.GONE, R.COUNT}
    assert {r for r in DriftReason if accepts(Settlement.REVOKE, r)} == held
    assert {r for r in DriftReason if accepts(Settlement.ADOPT, r)} == {R.UNKNOWN}
    assert {r for r in DriftReason if accepts(Settlement.FORGET, r)} == {R.GONE}
    assert {r for r in DriftReason if accepts(Settlement.RESYNC, r)} == {R.COUNT}


@pytest.mark.parametrize(
    ("kind", "known", "state", "released"),
    [
        (DEVICE, True, "retired", True),
        (DEVICE, True, "wiped", True),
        (DEVICE, True, "unenrolled", True),
        (DEVICE, True, "active", False),
        (USER, True, "deleted", True),
        (USER, True, "retired", False),  # a retired user's licenses wait for `drift settle` or `users delete`
        (USER, True, "active", False),
        (DEVICE, False, None, False),  # unknown targets: only an explicit `drift settle`
        (USER, False, None, False),
    ],
)
def test_reconcile_releases(kind: TargetKind, known: bool, state: str | None, released: bool) -> None:
    assert reconcile_releases(kind, known, state) is released


@pytest.mark.parametrize(
    ("platform", "shared", "reach"),
    [("ios", False, True), ("ipados", False, True), ("ipados", True, False), ("macos", False, False),
     (None, False, True)],
)  # fmt: skip
def test_user_licenses_reach(platform: str | None, shared: bool, reach: bool) -> None:
    assert user_licenses_reach(platform, shared) is reach


@pytest.mark.parametrize(
    ("platforms", "chosen"),
    [
        ([("macOS",)], "macos"),
        ([("macOS",), ("macOS",)], "macos"),
        ([("iOS",)], "ios"),
        ([("iOS", "macOS")], "ios"),
        ([("macOS",), ("iOS",)], "ios"),
        ([("tvOS",)], "tvos"),
        ([("watchOS",)], "ios"),  # not a platform abctl records devices on
        ([()], "ios"),
        ([], "ios"),
    ],
)
def test_adopted_platform(platforms: list[tuple[str, ...]], chosen: str) -> None:
    assert adopted_platform(platforms) == chosen
