"""Which device-management service owns a location: Apple allows one per location, and `mdmInfo` names it."""

from __future__ import annotations

from abctl.models.apple import ClientConfig


def is_claimed_by_other(client_config: ClientConfig, installation_id: str) -> bool:
    """True when another MDM (an `mdmInfo.id` that is not this installation's) has claimed the location."""
    return client_config.mdm_info is not None and client_config.mdm_info.id != installation_id
