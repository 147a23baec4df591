"""Changes made outside any MDM, for drills and tests (the admin endpoints): a purchase, a token downloaded
again, a user Apple no longer knows, an invitation accepted. Each announces itself as Apple would (ASSET_COUNT,
USER_ASSOCIATED) through `SandboxState.notify`.
"""

from __future__ import annotations

import uuid

from abctl.sandbox.state import UNLIMITED, SandboxAsset, SandboxState, SandboxUser
from abctl.sandbox.tokens import mint_token


def purchase(state: SandboxState, location: str, asset: SandboxAsset) -> None:
    """An asset bought (or transferred in from another location): ASSET_COUNT with the new licenses."""
    with state.lock:
        if asset.unlimited:
            asset.total = UNLIMITED
        state.add_asset(location, asset)
        if not asset.unlimited:
            body = {"adamId": asset.adam_id, "countDelta": asset.total, "pricingParam": asset.pricing_param}
            state.notify(state.location(location), [("ASSET_COUNT", body)])


def accept_invitation(state: SandboxState, invite_code: str) -> SandboxUser | None:
    """What opening an invite URL does: the user holding `invite_code` becomes Associated (USER_ASSOCIATED)."""
    with state.lock:
        for loc in state.locations.values():
            for user in loc.users.values():
                if invite_code and user.invite_code == invite_code and user.status in ("Registered", "Associated"):
                    state.associate_user(loc.name, user.client_user_id)
                    return user
    return None


def forget_user(state: SandboxState, location: str, client_user_id: str) -> None:
    """Apple no longer knows the user (removed by another MDM, or a location reset): as if never registered."""
    with state.lock:
        loc = state.location(location)
        if loc.users.pop(client_user_id, None) is None:
            raise KeyError(client_user_id)
        loc.bump()


def rotate_token(state: SandboxState, location: str) -> str:
    """A content manager downloads the token again: the old one is invalid from now on (9622). Returns the text
    of the new token file."""
    with state.lock:
        loc = state.location(location)
        loc.token_id = f"{loc.token_id.partition('~')[0]}~r{uuid.uuid4().hex[:8]}"
        return mint_token(loc.token_id, org_name=loc.org_name, expires_at=loc.expires_at)
