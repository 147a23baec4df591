"""`tokens move`: an account changes space with its name, token and policies (domain/account_move.py decides).

Its live licenses for devices and users outside the new space are revoked first, through the shared revocation
service (assets/disassociate, the guide's behaviour, the ledger, the activity log); only when all of them went
back does the account move, with both spaces' priorities renumbered in the same transaction. With
`keep_licenses` nothing is revoked: the licenses stay on Apple and show as drift. Licenses of targets abctl does
not know are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abctl.domain.account_move import left_behind, priorities_after_move
from abctl.errors import InputError
from abctl.models.accounts import Account
from abctl.services.names.accounts import resolve_account
from abctl.services.names.spaces import resolve_space

if TYPE_CHECKING:
    from abctl.services.revocation.execute import RevocationResult
    from abctl.services.revocation.plan import RevocationPlan
    from abctl.services.runtime import Runtime


@dataclass(frozen=True)
class AccountMove:
    """What moving an account will do: the licenses left behind and both spaces' priorities afterwards."""

    account: Account
    destination: str
    left_behind: RevocationPlan  # licenses for targets outside the new space (revoked unless keep_licenses)
    keep_licenses: bool
    source_priorities: dict[str, int]
    destination_priorities: dict[str, int]

    @property
    def priority(self) -> int:
        return self.destination_priorities[self.account.name]


@dataclass(frozen=True)
class AccountMoveResult:
    move: AccountMove
    revoked: RevocationResult | None
    moved: bool


def plan_account_move(rt: Runtime, name: str, to: str, *, keep_licenses: bool = False) -> AccountMove:
    """Decide the move without touching Apple. Raises: NotFoundError (account, space); InputError (same space)."""
    from abctl.services.revocation.plan import plan_for_licenses

    store = rt.store
    account = resolve_account(store, name)
    destination = resolve_space(store, to)
    if account.space == destination:
        raise InputError(f"`{account.name}` is already in space `{destination}`", hint="pick another --to space")
    licenses = store.find_licenses(account_id=account.id)
    where = store.target_spaces((str(item.target_kind), item.target_id) for item in licenses)
    behind = [item for item in licenses if left_behind(where.get((str(item.target_kind), item.target_id)), destination)]
    plan = plan_for_licenses(store, behind, reason=f"account `{account.name}` moved to space `{destination}`",
                             now=rt.now())  # fmt: skip
    source, arrived = priorities_after_move(
        [a.name for a in store.list_accounts(account.space)], [a.name for a in store.list_accounts(destination)],
        account.name,
    )  # fmt: skip
    return AccountMove(account, destination, plan, keep_licenses, source, arrived)


def move_account(
    rt: Runtime, move: AccountMove, *, on_progress: Callable[[int, int], None] | None = None
) -> AccountMoveResult:
    """Revoke what is left behind (unless kept); when all of it went back, move the account and renumber."""
    from abctl.services.revocation.execute import execute_revocation
    from abctl.store.activity import NewActivity

    revoked = None
    if move.left_behind.rows and not move.keep_licenses:
        revoked = execute_revocation(rt, move.left_behind, on_progress=on_progress)
        if revoked.failed_targets():
            return AccountMoveResult(move, revoked, moved=False)
    account = move.account
    rt.store.move_account(account.id, move.destination, source=move.source_priorities,
                          destination=move.destination_priorities)  # fmt: skip
    kept = f"; {len(move.left_behind.rows)} license(s) kept outside it" if move.keep_licenses else ""
    entry = NewActivity(
        action="move",
        result="moved",
        space=move.destination,
        account_name=account.name,
        detail=f"account `{account.space}` -> `{move.destination}`, priority {move.priority}{kept}",
    )
    rt.store.log_activity([entry], actor=rt.actor, now=rt.now())
    return AccountMoveResult(move, revoked, moved=True)
