"""Waiting for Apple's asynchronous events: poll `GET status` until the event settles or the deadline passes."""

from __future__ import annotations

from collections.abc import Callable

from abctl.models.apple import EventStatus


def poll_until_settled(
    status_of: Callable[[], EventStatus],
    *,
    poll_interval: float,
    deadline_seconds: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    on_poll: Callable[[EventStatus], None] | None = None,
) -> EventStatus:
    """The last status read: settled, or PENDING when the deadline (or the poll budget) ran out first."""
    started = clock()
    # Bounded by polls too, so a zero interval (tests, the sandbox) cannot spin for the whole deadline.
    max_polls = max(1, int(deadline_seconds / max(poll_interval, 0.5)) + 1)
    polls = 0
    while True:
        status = status_of()
        polls += 1
        if on_poll:
            on_poll(status)
        if status.is_settled or polls >= max_polls or clock() - started + poll_interval > deadline_seconds:
            return status
        sleep(poll_interval)
