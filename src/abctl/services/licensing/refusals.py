"""What to do about licenses that were refused (exit 7): one hint line per reason and app, each with the real
next command, names filled in (R9: a refusal is never silent, and never a dead end).

- no seat: which accounts are full, and `abctl usage --app NAME`;
- not owned: which spaces' accounts own the app, or that none does (buy it, then sync);
- not enrolled: the user's invite URL when Apple gave an invite code (R8), and `abctl users invite ID`;
- not on a list / disallowed: the policy to read, `abctl distribute NAME`;
- a book or an app for a device that cannot hold it: assign it to the owner instead.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abctl.domain.allocation import Decision, Reason
from abctl.domain.delegation import DEFAULT_SPACE
from abctl.errors import AbctlError
from abctl.models.enums import TargetKind

if TYPE_CHECKING:
    from abctl.models.apple import ServiceConfig
    from abctl.services.licensing.plan import InviteLink
    from abctl.services.runtime import Runtime
    from abctl.store import Store

MAX_LINES = 8
INDENT = "\n      "  # continuation lines sit under the text after `Hint: `
Refusal = tuple[str, Decision]  # (adamId, the decision that refused it)


def invite_links(rt: Runtime) -> InviteLink:
    """Invite URLs from each account's service/config template (read once per account, when first needed; without
    an answer from Apple the refusal still names `abctl users invite`)."""
    configs: dict[int, ServiceConfig | None] = {}

    def link(account_id: int, invite_code: str) -> str | None:
        if account_id not in configs:
            try:
                configs[account_id] = rt.client(rt.store.get_account_by_id(account_id)).service_config()
            except AbctlError:
                configs[account_id] = None
        config = configs[account_id]
        return config.invite_url(invite_code) if config is not None else None

    return link


def refusal_hint(
    store: Store, space: str, refusals: Sequence[Refusal], *, not_owned: Sequence[str] = (), urls_shown: bool = False
) -> str:
    """One line per reason and app (per user for enrollment), at most MAX_LINES, then how many more; `not_owned`
    are apps planned for nobody because no account of the space owns them (reconcile's required apps);
    `urls_shown`: the invite URLs were printed already (under the table), so the lines point there."""
    names = store.app_names({adam_id for adam_id, _decision in refusals} | set(not_owned))
    lines = [_not_owned(store, space, adam_id, names.get(adam_id, adam_id)) for adam_id in not_owned]
    for adam_id, decisions in _by_app(refusals).items():
        name = names.get(adam_id, adam_id)
        by_reason: dict[Reason, list[Decision]] = {}
        for decision in decisions:
            by_reason.setdefault(decision.reason, []).append(decision)
        for reason, group in by_reason.items():
            lines += _lines(store, space, adam_id, name, reason, group, urls_shown)
    lines = list(dict.fromkeys(lines))
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more: see the Why column"]
    return INDENT.join(lines) if lines else "see the Why column"


def _by_app(refusals: Sequence[Refusal]) -> dict[str, list[Decision]]:
    grouped: dict[str, list[Decision]] = {}
    for adam_id, decision in refusals:
        grouped.setdefault(adam_id, []).append(decision)
    return grouped


def _lines(store: Store, space: str, adam_id: str, name: str, reason: Reason, group: list[Decision],
           urls_shown: bool) -> list[str]:  # fmt: skip
    app = f"`{name}`"
    quoted = shlex.quote(name)
    targets = _targets(group)
    if reason is Reason.NO_SEAT:
        return [f"no free seat for {app}{_full(store, space, adam_id)}; see: abctl usage --app {quoted}"]
    if reason is Reason.NOT_OWNED:
        return [_not_owned(store, space, adam_id, name)]
    if reason is Reason.NOT_ENROLLED:
        return [_not_enrolled(decision, urls_shown) for decision in group]
    if reason in (Reason.NOT_ON_LIST, Reason.DISALLOWED):
        why = "is on no distribution list" if reason is Reason.NOT_ON_LIST else "is disallowed in every account"
        return [f"{targets} {why} for {app}; see the policies with: abctl distribute {quoted} --space {space}"]
    if reason is Reason.NOT_DEVICE_ASSIGNABLE:
        owners = sorted({d.target.owner for d in group if d.target.owner and not d.target.shared_ipad})
        if owners:
            users = " ".join(f"--user {shlex.quote(owner)}" for owner in owners[:5])
            return [f"{app} is licensed to users, not devices: abctl assign {quoted} {users} --space {space}"]
        return [f"{app} is licensed to users, not devices, and {targets} has no owner"]
    if reason is Reason.PLATFORM_UNSUPPORTED:
        return [f"{app} does not run on {targets}: {group[0].message}"]
    if reason is Reason.NOT_ACTIVE:
        first = group[0].target
        command = "devices show" if first.kind is TargetKind.DEVICE else "users show"
        return [f"{targets} is not active; see: abctl {command} {shlex.quote(first.id)}"]
    return [f"{targets}: {group[0].message}"]


def _targets(group: Sequence[Decision]) -> str:
    ids = list(dict.fromkeys(f"`{decision.target.id}`" for decision in group))
    return ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def _full(store: Store, space: str, adam_id: str) -> str:
    lent = space != DEFAULT_SPACE and store.is_delegated(space, adam_id)  # R21: the default space's seats serve too
    owners = store.owned_assets(space, adam_id) + (store.owned_assets(DEFAULT_SPACE, adam_id) if lent else [])
    full = [owned for owned in owners if owned.available <= 0]
    if not full:
        return ""
    listed = ", ".join(f"`{owned.account}` ({owned.assigned} of {owned.total} used)" for owned in full)
    return f": {listed} {'is' if len(full) == 1 else 'are'} full"


def _not_owned(store: Store, space: str, adam_id: str, name: str) -> str:
    app, quoted = f"`{name}`", shlex.quote(name)
    owners: Mapping[str, list[str]] = {
        other.name: sorted({owned.account for owned in store.owned_assets(other.name, adam_id)})
        for other in store.list_spaces()
        if other.name != space
    }
    elsewhere = {other: accounts for other, accounts in owners.items() if accounts}
    if not elsewhere:
        return f"no account owns {app} in any space: buy it in Apps and Books, then run: abctl sync"
    if DEFAULT_SPACE in elsewhere:  # R21: the default space's accounts can lend it
        lenders = ", ".join(f"`{account}`" for account in elsewhere[DEFAULT_SPACE])
        return (f"no account of space `{space}` owns {app}; the default space's {lenders} can lend it: "
                f"abctl apps delegate {quoted} --to {space}")  # fmt: skip
    listed = "; ".join(
        f"space `{other}`: {', '.join(f'`{a}`' for a in accounts)}" for other, accounts in elsewhere.items()
    )
    return f"no account of space `{space}` owns {app}; it is owned in {listed} (licenses serve their own space)"


def _not_enrolled(decision: Decision, urls_shown: bool) -> str:
    user = decision.target.id
    invite = f"abctl users invite {shlex.quote(user)}"
    if decision.invite_url and urls_shown:
        return f"`{user}` is not enrolled: send them their invite URL above"
    if decision.invite_url:
        return f"`{user}` is not enrolled: send them {decision.invite_url} (or see it again with: {invite})"
    return f"`{user}` is not enrolled: run: {invite}"
