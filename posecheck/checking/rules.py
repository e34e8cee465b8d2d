"""Rule checking: debounced per-frame monitors, once-per-rep peak checks, the fault log."""
from __future__ import annotations

import statistics

from posecheck.checking.records import FaultRecord, Side
from posecheck.checking.events import Event
from posecheck.checking.spec import Rule


class FaultLog:
    """Every fault of the session, in start order (records are plain dicts for reports)."""

    def __init__(self) -> None:
        self.records: list[FaultRecord] = []
        self.active: dict[int, FaultRecord] = {}

    def open(self, key: int, record: FaultRecord) -> None:
        self.records.append(record)
        self.active[key] = record

    def close(self, key: int) -> None:
        del self.active[key]

    def during(self, side: Side | None, mark: int, at_start: list[FaultRecord]
               ) -> list[FaultRecord]:
        """Faults of ``side`` (or side-less) active at a rep's start or started since
        ``mark``."""
        return at_start + [r for r in self.records[mark:] if r["side"] in (side, None)]

    def active_for(self, side: Side | None) -> list[FaultRecord]:
        return [r for r in self.active.values() if r["side"] in (side, None)]


def violation(x: float, low: float, high: float, outside: bool) -> float:
    """How far ``x`` is into the unwanted zone (> 0 when the condition fails)."""
    if outside:
        return min(x - low, high - x)
    return low - x if x < low else x - high


class RuleMonitor:
    """One frames-scope rule on one side: a fault starts after the rule has failed for
    ``debounce`` seconds and ends after it has held again for ``debounce`` seconds. Outside
    its phases or views the rule is silent (an open fault ends); a NaN frame breaks the
    debounce run. ``ok_now`` is the last frame's verdict: True (holds or not applicable),
    False (fails) or None (not visible)."""

    __slots__ = ("key", "rule", "side", "col", "low", "high", "outside", "mask", "track",
                 "view", "debounce", "cue", "status", "severity", "log", "record", "pending",
                 "pending_worst", "pending_value", "ok_now")

    def __init__(self, key: int, rule: Rule, side: Side | None, col: int,
                 bounds: tuple[float, float, bool], mask: int, track: int,
                 view: tuple[float, float, bool] | None, log: FaultLog) -> None:
        self.key, self.rule, self.side, self.col = key, rule.id, side, col
        self.low, self.high, self.outside = bounds
        self.mask, self.track, self.view = mask, track, view
        self.debounce, self.cue = rule.debounce, rule.cue
        self.status, self.severity = rule.status, rule.severity
        self.log = log
        self.record: FaultRecord | None = None
        self.pending: float | None = None
        self.pending_worst = -1.0
        self.pending_value = 0.0
        self.ok_now: bool | None = True

    def step(self, t: float, v: list[float], phase: int, view_angle: float,
             out: list[Event]) -> None:
        """Check frame ``v`` at ``t`` in ``phase``; append fault events to ``out``."""
        applies = (self.mask >> phase) & 1
        if applies and self.view is not None:
            low, high, outside = self.view
            applies = view_angle == view_angle and (low <= view_angle <= high) != outside
        if not applies:
            self.ok_now = True
            self.pending = None
            if self.record is not None:
                self.end(t, out)
            return
        x = v[self.col]
        if x != x:
            self.ok_now = None
            self.pending = None
            return
        ok = (self.low <= x <= self.high) != self.outside
        self.ok_now = ok
        record = self.record
        if record is None:
            if ok:
                self.pending = None
                return
            depth = violation(x, self.low, self.high, self.outside)
            if self.pending is None:
                self.pending, self.pending_worst, self.pending_value = t, depth, x
            elif depth > self.pending_worst:
                self.pending_worst, self.pending_value = depth, x
            if t - self.pending >= self.debounce:
                self.start(self.pending, t, out)
            return
        if not ok:
            self.pending = None
            depth = violation(x, self.low, self.high, self.outside)
            if depth > self.pending_worst:
                self.pending_worst = depth
                record["worst"] = x
            return
        if self.pending is None:
            self.pending = t
        if t - self.pending >= self.debounce:
            self.end(self.pending, out, at=t)

    def start(self, start_s: float, t: float, out: list[Event]) -> None:
        """Open a fault that began at ``start_s`` (the debounce run's first frame) as of ``t``."""
        record: FaultRecord = {"rule": self.rule, "side": self.side, "start_s": start_s,
                               "end_s": None, "worst": self.pending_value, "cue": self.cue,
                               "status": self.status, "severity": self.severity}
        self.record = record
        self.pending = None
        self.log.open(self.key, record)
        out.append(Event("fault_started", t, self.side, self.rule, self.cue,
                         {"status": self.status, "severity": self.severity,
                          "start_s": record["start_s"], "value": self.pending_value}))

    def end(self, end_s: float, out: list[Event], at: float | None = None) -> None:
        """Close the open fault as of ``end_s`` (event time ``at``, default ``end_s``)."""
        record = self.record
        assert record is not None, "end() needs an open fault"
        record["end_s"] = end_s
        self.record = None
        self.pending = None
        self.log.close(self.key)
        out.append(Event("fault_ended", end_s if at is None else at, self.side, self.rule, "",
                         {"status": self.status, "start_s": record["start_s"], "end_s": end_s,
                          "worst": record["worst"]}))


class PeakRule:
    """A rep_peak rule: checked once per completed rep on the frame where the rep peaked.

    Relative to ``own_reps``, the value judged is the peak minus the median of ``earlier``
    (the peaks of the earlier reps seen in the rule's views, a list shared by every PeakRule
    that reads the same column: one side's reps for a sided metric, all reps for a side-less
    one); the first such rep is not judged, only remembered.
    """

    __slots__ = ("rule", "side", "col", "low", "high", "outside", "view", "cue", "status",
                 "severity", "earlier")

    def __init__(self, rule: Rule, side: Side | None, col: int, bounds: tuple[float, float, bool],
                 view: tuple[float, float, bool] | None, earlier: list[float] | None = None
                 ) -> None:
        self.rule, self.side, self.col = rule.id, side, col
        self.low, self.high, self.outside = bounds
        self.view = view
        self.cue, self.status, self.severity = rule.cue, rule.status, rule.severity
        self.earlier = earlier

    def judge(self, peak_row: list[float], view_angle: float) -> float | None:
        """The value the rule judges at a rep's peak: the metric there, or for an own-reps
        rule its difference from the earlier reps' median. None when the rep is not judged:
        outside the rule's views, unseen, or an own-reps rule's first (only remembered)."""
        if self.view is not None:
            low, high, outside = self.view
            if view_angle != view_angle or (low <= view_angle <= high) == outside:
                return None
        x = peak_row[self.col]
        if x != x:
            return None
        if self.earlier is None:
            return x
        reference = statistics.median(self.earlier) if self.earlier else None
        self.earlier.append(x)
        return None if reference is None else x - reference

    def fault(self, x: float, start_s: float, end_s: float) -> FaultRecord | None:
        """The fault record if the judged value ``x`` breaks the rule, else None."""
        if (self.low <= x <= self.high) != self.outside:
            return None
        record: FaultRecord = {"rule": self.rule, "side": self.side, "start_s": start_s,
                               "end_s": end_s, "worst": x, "cue": self.cue,
                               "status": self.status, "severity": self.severity}
        return record
