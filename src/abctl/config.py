"""Where abctl keeps its data, which environment variables it reads, and the settings of one run.

Imports only the standard library and platformdirs, so `abctl --version` stays fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APPLE_API_URL = "https://vpp.itunes.apple.com/mdm/v2/"


class EnvVars:
    """Every environment variable abctl reads."""

    DB = "ABCTL_DB"
    HOME = "ABCTL_HOME"
    FORMAT = "ABCTL_FORMAT"
    API_URL = "ABCTL_API_URL"
    DEBUG = "ABCTL_DEBUG"
    DEBUG_HTTP = "ABCTL_DEBUG_HTTP"
    POLL_INTERVAL = "ABCTL_POLL_INTERVAL"
    LOCK_TIMEOUT = "ABCTL_LOCK_TIMEOUT"


def default_db_path() -> Path:
    """`$ABCTL_HOME/abctl.db` when ABCTL_HOME is set, else the platform's user data folder."""
    home = os.environ.get(EnvVars.HOME)
    if home:
        return Path(home) / "abctl.db"
    import platformdirs

    return Path(platformdirs.user_data_dir("abctl")) / "abctl.db"


def is_truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """What one invocation of abctl was asked to use."""

    db_path: Path
    api_url: str = APPLE_API_URL
    debug: bool = False
    debug_http: bool = False
    poll_interval: float | None = None
    lock_timeout: float = 60.0

    @property
    def talks_to_apple(self) -> bool:
        return self.api_url.rstrip("/") == APPLE_API_URL.rstrip("/")

    @property
    def event_poll_interval(self) -> float:
        """Seconds between `GET status` polls: Apple wants >= 30 s; the sandbox and test servers 0.5 s."""
        if self.poll_interval is not None:
            return self.poll_interval
        return 30.0 if self.talks_to_apple else 0.5
