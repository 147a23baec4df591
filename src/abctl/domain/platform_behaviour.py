"""What happens to an installed app when its license goes away, per action, platform and license type: the
admin guide's "Apps and Books behavior for macOS and iOS devices" tables, as data (R12).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from abctl.models.enums import Platform, TargetKind

GRACE_DAYS = 30  # R12: iOS and iPadOS keep a revoked app usable for 30 days


class LicenseAction(StrEnum):
    """The three actions the guide's behaviour tables cover."""

    REMOVE_FROM_DISTRIBUTION = "remove_from_distribution"  # a revocation: `abctl revoke`, retire, user delete ...
    UNDELEGATE = "undelegate"  # the app leaves a non-default space (move-space revokes in the source)
    DELETE_APP = "delete_app"  # the app leaves the catalog of the default or a custom space


class InstalledApp(StrEnum):
    """What happens to the app on the device."""

    UNINSTALLED = "uninstalled"
    STAYS = "stays"
    NOT_APPLICABLE = "not_applicable"  # the guide's "NA": that license type does not exist there


class PlatformFamily(StrEnum):
    """The guide has two tables: iOS (iPhone, iPad and the other iOS-family systems) and macOS."""

    IOS = "ios"
    MACOS = "macos"


@dataclass(frozen=True)
class Behaviour:
    """One cell of the guide's tables: the app's fate and, for a revoked license, how long it stays usable."""

    installed_app: InstalledApp
    grace_days: int | None  # None: no end (the app stays) or no license to end

    @property
    def applicable(self) -> bool:
        return self.installed_app is not InstalledApp.NOT_APPLICABLE

    @property
    def uninstall(self) -> bool:
        return self.installed_app is InstalledApp.UNINSTALLED


_IOS_GONE = Behaviour(InstalledApp.UNINSTALLED, GRACE_DAYS)
_MAC_STAYS = Behaviour(InstalledApp.STAYS, None)
_NA = Behaviour(InstalledApp.NOT_APPLICABLE, None)

# (action, platform family, license type) -> behaviour. Rows of the guide's tables, one entry per cell.
BEHAVIOUR: dict[tuple[LicenseAction, PlatformFamily, TargetKind], Behaviour] = {
    (LicenseAction.REMOVE_FROM_DISTRIBUTION, PlatformFamily.IOS, TargetKind.DEVICE): _IOS_GONE,
    (LicenseAction.REMOVE_FROM_DISTRIBUTION, PlatformFamily.IOS, TargetKind.USER): _IOS_GONE,
    (LicenseAction.UNDELEGATE, PlatformFamily.IOS, TargetKind.DEVICE): _IOS_GONE,
    (LicenseAction.UNDELEGATE, PlatformFamily.IOS, TargetKind.USER): _IOS_GONE,
    (LicenseAction.DELETE_APP, PlatformFamily.IOS, TargetKind.DEVICE): _IOS_GONE,
    (LicenseAction.DELETE_APP, PlatformFamily.IOS, TargetKind.USER): _IOS_GONE,
    (LicenseAction.REMOVE_FROM_DISTRIBUTION, PlatformFamily.MACOS, TargetKind.DEVICE): _MAC_STAYS,
    (LicenseAction.REMOVE_FROM_DISTRIBUTION, PlatformFamily.MACOS, TargetKind.USER): _NA,
    (LicenseAction.UNDELEGATE, PlatformFamily.MACOS, TargetKind.DEVICE): _MAC_STAYS,
    (LicenseAction.UNDELEGATE, PlatformFamily.MACOS, TargetKind.USER): _NA,
    (LicenseAction.DELETE_APP, PlatformFamily.MACOS, TargetKind.DEVICE): _MAC_STAYS,
    (LicenseAction.DELETE_APP, PlatformFamily.MACOS, TargetKind.USER): _NA,
}


def family(platform: str | None) -> PlatformFamily:
    """The guide's table a platform follows: macOS its own; iOS, iPadOS, tvOS, visionOS and unknown ones iOS's."""
    return PlatformFamily.MACOS if platform == Platform.MACOS.value else PlatformFamily.IOS


def behaviour(action: LicenseAction, platform: str | None, license_type: TargetKind | str) -> Behaviour:
    """The guide's cell for this action on this platform and license type."""
    return BEHAVIOUR[(action, family(platform), TargetKind(license_type))]


def user_licenses_apply(platform: str | None) -> bool:
    """False where the guide says user-based licenses are NA (macOS): a user's license never reaches a Mac."""
    return behaviour(LicenseAction.REMOVE_FROM_DISTRIBUTION, platform, TargetKind.USER).applicable
