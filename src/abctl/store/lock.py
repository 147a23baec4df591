"""One writer at a time: an advisory lock file beside the database, so overlapping cron runs of `sync`,
`assign` or `revoke` wait (bounded) instead of interleaving their Apple calls.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from abctl.errors import LockTimeoutError


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def exclusive_lock(
    db_path: Path,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the database's writer lock for the block; wait at most `timeout` seconds for it.

    Raises:
        LockTimeoutError: another abctl process kept the lock for longer than `timeout`.
    """
    path = lock_path(db_path)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = clock() + timeout
        warned = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    holder = _holder(fd)
                    raise LockTimeoutError(
                        f"another abctl run{holder} has held the database lock for over {timeout:g} s",
                        hint="wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)",
                    ) from None
                if not warned and on_wait is not None:
                    on_wait()
                    warned = True
                sleep(min(0.1, max(0.0, deadline - clock())))
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
