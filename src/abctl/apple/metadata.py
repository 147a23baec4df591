"""Apple's content lookup (`urls.contentMetadataLookup` of service/config): names, bundle ids, versions, prices,
sizes and platforms for adamIds (wire.app_metadata reads one result).

Best effort by design: names are optional (abctl shows the adamId instead), so any failure of one lookup call
leaves its ids out rather than failing the command.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from abctl.apple import wire
from abctl.apple.error_map import HTTPX_EXCEPTIONS
from abctl.apple.requester import Requester
from abctl.models.apple import AppMetadata

IDS_PER_CALL = 100  # keeps the query string short; Apple documents no limit
LOOKUP_TIMEOUT = 5.0  # seconds: a slow lookup must not hold a sync up (it only brings display facts)


def lookup_metadata(
    requester: Requester, url: str, adam_ids: Sequence[str], *, platform: str | None, country: str | None, secret: str
) -> dict[str, AppMetadata]:
    """Metadata of `adam_ids` found by the lookup at `url` (ids it has no name for are left out)."""
    # Apple's lookup reads the sToken from the `itvt` cookie (custom apps); it only goes to Apple over HTTPS.
    parts = urlsplit(url)
    to_apple = parts.scheme == "https" and (parts.hostname or "").endswith(".apple.com")
    cookies = {"itvt": secret} if to_apple else {}
    found: dict[str, AppMetadata] = {}
    for start in range(0, len(adam_ids), IDS_PER_CALL):
        chunk = ",".join(adam_ids[start : start + IDS_PER_CALL])
        params = {"version": "2", "p": "mdm-lockup", "caller": "MDM", "platform": platform or "volumestore",
                  "cc": (country or "us").lower(), "l": "en", "id": chunk}  # fmt: skip
        try:
            response = requester.fetch(url, params=params, cookies=cookies, timeout=LOOKUP_TIMEOUT)
            if response.status_code == 200:
                found |= wire.lookup_results(response.json())
        except HTTPX_EXCEPTIONS:
            continue
        except ValueError:  # not JSON
            continue
    return found
