"""A synchronous 9609 on associate: Apple refused the whole call (nothing was queued) because some of its
clientUserIds are not registered with the location, though abctl's last sync said they were. Those users leave
the batch, refused with the reason and the command that fixes it (`abctl users invite ID`), and the rest is sent
again once, through the ledger like any call. Apple names them in `errorInfo`; when it does not, one read of the
location's users (GET users) tells which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abctl.errors import AbctlError, UnknownUserError
from abctl.models.apple import AppleUserStatus
from abctl.models.enums import TargetKind

if TYPE_CHECKING:
    from abctl.apple.batching import AssetBatch
    from abctl.models.accounts import Account
    from abctl.services.ledger.writes import SettledWrite
    from abctl.services.runtime import Runtime

ENROLLED = frozenset({AppleUserStatus.REGISTERED.value, AppleUserStatus.ASSOCIATED.value})
DETAIL = "9609: not registered with Apple"
# What abctl keeps for such a user until the next full sync reads Apple again: not enrolled, so plans refuse it
# locally (with the invite hint) instead of asking Apple a second time.
FORGOTTEN = AppleUserStatus.DELETED.value


def unregistered_users(rt: Runtime, account: Account, batch: AssetBatch, settled: SettledWrite) -> list[str]:
    """The batch's users a synchronous 9609 refused, in batch order; [] when the call failed otherwise."""
    error = settled.sent.error
    if settled.sent.event_id is not None or not isinstance(error, UnknownUserError):
        return []
    if batch.target_kind is not TargetKind.USER:
        return []
    named = set(error.client_user_ids)
    if named:
        return [target for target in batch.targets if target in named]
    try:
        users = rt.client(account).list_users()
    except AbctlError:
        return []  # cannot tell which: the batch stays failed as Apple answered
    known = {user.client_user_id for user in users.items if user.status in ENROLLED}
    return [target for target in batch.targets if target not in known]


def reason(target: str, account: str) -> str:
    return f"`{target}` is not registered with Apple in `{account}`; invite them: abctl users invite {target}"


def without(batch: AssetBatch, refused: list[str], ids: list[int]) -> tuple[AssetBatch | None, list[int], list[int]]:
    """The batch minus the refused users, the license ids of what stays (in the batch's order) and of what goes."""
    from abctl.apple.batching import AssetBatch

    gone = set(refused)
    pairs = [(asset, target) for asset in batch.assets for target in batch.targets]
    kept = [license_id for license_id, (_, target) in zip(ids, pairs, strict=True) if target not in gone]
    dropped = [license_id for license_id, (_, target) in zip(ids, pairs, strict=True) if target in gone]
    targets = tuple(target for target in batch.targets if target not in gone)
    rest = AssetBatch(batch.assets, batch.target_kind, targets) if targets else None
    return rest, kept, dropped
