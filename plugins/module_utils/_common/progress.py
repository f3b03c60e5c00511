"""Progress lines of the long waits: what a wait waits for, how far it is, elapsed and deadline.

A wait that lasts more than a few seconds says so while it runs, so a slow swarm is not taken for
a hung run: one line when the state it reports changes, or every EVERY seconds when it does not,
and nothing at all for a wait that ends within QUIET seconds. Pure: the plugins pass in how to
show a line (their Display) and poll_until passes the elapsed time.
"""

from __future__ import annotations

from collections.abc import Callable

QUIET = 3.0
EVERY = 10.0


def progress_line(what: str, state: str, elapsed: float, timeout: float) -> str:
    """'web convergence: web 3/5 tasks running on the new spec (12 s elapsed, deadline 300 s)'."""
    return f"{what}: {state} ({elapsed:.0f} s elapsed, deadline {timeout:g} s)"


def line_due(
    state: str,
    elapsed: float,
    last_state: str | None,
    last_at: float | None,
    quiet: float = QUIET,
    every: float = EVERY,
) -> bool:
    """Whether a reading deserves a line: the wait is older than `quiet` seconds, and either
    nothing was printed yet, the state changed since the last line, or `every` seconds passed."""
    if elapsed < quiet:
        return False
    if last_at is None or state != last_state:
        return True
    return elapsed - last_at >= every


def shorten(parts: list[str], keep: int = 4) -> str:
    """The first `keep` parts joined, and how many more there are: never a flood on one line."""
    shown = "; ".join(parts[:keep])
    more = len(parts) - keep
    return f"{shown}; and {more} more" if more > 0 else shown


class Progress:
    """The reporter one wait hands to poll_until: it describes each unsettled reading with
    `describe` and shows the line with `show` when line_due says so."""

    def __init__(
        self,
        what: str,
        timeout: float,
        describe: Callable[[object], str],
        show: Callable[[str], None],
        quiet: float = QUIET,
        every: float = EVERY,
    ):
        self.what, self.timeout, self.describe, self.show = what, timeout, describe, show
        self.quiet, self.every = quiet, every
        self.last_state: str | None = None
        self.last_at: float | None = None
        self.lines: list[str] = []

    def __call__(self, reading, elapsed: float) -> None:
        state = self.describe(reading)
        if not line_due(state, elapsed, self.last_state, self.last_at, self.quiet, self.every):
            return
        self.last_state, self.last_at = state, elapsed
        line = progress_line(self.what, state, elapsed, self.timeout)
        self.lines.append(line)
        self.show(line)
