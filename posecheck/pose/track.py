"""PoseTrack: everything the pose estimator produced for a clip, as arrays.

A track holds T frames. Frames where nobody was found hold NaN landmarks and
``detected[t] == False``. Tracks save to and load from ``.npz`` so that an analysis can be
re-run without the model.

Example
-------
>>> import numpy as np
>>> track = PoseTrack.empty(fps=30.0, frame_size=(640, 480))
>>> len(track)
0
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, cast

import numpy as np
from numpy.typing import DTypeLike

from posecheck.io.atomic import atomic_path
from posecheck.errors import TrackError, strip_controls
from posecheck.pose.landmarks import MIRROR, NUM_LANDMARKS
from posecheck.io.npz import read_npz, write_npz
from posecheck.io.spill import BLOCK_ROWS, read_blocks

#: Samples along the shoulder-to-hip chord in the back-contour profile.
CONTOUR_SAMPLES = 24
SCHEMA = 1
#: The per-frame arrays of a track, in the order they are saved.
_ARRAYS = ("image", "world", "visibility", "presence", "times", "back_contour")


@dataclass(frozen=True)
class FramePose:
    """One frame's estimator output.

    image : (33, 3) float, pixels (x right, y down, z in the scale of x); NaN if nobody found.
    world : (33, 3) float, metres, origin between the hips.
    visibility, presence : (33,) float in [0, 1].
    back_contour : (CONTOUR_SAMPLES,) float, pixels; see :mod:`posecheck.pose.contour`; NaN if none.
    """

    time: float
    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    back_contour: np.ndarray

    @classmethod
    def missing(cls, time: float) -> "FramePose":
        """A frame where nobody was found."""
        nan3 = np.full((NUM_LANDMARKS, 3), np.nan, np.float32)
        nan1 = np.full(NUM_LANDMARKS, np.nan, np.float32)
        return cls(time, nan3, nan3.copy(), nan1, nan1.copy(),
                   np.full(CONTOUR_SAMPLES, np.nan, np.float32))


@dataclass
class PoseTrack:
    """Landmarks of one person over T frames.

    image : (T, 33, 3) float32, pixels: x right, y down, z (MediaPipe's relative depth) scaled
        like x.
    world : (T, 33, 3) float32, metres, origin between the hips (MediaPipe world landmarks).
    visibility, presence : (T, 33) float32 in [0, 1].
    times : (T,) float64, seconds from the start of the source.
    back_contour : (T, CONTOUR_SAMPLES) float32, the upper body contour's offset from the
        shoulder-to-hip chord in pixels (positive = above the chord); NaN where unavailable.
    fps : nominal frame rate of the source.
    frame_size : (width, height) in pixels.
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    times: np.ndarray
    back_contour: np.ndarray
    fps: float
    frame_size: tuple[int, int]
    source: str = ""
    model: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls, fps: float, frame_size: tuple[int, int], source: str = "",
              model: str = "") -> "PoseTrack":
        """A track with no frames."""
        return cls.from_frames([], fps, frame_size, source, model)

    @classmethod
    def from_frames(cls, frames: list[FramePose], fps: float, frame_size: tuple[int, int],
                    source: str = "", model: str = "") -> "PoseTrack":
        """Stack per-frame results into a track."""
        def stack(attr: str, shape: tuple[int, ...], dtype: DTypeLike = np.float32
                  ) -> np.ndarray:
            if not frames:
                return np.zeros((0, *shape), dtype)
            return np.stack([getattr(f, attr) for f in frames]).astype(dtype)

        return cls(
            image=stack("image", (NUM_LANDMARKS, 3)),
            world=stack("world", (NUM_LANDMARKS, 3)),
            visibility=stack("visibility", (NUM_LANDMARKS,)),
            presence=stack("presence", (NUM_LANDMARKS,)),
            times=np.array([f.time for f in frames], np.float64),
            back_contour=stack("back_contour", (CONTOUR_SAMPLES,)),
            fps=float(fps), frame_size=(int(frame_size[0]), int(frame_size[1])),
            source=str(source), model=str(model),
        )

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a person was found in the frame (read a block at a time, so a
        memory-mapped track stays on disk)."""
        if len(self) == 0:
            return np.zeros(0, bool)
        return np.concatenate([~np.isnan(block[:, 0, 0])
                               for _, block in read_blocks(self.image)])

    @property
    def detected_ratio(self) -> float:
        """Fraction of frames with a person (0.0 for an empty track)."""
        return float(self.detected.mean()) if len(self) else 0.0

    def __getitem__(self, index: slice | np.ndarray) -> "PoseTrack":
        """Frames selected by a slice or a boolean/integer index."""
        return replace(
            self, image=self.image[index], world=self.world[index],
            visibility=self.visibility[index], presence=self.presence[index],
            times=self.times[index], back_contour=self.back_contour[index],
            meta=dict(self.meta),
        )

    def blocks(self, frames: int = BLOCK_ROWS) -> Iterator["PoseTrack"]:
        """The track as consecutive pieces of ``frames`` frames, each in memory (copies of a
        memory-mapped track's rows, views of a track in memory); their meta is the track's."""
        pieces = [read_blocks(getattr(self, name), frames) for name in _ARRAYS]
        for parts in zip(*pieces):
            yield replace(self, **{name: block for name, (_, block) in zip(_ARRAYS, parts)},
                          meta=dict(self.meta))

    @classmethod
    def concatenate(cls, tracks: list["PoseTrack"]) -> "PoseTrack":
        """Join tracks of the same source end to end (metadata from the first)."""
        first = tracks[0]

        def cat(attr: str) -> np.ndarray:
            return np.concatenate([getattr(t, attr) for t in tracks])

        return replace(first, image=cat("image"), world=cat("world"),
                       visibility=cat("visibility"), presence=cat("presence"),
                       times=cat("times"), back_contour=cat("back_contour"),
                       meta=dict(first.meta))

    def mirrored(self) -> "PoseTrack":
        """The track of the mirror-image person: x flipped, left and right swapped."""
        image = self.image[:, MIRROR].copy()
        image[..., 0] = self.frame_size[0] - image[..., 0]
        world = self.world[:, MIRROR].copy()
        world[..., 0] = -world[..., 0]
        return replace(self, image=image, world=world, visibility=self.visibility[:, MIRROR],
                       presence=self.presence[:, MIRROR], meta=dict(self.meta))

    def save(self, path: str | Path) -> None:
        """Write the track to ``path`` (.npz), atomically."""
        with atomic_path(path) as part, open(part, "wb") as fh:
            write_npz(fh, {
                "schema": np.array(SCHEMA), **{name: getattr(self, name) for name in _ARRAYS},
                "fps": np.array(self.fps), "frame_size": np.array(self.frame_size),
                "source": np.array(self.source), "model": np.array(self.model),
                "meta": np.array(json.dumps(self.meta, default=_plain))})

    @classmethod
    def load(cls, path: str | Path) -> "PoseTrack":
        """Read a track written by :meth:`save`. Raises :class:`TrackError` naming the file if
        it is not a readable, consistent track (missing or extra-shaped fields, times that do
        not increase, a frame rate that is not positive, values out of range)."""
        data = read_npz(path, TrackError)
        try:
            return _track_from(data)
        except _BadField as exc:
            raise TrackError(f"{path}: not a PoseTrack ({exc})") from None


class _BadField(Exception):
    """A field of a track file that is missing or wrong."""


_LANDMARK_TAILS = {"image": (NUM_LANDMARKS, 3), "world": (NUM_LANDMARKS, 3),
                   "visibility": (NUM_LANDMARKS,), "presence": (NUM_LANDMARKS,),
                   "back_contour": (CONTOUR_SAMPLES,)}
_FIELDS = ("schema", *_LANDMARK_TAILS, "times", "fps", "frame_size", "source", "model")
#: Plausible limits of a recording.
MAX_FPS = 1000.0
MAX_FRAME_SIDE = 100_000
MAX_SECONDS = 1e6


def _track_from(data: dict[str, np.ndarray]) -> PoseTrack:
    missing = [name for name in _FIELDS if name not in data]
    if missing:
        raise _BadField(f"missing {', '.join(missing)}")
    schema = _scalar(data, "schema", "iu")
    if schema != SCHEMA:
        raise _BadField(f"unsupported schema {schema} (this posecheck reads {SCHEMA})")
    times = _real(data, "times", ())
    frames = len(times)
    arrays = {name: _real(data, name, tail, frames) for name, tail in _LANDMARK_TAILS.items()}
    _check_times(times)
    for name in ("image", "world", "back_contour"):
        if np.isinf(arrays[name]).any():
            raise _BadField(f"{name}: infinite values")
    for name in ("visibility", "presence"):
        if ((arrays[name] < 0) | (arrays[name] > 1)).any():
            raise _BadField(f"{name}: values outside 0..1")
    fps = _scalar(data, "fps", "iuf")
    if not 0 < fps <= MAX_FPS:
        raise _BadField(f"fps: {fps} is not in (0, {MAX_FPS:g}]")
    size = data["frame_size"]
    if size.shape != (2,) or size.dtype.kind not in "iu" or not (
            (size >= 1) & (size <= MAX_FRAME_SIDE)).all():
        raise _BadField("frame_size: not two positive pixel counts")
    return PoseTrack(**{k: v.astype(np.float32) for k, v in arrays.items()},
                     times=times.astype(np.float64), fps=float(fps),
                     frame_size=(int(size[0]), int(size[1])),
                     source=_text(data, "source"), model=_text(data, "model"), meta=_meta(data))


def _check_times(times: np.ndarray) -> None:
    """Finite, within ``MAX_SECONDS``, increasing, and (on the median) no more than
    ``MAX_FPS`` frames a second."""
    if not np.isfinite(times).all() or (np.abs(times) > MAX_SECONDS).any():
        raise _BadField(f"times: not all finite numbers within {MAX_SECONDS:g} s")
    steps = np.diff(times)
    if not (steps > 0).all():
        raise _BadField(f"times: do not increase (frame {int(np.argmin(steps > 0)) + 1})")
    if len(steps) and np.median(steps) < 1.0 / MAX_FPS:
        raise _BadField(f"times: frames {np.median(steps):.3g} s apart, faster than "
                        f"{MAX_FPS:g} fps")


def _scalar(data: dict[str, np.ndarray], name: str, kinds: str) -> float:
    value = data[name]
    if value.shape != () or value.dtype.kind not in kinds:
        raise _BadField(f"{name}: not a single number")
    number: float = value.item()     # an int for integer kinds, as the file holds it
    return number


def _real(data: dict[str, np.ndarray], name: str, tail: tuple[int, ...],
          frames: int | None = None) -> np.ndarray:
    """A real-valued array of shape (frames, *tail)."""
    value = data[name]
    wanted = ("T" if frames is None else str(frames),) + tuple(str(n) for n in tail)
    if (value.dtype.kind not in "iuf" or value.shape[1:] != tail or value.ndim != len(tail) + 1
            or (frames is not None and value.shape[0] != frames)):
        raise _BadField(f"{name}: shape {value.shape} {value.dtype}, expected "
                        f"({', '.join(wanted)}) numbers")
    return value


def _plain(value: object) -> object:
    """A numpy value as plain JSON data (for ``json.dumps``); anything else as its text."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else str(value)


def _meta(data: dict[str, np.ndarray]) -> dict[str, Any]:
    """The track's free-form metadata (a JSON object); empty in files saved without it."""
    if "meta" not in data:
        return {}
    try:
        meta = json.loads(_text(data, "meta"))
    except (ValueError, RecursionError):  # JSONDecodeError, or a number too long to read
        raise _BadField("meta: not readable JSON") from None
    if not isinstance(meta, dict):
        raise _BadField("meta: not a JSON object")
    for key, valid in _META_FIELDS.items():
        if key in meta and not valid(meta[key]):
            raise _BadField(f"meta: {key}: {meta[key]!r:.40} is not what posecheck wrote")
    return cast(dict[str, Any], _without_controls(meta))   # a JSON object stays one


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


#: The meta fields posecheck reads back, and what a valid value is.
_META_FIELDS: dict[str, Callable[[object], bool]] = {
    "fps": _is_number, "header_fps": lambda v: v is None or _is_number(v),
    "fps_from": lambda v: isinstance(v, str), "missing_frames": _is_count,
    "people_seen": _is_count, "interrupted": lambda v: isinstance(v, bool),
    "unreadable_times": lambda v: isinstance(v, list) and all(map(_is_number, v)),
    "people_notes": lambda v: isinstance(v, list) and all(isinstance(n, str) for n in v),
}


def _without_controls(value: object) -> object:
    """JSON data with control characters removed from every string (they may reach a
    terminal as report notes)."""
    if isinstance(value, str):
        return strip_controls(value, keep="")
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    if isinstance(value, dict):
        return {strip_controls(str(k), keep=""): _without_controls(v) for k, v in value.items()}
    return value


def _text(data: dict[str, np.ndarray], name: str) -> str:
    value = data[name]
    if value.shape != () or value.dtype.kind != "U":
        raise _BadField(f"{name}: not a string")
    return strip_controls(str(value), keep="")
