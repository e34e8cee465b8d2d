"""What a live exercise keeps: every frame's pose and metric row in growable arrays.

A list of per-frame objects costs about 200 MB an hour; preallocated arrays that double when
full cost a tenth of that and become a :class:`~posecheck.pose.track.PoseTrack` (saved as
``.track.npz``, re-analysable without the model) and :class:`~posecheck.measure.metrics.Metrics` (the
values the checker saw, for the HTML report) without copying frame by frame.

Example
-------
>>> rec = Recorder(("knee_rise_left",), fps=30.0, frame_size=(640, 480))
>>> rec.append(FramePose.missing(0.0), {"knee_rise_left": 0.1})
>>> len(rec.track()), rec.metrics().column("knee_rise_left").tolist()
(1, [0.1])
"""
from __future__ import annotations

import numpy as np

from posecheck.pose.landmarks import NUM_LANDMARKS
from posecheck.measure.metrics import Metrics
from posecheck.pose.track import CONTOUR_SAMPLES, FramePose, PoseTrack

#: Frames of room allocated at first (a minute at 30 fps); doubled when full.
INITIAL_FRAMES = 1800
_SHAPES: dict[str, tuple[int, ...]] = {
    "image": (NUM_LANDMARKS, 3), "world": (NUM_LANDMARKS, 3), "visibility": (NUM_LANDMARKS,),
    "presence": (NUM_LANDMARKS,), "back_contour": (CONTOUR_SAMPLES,)}


class Recorder:
    """Poses and metric rows of one exercise, frame by frame.

    names : the metric columns kept (a row's other keys are ignored, missing ones are NaN).
    fps, frame_size, source, model : of the capture, for the track.
    """

    def __init__(self, names: tuple[str, ...], fps: float, frame_size: tuple[int, int],
                 source: str = "", model: str = "") -> None:
        self.names = tuple(names)
        self.fps, self.frame_size, self.source, self.model = fps, frame_size, source, model
        self.size = 0
        self._pose = {k: np.empty((INITIAL_FRAMES, *shape), np.float32)
                      for k, shape in _SHAPES.items()}
        self._times = np.empty(INITIAL_FRAMES, np.float64)
        self._rows = np.empty((INITIAL_FRAMES, len(self.names)), np.float64)

    def __len__(self) -> int:
        return self.size

    def _grow(self) -> None:
        def doubled(a: np.ndarray) -> np.ndarray:
            bigger = np.empty((2 * a.shape[0], *a.shape[1:]), a.dtype)
            bigger[: self.size] = a[: self.size]
            return bigger

        self._pose = {k: doubled(a) for k, a in self._pose.items()}
        self._times, self._rows = doubled(self._times), doubled(self._rows)

    def append(self, pose: FramePose, row: dict[str, float]) -> None:
        """Keep one frame: its pose and its metric values."""
        if self.size == self._times.shape[0]:
            self._grow()
        i = self.size
        for key, array in self._pose.items():
            array[i] = getattr(pose, key)
        self._times[i] = pose.time
        self._rows[i] = [row.get(name, np.nan) for name in self.names]
        self.size += 1

    def track(self) -> PoseTrack:
        """The frames so far as a track (views of the arrays, no copy)."""
        n = self.size
        pose = {k: a[:n] for k, a in self._pose.items()}
        return PoseTrack(image=pose["image"], world=pose["world"], visibility=pose["visibility"],
                         presence=pose["presence"], back_contour=pose["back_contour"],
                         times=self._times[:n], fps=float(self.fps), frame_size=self.frame_size,
                         source=self.source, model=self.model)

    def metrics(self) -> Metrics:
        """The metric rows so far (the values the checker saw)."""
        return Metrics(self.names, self._rows[: self.size], self._times[: self.size])
