"""Signal filters for landmarks and metrics: the One Euro filter, causal and frame by frame.

:class:`OneEuroFilter` keeps its state in arrays and filters every channel in one step;
:class:`LandmarkSmoother` applies it to whole frames (live), :func:`one_euro_metrics` to a
whole clip's metrics exactly as a live session would (``analyze``), so that live and recorded
analysis see the same values. (Zero-phase offline filters were removed: nothing used them,
and the checker's thresholds are set on what a causal filter sees.)

Every function takes and returns (T, C) arrays: T samples of C channels. NaN marks a missing
sample; no filter turns a NaN into a number except :func:`fill_gaps`, and no NaN spreads into
neighbouring samples.

One Euro settings (Casiez et al., 2012): the cut-off frequency is
``min_cutoff + beta * |speed|`` (Hz), so slow signals are smoothed hard and fast ones follow
with little lag; ``speed`` is in the signal's own units per second, so ``beta`` depends on the
unit. Presets (:data:`ONE_EURO_PRESETS`, keyed by :data:`posecheck.measure.kinematics.UNITS`):

========== ========== ====== ======== ===================================================
unit       min_cutoff beta   d_cutoff rationale
========== ========== ====== ======== ===================================================
deg        1.0 Hz     0.05   1.0 Hz   measured on a 30 fps sine plus 2-degree noise: jitter
                                      at rest 2.0 → 0.85 degrees; at 45 degrees, 0.25 Hz
                                      (a slow rep) RMS error 1.9; at 100 deg/s the cut-off
                                      opens to 6 Hz (about 25 ms lag)
ratio      1.0 Hz     3.0    1.0 Hz   torso lengths: 1 rad ≈ 57 degrees ≈ 1 limb length, so
                                      beta ≈ 0.05 x 57; jitter 0.03 → 0.013 at rest
px         1.0 Hz     0.05   1.0 Hz   pixels (torso length), about the scale of degrees
landmarks  0.1 Hz     40.0   1.0 Hz   MediaPipe's legacy landmark smoothing, with speed in
                                      object sizes per second (``value_scale``)
========== ========== ====== ======== ===================================================

Wrapped angles are filtered as plain numbers: ``trunk_lean`` near ±180 or a tilt near ±90
would be smeared across the jump (neither happens in the exercises the specs cover).

Example
-------
>>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
>>> f(0.0, np.array([1.0, np.nan])).tolist()
[1.0, nan]
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from posecheck.measure.kinematics import UNITS
from posecheck.measure.metrics import Metrics
from posecheck.pose.track import FramePose


@dataclass(frozen=True)
class OneEuroParams:
    """One Euro settings; each may be a float or a (C,) array (per channel)."""

    min_cutoff: float | np.ndarray
    beta: float | np.ndarray
    d_cutoff: float | np.ndarray = 1.0


#: Settings per signal unit (see the module docstring for the reasoning).
ONE_EURO_PRESETS: dict[str, OneEuroParams] = {
    "deg": OneEuroParams(min_cutoff=1.0, beta=0.05),
    "ratio": OneEuroParams(min_cutoff=1.0, beta=3.0),
    "px": OneEuroParams(min_cutoff=1.0, beta=0.05),
    "landmarks": OneEuroParams(min_cutoff=0.1, beta=40.0),
}


def one_euro_params(units: Sequence[str]) -> OneEuroParams:
    """Per-channel settings for channels in ``units`` (e.g. ``[UNITS[n] for n in names]``)."""
    presets = [ONE_EURO_PRESETS[u] for u in units]
    return OneEuroParams(
        min_cutoff=np.array([p.min_cutoff for p in presets], np.float64),
        beta=np.array([p.beta for p in presets], np.float64),
        d_cutoff=np.array([p.d_cutoff for p in presets], np.float64),
    )


def metric_params(names: Sequence[str]) -> OneEuroParams:
    """Per-channel One Euro settings for metric ``names``, by each metric's unit."""
    return one_euro_params([UNITS[name] for name in names])


def _alpha(cutoff: np.ndarray | float, dt: np.ndarray) -> np.ndarray:
    """Smoothing factor of a first-order low-pass at ``cutoff`` Hz for steps of ``dt`` s."""
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuroFilter:
    """A One Euro filter over C channels at once, fed one sample at a time.

    ``f(t, x)`` takes the time in seconds and x : (C,) and returns the filtered (C,). State is
    per channel: a NaN sample returns NaN for that channel and leaves its state alone, so the
    channel resumes from its last good value when samples return (the elapsed time since then
    enters the smoothing factor, so after a long gap the output follows the new value almost
    at once). A repeated or older timestamp returns the previous output unchanged.
    ``value_scale`` multiplies the speed (MediaPipe's trick: 1 / object size makes the speed
    unit-free for landmarks in pixels).

    min_cutoff, beta, d_cutoff : floats or (C,) arrays; defaults are the ``deg`` preset.
    """

    min_cutoff: float | np.ndarray = ONE_EURO_PRESETS["deg"].min_cutoff
    beta: float | np.ndarray = ONE_EURO_PRESETS["deg"].beta
    d_cutoff: float | np.ndarray = ONE_EURO_PRESETS["deg"].d_cutoff
    last_time: np.ndarray | None = field(default=None, repr=False)
    value: np.ndarray | None = field(default=None, repr=False)
    speed: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_params(cls, params: OneEuroParams) -> "OneEuroFilter":
        """A filter with the given settings."""
        return cls(params.min_cutoff, params.beta, params.d_cutoff)

    def reset(self) -> None:
        """Forget all state (e.g. at a cut in the video)."""
        self.last_time = self.value = self.speed = None

    def __call__(self, t: float, x: np.ndarray, value_scale: float = 1.0) -> np.ndarray:
        x = np.asarray(x, np.float64)
        if self.value is None or self.last_time is None or self.speed is None:
            self.last_time = np.full(x.shape, np.nan)
            self.value = np.full(x.shape, np.nan)
            self.speed = np.zeros(x.shape)
        good = ~np.isnan(x)
        first = good & np.isnan(self.value)
        dt = t - self.last_time
        step = good & ~first & (dt > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = (x - self.value) / dt * value_scale
            speed = self.speed + _alpha(self.d_cutoff, dt) * (speed - self.speed)
            cutoff = self.min_cutoff + self.beta * np.abs(speed)
            value = self.value + _alpha(cutoff, dt) * (x - self.value)
        self.value = np.where(step, value, np.where(first, x, self.value))
        self.speed = np.where(step, speed, self.speed)
        self.last_time = np.where(step | first, t, self.last_time)
        return np.where(good, self.value, np.nan)


def one_euro_offline(times: np.ndarray, values: np.ndarray,
                     params: OneEuroParams | None = None,
                     state: OneEuroFilter | None = None) -> np.ndarray:
    """Run a :class:`OneEuroFilter` over a recording, exactly as it would run live.

    times : (T,) seconds; values : (T, C). params : default the ``deg`` preset (use
    :func:`one_euro_params` for mixed units). state : a filter to carry on with (e.g. from the
    previous block of a long recording; it is updated), instead of a fresh one from ``params``.
    Returns (T, C), NaN where the input is NaN.
    """
    f = state or OneEuroFilter.from_params(params or ONE_EURO_PRESETS["deg"])
    out = np.empty(values.shape, np.float64)
    for i, t in enumerate(np.asarray(times, np.float64)):
        out[i] = f(float(t), values[i])
    return out


def one_euro_metrics(metrics: Metrics) -> Metrics:
    """Metrics smoothed causally with the preset of each metric's unit, exactly as a live
    session does with ``OneEuroFilter.from_params(metric_params(names))``. Returns new
    :class:`Metrics`."""
    params = metric_params(metrics.names)
    return Metrics(metrics.names, one_euro_offline(metrics.times, metrics.values, params),
                   metrics.times)


@dataclass
class LandmarkSmoother:
    """Causal landmark smoothing for live use: One Euro on every coordinate of each frame.

    Image landmarks use MediaPipe's legacy settings, the speed measured in object sizes per
    second (object size = mean of the width and height of the box around the visible
    landmarks); world landmarks the same settings in metres; the back contour a plain 1 Hz
    low-pass (its few-pixel signal drowns in any speed-driven opening); visibility and presence
    an exponential average with weight ``visibility_alpha`` (MediaPipe's legacy 0.1), which
    keeps a landmark near the 0.5 threshold from flickering in and out.

    ``smoother(frame) -> frame``.
    """

    landmarks: OneEuroParams = ONE_EURO_PRESETS["landmarks"]
    contour_cutoff_hz: float = 1.0
    visibility_alpha: float = 0.1
    image_filter: OneEuroFilter = field(init=False, repr=False)
    world_filter: OneEuroFilter = field(init=False, repr=False)
    contour_filter: OneEuroFilter = field(init=False, repr=False)
    visibility: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.image_filter = OneEuroFilter.from_params(self.landmarks)
        self.world_filter = OneEuroFilter.from_params(self.landmarks)
        self.contour_filter = OneEuroFilter(min_cutoff=self.contour_cutoff_hz, beta=0.0)

    def __call__(self, frame: FramePose) -> FramePose:
        vis = np.stack([frame.visibility, frame.presence]).astype(np.float64)
        if self.visibility is None:
            self.visibility = vis
        else:  # a NaN (nobody found) clears the average; the next value restarts it
            self.visibility = np.where(
                np.isnan(self.visibility), vis,
                self.visibility + self.visibility_alpha * (vis - self.visibility))
        image = self.image_filter(frame.time, frame.image.ravel(),
                                  1.0 / _object_size(frame.image, frame.visibility))
        world = self.world_filter(frame.time, frame.world.ravel(),
                                  1.0 / _object_size(frame.world, frame.visibility))
        contour = self.contour_filter(frame.time, frame.back_contour)
        return FramePose(
            time=frame.time, image=image.reshape(frame.image.shape).astype(np.float32),
            world=world.reshape(frame.world.shape).astype(np.float32),
            visibility=self.visibility[0].astype(np.float32),
            presence=self.visibility[1].astype(np.float32),
            back_contour=contour.astype(np.float32))


def _object_size(points: np.ndarray, visibility: np.ndarray) -> float:
    """Mean of the width and height of the box around the visible points (33, 3); 1 if none."""
    shown = points[visibility >= 0.5, :2]
    if len(shown) < 2:
        return 1.0
    size = float(np.mean(shown.max(axis=0) - shown.min(axis=0)))
    return size if size > 0 else 1.0
