"""Apple's App and Book Management API v2: the only package that imports httpx.

Importing `abctl.apple` loads httpx; the rest of abctl imports it lazily.
"""

from abctl.apple.client import APPLE_BASE_URL, AppsBooksClient
from abctl.apple.stoken import parse_stoken, read_stoken_text

__all__ = ["APPLE_BASE_URL", "AppsBooksClient", "parse_stoken", "read_stoken_text"]
