"""R20: the admin guide's entitlement table for a device moving spaces, row by row."""

import pytest

from abctl.domain.allocation import Decision, Outcome, Reason, Target
from abctl.domain.space_move import MoveScenario, plan_move
from abctl.models.enums import TargetKind

DEVICE = Target(TargetKind.DEVICE, "IPAD0001", platform="ipados")
SEAT = Decision(DEVICE, Outcome.ASSIGN, Reason.ON_LIST, "from `research` (on list)", 3, "research", TargetKind.DEVICE,
                "STDQ")  # fmt: skip
NO_SEAT = Decision(DEVICE, Outcome.REFUSED, Reason.NO_SEAT, "no free seat in any account that may serve it")


@pytest.mark.parametrize(
    ("licensed", "installed", "decision", "scenario", "revoke", "loses_app"),
    [
        ({"A": [11]}, [], SEAT, MoveScenario.REASSIGN, (11,), False),  # row 1: assign from the destination
        ({"A": [11, 12]}, [], NO_SEAT, MoveScenario.REVOKE_ONLY, (11, 12), True),  # row 2: revoke only
        ({}, ["A"], SEAT, MoveScenario.ASSIGN, (), False),  # row 3: installed, no license: assign
        ({}, ["A"], NO_SEAT, MoveScenario.UNLICENSED, (), True),  # installed, no seat anywhere: reported
        ({"A": [11]}, ["A"], SEAT, MoveScenario.REASSIGN, (11,), False),  # installed and licensed: row 1
    ],
)
def test_entitlement_rows(licensed: dict[str, list[int]], installed: list[str], decision: Decision,
                          scenario: MoveScenario, revoke: tuple[int, ...], loses_app: bool) -> None:  # fmt: skip
    (move,) = plan_move(licensed, installed, {"A": decision})
    assert (move.adam_id, move.scenario, move.revoke, move.loses_app) == ("A", scenario, revoke, loses_app)
    assert move.destination is decision


def test_licensed_apps_come_first_then_installed_ones_each_in_order() -> None:
    moves = plan_move({"B": [2], "A": [1]}, ["D", "A", "C"], dict.fromkeys("ABCD", SEAT))
    assert [(m.adam_id, m.scenario) for m in moves] == [
        ("A", MoveScenario.REASSIGN), ("B", MoveScenario.REASSIGN), ("C", MoveScenario.ASSIGN),
        ("D", MoveScenario.ASSIGN),
    ]  # fmt: skip
