"""Spec → state machines: resolve metric names to columns, apply strictness and baseline."""
from __future__ import annotations

from dataclasses import dataclass

from posecheck.checking.columns import ColumnLayout, concrete
from posecheck.checking.holds import HoldTimer
from posecheck.checking.phases import phase_mask
from posecheck.checking.records import Side
from posecheck.checking.reps import RepCounter
from posecheck.checking.rules import FaultLog, PeakRule, RuleMonitor
from posecheck.checking.setup import SetupCheck, SetupTracker
from posecheck.checking.views import VIEW_KEEP_MARGIN, view_bounds, view_cue
from posecheck.checking.spec import Condition, HoldDefinition, RepDefinition, Spec, SpecError
from posecheck.measure.vocabulary import SIDES, is_sided, resolve

NAN = float("nan")
INF = float("inf")

Bounds = tuple[float, float, bool]


def tracks_of(spec: Spec) -> list[Side | None]:
    """One track per counted side; a single side-less track for 'both' and 'none'."""
    tracks: dict[str, list[Side | None]] = {"left": ["left"], "right": ["right"],
                                            "alternating": list(SIDES)}
    return tracks.get(spec.sides, [None])


def metric_col(layout: ColumnLayout, template: str, side: str | None) -> int:
    """Column of ``template`` for ``side`` (side None: the template itself, derived if sided)."""
    return layout.index(resolve(template, side) if side else template)


#: Once set up, the person is "too far" only below this fraction of the spec's smallest body
#: size. The body's box shrinks with the exercise itself: a squatter at full depth is about
#: two thirds of their standing height (phone-world squats framed at 0.28-0.30 of the frame,
#: limit 0.3, read 0.21-0.23 at the bottom and lost 4 of 390 reps as "too far" at 0.8), and a
#: fire hydrant framed at 0.19-0.20 (limit 0.2) lost its setup at every rep start without
#: any hysteresis. The model followed the person throughout in both.
SIZE_KEEP_FRACTION = 0.6


def build_setup(spec: Spec, layout: ColumnLayout, hold_seconds: float | None = None
                ) -> SetupTracker:
    """Framing, view and start-position checks, in the order their cues take priority.
    A ``{side}`` setup condition must hold on each visible side. The "too close" limit is
    checked at the start only: reaching arms and legs legitimately grow the body's box. The
    view must be inside the spec's views to start and is lost only beyond
    :data:`VIEW_KEEP_MARGIN` degrees outside them, and the body's size only below
    :data:`SIZE_KEEP_FRACTION` of the "too far" limit (hysteresis against jitter).
    ``hold_seconds`` overrides the spec's setup hold (recorded clips)."""
    setup = spec.setup
    checks = [SetupCheck((layout.index("body_in_frame"),), setup.min_body_in_frame, INF, False,
                         "Move so your whole body is in view", True),
              SetupCheck((layout.index("body_height"),), setup.body_height[0], INF, False,
                         "Move closer to the camera", False),
              SetupCheck((layout.index("body_height"),), setup.body_height[0] * SIZE_KEEP_FRACTION,
                         INF, False, "Move closer to the camera", True),
              SetupCheck((layout.index("body_height"),), -INF, setup.body_height[1], False,
                         "Step back so your whole body is in view", False),
              SetupCheck((layout.index("view_angle"),), *view_bounds(spec.views),
                         setup.view_cue or view_cue(spec.views), False),
              SetupCheck((layout.index("view_angle"),),
                         *view_bounds(spec.views, margin=VIEW_KEEP_MARGIN),
                         setup.view_cue or view_cue(spec.views), True)]
    for condition in setup.conditions:
        cols = tuple(layout.index(name) for name in concrete(condition.metric))
        checks.append(SetupCheck(cols, *condition.bounds(), condition.cue, condition.keep))
    hold = setup.hold_seconds if hold_seconds is None else min(hold_seconds, setup.hold_seconds)
    return SetupTracker(checks, hold, setup.lost_after)


def calibration_names(spec: Spec, layout: ColumnLayout) -> list[str]:
    """Metrics whose neutral value is measured (both sides, and their mean for 'both')."""
    names = [n for t in (spec.calibration.metrics if spec.calibration else ())
             for n in concrete(t) + ([t] if t in layout and is_sided(t) else [])]
    return list(dict.fromkeys(names))


def calibration_cols(spec: Spec, layout: ColumnLayout) -> list[int]:
    """Columns of :func:`calibration_names`."""
    return sorted({layout.index(n) for n in calibration_names(spec, layout)})


def stillness_limits(spec: Spec, layout: ColumnLayout, baseline: dict[int, float]
                     ) -> list[tuple[int, float]]:
    """(column, largest spread) of a neutral-relative rep metric during calibration: half
    the rep's start excursion (in units of the measured ``baseline``, column → value, for a
    neutral-scaled rep), so starting a rep while calibrating is noticed."""
    rep = spec.rep
    if rep is None or rep.relative_to != "neutral":
        return []
    cols = [metric_col(layout, rep.metric, side) for side in tracks_of(spec)]
    return [(col, 0.5 * abs(rep.in_units(rep.start, baseline.get(col, NAN)))) for col in cols]


def fill_sides(baseline: dict[int, float], layout: ColumnLayout, spec: Spec) -> dict[int, float]:
    """A side whose baseline is unknown (a far limb hidden at rest) takes the other side's."""
    filled = dict(baseline)
    for template in (spec.calibration.metrics if spec.calibration else ()):
        if is_sided(template):
            left, right = (layout.index(resolve(template, s)) for s in SIDES)
            a, b = filled.get(left, NAN), filled.get(right, NAN)
            if a != a:
                filled[left] = b
            if b != b:
                filled[right] = a
    return filled


def shifted(condition: Condition, col: int, offset: float, baseline: dict[int, float]
            ) -> Bounds | None:
    """Bounds of ``condition`` loosened by ``offset``, moved by the column's baseline when
    relative to neutral; None when that baseline is unknown."""
    low, high, outside = condition.bounds(offset)
    if condition.relative_to == "neutral":
        shift = baseline.get(col, NAN)
        if shift != shift:
            return None
        low, high = low + shift, high + shift
    return low, high, outside


@dataclass
class Parts:
    """The compiled state machines of one counting period."""

    counters: list[RepCounter]
    timer: HoldTimer | None
    monitors: list[RuleMonitor]
    hold_monitors: list[RuleMonitor]
    peak_rules: list[list[PeakRule]]


def rule_targets(spec: Spec, tracks: list[Side | None], template: str
                 ) -> list[tuple[int, Side | None]]:
    """(track, side) pairs a rule is evaluated for; track -1 = the working track."""
    if tracks[0] is None:
        return [(0, None)]
    if not is_sided(template):
        return [(-1, None)]
    return list(enumerate(tracks))


def build_parts(spec: Spec, layout: ColumnLayout, level: str, baseline: dict[int, float],
                faults: FaultLog) -> Parts | None:
    """Compile everything that runs once setup (and calibration) is done; None if the rep
    metric's or hold position's baseline is unknown."""
    tracks = tracks_of(spec)
    monitors: list[RuleMonitor] = []
    hold_monitors: list[RuleMonitor] = []
    peak_rules: list[list[PeakRule]] = [[] for _ in tracks]
    for rule in spec.rules:
        if level not in rule.levels:
            continue
        # Judged only inside its own views, frame by frame: the setup's view may drift
        # VIEW_KEEP_MARGIN degrees beyond them while the reps are still counted.
        view = view_bounds(rule.views)
        for track, side in rule_targets(spec, tracks, rule.metric):
            col = metric_col(layout, rule.metric, side)
            bounds = shifted(rule, col, rule.tolerance.at(level), baseline)
            if bounds is None:
                continue
            if rule.scope == "rep_peak":
                # An own-reps rule's earlier peaks: one list per column, so a side-less
                # metric (the trunk) of an alternating exercise compares with both legs' reps.
                earlier: list[float] | None = [] if rule.relative_to == "own_reps" else None
                for i in (range(len(tracks)) if track < 0 else [track]):
                    peak_rules[i].append(PeakRule(rule, side or tracks[i], col, bounds, view,
                                                  earlier))
                continue
            monitor = RuleMonitor(len(monitors), rule, side, col, bounds,
                                  phase_mask(rule.phases), track, view, faults)
            monitors.append(monitor)
            if rule.status == "validated" and "hold" in rule.phases:
                hold_monitors.append(monitor)
    if spec.rep is not None:
        counters = build_counters(spec.rep, layout, tracks, level, baseline)
        if counters is None:
            return None
        return Parts(counters, None, monitors, hold_monitors, peak_rules)
    if spec.hold is None:
        raise SpecError(f"{spec.source or spec.id}: neither a rep nor a hold to check")
    timer = build_timer(spec.hold, layout, tracks, baseline)
    if timer is None:
        return None
    return Parts([], timer, monitors, hold_monitors, peak_rules)


def build_counters(rep: RepDefinition, layout: ColumnLayout, tracks: list[Side | None],
                   level: str, baseline: dict[int, float]) -> list[RepCounter] | None:
    """One counter per track; thresholds sign-normalised so every rep rises."""
    sign = 1.0 if rep.direction == "rising" else -1.0
    counters = []
    for side in tracks:
        col = metric_col(layout, rep.metric, side)
        shift = 0.0
        if rep.relative_to == "neutral":
            shift = baseline.get(col, NAN)
            if shift != shift:
                return None
        start = sign * (rep.in_units(rep.start, shift) + shift)
        peak = max(sign * (rep.in_units(rep.min_peak, shift) + shift)
                   - rep.in_units(rep.tolerance.at(level), shift), start)
        origin = sign * shift if rep.relative_to == "neutral" else None
        end = sign * (rep.in_units(rep.end, shift) + shift)
        counters.append(RepCounter(side, col, sign, start, end, peak,
                                   rep.min_duration, rep.max_duration, origin,
                                   rep.hidden_is_rest))
    return counters


def build_timer(hold: HoldDefinition, layout: ColumnLayout, tracks: list[Side | None],
                baseline: dict[int, float]) -> HoldTimer | None:
    """The hold timer with each track's position conditions."""
    positions = []
    for side in tracks:
        conditions = []
        for condition in hold.position:
            col = metric_col(layout, condition.metric, side)
            bounds = shifted(condition, col, 0.0, baseline)
            if bounds is None:
                return None
            conditions.append((col, *bounds))
        positions.append(conditions)
    return HoldTimer(positions, hold.enter_seconds, hold.exit_seconds)
