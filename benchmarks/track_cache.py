"""Landmark tracks cached for the benchmark scripts, remade when their video is newer."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from posecheck.pose.track import PoseTrack


def cached_track(path: Path, video: Path, make: Callable[[], PoseTrack]) -> PoseTrack:
    """The track saved at ``path``, or ``make()``'s (saved there) when there is none or
    ``video`` is newer (re-rendered or replaced since)."""
    if path.exists() and path.stat().st_mtime >= video.stat().st_mtime:
        return PoseTrack.load(path)
    track = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    track.save(path)
    return track
