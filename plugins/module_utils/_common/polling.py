"""Read again until the answer is settled or a deadline passes: one loop for every wait.

Nodes that just joined, tasks that just restarted and services that are rolling out all need a
few seconds before a reading is final; the plugins poll with this instead of each writing a loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

Reading = TypeVar("Reading")


def poll_until(
    read: Callable[[], Reading],
    settled: Callable[[Reading], bool],
    timeout: float,
    interval: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[Reading, float], None] | None = None,
) -> tuple[Reading, bool]:
    """Call read() until settled(reading) or timeout seconds have passed.

    The first reading is always taken, even with a timeout of 0. Returns the last reading and
    whether it settled; callers decide what an unsettled reading at the deadline means.
    report(reading, elapsed seconds), when given, hears of every unsettled reading
    (_common.progress.Progress turns them into progress lines).
    """
    started = clock()
    deadline = started + timeout
    while True:
        reading = read()
        if settled(reading):
            return reading, True
        now = clock()
        if report is not None:
            report(reading, now - started)
        if now >= deadline:
            return reading, False
        sleep(interval)
