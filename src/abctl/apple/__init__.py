"""Apple's App and Book Management API v2: the only package that imports httpx.

Importing `abctl.apple` loads httpx; the rest of abctl imports it lazily (abctl.models and abctl.errors never do).
"""

from abctl.apple.batching import AssetBatch, RevokeBatch, associate_batches, revoke_batches, user_batches
from abctl.apple.client import APPLE_BASE_URL, AppsBooksClient
from abctl.apple.ownership import is_claimed_by_other
from abctl.apple.ratelimit import RateLimiter
from abctl.apple.retry import RetryPolicy
from abctl.apple.stoken import parse_stoken, read_stoken_file, read_stoken_text
from abctl.apple.transport import in_process_transport

__all__ = [
    "APPLE_BASE_URL",
    "AppsBooksClient",
    "AssetBatch",
    "RateLimiter",
    "RetryPolicy",
    "RevokeBatch",
    "associate_batches",
    "in_process_transport",
    "is_claimed_by_other",
    "parse_stoken",
    "read_stoken_file",
    "read_stoken_text",
    "revoke_batches",
    "user_batches",
]
