"""Moving a device to another space (R20), as the admin guide's entitlement table states it.

Every app the device or its owner holds a license for in the source space is revoked there. Then, for each of
those apps and for every app installed on the device without a license:

| licensed in the source | free seat in the destination | what happens                               |
| yes                    | yes                          | revoke in the source, assign in the destination |
| yes                    | no                           | revoke only (reported: the device loses the app) |
| no (installed)         | yes                          | assign in the destination                   |
| no (installed)         | no                           | nothing (reported)                          |

The destination decides by the same rules as any assignment (R2-R9), for the device: a device-based license.
Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from abctl.domain.allocation import Decision, Outcome


class MoveScenario(StrEnum):
    REASSIGN = "reassign"  # licensed in the source, seat in the destination
    REVOKE_ONLY = "revoke_only"  # licensed in the source, no seat in the destination
    ASSIGN = "assign"  # installed without a license, seat in the destination
    UNLICENSED = "unlicensed"  # installed without a license, no seat in the destination


SCENARIO_TEXT = {
    MoveScenario.REASSIGN: "licensed again in the destination",
    MoveScenario.REVOKE_ONLY: "revoke only",
    MoveScenario.ASSIGN: "installed without a license: licensed in the destination",
    MoveScenario.UNLICENSED: "installed without a license",
}


@dataclass(frozen=True)
class AppMove:
    """What the move does to one app."""

    adam_id: str
    scenario: MoveScenario
    revoke: tuple[int, ...]  # license ids held in the source space by the device or its owner
    destination: Decision  # the destination's decision for the device (assign, already licensed or refused)

    @property
    def loses_app(self) -> bool:
        """The device ends the move without a license for an app it had."""
        return self.scenario in (MoveScenario.REVOKE_ONLY, MoveScenario.UNLICENSED)


def plan_move(
    licensed: Mapping[str, Sequence[int]], installed: Iterable[str], destination: Mapping[str, Decision]
) -> tuple[AppMove, ...]:
    """One AppMove per app, licensed apps first, each in adamId order.

    `licensed`: adamId -> source license ids; `installed`: apps on the device; `destination`: adamId -> decision.
    """
    moves = []
    unlicensed = sorted(set(installed) - set(licensed))
    for adam_id in [*sorted(licensed), *unlicensed]:
        decision = destination[adam_id]
        seat = decision.outcome is not Outcome.REFUSED
        if adam_id in licensed:
            scenario = MoveScenario.REASSIGN if seat else MoveScenario.REVOKE_ONLY
        else:
            scenario = MoveScenario.ASSIGN if seat else MoveScenario.UNLICENSED
        moves.append(AppMove(adam_id, scenario, tuple(licensed.get(adam_id, ())), decision))
    return tuple(moves)
