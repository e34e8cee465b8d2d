"""HoldTimer: time spent in a hold position, credited only in good form."""
from __future__ import annotations

from posecheck.checking.phases import HOLD, REST

NOTHING, STARTED, ENDED = range(3)

#: The longest gap between frames credited as hold time (dropped frames are not free time).
MAX_STEP_SECONDS = 0.5


class HoldTimer:
    """Enters a hold when one track's position conditions all hold for ``enter_seconds``;
    leaves after they fail (or are invisible) for ``exit_seconds``. The track's phase is HOLD
    only on frames where the position holds (rules stay silent while the user comes out).

    ``positions[i]`` lists the compiled ``(col, low, high, outside)`` conditions of track i
    (one track per side for sided exercises, one for both/none). Time is credited through
    :meth:`credit` only for frames where the position holds and the caller says the form is good.
    """

    def __init__(self, positions: list[list[tuple[int, float, float, bool]]],
                 enter_seconds: float, exit_seconds: float) -> None:
        self.positions = positions
        self.enter_seconds = enter_seconds
        self.exit_seconds = exit_seconds
        self.current = -1
        self.start_t = 0.0
        self.end_t = 0.0
        self.seconds = 0.0
        self.phases = [REST] * len(positions)
        self._candidate = -1
        self._candidate_since = 0.0
        self._exit_since: float | None = None
        self._previous_t = 0.0

    @staticmethod
    def _holds(conditions: list[tuple[int, float, float, bool]], v: list[float]) -> bool:
        for col, low, high, outside in conditions:
            x = v[col]
            if x != x or (low <= x <= high) == outside:
                return False
        return True

    def update(self, t: float, v: list[float]) -> int:
        """Advance the position state; NOTHING, STARTED or ENDED."""
        if self.current < 0:
            found = -1
            for i, conditions in enumerate(self.positions):
                if self._holds(conditions, v):
                    found = i
                    break
            if found < 0:
                self._candidate = -1
                return NOTHING
            if found != self._candidate:
                self._candidate, self._candidate_since = found, t
            if t - self._candidate_since < self.enter_seconds:
                return NOTHING
            self.current, self.start_t, self.seconds = found, t, 0.0
            self._previous_t, self._exit_since = t, None
            self.phases[found] = HOLD
            return STARTED
        if self._holds(self.positions[self.current], v):
            self._exit_since = None
            self.phases[self.current] = HOLD
            return NOTHING
        if self._exit_since is None:
            self._exit_since = t
            self.phases[self.current] = REST
        if t - self._exit_since >= self.exit_seconds:
            self.stop(self._exit_since)
            return ENDED
        return NOTHING

    def stop(self, t: float) -> None:
        """Leave the hold at ``t`` (position lost or setup lost)."""
        self.end_t = t
        if self.current >= 0:
            self.phases[self.current] = REST
        self.current = -1
        self._candidate = -1

    def credit(self, t: float, good_form: bool) -> None:
        """Add the time since the previous frame when in position and in good form."""
        if self.current >= 0:
            if good_form and self._exit_since is None:
                self.seconds += min(t - self._previous_t, MAX_STEP_SECONDS)
            self._previous_t = t
