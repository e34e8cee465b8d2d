"""Writing frames to a video that browsers play, with PyAV: VP9 in WebM, or H.264 in MP4.

Each frame keeps its own time (a variable frame rate is written as such), so the video plays
at the speed it was recorded. The encoder settings cost a few milliseconds a frame at 640x480
(``libvpx-vp9`` in real-time mode, speed 6: about 140 frames/s on one core, against about
46 frames/s for the full pose model).

>>> import tempfile, numpy as np
>>> path = Path(tempfile.mkdtemp()) / "clip.webm"
>>> with VideoWriter(path, (64, 48), fps=10.0) as writer:
...     for i in range(5):
...         writer.write(np.full((48, 64, 3), 40 * i, np.uint8), i / 10)
>>> path.stat().st_size > 0
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Literal

import av
import numpy as np

from posecheck.errors import OutputError

#: Timestamps are written in milliseconds.
TIME_BASE = Fraction(1, 1000)


@dataclass(frozen=True)
class Encoding:
    """A container format and the encoder and settings used in it."""

    container: str
    codec: Literal["libvpx-vp9", "libx264"]
    options: dict[str, str] = field(default_factory=dict)
    container_options: dict[str, str] = field(default_factory=dict)


#: The encodings by file suffix. VP9/WebM is BSD-licensed and plays in every current browser;
#: H.264/MP4 (libx264, GPL, bundled in PyAV's wheels) plays everywhere too, Safari included;
#: it is written without B-frames, which with a variable frame rate make MP4's duration wrong.
ENCODINGS = {
    ".webm": Encoding("webm", "libvpx-vp9",
                      {"deadline": "realtime", "cpu-used": "6", "row-mt": "1", "crf": "32",
                       "b:v": "0"}),
    ".mp4": Encoding("mp4", "libx264", {"preset": "veryfast", "crf": "23", "bf": "0"},
                     {"movflags": "+faststart"}),
}


def encoder_available(codec: str) -> bool:
    """Whether the installed PyAV's FFmpeg has the encoder ``codec``."""
    try:
        av.codec.Codec(codec, "w")
    except (av.error.FFmpegError, ValueError):
        return False
    return True


def encoding_for(path: Path) -> Encoding:
    """The encoding for ``path``'s suffix; OutputError (one line naming the path) for a suffix
    browsers cannot play from us, or an encoder this PyAV build lacks.

    A ``.mp4`` name is refused, not silently written as ``.webm``, when H.264 is missing: a
    file under another name than asked for would break the user's links and scripts, and the
    check runs before any work.
    """
    suffix = path.suffix.lower()
    encoding = ENCODINGS.get(suffix)
    if encoding is None:
        raise OutputError(f"{path}: an annotated video is written as .webm (VP9) or .mp4 "
                          f"(H.264), which browsers play; not as '{suffix or 'no suffix'}'")
    if not encoder_available(encoding.codec):
        raise OutputError(f"{path}: this PyAV build has no {encoding.codec} encoder: name the "
                          f"annotated video .webm (VP9) instead")
    return encoding


class VideoWriter:
    """Frames (BGR uint8 arrays) with their times in seconds, encoded to ``path``.

    ``frame_size`` is (width, height); odd sizes lose their last column or row (4:2:0 colour
    needs even ones). ``fps`` is the nominal rate, used for the last frame's duration.
    """

    def __init__(self, path: Path, frame_size: tuple[int, int], fps: float) -> None:
        encoding = encoding_for(path)
        self.width, self.height = (frame_size[0] // 2 * 2, frame_size[1] // 2 * 2)
        self.frame_ms = max(1, round(1000 / fps)) if fps > 0 else 33
        self._container = av.open(str(path), "w", format=encoding.container,
                                  options=encoding.container_options)
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        self._stream = self._container.add_stream(encoding.codec, rate=rate)
        self._stream.width, self._stream.height = self.width, self.height
        self._stream.pix_fmt = "yuv420p"
        self._stream.thread_count = 1
        self._stream.codec_context.time_base = TIME_BASE
        self._stream.options = dict(encoding.options)
        self._pending: tuple[av.VideoFrame, int] | None = None   # the last frame, its pts

    def write(self, image: np.ndarray, time_s: float) -> None:
        """Add a frame shown from ``time_s`` (times must increase; equal milliseconds are
        moved one millisecond on)."""
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(image[:self.height, :self.width]), format="bgr24")
        pts = round(time_s * 1000)
        if self._pending is not None:
            pending, pending_pts = self._pending
            pts = max(pts, pending_pts + 1)
            self._encode(pending, pts - pending_pts)
        frame.pts = pts
        frame.time_base = TIME_BASE
        self._pending = frame, pts

    def _encode(self, frame: av.VideoFrame | None, duration_ms: int = 0) -> None:
        if frame is not None:
            frame.duration = duration_ms
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Encode the last frame (lasting one nominal interval), flush and close the file."""
        try:
            if self._pending is not None:
                self._encode(self._pending[0], self.frame_ms)
                self._pending = None
            self._encode(None)
        finally:
            self._container.close()

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # the part file is removed by its owner; just release the encoder
            self._container.close()
