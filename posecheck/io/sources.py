"""Frame sources: a video file, a camera index, a stream URL or a folder of images.

Every source is an iterable of :class:`Frame` with a nominal ``fps`` and ``frame_size``.
Problems opening or reading a source raise :class:`SourceError`, whose message is one line
naming the source and the problem.

Video files are decoded with PyAV (FFmpeg) and timed by their presentation timestamps, so a
phone's variable frame rate and a GIF's frame delays are honoured. Damaged packets are skipped
rather than ending the video; what was skipped, and a frame rate that had to be taken from the
timestamps or assumed, is reported by :meth:`FileSource.meta` and worded by
:func:`source_notes`. Cameras and stream URLs are read with OpenCV.

Example
-------
>>> src = open_source("sample_videos/bird_dog_clean.mp4")   # doctest: +SKIP
>>> for frame in src: ...                                    # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

import av
import cv2
from av.video.reformatter import VideoReformatter
import numpy as np

from posecheck.errors import PosecheckError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif", ".mpg", ".mpeg"}
#: Suffixes of container formats: finding only a raw elementary stream in such a file means
#: its container is missing (a cut or truncated file), not that it is a raw stream.
CONTAINER_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".3gp", ".flv", ".wmv"}
#: Header frame rates outside this range are taken as wrong.
PLAUSIBLE_FPS = (1.0, 1000.0)
#: The frame rate assumed for a file with neither a usable header rate nor timestamps.
NOMINAL_FPS = 30.0
#: A header rate this close to the timestamps' rate is used as is (29.97 rather than 29.9700…).
SAME_RATE = 1e-3
#: FFmpeg's AVFMT_NOTIMESTAMPS: raw elementary streams (m4v, h264, mjpeg) carry no timestamps.
_NO_TIMESTAMPS = 0x0080


class SourceError(PosecheckError):
    """A source cannot be opened or read; the message names it and the problem."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame. image : (H, W, 3) uint8 BGR; time : seconds from the start."""

    index: int
    time: float
    image: np.ndarray


@dataclass(frozen=True)
class Timing:
    """How a video file's frames are timed.

    fps : nominal frame rate: the header's, or 1 / the median interval between timestamps when
        the header has none or the frame rate varies, or NOMINAL_FPS when neither is usable.
    fps_from : ``"header"``, ``"timestamps"`` or ``"nominal"``.
    header_fps : the header's frame rate as found (None if absent; may be implausible).
    time_base : seconds per timestamp tick.
    origin : timestamp (ticks) of the first frame, or None when frames are timed by index.
    frame_count : packets in the file, an estimate of its frames.
    missing_frames : frames the file's index lists beyond its end (a file cut short).
    """

    fps: float
    fps_from: str
    header_fps: float | None
    time_base: Fraction
    origin: int | None
    frame_count: int
    missing_frames: int = 0


def plausible_fps(rate: float | Fraction | None) -> float | None:
    """``rate`` as a float if it is a believable frame rate, else None (also for NaN)."""
    value = float("nan") if rate is None else float(rate)
    return value if PLAUSIBLE_FPS[0] <= value <= PLAUSIBLE_FPS[1] else None


def timestamp_fps(pts: np.ndarray, time_base: Fraction) -> float | None:
    """1 / the median interval between distinct timestamps, None with fewer than two.

    pts : (N,) int timestamps in ticks of ``time_base``, in any order.
    """
    ticks = np.unique(pts)
    if len(ticks) < 2:
        return None
    return float(1 / (Fraction(float(np.median(np.diff(ticks)))) * time_base))


def choose_fps(header: float | None, stamped: float | None) -> tuple[float, str]:
    """The nominal frame rate and where it came from (see :class:`Timing`), from the header's
    rate (None if unusable) and the timestamps' (None if there are none)."""
    if stamped is None:
        return (header, "header") if header is not None else (NOMINAL_FPS, "nominal")
    if header is not None and abs(header / stamped - 1.0) <= SAME_RATE:
        return header, "header"
    return stamped, "timestamps"


def probe_timing(container: av.container.InputContainer, stream: av.video.stream.VideoStream,
                 name: str) -> Timing:
    """Read every packet's timestamp (demuxing only, no decoding) and settle the timing.

    Raises SourceError for a file whose suffix promises a container but which holds only a
    raw elementary stream (the tail of a cut mp4, for instance).
    """
    raw = bool(container.format.flags & _NO_TIMESTAMPS)
    suffix = Path(name).suffix.lower()
    if raw and suffix in CONTAINER_SUFFIXES:
        raise SourceError(f"{name}: not a complete {suffix[1:]} file, only a bare "
                          f"{stream.codec_context.name} stream was found (cut or truncated?)")
    count, present, pts = 0, 0, []
    for packet in _packets(container, stream):
        present += bool(packet.size)
        if packet.size and not packet.is_discard:
            count += 1
            if packet.pts is not None:
                pts.append(packet.pts)
    header = stream.codec_context.framerate if raw else stream.average_rate
    header_fps = None if header is None else float(header)
    time_base = Fraction(stream.time_base or 1)
    stamped = None if raw else timestamp_fps(np.array(pts, np.int64), time_base)
    fps, fps_from = choose_fps(plausible_fps(header_fps), stamped)
    return Timing(fps=fps, fps_from=fps_from, header_fps=header_fps,
                  time_base=time_base, frame_count=count,
                  origin=min(pts) if stamped is not None else None,
                  missing_frames=max(0, stream.frames - present))


def _packets(container: av.container.InputContainer, stream: av.video.stream.VideoStream
             ) -> Iterator[av.Packet[av.video.stream.VideoStream]]:
    """The stream's packets; a container that breaks off ends them."""
    packets = container.demux(stream)
    while True:
        try:
            yield next(packets)
        except (StopIteration, av.error.FFmpegError):
            return


def _decoded(container: av.container.InputContainer, stream: av.video.stream.VideoStream
             ) -> Iterator[av.VideoFrame | None]:
    """The stream's frames in presentation order, None in place of each packet that could not
    be decoded."""
    for packet in _packets(container, stream):
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            yield None
            continue
        yield from frames


class _Clock:
    """Seconds from the first frame: a frame's timestamp, or for a file without timestamps (or
    a frame without one) one nominal interval after the previous frame. Times always increase.
    """

    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self.last: float | None = None
        self.slots = 0     # frames decoded or skipped so far
        self.skips = 0     # frames skipped since the last decoded one

    def _expected(self) -> float:
        if self.timing.origin is None or self.last is None:
            return self.slots / self.timing.fps
        return self.last + (self.skips + 1) / self.timing.fps

    def frame(self, pts: int | None) -> float:
        """The time of a decoded frame with timestamp ``pts``."""
        origin, base = self.timing.origin, self.timing.time_base
        now = (self._expected() if origin is None or pts is None   # int / int rounds exactly
               else (pts - origin) * base.numerator / base.denominator)
        if self.last is not None and now <= self.last:
            now = self.last + 1.0 / self.timing.fps
        self.last, self.slots, self.skips = now, self.slots + 1, 0
        return now

    def skipped(self) -> float:
        """The likely time of a frame that could not be decoded."""
        when = self._expected()
        self.slots, self.skips = self.slots + 1, self.skips + 1
        return when


class FileSource:
    """Frames of a video file decoded with PyAV, optionally a sub-range ``[start, stop)``.

    Frames are numbered 0, 1, 2, ... in the order they decode, without gaps: frames that cannot
    be decoded are skipped and recorded (see :meth:`meta`), so row ``i`` of a track made from
    the whole file is frame ``i``. Times are presentation timestamps in seconds from the first
    frame (see :class:`Timing`). A sub-range decodes from the start of the file, so its
    indices and times are those of a full read. The file is reopened for each iteration, so a
    source can be read twice.

    fps : nominal frame rate (:attr:`Timing.fps`).
    frame_size : (width, height) in pixels.
    frame_count : the number of packets in the file: an estimate of its frames (a damaged
        packet gives none, a rare codec gives two).
    """

    is_live = False

    def __init__(self, path: str, start: int = 0, stop: int | None = None) -> None:
        self.name, self.start, self.stop = path, start, stop
        with self._open() as container:
            self.timing = probe_timing(container, self._stream(container), path)
        with self._open() as container:
            frames = _decoded(container, self._stream(container))
            first = next((f for f in frames if f is not None), None)
        if first is None:
            raise SourceError(f"{path}: no decodable frames (corrupt or unsupported video)")
        self.fps = self.timing.fps
        self.frame_size = (first.width, first.height)
        self.frame_count = self.timing.frame_count
        self._unreadable: list[tuple[int, float]] = []   # (next frame's index, time)
        self._reads = 0

    def _open(self) -> av.container.InputContainer:
        try:
            return av.open(self.name)
        except (av.error.FFmpegError, OSError, ValueError):
            raise SourceError(f"{self.name}: cannot be opened as a video "
                              "(corrupt or unsupported format)") from None

    def _stream(self, container: av.container.InputContainer) -> av.video.stream.VideoStream:
        if not container.streams.video:
            raise SourceError(f"{self.name}: holds no video stream")
        return container.streams.video[0]

    def __iter__(self) -> Iterator[Frame]:
        unreadable: list[tuple[int, float]] = []
        self._reads += 1
        read = self._reads
        try:
            with self._open() as container:
                stream = self._stream(container)
                stream.thread_type = "AUTO"
                clock, index = _Clock(self.timing), 0
                to_bgr = VideoReformatter()   # one converter (and thread pool) for all frames
                for decoded in _decoded(container, stream):
                    if self.stop is not None and index >= self.stop:
                        break
                    if decoded is None:
                        unreadable.append((index, clock.skipped()))
                        continue
                    now = clock.frame(decoded.pts)
                    if index >= self.start:
                        yield Frame(index, now, to_bgr.reformat(decoded, format="bgr24")
                                    .to_ndarray())
                    index += 1
        finally:   # an abandoned earlier read, closed late, does not overwrite a later one
            if read == self._reads:
                self._unreadable = unreadable

    def meta(self, since: int | None = None) -> dict[str, Any]:
        """What the last read found, as JSON data for ``PoseTrack.meta`` (worded by
        :func:`source_notes`): how frames were timed, frames missing from a file cut short, and
        the times of the frames that could not be decoded, leaving out those before frame
        ``since`` (default: the range's start)."""
        first = self.start if since is None else since
        header = self.timing.header_fps
        return {"fps": round(self.fps, 3), "fps_from": self.timing.fps_from,
                "missing_frames": self.timing.missing_frames,
                "header_fps": round(header, 3) if header is not None and np.isfinite(header)
                else None,
                "unreadable_times": [round(t, 3) for i, t in self._unreadable if i >= first]}

    def close(self) -> None:
        """Nothing stays open between iterations."""


def source_notes(meta: Mapping[str, Any]) -> list[str]:
    """One-line report notes from a track's meta (see :meth:`FileSource.meta`): a frame rate that
    had to be taken from the timestamps or assumed, a file cut short, and frames that could not
    be decoded."""
    notes = []
    header = meta.get("header_fps")
    if meta.get("fps_from") == "nominal":
        notes.append("the video has neither a usable frame rate nor timestamps: it was timed at "
                     f"a nominal {meta.get('fps', NOMINAL_FPS):g} fps, so durations and rep "
                     "times may be off")
    elif meta.get("fps_from") == "timestamps" and plausible_fps(header) is None:
        stated = "none" if header is None else f"{header:g} fps"
        notes.append(f"the video header's frame rate ({stated}) is unusable: frames were timed "
                     f"by their timestamps ({meta.get('fps', 0):.3g} fps)")
    missing = meta.get("missing_frames") or 0
    if missing:
        notes.append(f"the file is cut short: the last {missing} of the frames its index lists "
                     "are missing")
    times = meta.get("unreadable_times") or []
    if times:
        frames = "1 damaged frame" if len(times) == 1 else f"{len(times)} damaged frames"
        notes.append(f"{frames} could not be decoded and {'was' if len(times) == 1 else 'were'} "
                     f"skipped, at {_spans(times)}")
    return notes


def _spans(times: list[float], gap: float = 0.5, shown: int = 5) -> str:
    """Times grouped into spans no more than ``gap`` s apart: ``"3.1 s, 5.0-5.9 s"``."""
    spans: list[list[float]] = []
    for t in sorted(times):
        if spans and t - spans[-1][1] <= gap:
            spans[-1][1] = t
        else:
            spans.append([t, t])
    text = ", ".join(f"{a:.1f} s" if b - a < 0.05 else f"{a:.1f}-{b:.1f} s"
                     for a, b in spans[:shown])
    return text + (f" and {len(spans) - shown} more places" if len(spans) > shown else "")


class CaptureSource:
    """Frames of a camera (an index) or a stream URL, read with OpenCV and timed by the wall
    clock from the first frame."""

    is_live = True

    def __init__(self, target: str | int) -> None:
        self.target = target
        self.name = str(target)
        self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            raise SourceError(f"{self.name}: cannot be opened as a video "
                              "(unsupported stream or no such camera)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = plausible_fps(fps) or NOMINAL_FPS
        self.frame_size = (int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                           int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.frame_count: int | None = None

    def __iter__(self) -> Iterator[Frame]:
        index, started = 0, time.monotonic()
        while True:
            ok, image = self._capture.read()
            if not ok:
                return
            yield Frame(index, time.monotonic() - started, image)
            index += 1

    def meta(self, since: int | None = None) -> dict[str, Any]:
        """Nothing to report: a live source is timed by the clock."""
        return {}

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource:
    """Images of a folder in name order, as frames at a nominal ``fps``."""

    def __init__(self, folder: Path, fps: float = 30.0) -> None:
        self.name = str(folder)
        self.is_live = False
        self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise SourceError(f"{folder}: folder holds no images")
        first = self._read(self.paths[0])
        self.fps = float(fps)
        self.frame_size = (first.shape[1], first.shape[0])
        self.frame_count = len(self.paths)

    def _read(self, path: Path) -> np.ndarray:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(f"{path}: cannot be read as an image")
        return image

    def __iter__(self) -> Iterator[Frame]:
        for index, path in enumerate(self.paths):
            yield Frame(index, index / self.fps, self._read(path))

    def meta(self, since: int | None = None) -> dict[str, Any]:
        """Nothing to report: images are timed at the nominal rate."""
        return {}

    def close(self) -> None:
        """Nothing to release."""


class FrameSource(Protocol):
    """What every source offers (a video file, a camera or stream, an image folder): frames
    in order, re-iterable for files, with a nominal rate and size, notes for the report."""

    @property
    def name(self) -> str: ...

    @property
    def is_live(self) -> bool: ...

    @property
    def fps(self) -> float: ...

    @property
    def frame_size(self) -> tuple[int, int]: ...

    @property
    def frame_count(self) -> int | None: ...

    def __iter__(self) -> Iterator[Frame]: ...

    def meta(self, since: int | None = None) -> dict[str, Any]: ...

    def close(self) -> None: ...


def open_source(target: str | int | Path, start: int = 0, stop: int | None = None) -> FrameSource:
    """Open a camera index (``0`` or ``"0"``), a URL, a video file or a folder of images;
    ``[start, stop)`` selects frames of a video file.

    Raises SourceError for a missing path, an empty folder, or a file that is not a readable
    video with at least one frame.
    """
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return CaptureSource(int(target))
    if isinstance(target, str) and "://" in target:
        return CaptureSource(target)
    path = Path(target)
    if path.is_dir():
        return ImageFolderSource(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: file is empty")
    return FileSource(str(path), start, stop)
