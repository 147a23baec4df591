"""R2-R9 as table-driven cases: which account pays, which kind, or why not."""

import pytest

from abctl.domain.allocation import (
    ALL_USERS,
    Offer,
    Outcome,
    Policy,
    Reason,
    RequestKind,
    Target,
    license_kind,
    plan_assignments,
    runs_on,
)
from abctl.models.enums import TargetKind

DEVICE, USER = TargetKind.DEVICE, TargetKind.USER
DEFAULT = Policy()


def offer(account_id: int, priority: int, available: int = 5, *, policy: Policy = DEFAULT,
          device_assignable: bool = True, platforms: tuple[str, ...] = ("iOS", "macOS")) -> Offer:  # fmt: skip
    return Offer(account_id, f"acct{account_id}", priority, "STDQ", available, device_assignable, platforms, policy)


def ipad(serial: str = "S1", **kw: object) -> Target:
    return Target(DEVICE, serial, platform="ipados", owner="carol", groups=frozenset({"students"}), **kw)  # type: ignore[arg-type]


def user(uid: str = "carol", **kw: object) -> Target:
    enrollment = kw.pop("enrollment", {1: "Associated", 2: "Associated"})
    return Target(USER, uid, groups=frozenset({"students"}), enrollment=enrollment, **kw)  # type: ignore[arg-type]


def decide(offers: list[Offer], target: Target, request: RequestKind = RequestKind.ADMIN) -> tuple[object, ...]:
    d = plan_assignments(offers, [target], request).decisions[0]
    return (d.outcome, d.reason, d.account_id, d.license_kind)


CASES = {
    "highest priority with a seat pays": (
        [offer(2, 2), offer(1, 1)], ipad(), (Outcome.ASSIGN, Reason.ON_LIST, 1, DEVICE)),
    "reserved in the lower account beats FCFS in the higher one": (
        [offer(1, 1), offer(2, 2, policy=Policy(reserved=frozenset({("device", "S1")})))], ipad(),
        (Outcome.ASSIGN, Reason.RESERVED, 2, DEVICE)),
    "higher exhausted and not on the next account's list: no license": (
        [offer(1, 1, 0), offer(2, 2, policy=Policy(fcfs_groups=frozenset({"teachers"})))], ipad(),
        (Outcome.REFUSED, Reason.NO_SEAT, None, None)),
    "higher exhausted and on the next account's list: the next pays": (
        [offer(1, 1, 0), offer(2, 2, policy=Policy(fcfs_groups=frozenset({"students"})))], ipad(),
        (Outcome.ASSIGN, Reason.ON_LIST, 2, DEVICE)),
    "disallowed in the first account falls to the second": (
        [offer(1, 1, policy=Policy(disallowed=frozenset({"carol"}))), offer(2, 2)], user(),
        (Outcome.ASSIGN, Reason.ON_LIST, 2, USER)),
    "disallowed everywhere is refused as disallowed": (
        [offer(1, 1, policy=Policy(disallowed=frozenset({"carol"})))], user(),
        (Outcome.REFUSED, Reason.DISALLOWED, None, None)),
    "shared iPad is always device-based": (
        [offer(1, 1)], Target(DEVICE, "SP1", platform="ipados", shared_ipad=True),
        (Outcome.ASSIGN, Reason.ON_LIST, 1, DEVICE)),
    "shared iPad is not on a group-only list": (
        [offer(1, 1, policy=Policy(fcfs_groups=frozenset({"students"})))],
        Target(DEVICE, "SP1", platform="ipados", shared_ipad=True), (Outcome.REFUSED, Reason.NOT_ON_LIST, None, None)),
    "a user already holding a user-based license reuses it": (
        [offer(1, 1)], user(held=frozenset({(2, "user")})),
        (Outcome.ALREADY_LICENSED, Reason.ALREADY_LICENSED, 2, USER)),
    "an unenrolled user waits with the invite URL": (
        [offer(1, 1)], user(enrollment={1: "Registered"}, invite_urls={1: "https://invite/x"}),
        (Outcome.REFUSED, Reason.NOT_ENROLLED, None, None)),
    "a book is user-only": (
        [offer(1, 1, device_assignable=False)], ipad(), (Outcome.REFUSED, Reason.NOT_DEVICE_ASSIGNABLE, None, None)),
    "platform mismatch": (
        [offer(1, 1, platforms=("macOS",))], ipad(), (Outcome.REFUSED, Reason.PLATFORM_UNSUPPORTED, None, None)),
    "no seat anywhere is refused": (
        [offer(1, 1, 0), offer(2, 2, 0)], ipad(), (Outcome.REFUSED, Reason.NO_SEAT, None, None)),
    "no auto-distribution and no groups: on no list": (
        [offer(1, 1, policy=Policy(auto_distribute=False))], ipad(), (Outcome.REFUSED, Reason.NOT_ON_LIST, None, None)),
    "a retired device gets nothing": (
        [offer(1, 1)], ipad(active=False), (Outcome.REFUSED, Reason.NOT_ACTIVE, None, None)),
    "nobody owns the app": ([], ipad(), (Outcome.REFUSED, Reason.NOT_OWNED, None, None)),
}  # fmt: skip


@pytest.mark.parametrize("offers,target,expected", CASES.values(), ids=CASES.keys())
def test_rules(offers: list[Offer], target: Target, expected: tuple[object, ...]) -> None:
    assert decide(offers, target) == expected


def test_invite_url_and_user_may_buy() -> None:
    d = plan_assignments([offer(1, 1)], [user(enrollment={}, invite_urls={1: "https://i/x"})], RequestKind.ADMIN)
    assert (d.decisions[0].invite_url, d.decisions[0].message) == (
        "https://i/x", "`carol` is not enrolled with `acct1`; send them the invite URL"
    )  # fmt: skip
    no_code = plan_assignments([offer(1, 1)], [user(enrollment={1: "Registered"})], RequestKind.ADMIN).decisions[0]
    assert (no_code.invite_url, no_code.message) == (
        None, "`carol` is not enrolled with `acct1`; run: abctl users invite carol"
    )  # fmt: skip
    full = plan_assignments([offer(1, 1, 0)], [user()], RequestKind.USER_REQUEST).decisions[0]
    assert full.message == "no free seat in any account that may serve it; the user may buy the app"


def test_seats_are_consumed_across_a_batch() -> None:
    plan = plan_assignments([offer(1, 1, 2), offer(2, 2, 1)], [ipad(f"S{i}") for i in range(4)], RequestKind.REQUIRED)
    assert [(d.outcome, d.account_id) for d in plan.decisions] == [
        (Outcome.ASSIGN, 1), (Outcome.ASSIGN, 1), (Outcome.ASSIGN, 2), (Outcome.REFUSED, None)
    ]  # fmt: skip
    assert plan.by_account() == {(1, "STDQ", DEVICE): ["S0", "S1"], (2, "STDQ", DEVICE): ["S2"]}
    assert ALL_USERS in Policy().groups()


def test_100000_targets_fill_the_first_account_then_the_next() -> None:
    """At the benchmark's size (bench/bench_planning.py measures its speed): seats are consumed in priority order."""
    targets = [ipad(f"S{i:06d}") for i in range(100_000)]
    plan = plan_assignments([offer(1, 1, 60_000), offer(2, 2, 60_000)], targets, RequestKind.REQUIRED)
    by_account = plan.by_account()
    assert len(plan.to_assign) == 100_000
    assert {key: len(serials) for key, serials in by_account.items()} == {
        (1, "STDQ", DEVICE): 60_000, (2, "STDQ", DEVICE): 40_000}  # fmt: skip
    assert by_account[(2, "STDQ", DEVICE)][0] == "S060000"


@pytest.mark.parametrize(
    ("target", "request_kind", "expected"),
    [
        (ipad(), RequestKind.REQUIRED, DEVICE),  # required apps: device-based by default
        (ipad(), RequestKind.ADMIN, DEVICE),  # assigning to a device makes a device-based license
        (ipad(), RequestKind.USER_REQUEST, USER),  # the owner asked: user-based by default
        (ipad(shared_ipad=True), RequestKind.USER_REQUEST, DEVICE),  # shared iPads always device-based
        (Target(DEVICE, "S9", platform="ipados"), RequestKind.USER_REQUEST, DEVICE),  # nobody owns it
        (user(), RequestKind.REQUIRED, USER),  # assigning to a user makes a user-based license
    ],
)
def test_r6_license_kind_by_request(target: Target, request_kind: RequestKind, expected: TargetKind) -> None:
    assert license_kind(target, request_kind) is expected


def test_r8_a_device_whose_owner_holds_a_user_based_license_gets_no_second_license() -> None:
    owner_licensed = ipad(held=frozenset({(2, "user")}))
    assert decide([offer(1, 0)], owner_licensed, RequestKind.REQUIRED) == (
        Outcome.ALREADY_LICENSED, Reason.ALREADY_LICENSED, 2, USER,
    )  # fmt: skip
    shared = ipad(shared_ipad=True, held=frozenset({(2, "user")}))  # a shared iPad is never the owner's device
    assert decide([offer(1, 0)], shared, RequestKind.REQUIRED) == (Outcome.ASSIGN, Reason.ON_LIST, 1, DEVICE)


def test_a_required_app_runs_on_the_platforms_its_copies_support() -> None:
    ios_only, mac_only = offer(1, 0, platforms=("iOS",)), offer(2, 1, platforms=("macOS",))
    assert [runs_on([ios_only], p) for p in ("ios", "ipados", "macos", "tvos")] == [True, True, False, False]
    assert runs_on([ios_only, mac_only], "macos") and not runs_on([], "ios")
