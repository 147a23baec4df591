"""One writer at a time: an advisory lock file beside the database, so overlapping cron runs of `sync`,
`assign` or `revoke` wait (bounded) instead of interleaving their Apple calls.

The holder writes its pid into the file and empties it when it lets go. The kernel releases the lock of a process
that dies, so a killed run never blocks the next one; the pid it left behind tells the next run (and
`abctl doctor`) that a run was killed, and the next run says so when it takes the lock over.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from abctl.errors import ConfigError, LockTimeoutError
from abctl.store.faults import store_fault


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _open_lock(db_path: Path) -> int:
    path = lock_path(db_path)
    try:
        return os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as error:
        raise store_fault(error, db_path) or ConfigError(
            f"cannot open the lock file {path} ({error.strerror or error})",
            hint=f"abctl creates it beside the database: check that you may write to {db_path.parent}",
        ) from None


@contextmanager
def exclusive_lock(
    db_path: Path,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_wait: Callable[[], None] | None = None,
    on_stale: Callable[[int], None] | None = None,
) -> Iterator[None]:
    """Hold the database's writer lock for the block; wait at most `timeout` seconds for it.

    `on_stale(pid)` is called when the lock is taken over from a run that was killed while holding it.

    Raises:
        LockTimeoutError: another abctl process kept the lock for longer than `timeout`.
        ConfigError: the lock file cannot be created (read-only folder, full disk).
    """
    fd = _open_lock(db_path)
    try:
        deadline = clock() + timeout
        warned = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    pid = _pid(fd)
                    holder = f" (pid {pid})" if pid is not None else ""
                    raise LockTimeoutError(
                        f"another abctl run{holder} has held the database lock for over {timeout:g} s",
                        hint="wait for it to finish, or raise --lock-timeout (ABCTL_LOCK_TIMEOUT)",
                    ) from None
                if not warned and on_wait is not None:
                    on_wait()
                    warned = True
                sleep(min(0.1, max(0.0, deadline - clock())))
        stale = _pid(fd)
        if stale is not None and on_stale is not None:
            on_stale(stale)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError as error:
            fcntl.flock(fd, fcntl.LOCK_UN)
            raise store_fault(error, db_path) or ConfigError(
                f"cannot write the lock file {lock_path(db_path)} ({error.strerror or error})"
            ) from None
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


@dataclass(frozen=True)
class LockState:
    """What the lock file says right now: free, held by a running process, or left behind by a killed one."""

    held: bool
    pid: int | None

    @property
    def stale(self) -> bool:
        return not self.held and self.pid is not None


def read_lock(db_path: Path) -> LockState:
    """Look at the lock without waiting and without changing it (a free lock is taken and let go at once)."""
    path = lock_path(db_path)
    if not path.exists():
        return LockState(held=False, pid=None)
    fd = os.open(path, os.O_RDONLY)
    try:
        pid = _pid(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockState(held=True, pid=pid)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return LockState(held=False, pid=pid)
    finally:
        os.close(fd)
