"""Checker: an exercise spec applied to a stream of metric rows, producing events.

Flow: setup (framing, view, start position; throttled ``setup`` cues) → ``ready`` →
calibration of the neutral pose if the spec asks → counting reps or timing holds while rules
are monitored. If a kept setup condition breaks for ``setup.lost_after`` seconds the rep in
progress is dropped and the flow starts over (nothing counts until setup holds again).

Live and recorded video share one path: :meth:`Checker.feed` maps a dict to a list of floats
in the checker's column order and :meth:`Checker.feed_batch` slices a (T, M) array to the same
columns, both calling the same per-frame step, so they emit identical events.

>>> from posecheck.spec import load_spec
>>> checker = Checker(load_spec("squat"))
>>> checker.feed(0.0, {"body_in_frame": 1.0})[0].kind
'setup'
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from posecheck.checking.calibration import Calibrator
from posecheck.checking.holds import ENDED as HOLD_ENDED
from posecheck.checking.holds import STARTED as HOLD_STARTED
from posecheck.checking.holds import HoldTimer
from posecheck.checking.phases import HOLD, REST, phase_mask
from posecheck.checking.reps import COMPLETED, REJECTED, STARTED, RepCounter
from posecheck.checking.rules import FaultLog, PeakRule, RuleMonitor
from posecheck.checking.setup import SetupCheck, SetupTracker
from posecheck.events import Event
from posecheck.metrics import Metrics
from posecheck.spec import LEVELS, VIEW_BANDS, Condition, Spec
from posecheck.vocabulary import SIDES, is_sided, resolve

WAITING, CALIBRATING, ACTIVE = range(3)
NAN = float("nan")

REJECT_CUES = {"too_short": "Slower: control the movement", "too_shallow": "",
               "too_long": "", "not_visible": "I lost sight of you during that rep",
               "setup_lost": ""}
RECALIBRATE_CUE = "Hold still in the start position"


def view_bounds(views: tuple[str, ...]) -> tuple[float, float, bool]:
    """The view_angle condition covering ``views`` (their bands' union, one interval or the
    complement of the gap between two)."""
    bands = sorted(VIEW_BANDS[v] for v in views)
    low, high = bands[0]
    for band_low, band_high in bands[1:]:
        if band_low > high:
            return high, band_low, True
        high = max(high, band_high)
    return low, high, False


def default_view_cue(views: tuple[str, ...]) -> str:
    """Guidance toward the first listed view."""
    return {"side": "Turn side-on to the camera", "front": "Face the camera",
            "rear": "Turn your back to the camera",
            "oblique": "Turn halfway toward the camera"}[views[0]]


class Checker:
    """Feed metric rows, get events; :meth:`summary` gives the session's counts and faults."""

    def __init__(self, spec: Spec, strictness: str = "standard") -> None:
        if strictness not in LEVELS:
            raise ValueError(f"strictness {strictness!r} is not one of {', '.join(LEVELS)}")
        self.spec = spec
        self.strictness = strictness
        self.columns: list[str] = []
        self._column_of: dict[str, int] = {}
        self.tracks: list[str | None] = {"left": ["left"], "right": ["right"],
                                         "alternating": list(SIDES)}.get(spec.sides, [None])
        self._view_col = self._col("view_angle")
        self._setup = self._build_setup()
        calibration = spec.calibration
        self._calibration_cols = sorted({self._col(name) for template in
                                         (calibration.metrics if calibration else ())
                                         for name in self._concrete(template)})
        self._state = WAITING
        self._calibrator: Calibrator | None = None
        self._view = NAN
        self.baseline: dict[str, float] = {}
        self.setup_complete = False
        self.counts = {"left": 0, "right": 0, "total": 0}
        self.rejected: dict[str, int] = {}
        self.rep_details: list[dict[str, Any]] = []
        self.holds: list[dict[str, Any]] = []
        self.faults = FaultLog()
        self._last_side: str | None = None
        self._working = -1
        self._batch_names: tuple[str, ...] | None = None
        self._batch_index: list[int] = []
        self._build_parts({})  # resolves every column the spec uses

    # ------------------------------------------------------------------ compilation

    def _col(self, name: str) -> int:
        index = self._column_of.get(name)
        if index is None:
            index = self._column_of[name] = len(self.columns)
            self.columns.append(name)
        return index

    @staticmethod
    def _concrete(template: str) -> list[str]:
        return [resolve(template, s) for s in SIDES] if is_sided(template) else [template]

    def _build_setup(self) -> SetupTracker:
        setup, spec = self.spec.setup, self.spec
        inf = float("inf")
        checks = [SetupCheck(self._col("body_in_frame"), setup.min_body_in_frame, inf, False,
                             "Move so your whole body is in view", True),
                  SetupCheck(self._col("body_height"), setup.body_height[0], inf, False,
                             "Move closer to the camera", True),
                  SetupCheck(self._col("body_height"), -inf, setup.body_height[1], False,
                             "Step back so your whole body is in view", True),
                  SetupCheck(self._view_col, *view_bounds(spec.views),
                             setup.view_cue or default_view_cue(spec.views), True)]
        for condition in setup.conditions:
            for name in self._concrete(condition.metric):
                checks.append(SetupCheck(self._col(name), *condition.bounds(), condition.cue,
                                         condition.keep))
        return SetupTracker(checks, setup.hold_seconds, setup.lost_after)

    def _bounds(self, condition: Condition, name: str, offset: float, baseline: dict[int, float]
                ) -> tuple[float, float, bool] | None:
        """Compiled bounds of ``condition`` on metric ``name``; None if its baseline is NaN."""
        col = self._col(name)
        low, high, outside = condition.bounds(offset)
        if condition.relative_to == "neutral":
            shift = baseline.get(col, NAN)
            if shift != shift:
                return None
            low, high = low + shift, high + shift
        return low, high, outside

    def _build_parts(self, baseline: dict[int, float]) -> bool:
        """Compile counters/timer and rules for the current baseline; False if the rep
        metric's baseline is missing."""
        spec, level = self.spec, self.strictness
        self._monitors: list[RuleMonitor] = []
        self._peak_rules: list[list[PeakRule]] = [[] for _ in self.tracks]
        self._hold_monitors: list[RuleMonitor] = []
        self._phases = [REST] * (len(self.tracks) + 1)
        for rule in spec.rules:
            if level not in rule.levels:
                continue
            view = view_bounds(rule.views) if set(rule.views) != set(spec.views) else None
            offset = rule.tolerance.at(level)
            for track, side in self._rule_targets(rule.metric):
                name = resolve(rule.metric, side)
                bounds = self._bounds(rule, name, offset, baseline)
                if bounds is None:
                    continue
                col = self._col(name)
                report_side = side if is_sided(rule.metric) else None
                if rule.scope == "rep_peak":
                    tracks = range(len(self.tracks)) if track < 0 else [track]
                    for i in tracks:
                        self._peak_rules[i].append(PeakRule(rule, report_side or self.tracks[i],
                                                            col, bounds, view))
                    continue
                monitor = RuleMonitor(len(self._monitors), rule, report_side, col, bounds,
                                      phase_mask(rule.phases), track, view, self.faults)
                self._monitors.append(monitor)
                if rule.status == "validated" and "hold" in rule.phases:
                    self._hold_monitors.append(monitor)
        return self._build_counters(baseline) if spec.kind == "reps" else self._build_hold(baseline)

    def _rule_targets(self, template: str) -> list[tuple[int, str | None]]:
        """(track, side) pairs a rule is evaluated for; track -1 = the working track."""
        if not is_sided(template):
            return [(-1 if self.tracks[0] is not None else 0, None)]
        if self.tracks[0] is None:
            return [(0, side) for side in SIDES]
        return [(i, side) for i, side in enumerate(self.tracks)]

    def _build_counters(self, baseline: dict[int, float]) -> bool:
        rep = self.spec.rep
        sign = 1.0 if rep.direction == "rising" else -1.0
        tolerance = rep.tolerance.at(self.strictness)
        self._counters = []
        for side in self.tracks:
            names = [resolve(rep.metric, side)] if side else self._concrete(rep.metric)
            cols = tuple(self._col(n) for n in names)
            shift = 0.0
            if rep.relative_to == "neutral":
                shifts = [baseline.get(c, NAN) for c in cols]
                seen = [s for s in shifts if s == s]
                if baseline and not seen:
                    return False
                shift = sum(seen) / len(seen) if seen else 0.0
            start = sign * (rep.start + shift)
            peak = max(sign * (rep.min_peak + shift) - tolerance, start)
            self._counters.append(RepCounter(side, cols, sign, start, sign * (rep.end + shift),
                                             peak, rep.min_duration, rep.max_duration))
        return True

    def _build_hold(self, baseline: dict[int, float]) -> bool:
        positions = []
        for side in self.tracks:
            conditions = []
            for condition in self.spec.hold.position:
                names = [resolve(condition.metric, side)] if side else \
                    self._concrete(condition.metric)
                for name in names:
                    bounds = self._bounds(condition, name, 0.0, baseline)
                    if bounds is None and baseline:
                        return False
                    conditions.append((self._col(name), *(bounds or condition.bounds())))
            positions.append(conditions)
        hold = self.spec.hold
        self._timer = HoldTimer(positions, hold.enter_seconds, hold.exit_seconds)
        self._next_progress = hold.progress_seconds
        self._target_reached = False
        return True

    # --------------------------------------------------------------------- feeding

    def feed(self, time: float, row: Mapping[str, float]) -> list[Event]:
        """One frame: ``row`` maps metric names to values (missing names count as NaN)."""
        out: list[Event] = []
        self._step(float(time), [row.get(name, NAN) for name in self.columns], out)
        return out

    def feed_batch(self, metrics: Metrics) -> list[Event]:
        """Every frame of ``metrics``; the same events as feeding its rows one by one."""
        if metrics.names != self._batch_names:
            self._batch_names = metrics.names
            position = {name: i for i, name in enumerate(metrics.names)}
            self._batch_index = [position.get(name, -1) for name in self.columns]
        values = np.full((len(metrics), len(self.columns)), NAN)
        for j, source in enumerate(self._batch_index):
            if source >= 0:
                values[:, j] = metrics.values[:, source]
        out: list[Event] = []
        step = self._step
        for t, v in zip(metrics.times.tolist(), values.tolist()):
            step(t, v, out)
        return out

    def _step(self, t: float, v: list[float], out: list[Event]) -> None:
        view = v[self._view_col]
        if view == view:
            self._view = view
        if self._state == ACTIVE:
            cue = self._setup.still_holds(t, v)
            if cue is not None:
                self._lose_setup(t, cue, out)
            elif self._counting_reps:
                self._step_reps(t, v, out)
            else:
                self._step_hold(t, v, out)
        elif self._state == WAITING:
            ready, cue = self._setup.wait(t, v)
            if cue is not None:
                out.append(Event("setup", t, None, None, cue, {}))
            if ready:
                self._on_ready(t, out)
        else:
            self._step_calibration(t, v, out)

    @property
    def _counting_reps(self) -> bool:
        return self.spec.kind == "reps"

    # ------------------------------------------------------------- setup, calibration

    def _on_ready(self, t: float, out: list[Event]) -> None:
        if self.spec.calibration is None:
            out.append(Event("ready", t, None, None, "Go", {}))
            self._activate({})
            return
        out.append(Event("ready", t, None, None, "Hold still for a moment", {}))
        self._calibrator = Calibrator(self._calibration_cols, self.spec.calibration.seconds)
        self._state = CALIBRATING

    def _step_calibration(self, t: float, v: list[float], out: list[Event]) -> None:
        cue = self._setup.still_holds(t, v)
        if cue is not None:
            self._lose_setup(t, cue, out)
            return
        if not self._calibrator.add(t, v):
            return
        baseline = self._calibrator.baseline()
        if not self._build_parts(baseline):
            out.append(Event("setup", t, None, None, RECALIBRATE_CUE, {}))
            self._calibrator = Calibrator(self._calibration_cols, self.spec.calibration.seconds)
            return
        self.baseline = {self.columns[c]: value for c, value in baseline.items()}
        out.append(Event("calibrated", t, None, None, "Go", {"baseline": dict(self.baseline)}))
        self._activate(baseline)

    def _activate(self, baseline: dict[int, float]) -> None:
        if not baseline:
            self._build_parts(baseline)
        self._state = ACTIVE
        self._working = -1
        self.setup_complete = True

    def _lose_setup(self, t: float, cue: str, out: list[Event]) -> None:
        """Setup broke: drop the rep or hold in progress, close faults, wait again."""
        if self._state == ACTIVE:
            if self._counting_reps:
                for counter in self._counters:
                    if counter.active:
                        counter.abort()
                        self._reject(counter, "setup_lost", t, out)
            elif self._timer.current >= 0:
                self._timer.stop(t)
                self._end_hold(t, out)
            for monitor in self._monitors:
                if monitor.record is not None:
                    monitor.end(t, out)
        out.append(Event("setup", t, None, None, cue, {}))
        self._state = WAITING

    # --------------------------------------------------------------------- reps

    def _step_reps(self, t: float, v: list[float], out: list[Event]) -> None:
        phases = self._phases
        finished = []
        for i, counter in enumerate(self._counters):
            code = counter.step(t, v)
            if code == STARTED:
                self._on_rep_started(i, counter, t, out)
            elif code:
                finished.append((code, counter, i))
            phases[i] = counter.phase
        phases[-1] = self._counters[self._working].phase if self._working >= 0 else REST
        view = self._view
        for monitor in self._monitors:
            monitor.step(t, v, phases[monitor.track], view, out)
        for code, counter, i in finished:
            if code == COMPLETED:
                self._on_rep_completed(i, counter, t, out)
            else:
                self._reject(counter, counter.reject_reason, t, out)

    def _on_rep_started(self, track: int, counter: RepCounter, t: float, out: list[Event]) -> None:
        self._working = track
        side = counter.side
        if side is not None and self._last_side is not None and side != self._last_side:
            out.append(Event("side_switch", t, side, None, f"{side.capitalize()} side",
                             {"previous": self._last_side}))
        if side is not None:
            self._last_side = side
        counter.fault_mark = len(self.faults.records)
        counter.faults_at_start = self.faults.active_for(side)
        out.append(Event("rep_started", t, side, None, "", {"metric": self.spec.rep.metric}))

    def _reject(self, counter: RepCounter, reason: str, t: float, out: list[Event]) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        out.append(Event("rep_rejected", t, counter.side, None, REJECT_CUES[reason],
                         {"reason": reason, "start_s": counter.start_t,
                          "duration_s": t - counter.start_t}))

    def _on_rep_completed(self, track: int, counter: RepCounter, t: float,
                          out: list[Event]) -> None:
        side = counter.side
        start_s = counter.start_t
        faults = self.faults.during(side, counter.fault_mark, counter.faults_at_start)
        for rule in self._peak_rules[track]:
            record = rule.check(counter.peak_row, self._view, start_s, t)
            if record is not None:
                self.faults.records.append(record)
                faults.append(record)
                data = {"status": record["status"], "severity": record["severity"],
                        "start_s": start_s, "value": record["worst"]}
                out.append(Event("fault_started", t, record["side"], record["rule"],
                                 record["cue"], data))
                out.append(Event("fault_ended", t, record["side"], record["rule"], "",
                                 {"status": record["status"], "start_s": start_s, "end_s": t,
                                  "worst": record["worst"]}))
        if side is not None:
            self.counts[side] += 1
        self.counts["total"] += 1
        peak_row = counter.peak_row
        detail = {
            "side": side, "start_s": start_s, "end_s": t, "peak_s": counter.peak_t,
            "range": counter.rep_range,
            "peak": {name: peak_row[self._column_of[name]]
                     for name in self._peak_names(side) if name in self._column_of},
            "faults": [{"rule": f["rule"], "side": f["side"], "status": f["status"],
                        "severity": f["severity"], "worst": f["worst"]} for f in faults],
        }
        detail["clean"] = not any(f["status"] == "validated" for f in faults)
        self.rep_details.append(detail)
        count = self.counts[side] if side is not None else self.counts["total"]
        message = f"{side.capitalize()} {count}" if side is not None else str(count)
        out.append(Event("rep_completed", t, side, None, message, {"count": count, **detail}))

    def _peak_names(self, side: str | None) -> list[str]:
        templates = [self.spec.rep.metric] + [r.metric for r in self.spec.rules]
        names: list[str] = []
        for template in templates:
            for name in ([resolve(template, side)] if side else self._concrete(template)):
                if name not in names:
                    names.append(name)
        return names

    # --------------------------------------------------------------------- holds

    def _step_hold(self, t: float, v: list[float], out: list[Event]) -> None:
        timer = self._timer
        code = timer.update(t, v)
        phases = self._phases
        for i, phase in enumerate(timer.phases):
            phases[i] = phase
        phases[-1] = timer.phases[timer.current] if timer.current >= 0 else REST
        if code == HOLD_STARTED:
            self._on_hold_started(t, out)
        view = self._view
        for monitor in self._monitors:
            monitor.step(t, v, phases[monitor.track], view, out)
        if code == HOLD_ENDED:
            self._end_hold(t, out)
            return
        if timer.current < 0:
            return
        good = True
        for monitor in self._hold_monitors:
            if monitor.ok_now is not True:
                good = False
                break
        timer.credit(t, good)
        hold = self.spec.hold
        side = self.tracks[timer.current]
        if timer.seconds >= self._next_progress:
            self._next_progress += hold.progress_seconds
            out.append(Event("hold_progress", t, side, None, f"{int(timer.seconds)} seconds",
                             {"seconds": timer.seconds, "in_position": True}))
        target = self.spec.dosage.hold_seconds
        if target > 0 and not self._target_reached and timer.seconds >= target:
            self._target_reached = True
            out.append(Event("hold_completed", t, side, None, "Time: well held",
                             {"seconds": timer.seconds, "target_s": target}))

    def _on_hold_started(self, t: float, out: list[Event]) -> None:
        side = self.tracks[self._timer.current]
        if side is not None and self._last_side is not None and side != self._last_side:
            out.append(Event("side_switch", t, side, None, f"{side.capitalize()} side",
                             {"previous": self._last_side}))
        if side is not None:
            self._last_side = side
        self._next_progress = self.spec.hold.progress_seconds
        self._target_reached = False
        out.append(Event("hold_started", t, side, None, "Hold", {}))

    def _end_hold(self, t: float, out: list[Event]) -> None:
        timer = self._timer
        side = self._last_side if self.tracks[0] is not None else None
        record = {"side": side, "start_s": timer.start_t, "end_s": timer.end_t,
                  "seconds": timer.seconds, "target_reached": self._target_reached}
        self.holds.append(record)
        out.append(Event("hold_progress", t, side, None, "",
                         {"seconds": timer.seconds, "in_position": False}))

    # --------------------------------------------------------------------- summary

    def summary(self) -> dict[str, Any]:
        """Counts, per-rep details, holds, faults (experimental ones are hints, not counted),
        left/right asymmetry of range, setup and calibration state."""
        faults = [dict(record) for record in self.faults.records]
        return {
            "strictness": self.strictness,
            "setup_complete": self.setup_complete,
            "calibration": dict(self.baseline) if self.spec.calibration else None,
            "reps": dict(self.counts),
            "rejected_reps": dict(self.rejected),
            "rep_details": [dict(d) for d in self.rep_details],
            "holds": [dict(h) for h in self.holds],
            "hold_seconds": self._hold_totals(),
            "faults": faults,
            "fault_count": sum(f["status"] == "validated" for f in faults),
            "hint_count": sum(f["status"] == "experimental" for f in faults),
            "asymmetry": self._asymmetry(),
        }

    def _hold_totals(self) -> dict[str, float]:
        totals = {"left": 0.0, "right": 0.0, "total": 0.0}
        for hold in self.holds:
            if hold["side"] is not None:
                totals[hold["side"]] += hold["seconds"]
            totals["total"] += hold["seconds"]
        return totals

    def _asymmetry(self) -> dict[str, Any] | None:
        """Mean rep range per side and their difference (percent of the two sides' mean)."""
        ranges = {side: [d["range"] for d in self.rep_details if d["side"] == side]
                  for side in SIDES}
        if not (ranges["left"] and ranges["right"]):
            return None
        left = sum(ranges["left"]) / len(ranges["left"])
        right = sum(ranges["right"]) / len(ranges["right"])
        mean = 0.5 * (abs(left) + abs(right))
        return {"metric": self.spec.rep.metric, "left_range": left, "right_range": right,
                "difference": left - right,
                "percent": 100.0 * (left - right) / mean if mean > 0 else 0.0}
