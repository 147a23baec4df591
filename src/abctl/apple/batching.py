"""Splitting writes into the fewest calls Apple's limits allow: ceil(assets / maxAssets) x
ceil(targets / maxSerialNumbers or maxClientUserIds) associate calls, one kind of target per call, no duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from abctl.models.apple import Limits
from abctl.models.enums import TargetKind

T = TypeVar("T")


@dataclass(frozen=True)
class AssetBatch:
    """One associate/disassociate call: assets x targets of one kind."""

    assets: tuple[tuple[str, str], ...]
    target_kind: TargetKind
    targets: tuple[str, ...]

    @property
    def serial_numbers(self) -> tuple[str, ...]:
        """The targets when they are devices, else ()."""
        return self.targets if self.target_kind is TargetKind.DEVICE else ()

    @property
    def client_user_ids(self) -> tuple[str, ...]:
        """The targets when they are users, else ()."""
        return self.targets if self.target_kind is TargetKind.USER else ()


@dataclass(frozen=True)
class RevokeBatch:
    """One assets/revoke call: every revocable asset of these devices or users."""

    target_kind: TargetKind
    targets: tuple[str, ...]

    @property
    def serial_numbers(self) -> tuple[str, ...]:
        """The targets when they are devices, else ()."""
        return self.targets if self.target_kind is TargetKind.DEVICE else ()

    @property
    def client_user_ids(self) -> tuple[str, ...]:
        """The targets when they are users, else ()."""
        return self.targets if self.target_kind is TargetKind.USER else ()


def unique(items: Iterable[T]) -> list[T]:
    """Items without duplicates, first occurrence kept (Apple rejects duplicates: 9703-9705, 9715)."""
    return list(dict.fromkeys(items))


def chunks(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    """`items` cut into tuples of at most `size`, in order."""
    return [tuple(items[start : start + size]) for start in range(0, len(items), max(size, 1))]


def associate_batches(
    assets: Sequence[tuple[str, str]],
    *,
    serial_numbers: Sequence[str] = (),
    client_user_ids: Sequence[str] = (),
    limits: Limits,
) -> list[AssetBatch]:
    """Batches for assets/associate or assets/disassociate."""
    asset_chunks = chunks(unique(assets), limits.max_assets)
    batches: list[AssetBatch] = []
    for kind, targets, size in (
        (TargetKind.DEVICE, serial_numbers, limits.max_serial_numbers),
        (TargetKind.USER, client_user_ids, limits.max_client_user_ids),
    ):
        for target_chunk in chunks(unique(targets), size):
            batches.extend(AssetBatch(asset_chunk, kind, target_chunk) for asset_chunk in asset_chunks)
    return batches


def revoke_batches(
    *, serial_numbers: Sequence[str] = (), client_user_ids: Sequence[str] = (), limits: Limits
) -> list[RevokeBatch]:
    """Batches for assets/revoke (maxRevokeSerialNumbers / maxRevokeClientUserIds per call)."""
    return [
        RevokeBatch(TargetKind.DEVICE, chunk)
        for chunk in chunks(unique(serial_numbers), limits.max_revoke_serial_numbers)
    ] + [
        RevokeBatch(TargetKind.USER, chunk)
        for chunk in chunks(unique(client_user_ids), limits.max_revoke_client_user_ids)
    ]


def user_batches(users: Sequence[T], limits: Limits) -> list[tuple[T, ...]]:
    """Batches for users/create, users/update and users/retire (maxUsers per call), one entry per clientUserId.

    A user is a clientUserId string, a mapping with `client_user_id`, or an object with that attribute.
    """
    seen: set[object] = set()
    kept: list[T] = []
    for user in users:
        key = _user_key(user)
        if key not in seen:  # 9715: Apple refuses a request naming one user twice
            seen.add(key)
            kept.append(user)
    return chunks(kept, limits.max_users)


def _user_key(user: object) -> object:
    if isinstance(user, Mapping):
        return user.get("client_user_id")
    return getattr(user, "client_user_id", user)
