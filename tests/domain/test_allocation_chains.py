"""Targets alike share one worked-out chain of accounts (domain.allocation._Planner): every decision, message and
seat must be what walking every account for every target decides (the rules as they were before the chains)."""

import itertools

import pytest

from abctl.domain.allocation import Decision, Offer, Policy, RequestKind, Target, _Planner, plan_assignments
from abctl.models.enums import TargetKind

DEVICE, USER = TargetKind.DEVICE, TargetKind.USER


def offers(seats: tuple[int, int, int, int]) -> list[Offer]:
    students = Policy(fcfs_groups=frozenset({"students"}), disallowed=frozenset({"u2", "u9"}))
    everyone = Policy(reserved=frozenset({("device", "S3"), ("user", "u5"), ("device", "S12")}))
    nobody = Policy(auto_distribute=False, reserved=frozenset({("device", "S7"), ("user", "u1")}))
    staff = Policy(fcfs_groups=frozenset({"staff"}), disallowed=frozenset({"u3"}))
    return [
        Offer(3, "acct3", 3, "STDQ", seats[2], True, ("macOS",), nobody),
        Offer(1, "acct1", 1, "STDQ", seats[0], True, ("iOS",), students),
        Offer(4, "acct4", 1, "PLUS", seats[3], False, ("iOS", "macOS"), staff, delegated=True),
        Offer(2, "acct2", 2, "STDQ", seats[1], True, ("iOS", "macOS"), everyone),
    ]


GROUPS = [frozenset(), frozenset({"students"}), frozenset({"staff"}), frozenset({"students", "staff"})]
HELD = [frozenset(), frozenset({(1, "device")}), frozenset({(2, "user")})]


def targets() -> list[Target]:
    """Every combination the rules read, twice over, so chains are reused and seats run out on the way."""
    found = []
    devices = itertools.product(("ipados", "macos", "tvos"), (None, "u1", "u2", "u6"), (False, True), (True, False),
                                GROUPS, HELD)  # fmt: skip
    for n, (platform, owner, shared, active, groups, held) in enumerate(itertools.chain(devices, devices)):
        found.append(Target(DEVICE, f"S{n % 40}", platform, owner, shared, active, groups, held=held))
    enrollments = [{}, {1: "Associated"}, {2: "Associated", 1: "Registered"}, {1: "Associated", 2: "Associated",
                   3: "Associated", 4: "Associated"}]  # fmt: skip
    invites = [{}, {1: "https://invite/1", 2: "https://invite/2"}]
    users = itertools.product(("u1", "u2", "u3", "u5", "u6", "u7"), GROUPS, enrollments, invites, (True, False), HELD)
    for uid, groups, enrollment, invite, active, held in users:
        found.append(Target(USER, uid, None, None, False, active, groups, enrollment, invite, held))
    return found


def walked(offered: list[Offer], listed: list[Target], request: RequestKind) -> list[Decision]:
    """The reference: every target walks every account (the general path, with no shared chains)."""
    planner = _Planner(offered, request)
    decisions = []
    for target in listed:
        early = planner._early(target)
        person = target.id if target.kind is USER else target.owner
        decisions.append(early if early is not None else planner._walk(target, target.kind, person))
    return decisions


@pytest.mark.parametrize("seats", [(7, 5, 50, 3), (0, 0, 0, 0), (400, 400, 400, 400), (1, 0, 2, 0)])
@pytest.mark.parametrize("request_kind", list(RequestKind))
def test_shared_chains_decide_what_walking_every_account_decides(
    seats: tuple[int, int, int, int], request_kind: RequestKind
) -> None:
    listed = targets()
    planned = plan_assignments(offers(seats), listed, request_kind).decisions
    assert list(planned) == walked(offers(seats), listed, request_kind)
    assert len({d.reason for d in planned}) >= (3 if sum(seats) == 0 else 6)  # the world covers many rules


def test_no_offer_refuses_every_target_as_not_owned() -> None:
    listed = targets()[:50]
    assert list(plan_assignments([], listed, RequestKind.ADMIN).decisions) == walked([], listed, RequestKind.ADMIN)
