"""Per-frame metrics for a live session, computed and smoothed exactly as ``analyze`` does.

``analyze`` computes metrics over the whole track and smooths them with a causal One Euro filter,
each metric with its unit's preset (:func:`posecheck.pipeline.exercise_metrics`,
:func:`posecheck.measure.filters.metric_params`); a live session does the same one frame at a time: the
metrics of a one-frame :class:`~posecheck.pose.track.PoseTrack`, then one step of the same filter. Each metric is its own filter channel, so computing only the metrics a session needs
gives the same values as computing all of them.

Example
-------
>>> stream = MetricStream(("knee_rise_left",), frame_size=(640, 480), fps=30.0)
>>> stream(FramePose.missing(0.0))
{'knee_rise_left': nan}
"""
from __future__ import annotations

from posecheck.measure.filters import OneEuroFilter, metric_params
from posecheck.measure.kinematics import compute_metrics
from posecheck.pose.side_identity import SideIdentityStream
from posecheck.pose.track import FramePose, PoseTrack


class MetricStream:
    """Frame by frame: ``stream(pose) -> {metric name: smoothed value}`` (NaN if unseen).

    names : the metrics to compute (e.g. a checker's input columns plus display metrics).
    """

    def __init__(self, names: tuple[str, ...], frame_size: tuple[int, int], fps: float) -> None:
        self.names = tuple(dict.fromkeys(names))
        self.frame_size, self.fps = frame_size, fps
        self._filter = OneEuroFilter.from_params(metric_params(self.names))
        self._sides = SideIdentityStream(fps)

    def __call__(self, pose: FramePose) -> dict[str, float]:
        track = PoseTrack.from_frames([self._sides(pose)], self.fps, self.frame_size)
        raw = compute_metrics(track, self.names)
        smoothed = self._filter(pose.time, raw.values[0])
        return dict(zip(self.names, smoothed.tolist()))
