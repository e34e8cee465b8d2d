"""SetupTracker: framing, view and start position before anything counts; loss detection."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Seconds between two setup cues at least (a flickering check does not chatter).
CUE_INTERVAL = 2.0
#: A failure (or invisible frame) shorter than this does not interrupt a good setup run.
SETUP_GRACE = 0.25


@dataclass(frozen=True)
class SetupCheck:
    """One compiled setup check: columns ``cols`` wanted within (low, high, outside). With two
    columns (a ``{side}`` condition) every visible side must satisfy it and at least one side
    must be visible: in a side view the far limbs are often hidden."""

    cols: tuple[int, ...]
    low: float
    high: float
    outside: bool
    cue: str
    keep: bool


class SetupTracker:
    """Waits until every check holds for ``hold_seconds`` (blips under :data:`SETUP_GRACE`
    seconds forgiven; a frame that fails never completes the wait); afterwards reports the
    setup lost
    when a ``keep`` check has failed (or been invisible) for ``lost_after`` seconds.

    Cues are throttled: a ``setup`` cue is emitted only when it differs from the last one and
    at least :data:`CUE_INTERVAL` seconds after it.
    """

    def __init__(self, checks: list[SetupCheck], hold_seconds: float, lost_after: float) -> None:
        self._all = [(c.cols, c.low, c.high, c.outside, c.cue) for c in checks]
        self._kept = [(c.cols, c.low, c.high, c.outside, c.cue) for c in checks if c.keep]
        self.hold_seconds = hold_seconds
        self.lost_after = lost_after
        self.reset()

    def reset(self) -> None:
        """Back to waiting."""
        self._good_since: float | None = None
        self._fail_since: float | None = None
        self._broken_since: float | None = None
        self.last_cue: str | None = None
        self._last_cue_t = float("-inf")

    @staticmethod
    def _first_failure(checks: list[tuple[tuple[int, ...], float, float, bool, str]],
                       v: list[float]) -> str | None:
        for cols, low, high, outside, cue in checks:
            seen = False
            for col in cols:
                x = v[col]
                if x == x:
                    if (low <= x <= high) == outside:
                        return cue
                    seen = True
            if not seen:
                return cue
        return None

    def wait(self, t: float, v: list[float]) -> tuple[bool, str | None]:
        """(ready now, new cue to show or None)."""
        cue = self._first_failure(self._all, v)
        if cue is None:
            self._fail_since = None
            if self._good_since is None:
                self._good_since = t
            if t - self._good_since >= self.hold_seconds:
                self.accept()
                return True, None
            return False, None
        if self._fail_since is None:
            self._fail_since = t
        if self._good_since is not None and t - self._fail_since < SETUP_GRACE:
            return False, None
        self._good_since = None
        if cue != self.last_cue and t - self._last_cue_t >= CUE_INTERVAL:
            self.last_cue, self._last_cue_t = cue, t
            return False, cue
        return False, None

    def accept(self) -> None:
        """The setup is complete now (the hold elapsed, or the caller knows it held before)."""
        self._good_since = None
        self._broken_since = None
        self.last_cue = None

    def in_position(self, table: np.ndarray) -> np.ndarray:
        """(T,) bool: the frames of ``table`` ((T, columns), a checker's column layout) that pass
        every check (framing, view, start position), as :meth:`_first_failure` judges one frame."""
        ok = np.ones(len(table), bool)
        for cols, low, high, outside, _ in self._all:
            values = table[:, list(cols)]
            seen = ~np.isnan(values)
            holds = ((low <= values) & (values <= high)) != outside
            ok &= (holds | ~seen).all(axis=1) & seen.any(axis=1)
        return ok

    def kept_ok(self, v: list[float]) -> bool:
        """Whether frame ``v`` passes the checks kept during the exercise (framing, view and
        the ``keep`` conditions; not the start-only ones): the exercise may be under way."""
        return self._first_failure(self._kept, v) is None

    @property
    def holding(self) -> bool:
        """Whether the start position is currently being held (the wait is under way)."""
        return self._good_since is not None

    def position_kept(self, t: float, v: list[float]) -> bool:
        """Whether every check, start-only ones included, holds (blips forgiven)."""
        if self._first_failure(self._all, v) is None:
            self._fail_since = None
            return True
        if self._fail_since is None:
            self._fail_since = t
        return t - self._fail_since < SETUP_GRACE

    def still_holds(self, t: float, v: list[float]) -> str | None:
        """None while the setup holds, else the cue of the check that broke it."""
        cue = self._first_failure(self._kept, v)
        if cue is None:
            self._broken_since = None
            return None
        if self._broken_since is None:
            self._broken_since = t
        if t - self._broken_since >= self.lost_after:
            self.reset()
            self.last_cue, self._last_cue_t = cue, t
            return cue
        return None
