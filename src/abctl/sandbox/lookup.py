"""The content-metadata lookup (`urls.contentMetadataLookup`, apple-api.md 2.11): what Apple's `mdm-lockup`
lookup returns per adamId under `results`: name, bundleId, artwork (url template, width, height), url, kind,
platforms and device families, and offers with price, formatted price, version and file size.

The values are made up but plausible, and stable: they derive from the adamId and the name, so the same seed
always answers the same. `SandboxState.metadata` holds them; an admin call can change a version or a price.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

KINDS = {"App": "software", "Book": "ebook"}
FAMILIES = {"iOS": ["iphone", "ipad"], "macOS": ["mac"], "tvOS": ["tvos"], "watchOS": ["watch"],
            "visionOS": ["realityDevice"]}  # fmt: skip
PRICES = (0.0, 0.99, 1.99, 2.99, 4.99, 9.99, 14.99)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


def make_metadata(adam_id: str, name: str, product_type: str, platforms: tuple[str, ...],
                  *, base: str = "https://is1-ssl.mzstatic.com") -> dict[str, Any]:  # fmt: skip
    """Plausible lookup metadata for one asset, derived from its adamId and name."""
    digest = int(hashlib.sha256(adam_id.encode()).hexdigest()[:12], 16)
    book = product_type == "Book"
    price = PRICES[digest % len(PRICES)] if not book else PRICES[1 + digest % (len(PRICES) - 1)]
    version = f"{1 + digest % 5}.{digest // 5 % 10}.{digest // 50 % 10}" if not book else "1.0"
    size = (8 + digest % 400) * 1_048_576 + digest % 1_000_000 if not book else (2 + digest % 40) * 1_048_576
    slug = _slug(name)
    bundle = f"com.example.{slug.replace('-', '')}" if not book else None
    record: dict[str, Any] = {
        "id": adam_id,
        "name": name,
        "artistName": "Example Developer" if not book else "Example Publisher",
        "kind": KINDS.get(product_type, "software"),
        "platforms": list(platforms),
        "deviceFamilies": [family for platform in platforms for family in FAMILIES.get(platform, [])],
        "artwork": {"url": f"{base}/image/thumb/{adam_id}/{{w}}x{{h}}bb.{{f}}", "width": 1024, "height": 1024},
        "url": f"https://{'books' if book else 'apps'}.apple.com/us/{'book' if book else 'app'}/{slug}/id{adam_id}",
        "offers": [
            {
                "type": "buy",
                "price": price,
                "priceFormatted": "Free" if price == 0 else f"${price:.2f}",
                "currencyCode": "USD",
                "version": {"display": version, "externalId": digest % 900_000_000},
                "assets": [{"flavor": "ebook" if book else "software", "size": size}],
            }
        ],
    }
    if bundle:
        record["bundleId"] = bundle
    return record


def lookup(metadata: dict[str, dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """The lookup answer for `id=<adamId>[,<adamId>...]`: found ids under `results`, unknown ones left out."""
    ids = [item for item in query.get("id", "").split(",") if item]
    return {"results": {adam_id: metadata[adam_id] for adam_id in ids if adam_id in metadata}}
