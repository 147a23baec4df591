"""R21 as tables: who may serve a delegated app, in what order (R2 across both lists), whose policies, and what
un-delegation revokes, with one case per cell of the guide's "Un-Delegate" rows (iOS and macOS)."""

import pytest

from abctl.domain.allocation import ALL_USERS, Offer, Outcome, Policy, Reason, RequestKind, Target, plan_assignments
from abctl.domain.delegation import (
    HeldLicense,
    check_delegation_space,
    delegated_policy,
    may_serve,
    serving_offers,
    source_label,
    through_delegation,
    to_undelegate,
    undelegation_effect,
)
from abctl.domain.platform_behaviour import GRACE_DAYS, InstalledApp
from abctl.errors import InputError
from abctl.models.enums import TargetKind

DEVICE, USER = TargetKind.DEVICE, TargetKind.USER
NO_POLICY = Policy()


def offer(account_id: int, priority: int, available: int = 5, policy: Policy = NO_POLICY) -> Offer:
    return Offer(account_id, f"acct{account_id}", priority, "STDQ", available, True, ("iOS", "macOS"), policy)


LAB1, LAB2 = offer(11, 1), offer(12, 2)
DISTRICT, HIGH = offer(1, 2), offer(2, 1)  # in the default space, the high school pays first


def labpad(serial: str = "LABPAD01", owner: str | None = "lena", groups: frozenset[str] = frozenset()) -> Target:
    return Target(DEVICE, serial, platform="ipados", owner=owner, groups=groups)


# -- who may serve -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_space", "target_space", "delegated_to", "expected"),
    [
        ("lab", "lab", (), True),  # an account serves its own space
        ("default", "default", (), True),
        ("default", "lab", ("lab",), True),  # delegated to the lab: the default space's accounts serve it
        ("default", "lab", (), False),  # not delegated
        ("default", "lab", ("gym",), False),  # delegated elsewhere
        ("lab", "default", ("lab",), False),  # delegation goes from the default space only
        ("lab", "gym", ("gym",), False),  # a custom space's accounts never serve another custom space
    ],
)
def test_who_may_serve(account_space: str, target_space: str, delegated_to: tuple[str, ...], expected: bool) -> None:
    assert may_serve(account_space, target_space, delegated_to) is expected


def test_only_custom_spaces_take_delegations() -> None:
    assert check_delegation_space("lab") == "lab"
    with pytest.raises(InputError, match="not to `default`"):
        check_delegation_space("default")


# -- in what order -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "default", "delegated", "order"),
    [
        ([LAB2, LAB1], [DISTRICT, HIGH], True, [11, 12, 2, 1]),  # own by priority, then the default's by priority
        ([LAB1], [DISTRICT, HIGH], False, [11]),  # not delegated: the space's own only
        ([], [DISTRICT, HIGH], True, [2, 1]),  # no own account owns it: the default space's
        ([], [DISTRICT], False, []),
    ],
)
def test_serving_order(own: list[Offer], default: list[Offer], delegated: bool, order: list[int]) -> None:
    offers = serving_offers(own, default, delegated=delegated)
    assert [o.account_id for o in offers] == order
    assert [o.delegated for o in offers] == [o.account_id < 10 for o in offers]


def decide(own: list[Offer], default: list[Offer], target: Target) -> tuple[object, ...]:
    offers = serving_offers(own, default, delegated=True)
    d = plan_assignments(offers, [target], RequestKind.ADMIN).decisions[0]
    return (d.outcome, d.reason, d.account_id)


NO_SEAT = 0
CASES = {
    "the space's own account pays first, though its priority number is the same": (
        [offer(11, 1)], [offer(1, 1)], labpad(), (Outcome.ASSIGN, Reason.ON_LIST, 11)),
    "own account exhausted: the default space's first account pays": (
        [offer(11, 1, NO_SEAT)], [offer(1, 2), offer(2, 1)], labpad(), (Outcome.ASSIGN, Reason.ON_LIST, 2)),
    "no own account: the default space's accounts by priority, the first exhausted": (
        [], [offer(1, 1, NO_SEAT), offer(2, 2)], labpad(), (Outcome.ASSIGN, Reason.ON_LIST, 2)),
    "R2 across both lists: the default account lists only its own groups, so no license": (
        [offer(11, 1, NO_SEAT)], [offer(1, 1, policy=Policy(fcfs_groups=frozenset({"students"})))],
        labpad(groups=frozenset({"students"})), (Outcome.REFUSED, Reason.NO_SEAT, None)),
    "the default account's own policy: no auto-distribution means no FCFS list": (
        [], [offer(1, 1, policy=Policy(auto_distribute=False))], labpad(),
        (Outcome.REFUSED, Reason.NOT_ON_LIST, None)),
    "the default account's own policy: All Users named explicitly": (
        [], [offer(1, 1, policy=Policy(fcfs_groups=frozenset({ALL_USERS, "teachers"})))], labpad(),
        (Outcome.ASSIGN, Reason.ON_LIST, 1)),
    "the default account's disallowed user is not served there; a lower one may": (
        [], [offer(1, 1, policy=Policy(disallowed=frozenset({"lena"}))), offer(2, 2)], labpad(),
        (Outcome.ASSIGN, Reason.ON_LIST, 2)),
    "a reservation in the default account beats the space's own list (R4)": (
        [offer(11, 1)], [offer(1, 1, policy=Policy(reserved=frozenset({("device", "LABPAD01")})))], labpad(),
        (Outcome.ASSIGN, Reason.RESERVED, 1)),
    "every list exhausted: refused for want of a seat": (
        [offer(11, 1, NO_SEAT)], [offer(1, 1, NO_SEAT)], labpad(), (Outcome.REFUSED, Reason.NO_SEAT, None)),
}  # fmt: skip


@pytest.mark.parametrize(("own", "default", "target", "expected"), CASES.values(), ids=CASES.keys())
def test_r2_fallback_across_both_lists(own: list[Offer], default: list[Offer], target: Target,
                                       expected: tuple[object, ...]) -> None:  # fmt: skip
    assert decide(own, default, target) == expected


@pytest.mark.parametrize(
    ("policy", "groups"),
    [
        (Policy(), {ALL_USERS}),  # auto-distribution: All Users
        (Policy(auto_distribute=False), set()),
        (Policy(fcfs_groups=frozenset({"teachers"})), set()),  # a default-space group: not the custom space's users
        (Policy(fcfs_groups=frozenset({ALL_USERS, "teachers"})), {ALL_USERS}),
    ],
)
def test_delegated_policy_keeps_only_all_users(policy: Policy, groups: set[str]) -> None:
    lent = delegated_policy(Policy(policy.fcfs_groups, frozenset({("user", "u")}), frozenset({"x"}),
                                   policy.auto_distribute))  # fmt: skip
    assert lent.groups() == groups
    assert (lent.reserved, lent.disallowed) == (frozenset({("user", "u")}), frozenset({"x"}))


# -- what un-delegation revokes ------------------------------------------------------------------------------------


def held(license_id: int, account_space: str, kind: TargetKind, target_space: str | None,
         adam_id: str = "1") -> HeldLicense:  # fmt: skip
    return HeldLicense(license_id, adam_id, account_space, kind, f"t{license_id}", target_space)


@pytest.mark.parametrize(
    ("item", "revoked"),
    [
        (held(1, "default", DEVICE, "lab"), True),  # a lab device licensed by a district account
        (held(2, "default", USER, "lab"), True),  # a lab user licensed by a district account
        (held(3, "lab", DEVICE, "lab"), False),  # the lab's own account: stays
        (held(4, "default", DEVICE, "default"), False),  # the default space's own device: stays
        (held(5, "default", DEVICE, "gym"), False),  # another custom space
        (held(6, "default", DEVICE, None), False),  # a target abctl does not know (drift, not delegation)
        (held(7, "default", DEVICE, "lab", adam_id="2"), False),  # another app
    ],
)
def test_undelegation_revokes_only_what_came_through_it(item: HeldLicense, revoked: bool) -> None:
    assert (to_undelegate([item], "lab", "1") == [item]) is revoked
    assert through_delegation(item.account_space, item.target_space, "lab") is (revoked or item.license_id == 7)


def test_nothing_comes_through_a_delegation_to_the_default_space() -> None:
    assert to_undelegate([held(1, "default", DEVICE, "default")], "default", "1") == []


# The guide's "Un-Delegate Apps and Books app" row, cell by cell (iOS table, then macOS table).
UNDELEGATE_ROW = [
    ("ipados", DEVICE, InstalledApp.UNINSTALLED, GRACE_DAYS),  # iOS device-based: uninstalled (30-day grace)
    ("ios", USER, InstalledApp.UNINSTALLED, GRACE_DAYS),  # iOS user-based: uninstalled
    ("macos", DEVICE, InstalledApp.STAYS, None),  # macOS device-based: does not get uninstalled
    ("macos", USER, InstalledApp.NOT_APPLICABLE, None),  # macOS user-based: NA
]


@pytest.mark.parametrize(("platform", "kind", "installed", "grace"), UNDELEGATE_ROW)
def test_the_guides_undelegate_row(platform: str, kind: TargetKind, installed: InstalledApp, grace: int | None) -> None:
    cell = undelegation_effect(platform, kind)
    assert (cell.installed_app, cell.grace_days) == (installed, grace)


@pytest.mark.parametrize(
    ("own", "delegated", "label"),
    [(True, False, "own"), (False, True, "delegated"), (True, True, "own + delegated"), (False, False, "none")],
)
def test_source_label(own: bool, delegated: bool, label: str) -> None:
    assert source_label(own, delegated) == label
