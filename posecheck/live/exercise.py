"""One exercise of a live session: pose → metrics → checker → events, display and cues.

The same checker and the same metric smoothing as ``analyze``, fed one frame at a time.
"""
from __future__ import annotations

from typing import Any

from posecheck.checking.checker import Checker
from posecheck.outputs.display import SessionView
from posecheck.checking.events import Event
from posecheck.live.cues import EventCues
from posecheck.live.recorder import Recorder
from posecheck.live.routine import Step
from posecheck.live.stream import MetricStream
from posecheck.outputs.overlay import OverlayState
from posecheck.outputs.report import build_report
from posecheck.pose.track import FramePose


class ExerciseRun:
    """State of one routine step while it runs.

    step : the exercise (spec with the routine's dosage). cues : where events become speech.
    fps, frame_size, source : of the capture (for the report).
    """

    def __init__(self, step: Step, strictness: str, cues: EventCues, fps: float,
                 frame_size: tuple[int, int], source: str) -> None:
        self.step = step
        self.spec = step.spec
        self.strictness = strictness
        self.checker = Checker(self.spec, strictness=strictness)
        self.view = SessionView.from_spec(self.spec)
        self.view.title = step.label
        names = tuple(self.checker.layout.names) + tuple(self.view.display_metrics)
        self.stream = MetricStream(names, frame_size, fps)
        self.cues = cues
        cues.sides = self.spec.sides
        cues.hold_target = self.spec.dosage.hold_seconds or None
        cues.reset()
        self.recorder = Recorder(self.stream.names, fps, frame_size, source)
        self.events: list[Event] = []
        self.row: dict[str, float] = {}
        self._holds_done = 0

    def feed(self, pose: FramePose) -> list[Event]:
        """One frame's pose: smoothed metrics to the checker; events to the view and cues."""
        self.row = self.stream(pose)
        self.recorder.append(pose, self.row)
        events = self.checker.feed(pose.time, self.row)
        for event in events:
            self.view.apply(event)
            self.cues.on_event(event, pose.time)
            self._holds_done += event.kind == "hold_completed"
        self.events += events
        return events

    @property
    def done(self) -> bool:
        """The step's dosage is reached: reps on every side it asks for, or the hold(s)."""
        spec, counts = self.spec, self.checker.counts
        if spec.kind == "hold":
            return self._holds_done >= (2 if spec.sides == "alternating" else 1)
        target = spec.dosage.reps_per_side
        if target <= 0:
            return False
        if spec.sides == "alternating":
            return min(counts["left"], counts["right"]) >= target
        if spec.sides in ("left", "right"):
            return counts[spec.sides] >= target
        return counts["total"] >= target

    def overlay_state(self, now: float, fps: float | None, latency_ms: float | None
                      ) -> OverlayState:
        """What the window shows now."""
        shown = {name: self.row.get(name, float("nan")) for name in self.view.display_metrics}
        return self.view.overlay_state(now, shown, fps=fps, latency_ms=latency_ms)

    def report(self, model: str, model_name: str, extra: dict[str, Any],
               notes: tuple[str, ...] = ()) -> dict[str, Any]:
        """The step's report, the same shape as ``analyze`` writes."""
        self.recorder.model = model_name
        track = self.recorder.track()
        return build_report(
            spec=self.spec, strictness=self.strictness, track=track, summary=self.checker.summary(), events=self.events, model=model,
            extra={"set": self.step.set_number, "sets": self.step.sets,
                   "completed": self.done, **extra}, notes=notes)
