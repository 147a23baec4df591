"""Enumerations every layer shares: what a license is assigned to, platforms, product types."""

from __future__ import annotations

from enum import StrEnum


class TargetKind(StrEnum):
    """What a license is assigned to: a device (serial number) or a user (clientUserId)."""

    DEVICE = "device"
    USER = "user"


class Platform(StrEnum):
    """Device platforms abctl knows; Apple's `supportedPlatforms` use iOS for iPadOS too."""

    IOS = "ios"
    IPADOS = "ipados"
    MACOS = "macos"
    TVOS = "tvos"
    VISIONOS = "visionos"


class ProductType(StrEnum):
    APP = "App"
    BOOK = "Book"
