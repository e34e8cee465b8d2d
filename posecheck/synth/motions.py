"""Scripted, time-parameterised exercise motions with their true labels.

A :class:`Motion` is a pose family plus keyframes of its parameters; between keyframes every
parameter eases (smoothstep) from one value to the next. Builders append phases (get into
position, hold still, do a rep, fidget) to a :class:`Script`, which records the true
intervals: reps (with the working side), holds, setup and fidget movements.

Times are seconds from the start of the clip.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posecheck.synth.poses import NEUTRAL, smoothstep


@dataclass(frozen=True)
class Interval:
    """A labelled time interval. ``kind``: rep, hold, setup, fidget, calibration, ..."""

    kind: str
    start: float
    end: float
    side: str | None = None
    note: str = ""


@dataclass
class Motion:
    """Pose parameters over time.

    family : pose family name (see :mod:`posecheck.synth.poses`).
    times : (N,) keyframe times, increasing.
    keys : N dicts of parameter values (complete: every parameter of the family).
    intervals : the true labels.
    """

    family: str
    times: list[float]
    keys: list[dict[str, float]]
    intervals: list[Interval]
    exercise: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.times[-1]

    def params(self, t: float) -> dict[str, float]:
        """Parameters at time ``t`` (clamped to the script)."""
        i = int(np.searchsorted(self.times, t, side="right"))
        if i <= 0:
            return dict(self.keys[0])
        if i >= len(self.times):
            return dict(self.keys[-1])
        t0, t1 = self.times[i - 1], self.times[i]
        w = smoothstep((t - t0) / (t1 - t0))
        a, b = self.keys[i - 1], self.keys[i]
        return {k: (1.0 - w) * a[k] + w * b[k] for k in a}

    def of_kind(self, kind: str) -> list[Interval]:
        """Intervals of one kind, in time order."""
        return sorted((iv for iv in self.intervals if iv.kind == kind), key=lambda iv: iv.start)


class Script:
    """Builds a :class:`Motion` phase by phase: ``to(duration, **params)`` eases to new values."""

    def __init__(self, family: str, exercise: str, start: dict[str, float] | None = None,
                 rng: np.random.Generator | None = None) -> None:
        self.family = family
        self.exercise = exercise
        self.times = [0.0]
        self.keys = [NEUTRAL[family] | (start or {})]
        self.intervals: list[Interval] = []
        self.rng = rng or np.random.default_rng(0)

    @property
    def now(self) -> float:
        return self.times[-1]

    @property
    def current(self) -> dict[str, float]:
        return dict(self.keys[-1])

    def to(self, duration: float, **params: float) -> "Script":
        """Ease to ``params`` (others unchanged) over ``duration`` seconds."""
        unknown = set(params) - set(self.keys[-1])
        if unknown:
            raise KeyError(f"{self.family} has no parameters {sorted(unknown)}")
        self.times.append(self.now + float(duration))
        self.keys.append(self.current | {k: float(v) for k, v in params.items()})
        return self

    def hold(self, duration: float) -> "Script":
        """Stay still for ``duration`` seconds."""
        return self.to(duration)

    def label(self, kind: str, start: float, side: str | None = None, note: str = "") -> None:
        """Label the interval from ``start`` to now."""
        self.intervals.append(Interval(kind, round(start, 6), round(self.now, 6), side, note))

    def calibration(self, seconds: float, note: str) -> "Script":
        """Hold the start position still for ``seconds``, labelled as the neutral-pose
        calibration the checker measures."""
        start = self.now
        self.hold(seconds)
        self.label("calibration", start, note=note)
        return self

    def jitter(self, seconds: float, spread: float = 0.1) -> float:
        """``seconds`` scaled by a random factor in 1 +- spread (tempo variation)."""
        return float(seconds * (1.0 + self.rng.uniform(-spread, spread)))

    def vary(self, sd: float) -> float:
        """A rep-to-rep deviation: normal with standard deviation ``sd``, clipped to 2.5 sd
        (nobody repeats a movement exactly)."""
        return float(np.clip(self.rng.normal(0.0, sd), -2.5 * sd, 2.5 * sd))

    def motion(self, **meta) -> Motion:
        return Motion(self.family, list(self.times), list(self.keys), list(self.intervals),
                      self.exercise, dict(meta))


def other(side: str) -> str:
    """The opposite side."""
    return "right" if side == "left" else "left"
