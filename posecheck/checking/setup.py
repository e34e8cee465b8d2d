"""SetupTracker: framing, view and start position before anything counts; loss detection."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetupCheck:
    """One compiled setup check: column ``col`` wanted within (low, high, outside)."""

    col: int
    low: float
    high: float
    outside: bool
    cue: str
    keep: bool


class SetupTracker:
    """Waits until every check holds for ``hold_seconds``; afterwards reports the setup lost
    when a ``keep`` check has failed (or been invisible) for ``lost_after`` seconds.

    Cues are throttled: a ``setup`` cue is emitted only when it differs from the last one.
    """

    def __init__(self, checks: list[SetupCheck], hold_seconds: float, lost_after: float) -> None:
        self._all = [(c.col, c.low, c.high, c.outside, c.cue) for c in checks]
        self._kept = [(c.col, c.low, c.high, c.outside, c.cue) for c in checks if c.keep]
        self.hold_seconds = hold_seconds
        self.lost_after = lost_after
        self.reset()

    def reset(self) -> None:
        """Back to waiting."""
        self._good_since: float | None = None
        self._broken_since: float | None = None
        self.last_cue: str | None = None

    @staticmethod
    def _first_failure(checks: list[tuple[int, float, float, bool, str]], v: list[float]
                       ) -> str | None:
        for col, low, high, outside, cue in checks:
            x = v[col]
            if x != x or (low <= x <= high) == outside:
                return cue
        return None

    def wait(self, t: float, v: list[float]) -> tuple[bool, str | None]:
        """(ready now, new cue to show or None)."""
        cue = self._first_failure(self._all, v)
        if cue is None:
            if self._good_since is None:
                self._good_since = t
            if t - self._good_since >= self.hold_seconds:
                self._good_since = None
                self._broken_since = None
                self.last_cue = None
                return True, None
            return False, None
        self._good_since = None
        if cue != self.last_cue:
            self.last_cue = cue
            return False, cue
        return False, None

    def still_holds(self, t: float, v: list[float]) -> str | None:
        """None while the setup holds, else the cue of the check that broke it."""
        kept = self._kept
        for col, low, high, outside, cue in kept:
            x = v[col]
            if x != x or (low <= x <= high) == outside:
                break
        else:
            self._broken_since = None
            return None
        if self._broken_since is None:
            self._broken_since = t
        if t - self._broken_since >= self.lost_after:
            self.reset()
            self.last_cue = cue
            return cue
        return None
