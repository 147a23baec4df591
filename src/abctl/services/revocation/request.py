"""`abctl revoke APP (--all | --user ID | --device SERIAL)` as a plan (R10): which of the app's live licenses go
back. The plan is executed by services/revocation/execute.py like every other revocation.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from abctl.errors import InputError
from abctl.models.enums import TargetKind
from abctl.services.names.devices import normalise_serial
from abctl.services.revocation.plan import RevocationPlan

if TYPE_CHECKING:
    from abctl.store import Store

ALL = "all"


@dataclass(frozen=True)
class AppRevocation:
    """The app, what was asked (`all`, `user:ID` or `device:SERIAL`), the space looked in (None: every space, for
    one target without --space) and the plan."""

    adam_id: str
    name: str
    scope: str
    space: str | None
    plan: RevocationPlan

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({row.account for row in self.plan.to_send}))


def _target(app: str, all_: bool, user: str | None, device: str | None) -> tuple[TargetKind, str] | None:
    chosen = [flag for flag in (all_, user is not None, device is not None) if flag]
    if len(chosen) != 1:
        command = f"abctl revoke {shlex.quote(app.strip())}"
        choices = [f"{command} {option}" for option, given in
                   (("--all", all_), (f"--user {user}", user), (f"--device {device}", device)) if given]  # fmt: skip
        raise InputError(
            "say which licenses to revoke: exactly one of --all, --user and --device",
            hint=f"run one of: {'; '.join(choices)}"
            if choices
            else f"{command} --all, or --user ID, or --device SERIAL",
        )
    if user is not None:
        return TargetKind.USER, user.strip()
    if device is not None:
        return TargetKind.DEVICE, normalise_serial(device)
    return None


def plan_app_revocation(
    store: Store,
    app: str,
    *,
    all_: bool = False,
    user: str | None = None,
    device: str | None = None,
    space: str | None = None,
    now: datetime,
) -> AppRevocation:
    """Every live license of the app in the space (--all): its accounts' and, for an app delegated to it (R21),
    the default space's accounts' licenses of its devices and users; or those one user or device holds.

    With --user/--device and no --space the target's licenses of the app are taken from every space.

    Raises: InputError unless exactly one of all_/user/device; NotFoundError for an unknown app or target.
    """
    from abctl.services.names.apps import resolve_app
    from abctl.services.names.spaces import resolve_space
    from abctl.services.names.targets import resolve_target
    from abctl.services.revocation.plan import plan_for_licenses

    target = _target(app, all_, user, device)
    space_name = resolve_space(store, space) if space is not None or target is None else None
    adam_id = resolve_app(store, app, space_name)
    name = store.app_names([adam_id]).get(adam_id, adam_id)
    if target is None:
        licenses = store.find_licenses(space=space_name, adam_id=adam_id)
        scope, reason, targets = ALL, f"revoke all licenses of {name}", None
    else:
        kind, target_id = target
        target_id = resolve_target(store, str(kind), target_id)
        licenses = store.find_licenses(space=space_name, adam_id=adam_id, target_kind=kind, target_id=target_id)
        scope, reason, targets = f"{kind}:{target_id}", f"license revoked for {kind} {target_id}", [(kind, target_id)]
    if space_name is not None and store.is_delegated(space_name, adam_id):
        # R21: the space's devices and users may hold the app's licenses from the default space's accounts too.
        held = {item.id for item in licenses}
        lent = store.delegated_licenses(space_name, adam_id=adam_id, targets=targets)
        licenses = [*licenses, *(item for item in lent if item.id not in held)]
    plan = plan_for_licenses(store, licenses, reason=reason, now=now)
    return AppRevocation(adam_id, name, scope, space_name, plan)
