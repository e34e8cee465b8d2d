"""A capture thread that always hands over the newest frame.

A camera produces frames whether or not the pose model keeps up. Queuing them would add
latency without bound, so the thread keeps one slot: a new frame replaces an unread one, which
is counted as dropped. A video file can stand in for the camera: ``realtime=True`` paces it to
its own frame rate (frames dropped exactly as a camera's would be); otherwise every frame is
handed over in lockstep with the consumer (no drops, the same frames ``analyze`` sees).

A camera or stream that stops delivering is reopened with growing pauses; after ``retries``
failures the capture ends and :attr:`LatestFrameCapture.message` says why.

Example
-------
>>> with LatestFrameCapture("sample_videos/bird_dog_clean.mp4") as cap:   # doctest: +SKIP
...     while (frame := cap.get()) is not None:
...         process(frame.image)
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

import numpy as np

from posecheck.io.sources import Frame, SourceError, open_source


@dataclass(frozen=True)
class Captured:
    """A frame as handed over.

    index : sequence number of the frame in the capture (0, 1, ...; gaps are dropped frames).
    time : seconds on the session clock (video time for files, wall clock for cameras).
    stamp : ``time.perf_counter()`` when the frame was read (in lockstep mode: handed over,
        as the reader waits for the consumer), for latency measurements.
    image : (H, W, 3) uint8 BGR.
    """

    index: int
    time: float
    stamp: float
    image: np.ndarray


#: Opens a source and returns its frames, fps and frame size; raises SourceError.
Opener = Callable[[], tuple[Iterable[Frame], float, tuple[int, int]]]


def _default_opener(target: str | int) -> Opener:
    def open_frames() -> tuple[Iterable[Frame], float, tuple[int, int]]:
        source = open_source(target)
        return source, source.fps, source.frame_size
    return open_frames


def is_live_target(target: str | int) -> bool:
    """A camera index or a stream URL (as opposed to a file standing in for a camera)."""
    return isinstance(target, int) or str(target).isdigit() or "://" in str(target)


class LatestFrameCapture:
    """Reads a source on a thread; :meth:`get` returns the newest unread frame.

    target : camera index, stream URL or video file.
    realtime : for a file, pace frames to its frame rate and drop what the consumer misses.
        Cameras and URLs always run in real time.
    retries, backoff_s : reopen attempts for a camera or stream that stops, and the first
        pause between them (doubling each time, at most 8 s).
    on_message : called with one-line messages (camera lost, reconnected, gave up).
    opener : replaces :func:`posecheck.io.sources.open_source` (tests, other sources).
    """

    def __init__(self, target: str | int, realtime: bool = False, retries: int = 5,
                 backoff_s: float = 0.5, on_message: Callable[[str], None] | None = None,
                 opener: Opener | None = None, live: bool | None = None) -> None:
        self.target = target
        self.name = f"camera {target}" if str(target).isdigit() else str(target)
        self.live = is_live_target(target) if live is None else live
        self.realtime = realtime or self.live
        self.retries, self.backoff_s = retries, backoff_s
        self.on_message = on_message or (lambda message: None)
        self._open = opener or _default_opener(target)
        frames, self.fps, self.frame_size = self._open()   # raises SourceError up front
        self._first: Iterable[Frame] | None = frames
        self.captured = 0
        self.dropped = 0
        self.message: str | None = None
        self._slot: Captured | None = None
        self._done = False
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="posecheck-capture", daemon=True)

    # -- consumer side -------------------------------------------------------------------
    def start(self) -> "LatestFrameCapture":
        self._thread.start()
        return self

    def get(self, timeout: float | None = None) -> Captured | None:
        """The newest frame not handed over yet; waits for one. None when the capture has
        ended (source finished, camera gone) or ``timeout`` passed."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._slot is not None or self._done, timeout):
                return None
            frame, self._slot = self._slot, None
            self._cond.notify_all()
        if not self.realtime and frame is not None:   # lockstep: latency starts at hand-over
            frame = replace(frame, stamp=time.perf_counter())
        return frame

    @property
    def finished(self) -> bool:
        """The source has ended and every frame has been handed over or dropped."""
        with self._cond:
            return self._done and self._slot is None

    def stop(self) -> None:
        """Stop reading (the thread ends within one frame) and release the source."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "LatestFrameCapture":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- capture thread ------------------------------------------------------------------
    def _put(self, frame: Captured) -> None:
        with self._cond:
            if not self.realtime:       # lockstep: wait until the consumer took the last one
                self._cond.wait_for(lambda: self._slot is None or self._stop.is_set())
            if self._slot is not None:
                self.dropped += 1
            self._slot = frame
            self.captured += 1
            self._cond.notify_all()

    def _frames(self) -> Iterator[Frame]:
        """Frames across reconnections; ends when the source ends or retries run out."""
        frames, failures = self._first, 0
        self._first = None
        while not self._stop.is_set():
            if frames is None:
                try:
                    frames, _, _ = self._open()
                except SourceError as exc:
                    frames = None
                    problem = str(exc)
                else:
                    self.on_message(f"{self.name}: reconnected")
                    failures = 0
            got_any = False
            if frames is not None:
                for frame in frames:
                    got_any = True
                    yield frame
                    if self._stop.is_set():
                        break
                problem = f"{self.name}: no more frames"
                close = getattr(frames, "close", None)
                if close is not None:
                    close()
                frames = None
            if not self.live or self._stop.is_set():
                return
            failures = 0 if got_any else failures + 1
            if failures >= self.retries:
                self.message = f"{self.name}: lost, gave up after {self.retries} retries"
                self.on_message(self.message)
                return
            pause = min(8.0, self.backoff_s * 2 ** failures)
            self.on_message(f"{problem}; retrying in {pause:.1f} s")
            self._stop.wait(pause)

    def _run(self) -> None:
        started = time.perf_counter()
        index = 0
        try:
            for frame in self._frames():
                stamp = time.perf_counter()
                if self.live:
                    t = stamp - started
                else:
                    t = frame.time
                    if self.realtime:       # a file as a camera: not faster than its clock
                        self._stop.wait(max(0.0, started + t - stamp))
                        stamp = time.perf_counter()
                self._put(Captured(index, t, stamp, frame.image))
                index += 1
        except SourceError as exc:
            self.message = str(exc)
            self.on_message(self.message)
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()
