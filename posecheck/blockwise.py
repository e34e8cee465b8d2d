"""The stages after the estimator, a block of frames at a time, for recordings of any length.

Left/right flickers undone, metrics computed and smoothed, and switches to another person found,
each over consecutive blocks of a track (:meth:`PoseTrack.blocks`) with its state carried from
one block to the next: the decisions are causal, so the result is value for value that of the
whole-track functions (:func:`posecheck.pose.side_identity.consistent_sides`,
:func:`posecheck.measure.filters.one_euro_metrics`, :func:`posecheck.pose.people.switch_times`;
``tests/test_blockwise.py``). A memory-mapped track (:mod:`posecheck.pose.track_spill`) is so
read from disk a block at a time, and its metrics can go to disk too.

Example
-------
>>> track = PoseTrack.empty(fps=30.0, frame_size=(640, 480))
>>> len(track_metrics(track))
0
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from posecheck.io.spill import BLOCK_ROWS, GrowableArray, read_blocks, spill_folder
from posecheck.measure.filters import OneEuroFilter, metric_params, one_euro_offline
from posecheck.measure.kinematics import ALL_METRICS, compute_metrics
from posecheck.measure.metrics import Metrics
from posecheck.pose.landmarks import BODY_JOINT_INDICES
from posecheck.pose.people import switch_times
from posecheck.pose.side_identity import (GROUPS, FlickerState, flicker_frames, jump_costs,
                                          swap_sides)
from posecheck.pose.track import PoseTrack


def metric_blocks(metrics: Metrics, frames: int = BLOCK_ROWS) -> Iterator[Metrics]:
    """``metrics`` as consecutive pieces of ``frames`` frames, each in memory."""
    for (_, values), (_, times) in zip(read_blocks(metrics.values, frames),
                                       read_blocks(metrics.times, frames)):
        yield Metrics(metrics.names, values, times)


class SideFixer:
    """:func:`~posecheck.pose.side_identity.consistent_sides` a block at a time:
    ``fixer(block) -> block`` with left/right flickers undone, the blocks fed in order.

    fps : the track's nominal frame rate (sets the longest flicker in frames).
    """

    def __init__(self, fps: float) -> None:
        self._states = {group: FlickerState(flicker_frames(fps)) for group in GROUPS}
        self._last: PoseTrack | None = None   # the last detected frame so far, as estimated

    def __call__(self, block: PoseTrack) -> PoseTrack:
        joined = block if self._last is None else PoseTrack.concatenate([self._last, block])
        before = len(joined) - len(block)
        detected = np.flatnonzero(block.detected)
        image, world = block.image.copy(), block.world.copy()
        for group, state in self._states.items():
            costs = jump_costs(joined, group)[before:]
            undo = np.zeros(len(block), bool)
            undo[detected] = [state.step(float(cost)) for cost in costs[detected]]
            swap_sides(image, world, undo, group)
        if detected.size:
            self._last = block[detected[-1:]]
        return replace(block, image=image, world=world)


def track_metrics(track: PoseTrack, frames: int = BLOCK_ROWS,
                  spill_to: str | Path | None = None) -> Metrics:
    """Every metric of ``track`` with flickers undone, smoothed causally with each unit's One
    Euro preset (:func:`posecheck.pipeline.exercise_metrics`), ``frames`` frames at a time.

    spill_to : None keeps the values in memory ((T, M), each metric contiguous); a folder puts
    them in a spill folder inside it, mapped from disk (:mod:`posecheck.io.spill`).
    """
    names = ALL_METRICS
    sides = SideFixer(track.fps)
    smooth = OneEuroFilter.from_params(metric_params(names))
    if spill_to is None:
        columns = np.empty((len(names), len(track)), np.float64)
        for start, block in zip(range(0, len(track), frames), track.blocks(frames)):
            raw = compute_metrics(sides(block))
            columns[:, start:start + len(block)] = one_euro_offline(raw.times, raw.values,
                                                                    state=smooth).T
        return Metrics(names, columns.T, np.asarray(track.times, np.float64))
    with spill_folder(spill_to) as folder:
        values = GrowableArray(folder / "values", (len(names),), np.float64, frames)
        times = GrowableArray(folder / "times", (), np.float64, frames)
        for block in track.blocks(frames):
            raw = compute_metrics(sides(block))
            values.extend(one_euro_offline(raw.times, raw.values, state=smooth))
            times.extend(raw.times)
        return Metrics(names, values.finish(), times.finish())


def switch_times_by_block(track: PoseTrack, frames: int = BLOCK_ROWS) -> list[float]:
    """:func:`~posecheck.pose.people.switch_times` of ``track`` read ``frames`` at a time."""
    found: list[float] = []
    last: PoseTrack | None = None    # the last frame with the whole body seen so far
    for block in track.blocks(frames):
        joined = block if last is None else PoseTrack.concatenate([last, block])
        found += switch_times(joined)    # never the carried frame: it is the first seen
        seen = np.flatnonzero(np.isfinite(block.image[:, BODY_JOINT_INDICES, :2])
                              .all(axis=(1, 2)))
        if seen.size:
            last = block[seen[-1:]]
    return found
