"""A PoseTrack written to disk as the estimator produces it, for recordings of any length.

:class:`TrackSpill` takes :class:`~posecheck.pose.track.FramePose` results one at a time (it
is what :func:`posecheck.pose.estimator.estimate_frames` appends to) and keeps only one block
of frames in memory; :meth:`TrackSpill.track` gives the finished
:class:`~posecheck.pose.track.PoseTrack`, its arrays mapped read-only from the spill files
(:mod:`posecheck.io.spill`). The track is the same, value for value, as
``PoseTrack.from_frames`` of the same poses; the stages after the estimator read it a block at a
time (:meth:`PoseTrack.blocks`), so memory does not grow with the recording's length.

A worker process spilling one chunk of a video seals its files (:meth:`TrackSpill.seal`) and
returns a :class:`SealedTrack` (the folder, the frame count and the track's fields), which
the parent opens.

>>> import tempfile
>>> from posecheck.io.spill import spill_folder
>>> with spill_folder(tempfile.gettempdir()) as folder:
...     spill = TrackSpill(folder / "clip", block_frames=2)
...     for i in range(3):
...         spill.append(FramePose.missing(i / 30))
...     track = spill.track(30.0, (640, 480))
>>> len(track), bool(track.detected.any())
(3, False)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.io.spill import BLOCK_ROWS, GrowableArray, map_rows
from posecheck.pose.landmarks import NUM_LANDMARKS
from posecheck.pose.track import CONTOUR_SAMPLES, FramePose, PoseTrack

#: A track's per-frame arrays: the shape of one frame's row and the type, as PoseTrack holds.
FIELDS: dict[str, tuple[tuple[int, ...], type[np.generic]]] = {
    "image": ((NUM_LANDMARKS, 3), np.float32), "world": ((NUM_LANDMARKS, 3), np.float32),
    "visibility": ((NUM_LANDMARKS,), np.float32), "presence": ((NUM_LANDMARKS,), np.float32),
    "times": ((), np.float64), "back_contour": ((CONTOUR_SAMPLES,), np.float32),
}


class TrackSpill:
    """The frames of one track, appended to files in ``folder`` (created; must not exist)
    ``block_frames`` at a time."""

    def __init__(self, folder: Path, block_frames: int = BLOCK_ROWS) -> None:
        folder.mkdir()
        self.folder = folder
        self._arrays = {name: GrowableArray(folder / name, shape, dtype, block_frames)
                        for name, (shape, dtype) in FIELDS.items()}

    def __len__(self) -> int:
        return len(self._arrays["times"])

    def append(self, pose: FramePose) -> None:
        """Add one frame."""
        for name, array in self._arrays.items():
            array.append(pose.time if name == "times" else getattr(pose, name))

    def extend(self, track: PoseTrack) -> None:
        """Add every frame of ``track`` (read a block at a time)."""
        for block in track.blocks():
            for name, array in self._arrays.items():
                array.extend(getattr(block, name))

    def seal(self) -> int:
        """Close the files for :func:`open_spilled` (here or in another process); the number
        of complete frames (a frame cut short by Ctrl-C while it was appended is left out)."""
        return min(array.seal() for array in self._arrays.values())

    def sealed(self, fps: float, frame_size: tuple[int, int], source: str = "",
               model: str = "", meta: dict[str, Any] | None = None) -> "SealedTrack":
        """The files closed, described for another process to open."""
        return SealedTrack(str(self.folder), self.seal(), float(fps),
                           (int(frame_size[0]), int(frame_size[1])), source, model,
                           dict(meta or {}))

    def track(self, fps: float, frame_size: tuple[int, int], source: str = "",
              model: str = "") -> PoseTrack:
        """The finished track (its files are unlinked; the arrays keep the data)."""
        return open_spilled(self.folder, self.seal(), fps, frame_size, source, model)


def open_spilled(folder: Path, frames: int, fps: float, frame_size: tuple[int, int],
                 source: str = "", model: str = "") -> PoseTrack:
    """The track of ``frames`` frames sealed in ``folder`` by :meth:`TrackSpill.seal`, its
    arrays mapped read-only from the files, which are unlinked."""
    arrays = {name: map_rows(folder / name, shape, dtype, frames)
              for name, (shape, dtype) in FIELDS.items()}
    return PoseTrack(arrays["image"], arrays["world"], arrays["visibility"], arrays["presence"],
                     arrays["times"], arrays["back_contour"], float(fps),
                     (int(frame_size[0]), int(frame_size[1])), str(source), str(model))


@dataclass(frozen=True)
class SealedTrack:
    """A track a worker process spilled and sealed: small to send back to the parent."""

    folder: str
    frames: int
    fps: float
    frame_size: tuple[int, int]
    source: str = ""
    model: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def open(self) -> PoseTrack:
        """The track, its arrays mapped from the files (which are unlinked)."""
        track = open_spilled(Path(self.folder), self.frames, self.fps, self.frame_size,
                             self.source, self.model)
        track.meta.update(self.meta)
        return track
