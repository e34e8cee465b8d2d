"""Analysis rate: the frames the pose model runs on when not every frame is needed.

``--analysis-fps N`` keeps the first frame of every 1/N-second slot of the video's timeline
(slots counted from time 0, so a chunk that starts elsewhere keeps the same frames). Kept
frames keep their real timestamps, and VIDEO-mode tracking simply sees a lower frame rate.

Example
-------
>>> [f.index for f in at_rate(open_source("clip_30fps.mp4"), 10)][:4]   # doctest: +SKIP
[0, 3, 6, 9]
"""
from __future__ import annotations

import math
from typing import Iterable, Iterator

from posecheck.io.sources import Frame

#: Slack for frame times that land a rounding error short of a slot boundary.
_SLOT_EPS = 1e-6


def at_rate(frames: Iterable[Frame], fps: float | None) -> Iterable[Frame]:
    """``frames`` thinned to at most ``fps`` a second (all of them when ``fps`` is None)."""
    return frames if fps is None else _thinned(frames, fps)


def _thinned(frames: Iterable[Frame], fps: float) -> Iterator[Frame]:
    last_slot = None
    for frame in frames:
        slot = math.floor(frame.time * fps + _SLOT_EPS)
        if slot != last_slot:
            last_slot = slot
            yield frame


def analysed_fps(video_fps: float, fps: float | None) -> float:
    """The frame rate of a track analysed at ``fps`` from a ``video_fps`` video."""
    return video_fps if fps is None or not video_fps > fps else float(fps)
