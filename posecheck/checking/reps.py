"""RepCounter: one side's reps from one metric, with hysteresis and validity gates."""
from __future__ import annotations

from posecheck.checking.phases import BACK, OUT, PEAK, REST
from posecheck.checking.records import FaultRecord, Partial, Side

NOTHING, STARTED, COMPLETED, REJECTED = range(4)

#: Longest time (seconds) a rep's metric may be out of sight mid-rep: a limb hidden for a
#: moment at its peak (the far knee in a side view, heavy model) still makes a rep whose
#: start and end were seen; a longer gap rejects it ("not_visible").
MAX_GAP_SECONDS = 0.5
#: A rep that has come back to ``end`` is over once the metric settles halfway from ``end`` to
#: the rest value seen before the rep, or after this many seconds. A dip to ``end`` that turns
#: back beyond ``start`` before that is the same rep: side-on, the model swaps a lunger's leg
#: labels for a frame or two at the bottom, and the front thigh's reading dropped below
#: ``end`` and rose again, counting one lunge twice (15 extra reps in 45 phone-world clips).
SETTLE_SECONDS = 0.3


class RepCounter:
    """Counts reps of the metric in column ``col``.

    Values are sign-normalised so every rep rises: a rep starts when the value, after having
    been at or below ``end`` (armed), reaches ``start``; it ends when it falls back to ``end``.
    It counts only if it lasted ``min_duration``..``max_duration`` seconds, reached ``min_peak``
    and the metric was never out of sight for more than :data:`MAX_GAP_SECONDS` from start to
    end. A NaN frame while idle
    disarms the counter: a rep whose beginning was not seen never counts, unless
    ``hidden_is_rest`` (a limb that is out of sight only at rest, like the far leg in a side
    view): then a hidden metric keeps the counter armed, with ``end`` as its rest value.

    ``rep_range`` of a finished rep is its peak minus ``origin`` (the neutral baseline, for
    neutral-relative reps) or else minus the lowest value seen at rest before it.

    Phases: REST (no rep), OUT (toward the peak), PEAK (``min_peak`` reached, still beyond
    ``start``), BACK (returning, below ``start``).

    Recorded clips are often cut mid-rep. :meth:`arm_at_clip_start` arms a counter whose
    clip began just now, so a rep under way in the first frames starts at once (``partial`` =
    "start"); :meth:`finish` completes a rep still under way at the clip's end (``partial`` =
    "end") if it reached ``min_peak``. Live sessions use neither.
    """

    __slots__ = ("side", "col", "origin", "sign", "start", "end", "min_peak", "min_duration",
                 "max_duration", "active", "armed", "phase", "start_t", "peak", "peak_row",
                 "peak_t", "rest_value", "rep_range", "hidden_since", "longest_gap", "reject_reason",
                 "fault_mark",
                 "faults_at_start", "hidden_is_rest", "partial", "clip_start", "ending_since",
                 "end_t")

    def __init__(self, side: Side | None, col: int, sign: float, start: float,
                 end: float, min_peak: float, min_duration: float, max_duration: float,
                 origin: float | None = None, hidden_is_rest: bool = False) -> None:
        self.side = side
        self.col = col
        self.origin = origin
        self.sign = sign
        self.start, self.end, self.min_peak = start, end, min_peak
        self.min_duration, self.max_duration = min_duration, max_duration
        self.active = False
        self.armed = False
        self.phase = REST
        self.start_t = self.peak = self.peak_t = self.rest_value = self.rep_range = 0.0
        self.peak_row: list[float] = []
        self.hidden_since: float | None = None
        self.longest_gap = 0.0
        self.reject_reason = ""
        self.fault_mark = 0
        self.faults_at_start: list[FaultRecord] = []
        self.hidden_is_rest = hidden_is_rest
        self.partial: Partial | None = None
        self.clip_start = False
        self.ending_since: float | None = None
        self.end_t = 0.0

    def abort(self) -> None:
        """Drop the rep in progress (setup lost) and disarm."""
        self.active = False
        self.armed = False
        self.phase = REST
        self.ending_since = None

    @property
    def ending(self) -> bool:
        """Back at ``end``, waiting for the metric to settle (see :data:`SETTLE_SECONDS`)."""
        return self.ending_since is not None

    def arm_at_clip_start(self) -> None:
        """Armed before the first frame: a rep already beyond ``start`` begins now."""
        self.armed = True
        self.rest_value = self.end
        self.clip_start = True

    def _floor(self, cut: bool = False) -> float:
        """The shortest duration that counts: half ``min_duration`` for a rep the clip cuts
        (only part of it is seen), else ``min_duration``."""
        return 0.5 * self.min_duration if cut or self.partial else self.min_duration

    def _range(self) -> float:
        """The finished rep's peak above its neutral origin, else above the rest before it."""
        return self.peak - (self.rest_value if self.origin is None else self.origin)

    def _settled(self) -> float:
        """The value at or below which a rep back at ``end`` is over: halfway to the rest
        value seen before it (``end`` itself when that rest was not seen)."""
        return 0.5 * (self.end + min(self.rest_value, self.end))

    def _settle(self, end_t: float, x: float | None = None) -> int:
        """The rep that came back to ``end`` at ``end_t`` is over: COMPLETED or REJECTED
        (``reject_reason``); ``x`` the value now, None when out of sight."""
        self.active = False
        self.armed = True
        self.phase = REST
        self.ending_since = None
        self.end_t = end_t
        self.rep_range = self._range()
        self.rest_value = self.end if x is None else x
        if self.longest_gap > MAX_GAP_SECONDS:
            self.reject_reason = "not_visible"
        elif end_t - self.start_t < self._floor():
            self.reject_reason = "too_short"
        elif self.peak < self.min_peak:
            self.reject_reason = "too_shallow"
        else:
            return COMPLETED
        return REJECTED

    def take_over(self, other: "RepCounter") -> None:
        """Continue the rep ``other`` began (its limb labels were swapped mid-rep): its start
        time, cut-by-clip flag, visibility gap and fault bookkeeping; this side's own peak."""
        self.start_t = other.start_t
        self.partial = other.partial
        self.longest_gap = max(self.longest_gap, other.longest_gap)
        self.fault_mark, self.faults_at_start = other.fault_mark, other.faults_at_start

    def finish(self, t: float) -> int:
        """The clip ends at ``t``: COMPLETED for a rep under way that reached ``min_peak`` and
        lasted ``min_duration``, else NOTHING (the rep in progress is dropped)."""
        if not self.active:
            return NOTHING
        if self.ending_since is not None:      # back at rest, not cut by the clip
            return self._settle(self.ending_since)
        self.active = False
        self.phase = REST
        self.end_t = t
        gap = self.longest_gap if self.hidden_since is None else t - self.hidden_since
        if (gap > MAX_GAP_SECONDS or self.peak < self.min_peak
                or t - self.start_t < self._floor(True)):
            return NOTHING
        self.partial = "end" if self.partial is None else "both"
        self.rep_range = self._range()
        return COMPLETED

    def step(self, t: float, v: list[float]) -> int:
        """Advance one frame; NOTHING, STARTED, COMPLETED or REJECTED (see reject_reason)."""
        x = self.sign * v[self.col]
        if x == x and not self.active:  # a rep starting on the clip's first frame was cut
            self.partial = "start" if self.clip_start and x >= self.start else None
            self.clip_start = False
        if not self.active:
            if x != x:
                if self.hidden_is_rest and not self.armed:
                    self.rest_value = self.end
                self.armed = self.hidden_is_rest
            elif x <= self.end:
                if not self.armed or x < self.rest_value:
                    self.rest_value = x
                self.armed = True
            elif self.armed and x >= self.start:
                self.active = True
                self.armed = False
                self.start_t = self.peak_t = t
                self.peak = x
                self.peak_row = v
                self.hidden_since, self.longest_gap = None, 0.0
                self.phase = PEAK if x >= self.min_peak else OUT
                return STARTED
            return NOTHING
        if t - self.start_t > self.max_duration:
            self.abort()
            self.reject_reason = "too_long"
            return REJECTED
        if x != x:
            if self.ending_since is not None and self.hidden_is_rest:
                return self._settle(self.ending_since)    # gone from sight at rest
            if self.hidden_since is None:
                self.hidden_since = t
            return NOTHING
        if self.hidden_since is not None:
            self.longest_gap = max(self.longest_gap, t - self.hidden_since)
            self.hidden_since = None
        if self.ending_since is not None:
            if x >= self.start:                   # a dip, not the end: the rep goes on
                self.ending_since = None
            elif x <= self._settled() or t - self.ending_since >= SETTLE_SECONDS:
                return self._settle(self.ending_since, x)
            else:
                return NOTHING
        if x > self.peak:
            self.peak, self.peak_t, self.peak_row = x, t, v
        if x <= self.end:
            self.ending_since = t
            self.phase = BACK
            return self._settle(t, x) if x <= self._settled() else NOTHING
        if x >= self.min_peak:
            self.phase = PEAK
        elif x < self.start and self.phase == PEAK:
            self.phase = BACK
        return NOTHING
