"""The admin guide's iOS and macOS behaviour tables, cell by cell (R12)."""

import pytest

from abctl.domain.platform_behaviour import (
    BEHAVIOUR,
    GRACE_DAYS,
    InstalledApp,
    LicenseAction,
    PlatformFamily,
    behaviour,
    family,
    user_licenses_apply,
)
from abctl.models.enums import Platform, TargetKind

REMOVE, UNDELEGATE, DELETE = LicenseAction.REMOVE_FROM_DISTRIBUTION, LicenseAction.UNDELEGATE, LicenseAction.DELETE_APP
DEVICE, USER = TargetKind.DEVICE, TargetKind.USER
GONE, STAYS, NA = InstalledApp.UNINSTALLED, InstalledApp.STAYS, InstalledApp.NOT_APPLICABLE

# (action, platform, license type, the guide's cell, grace days)
GUIDE = [
    # Apps and Books for iOS
    (REMOVE, "ios", DEVICE, GONE, GRACE_DAYS),  # "App is uninstalled on user's device"
    (REMOVE, "ios", USER, GONE, GRACE_DAYS),
    (UNDELEGATE, "ios", DEVICE, GONE, GRACE_DAYS),  # "uninstalled from all devices in non-default space(s)"
    (UNDELEGATE, "ios", USER, GONE, GRACE_DAYS),
    (DELETE, "ios", DEVICE, GONE, GRACE_DAYS),  # "App is uninstalled from all devices"
    (DELETE, "ios", USER, GONE, GRACE_DAYS),
    # Apps and Books for macOS
    (REMOVE, "macos", DEVICE, STAYS, None),  # "App does not get uninstalled on user's device"
    (REMOVE, "macos", USER, NA, None),  # NA
    (UNDELEGATE, "macos", DEVICE, STAYS, None),
    (UNDELEGATE, "macos", USER, NA, None),
    (DELETE, "macos", DEVICE, STAYS, None),
    (DELETE, "macos", USER, NA, None),
]


@pytest.mark.parametrize(("action", "platform", "license_type", "installed", "grace"), GUIDE)
def test_every_cell_of_the_guides_tables(
    action: LicenseAction, platform: str, license_type: TargetKind, installed: InstalledApp, grace: int | None
) -> None:
    cell = behaviour(action, platform, license_type)
    assert (cell.installed_app, cell.grace_days) == (installed, grace)
    assert cell.uninstall is (installed is GONE)
    assert cell.applicable is (installed is not NA)


def test_the_table_has_exactly_the_guides_cells() -> None:
    assert len(BEHAVIOUR) == len(GUIDE) == len(LicenseAction) * len(PlatformFamily) * len(TargetKind)


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("ios", PlatformFamily.IOS),
        ("ipados", PlatformFamily.IOS),
        ("tvos", PlatformFamily.IOS),
        ("visionos", PlatformFamily.IOS),
        (None, PlatformFamily.IOS),  # unknown device: the stricter table (the app goes)
        ("macos", PlatformFamily.MACOS),
    ],
)
def test_platform_families(platform: str | None, expected: PlatformFamily) -> None:
    assert family(platform) is expected


def test_ipados_follows_the_ios_table_and_accepts_string_license_types() -> None:
    assert behaviour(REMOVE, Platform.IPADOS.value, "user") == behaviour(REMOVE, "ios", USER)


@pytest.mark.parametrize(("platform", "applies"), [("ios", True), ("ipados", True), ("macos", False)])
def test_user_based_licenses_are_not_applicable_on_macos(platform: str, applies: bool) -> None:
    assert user_licenses_apply(platform) is applies
