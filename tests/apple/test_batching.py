"""Batching at the exact edges of Apple's limits: the fewest calls, one kind of target per call, no duplicates."""

import pytest

from abctl.apple.batching import AssetBatch, RevokeBatch, associate_batches, revoke_batches, user_batches
from abctl.models.apple import Limits
from abctl.models.enums import TargetKind

LIMITS = Limits()


def _assets(count: int) -> list[tuple[str, str]]:
    return [(str(100 + i), "STDQ") for i in range(count)]


@pytest.mark.parametrize(
    "apps,targets,calls",
    [(1, 1, 1), (25, 1000, 1), (26, 1000, 2), (25, 1001, 2), (26, 1001, 4), (1, 2500, 3), (50, 1000, 2)],
)
@pytest.mark.parametrize("kind", [TargetKind.DEVICE, TargetKind.USER])
def test_associate_batches_use_ceil_assets_times_ceil_targets_calls(
    apps: int, targets: int, calls: int, kind: TargetKind
) -> None:
    ids = [f"T{i}" for i in range(targets)]
    if kind is TargetKind.DEVICE:
        batches = associate_batches(_assets(apps), serial_numbers=ids, limits=LIMITS)
    else:
        batches = associate_batches(_assets(apps), client_user_ids=ids, limits=LIMITS)
    assert len(batches) == calls
    assert all(len(b.assets) <= 25 and len(b.targets) <= 1000 and b.target_kind is kind for b in batches)
    assert {(a, t) for b in batches for a in b.assets for t in b.targets} == {
        (a, t) for a in _assets(apps) for t in ids
    }


def test_the_26th_asset_and_the_1001st_serial_start_new_calls() -> None:
    batches = associate_batches(_assets(26), serial_numbers=[f"S{i}" for i in range(1001)], limits=LIMITS)
    assert [(len(b.assets), len(b.targets)) for b in batches] == [(25, 1000), (1, 1000), (25, 1), (1, 1)]
    assert batches[1].assets == (("125", "STDQ"),) and batches[2].targets == ("S1000",)


def test_one_kind_of_target_per_call_and_duplicates_removed_in_order() -> None:
    batches = associate_batches(
        [("2", "STDQ"), ("1", "STDQ"), ("2", "STDQ"), ("2", "PLUS")],
        serial_numbers=["B", "A", "B"],
        client_user_ids=["u", "u"],
        limits=LIMITS,
    )
    assert batches == [
        AssetBatch((("2", "STDQ"), ("1", "STDQ"), ("2", "PLUS")), TargetKind.DEVICE, ("B", "A")),
        AssetBatch((("2", "STDQ"), ("1", "STDQ"), ("2", "PLUS")), TargetKind.USER, ("u",)),
    ]
    assert batches[0].serial_numbers == ("B", "A") and batches[0].client_user_ids == ()
    assert batches[1].client_user_ids == ("u",) and batches[1].serial_numbers == ()


def test_nothing_to_do_is_no_call() -> None:
    assert associate_batches(_assets(3), limits=LIMITS) == []
    assert associate_batches([], serial_numbers=["S"], limits=LIMITS) == []
    assert revoke_batches(limits=LIMITS) == []
    assert user_batches([], LIMITS) == []


def test_batches_follow_the_limits_apple_sent() -> None:
    small = Limits(max_assets=2, max_serial_numbers=3, max_revoke_serial_numbers=2, max_users=2)
    assert len(associate_batches(_assets(3), serial_numbers=list("abcd"), limits=small)) == 4
    assert len(revoke_batches(serial_numbers=list("abc"), limits=small)) == 2
    assert len(user_batches(list("abc"), small)) == 2


@pytest.mark.parametrize("count,sizes", [(100, [100]), (101, [100, 1]), (250, [100, 100, 50])])
def test_revoke_batches_at_the_edges(count: int, sizes: list[int]) -> None:
    ids = [f"X{i}" for i in range(count)]
    devices = revoke_batches(serial_numbers=ids + ids[:3], limits=LIMITS)
    users = revoke_batches(client_user_ids=ids, limits=LIMITS)
    assert [len(b.targets) for b in devices] == sizes == [len(b.targets) for b in users]
    assert all(b.target_kind is TargetKind.DEVICE for b in devices)
    assert users[0] == RevokeBatch(TargetKind.USER, tuple(ids[:100]))
    assert users[0].client_user_ids == tuple(ids[:100]) and users[0].serial_numbers == ()


def test_revoke_batches_keep_devices_and_users_apart() -> None:
    batches = revoke_batches(serial_numbers=["S1"], client_user_ids=["u1"], limits=LIMITS)
    assert batches == [RevokeBatch(TargetKind.DEVICE, ("S1",)), RevokeBatch(TargetKind.USER, ("u1",))]


@pytest.mark.parametrize("count,sizes", [(100, [100]), (101, [100, 1])])
def test_user_batches_at_the_edges(count: int, sizes: list[int]) -> None:
    users = [{"client_user_id": f"u{i}", "email": None} for i in range(count)]
    assert [len(batch) for batch in user_batches(users, LIMITS)] == sizes


def test_user_batches_name_each_user_once() -> None:
    users = [{"client_user_id": "a"}, {"client_user_id": "b"}, {"client_user_id": "a", "email": "x"}]
    assert user_batches(users, LIMITS) == [({"client_user_id": "a"}, {"client_user_id": "b"})]
    assert user_batches(["a", "b", "a"], LIMITS) == [("a", "b")]
