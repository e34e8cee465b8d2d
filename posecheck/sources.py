"""Frame sources: a video file, a camera index, a stream URL or a folder of images.

Every source is an iterable of :class:`Frame` with a nominal ``fps`` and ``frame_size``.
Problems opening or reading a source raise :class:`SourceError`, whose message is one line
naming the source and the problem.

Example
-------
>>> src = open_source("sample_videos/bird_dog_clean.mp4")   # doctest: +SKIP
>>> for frame in src: ...                                    # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from posecheck.errors import PosecheckError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif", ".mpg", ".mpeg"}


class SourceError(PosecheckError):
    """A source cannot be opened or read; the message names it and the problem."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame. image : (H, W, 3) uint8 BGR; time : seconds from the start."""

    index: int
    time: float
    image: np.ndarray


class VideoSource:
    """Frames of a video file or stream, optionally a sub-range ``[start, stop)`` of frames.

    Timestamps are ``index / fps`` for files (exact and repeatable) and the wall clock for
    cameras and streams. A file is reopened for each iteration, so a source can be read twice.
    """

    def __init__(self, target: str | int, start: int = 0, stop: int | None = None) -> None:
        self.target = target
        self.name = str(target)
        self.is_live = isinstance(target, int) or "://" in str(target)
        self.start, self.stop = start, stop
        capture = self._open()
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and np.isfinite(fps) and 1.0 <= fps <= 1000.0 else 30.0
        self.frame_size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                           int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = None if self.is_live or count <= 0 else count
        if self.is_live:
            self._live_capture: cv2.VideoCapture | None = capture
        else:
            ok, _ = capture.read()
            capture.release()
            self._live_capture = None
            if not ok:
                raise SourceError(f"{self.name}: no decodable frames (corrupt or unsupported video)")

    def _open(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            raise SourceError(f"{self.name}: cannot be opened as a video "
                              "(corrupt, unsupported format or no such camera)")
        return capture

    def __iter__(self) -> Iterator[Frame]:
        capture = self._live_capture or self._open()
        index, started = 0, time.monotonic()
        try:
            while self.stop is None or index < self.stop:
                if index < self.start:
                    ok = capture.grab()
                else:
                    ok, image = capture.read()
                if not ok:
                    break
                if index >= self.start:
                    t = time.monotonic() - started if self.is_live else index / self.fps
                    yield Frame(index, t, image)
                index += 1
        finally:
            if not self.is_live:
                capture.release()

    def close(self) -> None:
        if self._live_capture is not None:
            self._live_capture.release()


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

    def close(self) -> None:
        """Nothing to release."""


FrameSource = VideoSource | ImageFolderSource


def open_source(target: str | int | Path, start: int = 0, stop: int | None = None) -> FrameSource:
    """Open a camera index (``0`` or ``"0"``), a URL, a video file or a folder of images.

    Raises SourceError for a missing path, an empty folder, or a file that is not a readable
    video with at least one frame.
    """
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return VideoSource(int(target))
    if isinstance(target, str) and "://" in target:
        return VideoSource(target)
    path = Path(target)
    if path.is_dir():
        return ImageFolderSource(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: file is empty")
    return VideoSource(str(path), start, stop)
