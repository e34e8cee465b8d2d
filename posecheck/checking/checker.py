"""Checker: an exercise spec applied to a stream of metric rows, producing events.

Flow: setup (framing, view, start position; a ``setup`` cue only when the cue changes) →
``ready`` → calibration of the neutral pose if the spec asks → counting reps or timing holds
while rules are monitored. If a kept setup condition breaks for ``setup.lost_after`` seconds
the rep or hold in progress is dropped and the flow starts over: nothing counts until setup
holds again (and, with calibration, until the neutral pose is measured again).

Live and recorded video share one path: :meth:`Checker.feed` turns a dict into a list of
floats in the checker's column order, :meth:`Checker.feed_batch` turns a (T, M) array into
the same lists; both call the same per-frame step, so they emit identical events.

>>> from posecheck.checking.spec import load_spec
>>> checker = Checker(load_spec("squat"))
>>> checker.feed(0.0, {"body_in_frame": 1.0})[0].message
'Move closer to the camera'
"""
from __future__ import annotations

from typing import Mapping

from posecheck.checking.calibration import Calibrator
from posecheck.checking.columns import ColumnLayout, concrete
from posecheck.checking.compile import (Parts, build_parts, build_setup, calibration_cols,
                                        fill_sides, stillness_limits, tracks_of)
from posecheck.checking.holds import ENDED as HOLD_ENDED
from posecheck.checking.holds import STARTED as HOLD_STARTED
from posecheck.checking.holds import HoldTimer
from posecheck.checking.phases import REST
from posecheck.checking.records import HoldRecord, RepDetail, Side, Summary
from posecheck.checking.reps import COMPLETED, STARTED, RepCounter
from posecheck.checking.rules import FaultLog
from posecheck.checking.summary import asymmetry, hold_totals
from posecheck.checking.events import Event
from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import LEVELS, Spec
from posecheck.measure.vocabulary import resolve

#: Before counting: waiting for the setup, measuring the neutral pose. The checker counts
#: (reps or a hold) while it has compiled parts (``Checker._parts``).
WAITING, CALIBRATING = range(2)

REJECT_CUES = {"too_short": "", "too_shallow": "",
               "too_long": "", "not_visible": "I lost sight of you during that rep",
               "setup_lost": "", "both_sides": ""}
RECALIBRATE_CUE = "Hold still in the start position"
#: Why a rep that ends as the other side's starts may be that rep, relabelled (see
#: :meth:`Checker._handed_over`).
HANDOVER_REASONS = ("too_short", "too_shallow")
#: Seconds after the person is first seen within which the exercise must be seen under way for
#: a recorded clip to count as cut after its setup (edge reps).
CLIP_START_SLACK = 0.1


def _known(value: float) -> float | None:
    """None for NaN: event data and summaries carry no NaN (JSON-ready, comparable)."""
    return value if value == value else None


class Checker:
    """Feed metric rows, get events; :meth:`summary` gives the session's counts and faults.

    spec : the exercise; strictness : "beginner", "standard" or "strict".
    neutral : the user's neutral pose (metric name → value) when already known, e.g. taken
        from a whole recorded clip (:mod:`posecheck.checking.recorded`): no calibration hold.
    setup_hold : seconds the start position must hold before counting, when shorter than the
        spec's (recorded clips).
    edge_reps : count reps cut by the clip (recorded clips): a rep under way when a clip that
        starts in position begins, and, through :meth:`finish`, one under way when it ends.
    """

    def __init__(self, spec: Spec, strictness: str = "standard",
                 neutral: Mapping[str, float] | None = None,
                 setup_hold: float | None = None, edge_reps: bool = False) -> None:
        if strictness not in LEVELS:
            raise ValueError(f"strictness {strictness!r} is not one of {', '.join(LEVELS)}")
        self.spec = spec
        self.strictness = strictness
        self.layout = ColumnLayout(spec)
        self.tracks = tracks_of(spec)
        self._view_col = self.layout.index("view_angle")
        self._seen_col = self.layout.index("body_in_frame")
        self._setup = build_setup(spec, self.layout, setup_hold)
        self._neutral = ({self.layout.index(n): x for n, x in neutral.items() if n in self.layout}
                         if neutral is not None and spec.calibration is not None else None)
        self._calibration_cols = calibration_cols(spec, self.layout)
        self._state = WAITING
        self._edge_reps = edge_reps
        self._first_seen: float | None = None
        self._clip_cut = False
        self._last_t: float | None = None
        self._waited: dict[str, float] = {}  # setup cue → seconds spent waiting on it
        self._calibrator: Calibrator | None = None
        self._parts: Parts | None = None     # set while counting, None before
        # What counting reads from the spec: the rep metric, or how often a hold reports.
        self._rep_metric = spec.rep.metric if spec.rep is not None else None
        self._progress_seconds = spec.hold.progress_seconds if spec.hold is not None else 0.0
        self._phases = [REST] * (len(self.tracks) + 1)  # per track, then the working track's
        self._view = float("nan")
        self._working = -1
        self._last_side: Side | None = None
        self._next_progress = 0.0
        self._target_reached = False
        self.faults = FaultLog()
        self.baseline: dict[str, float | None] = {}
        self.setup_complete = False
        self.counts = {"left": 0, "right": 0, "total": 0}
        self.rejected: dict[str, int] = {}
        self.rep_details: list[RepDetail] = []
        self.holds: list[HoldRecord] = []
        self._peak_names = {side: self._names_at_peak(side) for side in self.tracks}

    # --------------------------------------------------------------------- feeding

    def feed(self, time: float, row: Mapping[str, float]) -> list[Event]:
        """One frame: ``row`` maps metric names to values (missing names count as NaN)."""
        out: list[Event] = []
        self._step(float(time), self.layout.row(row), out)
        return out

    def feed_batch(self, metrics: Metrics) -> list[Event]:
        """Every frame of ``metrics``; the same events as feeding its rows one by one."""
        out: list[Event] = []
        step = self._step
        for t, v in zip(metrics.times.tolist(), self.layout.rows(metrics)):
            step(t, v, out)
        return out

    def _step(self, t: float, v: list[float], out: list[Event]) -> None:
        view = v[self._view_col]
        if view == view:
            self._view = view
        parts = self._parts
        if parts is not None:
            cue = self._setup.still_holds(t, v)
            if cue is not None:
                self._lose_setup(t, cue, out)
            elif parts.timer is None:
                self._step_reps(parts, t, v, out)
            else:
                self._step_hold(parts, parts.timer, t, v, out)
        elif self._state == WAITING:
            if self._first_seen is None and v[self._seen_col] == v[self._seen_col]:
                self._first_seen = t
            ready, cue = self._setup.wait(t, v)
            waiting_on = self._setup.last_cue
            if waiting_on is not None and self._last_t is not None:
                self._waited[waiting_on] = self._waited.get(waiting_on, 0.0) + t - self._last_t
            if not ready and self._cut_after_setup(t, v):
                self._setup.accept()
                self._clip_cut, ready, cue = True, True, None
            self._calibrate_while_waiting(t, v, ready)
            if cue is not None:
                out.append(Event("setup", t, None, None, cue, {}))
            if ready:
                self._on_ready(t, out)
        else:
            self._step_calibration(t, v, out)
        self._last_t = t

    # ------------------------------------------------------------- setup, calibration

    def _on_ready(self, t: float, out: list[Event]) -> None:
        if self.spec.calibration is None:
            out.append(Event("ready", t, None, None, "Go", {}))
            parts = build_parts(self.spec, self.layout, self.strictness, {}, self.faults)
            assert parts is not None, "loading lets only a calibrated spec count from neutral"
            self._activate(parts)
            return
        if self._neutral is not None and self._activate_with(self._neutral, t, out):
            return
        # The setup hold may already have measured the neutral pose: no "hold still" then.
        calibrator = self._calibrator if self._calibrator and self._calibrator.complete else None
        out.append(Event("ready", t, None, None,
                         "" if calibrator else "Hold still for a moment", {}))
        self._state = CALIBRATING
        if calibrator is not None:
            self._finish_calibration(calibrator, t, out)

    def _calibrate_while_waiting(self, t: float, v: list[float], ready: bool) -> None:
        """The start position held still during the setup wait already counts toward the
        neutral-pose measurement, so a user who starts moving right after getting into
        position loses no rep."""
        calibration = self.spec.calibration
        if calibration is None:
            return
        if ready or self._setup.holding:
            if self._calibrator is None:
                self._calibrator = Calibrator(self._calibration_cols, calibration.seconds)
            self._calibrator.add(t, v)
        else:
            self._calibrator = None

    def _step_calibration(self, t: float, v: list[float], out: list[Event]) -> None:
        """Measure the neutral pose; start over if the start position breaks, the rep metric
        moves, or it is not seen enough."""
        cue = self._setup.still_holds(t, v)
        if cue is not None:
            self._lose_setup(t, cue, out)
            return
        if not self._setup.position_kept(t, v):
            self._recalibrate(t, out)
            return
        calibrator = self._calibrator
        assert calibrator is not None, "calibrating starts with a calibrator"
        if calibrator.add(t, v):
            self._finish_calibration(calibrator, t, out)

    def _finish_calibration(self, calibrator: Calibrator, t: float, out: list[Event]) -> None:
        """Baseline from the collected window, unless the user moved during it."""
        limits = stillness_limits(self.spec, self.layout, calibrator.baseline())
        if any(calibrator.spread(col) > limit for col, limit in limits):
            self._recalibrate(t, out)
            return
        if not self._activate_with(calibrator.baseline(), t, out):
            self._recalibrate(t, out)

    def _activate_with(self, measured: dict[int, float], t: float, out: list[Event]) -> bool:
        """Start counting from a neutral pose (column → value); False if it lacks a value the
        rep or hold needs."""
        baseline = fill_sides(measured, self.layout, self.spec)
        parts = build_parts(self.spec, self.layout, self.strictness, baseline, self.faults)
        if parts is None:
            return False
        names = self.layout.names
        self.baseline = {names[c]: _known(value) for c, value in baseline.items()
                         if c < len(names)}
        out.append(Event("calibrated", t, None, None, "Go", {"baseline": dict(self.baseline)}))
        self._activate(parts)
        return True

    def _recalibrate(self, t: float, out: list[Event]) -> None:
        if self._setup.last_cue != RECALIBRATE_CUE:
            self._setup.last_cue = RECALIBRATE_CUE
            out.append(Event("setup", t, None, None, RECALIBRATE_CUE, {}))
        calibration = self.spec.calibration
        assert calibration is not None, "only a spec with a calibration recalibrates"
        self._calibrator = Calibrator(self._calibration_cols, calibration.seconds)

    def _activate(self, parts: Parts) -> None:
        if self._clip_cut and not self.setup_complete:
            for counter in parts.counters:
                counter.arm_at_clip_start()
        self._parts = parts
        self._working = -1
        self.setup_complete = True

    def _cut_after_setup(self, t: float, v: list[float]) -> bool:
        """With ``edge_reps``: whether the clip begins with the exercise under way (framing,
        view and kept conditions hold on the first frame the person is seen): it was cut
        after the setup, possibly mid-rep, so there is no hold to wait for."""
        return (self._edge_reps and not self.setup_complete and self._first_seen is not None
                and t - self._first_seen <= CLIP_START_SLACK and self._setup.kept_ok(v))

    def finish(self, t: float) -> list[Event]:
        """The clip ends at ``t``: with ``edge_reps``, a rep still under way that reached its
        peak counts (``partial`` = "end"). Live sessions do not call this."""
        out: list[Event] = []
        parts = self._parts
        if (self._edge_reps and parts is not None and parts.timer is None
                and not self._drop_two_sided(parts, parts.counters, t, out)):
            for i, counter in enumerate(parts.counters):
                if counter.finish(t) == COMPLETED:
                    self._on_rep_completed(parts, i, counter, t, out)
        return out

    def _lose_setup(self, t: float, cue: str, out: list[Event]) -> None:
        """Setup broke: drop the rep or hold in progress, close faults, wait again."""
        parts = self._parts
        if parts is not None:
            for counter in parts.counters:
                if counter.active:
                    counter.abort()
                    self._reject(counter, "setup_lost", t, out)
            if parts.timer is not None and parts.timer.current >= 0:
                parts.timer.stop(t)
                self._end_hold(parts.timer, t, out)
            for monitor in parts.monitors:
                if monitor.record is not None:
                    monitor.end(t, out)
        out.append(Event("setup", t, None, None, cue, {}))
        self._calibrator = None
        self._parts = None
        self._state = WAITING

    def _side_started(self, side: Side | None, t: float, out: list[Event]) -> None:
        """Note the working side; emit ``side_switch`` when it changes."""
        if side is None:
            return
        if self._last_side is not None and side != self._last_side:
            out.append(Event("side_switch", t, side, None, f"{side.capitalize()} side",
                             {"previous": self._last_side}))
        self._last_side = side

    # --------------------------------------------------------------------- reps

    def _step_reps(self, parts: Parts, t: float, v: list[float], out: list[Event]) -> None:
        phases = self._phases
        finished: list[tuple[int, RepCounter, int]] = []
        started: list[int] = []
        for i, counter in enumerate(parts.counters):
            code = counter.step(t, v)
            if code == STARTED:
                started.append(i)
            elif code:
                finished.append((code, counter, i))
            phases[i] = counter.phase
        if len(started) == 1 and self._handed_over(parts, finished, started[0]):
            finished = []
        elif started:
            for i in started:
                self._on_rep_started(i, parts.counters[i], t, out)
            self._drop_two_sided(parts, [c for c in parts.counters if c.partial == "start"],
                                 t, out)
        phases[-1] = parts.counters[self._working].phase if self._working >= 0 else REST
        view = self._view
        for monitor in parts.monitors:
            monitor.step(t, v, phases[monitor.track], view, out)
        for code, counter, i in finished:
            if code == COMPLETED:
                self._on_rep_completed(parts, i, counter, t, out)
            else:
                self._reject(counter, counter.reject_reason, t, out)

    def _drop_two_sided(self, parts: Parts, cut: list[RepCounter], t: float,
                        out: list[Event]) -> bool:
        """Reps of an alternating exercise that the clip's edge cuts on both sides at once are
        its start or end position (lying with both knees bent before a bridge, lowering out
        of it), not reps: one side moves at a time. They are rejected (``both_sides``);
        True if there were such."""
        under_way = [c for c in cut if c.active]
        if len(parts.counters) < 2 or len(under_way) < 2:
            return False
        for counter in under_way:
            counter.abort()
            self._reject(counter, "both_sides", t, out)
        return True

    def _handed_over(self, parts: Parts, finished: list[tuple[int, RepCounter, int]],
                     started: int) -> bool:
        """One side's rep ends as the other side's starts: anatomically a limb cannot return to
        rest while the other leaves it, so the pose estimator swapped the two limbs' labels
        mid-rep. The rep goes on, now on the other side (which owns it when it ends); the rep
        that 'ended' is neither counted nor rejected. Seen in the very frame (a rep that just
        completed, or was too short or shallow) or a few frames apart (a rep back at its end
        but not yet over, :data:`~posecheck.checking.reps.SETTLE_SECONDS`)."""
        if len(finished) == 1:
            code, ended, _ = finished[0]
            if code != COMPLETED and ended.reject_reason not in HANDOVER_REASONS:
                return False
        else:
            ending = [c for i, c in enumerate(parts.counters) if i != started and c.ending]
            if finished or len(ending) != 1:
                return False
            ended = ending[0]
            ended.abort()
        counter = parts.counters[started]
        counter.take_over(ended)
        self._working = started
        self._last_side = counter.side
        return True

    def _on_rep_started(self, track: int, counter: RepCounter, t: float, out: list[Event]) -> None:
        self._working = track
        self._side_started(counter.side, t, out)
        counter.fault_mark = len(self.faults.records)
        counter.faults_at_start = self.faults.active_for(counter.side)
        out.append(Event("rep_started", t, counter.side, None, "",
                         {"metric": self._rep_metric}))

    def _reject(self, counter: RepCounter, reason: str, t: float, out: list[Event]) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        out.append(Event("rep_rejected", t, counter.side, None, REJECT_CUES[reason],
                         {"reason": reason, "start_s": counter.start_t,
                          "duration_s": t - counter.start_t}))

    def _on_rep_completed(self, parts: Parts, track: int, counter: RepCounter, t: float,
                          out: list[Event]) -> None:
        side, start_s, end_s = counter.side, counter.start_t, counter.end_t
        faults = self.faults.during(side, counter.fault_mark, counter.faults_at_start)
        own_reps: dict[str, float] = {}
        # Judged on the peak's frame, in the view seen there (the person may turn as they
        # finish the rep); the latest view when the peak's is unknown.
        view = counter.peak_row[self._view_col] if counter.peak_row else self._view
        view = view if view == view else self._view
        for rule in parts.peak_rules[track]:
            x = rule.judge(counter.peak_row, view)
            if x is None:
                continue
            if rule.earlier is not None:
                own_reps[rule.rule] = x
            record = rule.fault(x, start_s, end_s)
            if record is None:
                continue
            self.faults.records.append(record)
            faults.append(record)
            out.append(Event("fault_started", t, record["side"], record["rule"], record["cue"],
                             {"status": record["status"], "severity": record["severity"],
                              "start_s": start_s, "value": record["worst"]}))
            out.append(Event("fault_ended", t, record["side"], record["rule"], "",
                             {"status": record["status"], "start_s": start_s, "end_s": end_s,
                              "worst": record["worst"]}))
        if side is not None:
            self.counts[side] += 1
        self.counts["total"] += 1
        peak_row = counter.peak_row
        detail: RepDetail = {
            "side": side, "start_s": start_s, "end_s": end_s, "peak_s": counter.peak_t,
            "range": counter.rep_range, "partial": counter.partial,
            "peak": {name: _known(peak_row[col]) for name, col in self._peak_names[side]},
            "faults": [{"rule": f["rule"], "side": f["side"], "status": f["status"],
                        "severity": f["severity"], "worst": f["worst"]} for f in faults],
            "clean": not any(f["status"] == "validated" for f in faults),
            "own_reps": own_reps,
        }
        self.rep_details.append(detail)
        count = self.counts[side] if side is not None else self.counts["total"]
        message = f"{side.capitalize()} {count}" if side is not None else str(count)
        out.append(Event("rep_completed", t, side, None, message, {"count": count, **detail}))

    def _names_at_peak(self, side: str | None) -> list[tuple[str, int]]:
        """(metric name, column) reported at a rep's peak: the rep metric and rule metrics."""
        if self.spec.rep is None:
            return []
        names: list[str] = []
        for template in [self.spec.rep.metric] + [r.metric for r in self.spec.rules]:
            names += [resolve(template, side)] if side else concrete(template)
        return [(name, self.layout.index(name)) for name in dict.fromkeys(names)]

    # --------------------------------------------------------------------- holds

    def _step_hold(self, parts: Parts, timer: HoldTimer, t: float, v: list[float],
                   out: list[Event]) -> None:
        phases = self._phases
        code = timer.update(t, v)
        phases[:-1] = timer.phases
        phases[-1] = timer.phases[timer.current] if timer.current >= 0 else REST
        if code == HOLD_STARTED:
            self._on_hold_started(timer, t, out)
        view = self._view
        for monitor in parts.monitors:
            monitor.step(t, v, phases[monitor.track], view, out)
        if code == HOLD_ENDED:
            self._end_hold(timer, t, out)
            return
        if timer.current < 0:
            return
        good = True
        for monitor in parts.hold_monitors:
            if monitor.ok_now is not True:
                good = False
                break
        timer.credit(t, good)
        side = self.tracks[timer.current]
        if timer.seconds >= self._next_progress:
            self._next_progress += self._progress_seconds
            out.append(Event("hold_progress", t, side, None, f"{round(timer.seconds)} seconds",
                             {"seconds": timer.seconds, "in_position": True}))
        target = self.spec.dosage.hold_seconds
        if target > 0 and not self._target_reached and timer.seconds >= target:
            self._target_reached = True
            out.append(Event("hold_completed", t, side, None, "Time: well held",
                             {"seconds": timer.seconds, "target_s": target}))

    def _on_hold_started(self, timer: HoldTimer, t: float, out: list[Event]) -> None:
        side = self.tracks[timer.current]
        self._side_started(side, t, out)
        self._next_progress = self._progress_seconds
        self._target_reached = False
        out.append(Event("hold_started", t, side, None, "Hold", {}))

    def _end_hold(self, timer: HoldTimer, t: float, out: list[Event]) -> None:
        side = self._last_side if self.tracks[0] is not None else None
        self.holds.append({"side": side, "start_s": timer.start_t, "end_s": timer.end_t,
                           "seconds": timer.seconds, "target_reached": self._target_reached})
        out.append(Event("hold_progress", t, side, None, "",
                         {"seconds": timer.seconds, "in_position": False}))

    # --------------------------------------------------------------------- summary

    def summary(self) -> Summary:
        """Counts, per-rep details, holds (one still in progress has ``end_s`` None), faults
        (experimental ones are hints, not counted), left/right asymmetry of range, setup and
        calibration state."""
        faults = [record.copy() for record in self.faults.records]
        holds = [h.copy() for h in self.holds]
        timer = self._parts.timer if self._parts is not None else None
        if timer is not None and timer.current >= 0:
            holds.append({"side": self.tracks[timer.current], "start_s": timer.start_t,
                          "end_s": None, "seconds": timer.seconds,
                          "target_reached": self._target_reached})
        return {
            "strictness": self.strictness,
            "setup_complete": self.setup_complete,
            "calibration": dict(self.baseline) if self.spec.calibration else None,
            "reps": dict(self.counts),
            "rejected_reps": dict(self.rejected),
            "rep_details": [d.copy() for d in self.rep_details],
            "holds": holds,
            "hold_seconds": hold_totals(holds),
            "faults": faults,
            "fault_count": sum(f["status"] == "validated" for f in faults),
            "hint_count": sum(f["status"] == "experimental" for f in faults),
            "asymmetry": asymmetry(self.rep_details, self.spec.rep.metric)
            if self.spec.rep else None,
            "notes": self._notes(),
        }

    def _notes(self) -> list[str]:
        """Plain-language notes for the report: reps cut by the clip, and why nothing was
        counted when the setup never completed."""
        notes = []
        partial = {d["partial"] for d in self.rep_details if d.get("partial")}
        if partial & {"start", "both"}:
            notes.append("the clip starts during a rep: it is counted, though its start is "
                         "not in the clip")
        if partial & {"end", "both"}:
            notes.append("the clip ends during a rep that had reached its peak: it is counted")
        if not self.setup_complete and self._waited:
            cue = max(self._waited, key=lambda waited_on: self._waited[waited_on])
            notes.append(f"nothing was counted: the start position was never seen ({cue!r} "
                         f"for {self._waited[cue]:.1f} s)")
        return notes
