"""What a person should see at each moment, derived from the checker's events.

:class:`SessionView` folds events into the display state (reps per side, active faults, the
current cue, setup guidance, hold time) and turns it into an
:class:`~posecheck.outputs.overlay.OverlayState`. The live window and the annotated video both use it,
so they show the same thing for the same events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator


from posecheck.checking.events import Event
from posecheck.measure.kinematics import landmarks_used
from posecheck.pose.landmarks import INDEX, SIDES
from posecheck.outputs.overlay import OverlayState, RuleState, RuleStatus
from posecheck.measure.readable import readable
from posecheck.measure.vocabulary import is_sided, resolve

if TYPE_CHECKING:
    from posecheck.checking.spec import Spec

#: Seconds a transient message ("Good rep") stays on screen.
TRANSIENT_S = 1.5
#: At most this many metrics are shown.
MAX_DISPLAY_METRICS = 4


def display_metrics(spec: "Spec") -> tuple[str, ...]:
    """The concrete metric names worth showing for an exercise: the rep metric per side, then
    the metrics of its rules, without repeats."""
    templates = ([spec.rep.metric] if spec.rep else []) + [r.metric for r in spec.rules]
    sides = SIDES if spec.sides != "none" else (None,)
    names: list[str] = []
    for template in templates:
        for side in sides:
            name = resolve(template, side) if is_sided(template) else template
            if name not in names:
                names.append(name)
    return tuple(names[:MAX_DISPLAY_METRICS])


def metric_landmarks(metric: str) -> tuple[int, ...]:
    """Landmark indices a metric reads (for colouring the skeleton by rule state)."""
    return tuple(INDEX[name] for name in landmarks_used(metric))


@dataclass
class SessionView:
    """Display state folded from events.

    rule_metrics : rule id -> metric name it checks (``{side}`` resolved per fault event).
    rule_status : rule id -> "validated" | "experimental".
    sides : the counters shown: ("left", "right") for alternating exercises, ("total",) when
        both sides move together (one count, as the report counts it), () for a hold.
    baseline : the user's neutral value per metric once calibrated; metrics that have one are
        shown as a change from it ("+45 % torso").
    """

    title: str
    sides: tuple[str, ...]
    target_reps: int | None = None
    hold_target: float | None = None
    rule_metrics: dict[str, str] = field(default_factory=dict)
    rule_status: dict[str, str] = field(default_factory=dict)
    display_metrics: tuple[str, ...] = ()
    calibrates: bool = False
    is_hold: bool = False
    baseline: dict[str, float] = field(default_factory=dict)
    reps: dict[str, int] = field(default_factory=dict)
    active_faults: dict[tuple[str, str | None], Event] = field(default_factory=dict)
    setup: str = ""
    hold_seconds: float | None = None
    transient: tuple[str, float] | None = None
    status: str = "getting ready"

    def __post_init__(self) -> None:
        self.reps = {side: 0 for side in self.sides}

    @classmethod
    def from_spec(cls, spec: "Spec") -> "SessionView":
        """A fresh view for one exercise."""
        if spec.kind == "hold":
            sides: tuple[str, ...] = ()       # no reps to count: the hold time is the counter
        elif spec.sides == "alternating":
            sides = SIDES
        else:                                 # "both" and "none": one count, like the report
            sides = ("total",)
        return cls(title=spec.title, sides=sides, calibrates=spec.calibration is not None,
                   is_hold=spec.kind == "hold",
                   target_reps=spec.dosage.reps_per_side or None,
                   hold_target=spec.dosage.hold_seconds or None,
                   rule_metrics={r.id: r.metric for r in spec.rules},
                   rule_status={r.id: r.status for r in spec.rules},
                   display_metrics=display_metrics(spec))

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        kind = event.kind
        if kind == "setup":
            self.setup, self.status = event.message, "getting into position"
        elif kind in ("ready", "calibrated"):
            waiting = kind == "ready" and self.calibrates
            self.setup = ""
            self.status = ("hold still: measuring your start position" if waiting else
                           "go: hold the position" if self.is_hold else "go: start your reps")
            self.transient = (event.message, event.time) if event.message else self.transient
            if kind == "calibrated":
                self.baseline = {k: float(v) for k, v in event.data.get("baseline", {}).items()
                                 if v is not None}
        elif kind == "rep_started":
            self.status = f"{event.side} rep under way" if event.side else "rep under way"
        elif kind == "rep_rejected":
            self.status = "that rep did not count"
        elif kind == "rep_completed":
            key = event.side if event.side in self.reps else next(iter(self.reps), None)
            if key is not None:
                self.reps[key] += 1
                self.status = self._progress(key)
            self.transient = (event.message or "Good rep", event.time)
        elif kind == "fault_started":
            self.active_faults[(event.rule or "", event.side)] = event
        elif kind == "fault_ended":
            self.active_faults.pop((event.rule or "", event.side), None)
        elif kind in ("hold_progress", "hold_started", "hold_completed"):
            self.hold_seconds = float(event.data.get("seconds", self.hold_seconds or 0.0))
        elif kind == "side_switch":
            self.transient = (event.message or "Switch sides", event.time)

    def _progress(self, key: str) -> str:
        """"left: 3 of 8 done" after a rep."""
        who = "" if key == "total" else f"{key}: "
        of = f" of {self.target_reps}" if self.target_reps else ""
        return f"{who}{self.reps[key]}{of} done"

    def goal(self) -> str:
        """What "/N" on the counter means."""
        if not self.target_reps or not self.reps:
            return ""
        each = " per side" if set(self.reps) == set(SIDES) else ""
        return f"goal: {self.target_reps} reps{each}"

    def shown_metrics(self, metrics: dict[str, float]) -> dict[str, str]:
        """Display labels and values with units; where calibrated, a signed change from the
        start position ("L knee height +45 % torso")."""
        shown = {}
        for name, value in metrics.items():
            relative = name in self.baseline
            label, text = readable(name, value - self.baseline[name] if relative else value,
                                   signed=relative)
            shown[label] = text
        return shown

    def cue(self, now: float) -> str:
        """The one cue to show: the newest active fault, else a fresh transient message."""
        if self.active_faults:
            return max(self.active_faults.values(), key=lambda e: e.time).message
        if self.transient and now - self.transient[1] <= TRANSIENT_S:
            return self.transient[0]
        return ""

    def overlay_state(self, now: float, metrics: dict[str, float] | None = None,
                      fps: float | None = None, latency_ms: float | None = None) -> OverlayState:
        """The overlay for time ``now``; ``metrics`` maps display names to values."""
        rules = {}
        for rule, metric in self.rule_metrics.items():
            faults = [e for (r, _), e in self.active_faults.items() if r == rule]
            hint = self.rule_status.get(rule) == "experimental"
            status: RuleStatus = ("hint" if hint else "fault") if faults else "ok"
            sides = [e.side for e in faults if e.side] or list(SIDES)
            joints = tuple(i for s in sides
                           for i in metric_landmarks(resolve(metric, s) if is_sided(metric) else metric))
            rules[rule] = RuleState(status, joints, rule.replace("_", " "))
        return OverlayState(
            title=self.title, reps=dict(self.reps), target_reps=self.target_reps,
            hold_seconds=self.hold_seconds, hold_target=self.hold_target, goal=self.goal(),
            cue=self.cue(now), setup=self.setup, metrics=self.shown_metrics(metrics or {}),
            rules=rules, fps=fps, latency_ms=latency_ms, status=self.status)


def replay(view: SessionView, events: list[Event], times: Iterable[float]
           ) -> Iterator[tuple[float, SessionView]]:
    """Yield ``(time, view)`` for each time, with every event up to that time applied.

    times : increasing frame times in seconds.
    """
    ordered = sorted(events, key=lambda e: e.time)
    next_event = 0
    for now in times:
        while next_event < len(ordered) and ordered[next_event].time <= now + 1e-9:
            view.apply(ordered[next_event])
            next_event += 1
        yield now, view
