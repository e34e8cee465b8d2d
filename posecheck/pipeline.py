"""Recorded-video analysis as a function: landmarks (one process, chunks on worker processes,
or several people), metrics, the checker (recorded or live mode) and the report as a dict.
Writing files (JSON, CSV, HTML, track, annotated video) is :mod:`posecheck.analyze_run`'s job.

Example
-------
>>> result = analyze("sample_videos/bird_dog_clean.mp4", "bird_dog")   # doctest: +SKIP
>>> result.report["reps"]                                               # doctest: +SKIP
{'left': 2, 'right': 2, 'total': 4}
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
from queue import Empty
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from posecheck.blockwise import metric_blocks, switch_times_by_block, track_metrics
from posecheck.checking.checker import Checker
from posecheck.checking.records import Summary
from posecheck.checking.recorded import RECORDED_SETUP_HOLD, neutral_from_clip
from posecheck.pose.estimator import PoseEstimator, PoseSink, estimate_frames
from posecheck.pose.estimator_cache import open_estimator
from posecheck.checking.events import Event
from posecheck.measure.metrics import Metrics
from posecheck.pose.people import (PROBE_MAX_PEOPLE, estimate_people_track, people_in_view,
                                   switch_notes)
from posecheck.outputs.report import build_report
from posecheck.pose.sampling import analysed_fps, at_rate
from posecheck.io.sources import Frame, FrameSource, open_source, source_notes
from posecheck.checking.spec import Spec, load_spec
from posecheck.io.spill import BLOCK_ROWS, is_mapped, spill_folder
from posecheck.pose.track import FramePose, PoseTrack
from posecheck.pose.track_spill import SealedTrack, TrackSpill

#: Frames each worker chunk re-reads before its own range so tracking has settled.
CHUNK_WARMUP_S = 1.0
#: What decoding a frame a chunk skips (every frame before its warm-up: a file range is
#: decoded from the start) costs, in model frames: 0.63 ms for a 640x480 frame against 36 ms
#: of the full model (measured, 5-minute bird-dog loop, load 6).
SKIP_DECODE_COST = 0.02
#: Videos shorter than this many frames per worker run in one process.
MIN_FRAMES_PER_WORKER = 120
#: Videos of more frames than this (10 minutes at 30 fps), or of unknown length, keep their
#: track and metrics on disk (:mod:`posecheck.pose.track_spill`): in memory they would take
#: over 110 MB at the peak (about 6 KB a frame, ``benchmarks/README.md``), 6.6 GB for ten
#: hours. Shorter ones stay in memory: no disk traffic, and an analysis sent back from a
#: worker process or a cluster is pickled whole anyway.
SPILL_MIN_FRAMES = 18_000

Progress = Callable[[int], None]


@dataclass
class Analysis:
    """Everything one analysis produced."""

    track: PoseTrack
    metrics: Metrics
    events: list[Event]
    report: dict[str, Any]
    spec: Spec


def default_workers() -> int:
    """The number of usable cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Frames a worker processes between two progress messages.
PROGRESS_EVERY = 10
#: The progress queue of a worker process (set by :func:`_init_worker`), or None.
_progress_queue: Any = None


#: Set by the parent when the run is stopped (an Event shared with the workers), or None.
_stop_event: Any = None


def _init_worker(queue: Any, stop: Any) -> None:
    """Runs once in each worker process (which ignores SIGINT: the parent stops the run
    through ``stop``, between two frames): remember the progress queue and the stop event."""
    global _progress_queue, _stop_event
    _progress_queue, _stop_event = queue, stop


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored in the block, so that processes started in it inherit it ignored (only
    the main thread may change signal handling; elsewhere the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop_requested(_frame: Any = None, _pose: Any = None) -> None:
    """Between two frames of a worker's chunk: raise KeyboardInterrupt if the parent stopped
    the run (raised here, outside MediaPipe's native calls, it interrupts nothing unsafe)."""
    if _stop_event is not None and _stop_event.is_set():
        raise KeyboardInterrupt


class _FromFrame:
    """A sink that keeps the poses of the frames from ``start`` on: a chunk's warm-up frames
    go through the model only. ``frames(...)`` wraps the frames the model sees."""

    def __init__(self, into: PoseSink, start: int) -> None:
        self.into, self.start, self.index = into, start, -1

    def frames(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        for frame in frames:
            self.index = frame.index
            yield frame

    def append(self, pose: FramePose) -> None:
        if self.index >= self.start:
            self.into.append(pose)


def _estimate_chunk(target: str, start: int, stop: int, warmup: int, model: str,
                    segmentation: bool, analysis_fps: float | None = None,
                    spill_to: str | None = None) -> PoseTrack | SealedTrack:
    """Landmarks of frames [start, stop), after re-reading ``warmup`` frames before start.
    Its meta tells what the source found in [start, stop) (see :meth:`FileSource.meta`).
    ``spill_to``: a folder to write the track to (returned sealed) instead of memory."""
    source = open_source(target, max(0, start - warmup), stop)
    queue = _progress_queue
    reported = start

    def report(frame: Frame, _pose: FramePose) -> None:
        nonlocal reported
        _stop_requested()
        if frame.index + 1 - reported >= PROGRESS_EVERY:
            queue.put(frame.index + 1 - reported)
            reported = frame.index + 1

    spill = TrackSpill(Path(spill_to)) if spill_to is not None else None
    poses: list[FramePose] = []
    kept = _FromFrame(spill if spill is not None else poses, start)
    meta: dict[str, Any] = {}
    with PoseEstimator(model, segmentation=segmentation) as estimator:
        try:
            estimate_frames(kept.frames(at_rate(source, analysis_fps)), estimator, kept,
                            report if queue is not None else _stop_requested)
        except KeyboardInterrupt:  # the run was stopped: return the frames done
            meta["interrupted"] = True
    if queue is not None:
        queue.put(stop - reported)
    meta = {**source.meta(since=start), **meta}
    fps = analysed_fps(source.fps, analysis_fps)
    if spill is not None:
        return spill.sealed(fps, source.frame_size, source.name, model, meta)
    track = PoseTrack.from_frames(poses, fps, source.frame_size, source.name, model)
    track.meta.update(meta)
    return track


def estimate_video(target: str | int, model: str = "full", workers: int = 1,
                   segmentation: bool = True, progress: Progress | None = None,
                   min_frames_per_worker: int = MIN_FRAMES_PER_WORKER,
                   max_people: int = 1, score: Callable[[PoseTrack], float] | None = None,
                   analysis_fps: float | None = None, spill_dir: str | Path | None = None,
                   spill_min_frames: int | None = SPILL_MIN_FRAMES) -> PoseTrack:
    """The PoseTrack of a video, split across ``workers`` processes for long files.

    ``max_people`` > 1 looks for several people and follows the one who exercises
    (:mod:`posecheck.pose.people`, judged by ``score``; one process, since identities span the
    whole clip). ``analysis_fps``: run the model on at most this many frames a second
    (:mod:`posecheck.pose.sampling`).

    Each chunk starts its own PoseLandmarker ``CHUNK_WARMUP_S`` before its range, so the
    merged track matches a single-process run except for a frame or two at chunk starts.

    A video of more than ``spill_min_frames`` frames (None: never), or of unknown length,
    is spilled: its track is written to a spill folder in ``spill_dir`` (default: the system's
    temporary folder) as the model runs and comes back mapped from disk (:mod:`posecheck.pose.
    track_spill`), so memory does not grow with its length. Several people: always in memory.
    """
    source = open_source(target)
    count = source.frame_count
    spilling = spill_min_frames is not None and (count is None or count > spill_min_frames)
    if max_people > 1:
        with open_estimator(model, segmentation, max_people) as estimator:
            track = estimate_people_track(
                at_rate(source, analysis_fps), estimator, analysed_fps(source.fps, analysis_fps),
                source.frame_size, source.name,
                (lambda f: progress(1)) if progress else None, score)
        track.meta.update(source.meta())
        return track
    with spill_folder(spill_dir) if spilling else nullcontext(None) as folder:
        if source.is_live or count is None or workers <= 1 or \
                count < workers * min_frames_per_worker:
            return _estimate_here(source, model, segmentation, progress, analysis_fps, folder)
        return _estimate_chunks(source, count, model, workers, segmentation, progress,
                                analysis_fps, folder)


def _estimate_here(source: FrameSource, model: str, segmentation: bool,
                   progress: Progress | None, analysis_fps: float | None,
                   folder: Path | None) -> PoseTrack:
    """The track of a whole source, in this process (spilled into ``folder`` if given)."""
    spill = TrackSpill(folder / "track") if folder is not None else None
    poses: list[FramePose] = []
    interrupted = False
    with open_estimator(model, segmentation) as estimator:
        try:
            estimate_frames(at_rate(source, analysis_fps), estimator,
                            spill if spill is not None else poses,
                            (lambda f, p: progress(1)) if progress else None)
        except KeyboardInterrupt:  # keep the work done so far: it gets its report
            interrupted = True
    fps = analysed_fps(source.fps, analysis_fps)
    track = (spill.track(fps, source.frame_size, source.name, model) if spill is not None
             else PoseTrack.from_frames(poses, fps, source.frame_size, source.name, model))
    track.meta.update(source.meta())
    if interrupted:
        track.meta["interrupted"] = True
    return track


def _estimate_chunks(source: FrameSource, count: int, model: str, workers: int,
                     segmentation: bool, progress: Progress | None,
                     analysis_fps: float | None, folder: Path | None) -> PoseTrack:
    """The track of a video file split into ``workers`` chunks on as many processes (each
    spilled into a sub-folder of ``folder`` if given, then joined there)."""
    warmup = int(round(CHUNK_WARMUP_S * source.fps))
    bounds = chunk_bounds(count, workers, warmup)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue() if progress else None
    stop = context.Event()
    interrupted = False
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(queue, stop))
    try:
        with _sigint_ignored():  # the workers start here and keep ignoring Ctrl-C
            futures = [pool.submit(_estimate_chunk, source.name, int(a), int(b), warmup, model,
                                   segmentation, analysis_fps,
                                   None if folder is None else str(folder / f"chunk-{k}"))
                       for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]
        try:
            while progress is not None and queue is not None and \
                    not all(f.done() for f in futures):
                try:
                    progress(queue.get(timeout=0.2))
                except Empty:
                    continue
            wait(futures)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the workers stop after their current
            interrupted = True     # frame and return what they did
            stop.set()
    finally:   # the workers exit (model and interpreter teardown: 0.5-2.7 s, measured) while
        pool.shutdown(wait=False)   # this process joins the chunks and checks them
    while progress is not None and queue is not None and not interrupted:  # messages in flight
        try:
            progress(queue.get(timeout=0.05))
        except Empty:
            break
    return _leading_frames([_chunk(f, interrupted) for f in futures], source, model,
                           interrupted, folder)


def chunk_bounds(count: int, chunks: int, warmup: int,
                 skip_cost: float = SKIP_DECODE_COST) -> np.ndarray:
    """(chunks + 1,) frame bounds that give each chunk of a ``count``-frame video the same
    work: a chunk after the first also runs the model on the ``warmup`` frames before its
    range and decodes every frame before those (``skip_cost`` model frames each), so later
    chunks get fewer frames of their own.

    With the cost C of each chunk and s_k its first frame, s_1 = C and
    s_(k+1) = s_k + C - warmup - skip_cost (s_k - warmup): s_k is linear in C, which
    s_chunks = count fixes.
    """
    first, per_cost = np.zeros(chunks + 1), np.zeros(chunks + 1)   # s_k = first + per_cost C
    per_cost[1] = 1.0
    for k in range(1, chunks):
        first[k + 1] = (1 - skip_cost) * (first[k] - warmup)
        per_cost[k + 1] = (1 - skip_cost) * per_cost[k] + 1
    cost = (count - first[-1]) / per_cost[-1]
    bounds = np.clip(np.round(first + per_cost * cost), 0, count).astype(int)
    bounds[-1] = count
    return np.maximum.accumulate(bounds)


def _chunk(future: Future[PoseTrack | SealedTrack], interrupted: bool) -> PoseTrack | None:
    """A chunk's track (opened if it was spilled); None for a chunk lost to the interruption
    (a worker killed by the same SIGTERM, say)."""
    try:
        chunk = future.result()
        return chunk.open() if isinstance(chunk, SealedTrack) else chunk
    except (BrokenProcessPool, CancelledError):
        if not interrupted:
            raise
        return None


def _leading_frames(chunks: list[PoseTrack | None], source: Any, model: str,
                    interrupted: bool, folder: Path | None = None) -> PoseTrack:
    """The chunks joined (in a spill in ``folder`` if given), up to the first one that was cut
    short: an interrupted run's track covers the frames from the start that were all analysed.
    """
    done: list[PoseTrack] = []
    for chunk in chunks:
        if chunk is not None:
            done.append(chunk)
        if chunk is None or chunk.meta.get("interrupted"):
            interrupted = True
            break
    track = (_joined(done, folder) if done else
             PoseTrack.empty(source.fps, source.frame_size, source.name, model))
    track.meta.update(source.meta())   # how the file is timed, the same for every chunk
    track.meta["unreadable_times"] = [t for c in done for t in c.meta.get("unreadable_times", [])]
    if interrupted:
        track.meta["interrupted"] = True
    return track


def _joined(tracks: list[PoseTrack], folder: Path | None) -> PoseTrack:
    """Tracks joined end to end (metadata from the first), in memory or in a spill."""
    if folder is None:
        return PoseTrack.concatenate(tracks)
    spill = TrackSpill(folder / "joined")
    for track in tracks:
        spill.extend(track)
    first = tracks[0]
    joined = spill.track(first.fps, first.frame_size, first.source, first.model)
    joined.meta.update(first.meta)
    return joined


def exercise_metrics(track: PoseTrack, spill_dir: str | Path | None = None,
                     frames: int = BLOCK_ROWS) -> Metrics:
    """Kinematic metrics of a track with left/right flickers undone, smoothed causally exactly
    as a live session does (:func:`posecheck.blockwise.track_metrics`). A track mapped from
    disk is read a block at a time and its metrics go to a spill in ``spill_dir`` (default:
    the system's temporary folder). ``frames``: frames read at a time."""
    if not is_mapped(track.times):
        return track_metrics(track, frames)
    return track_metrics(track, frames, spill_dir or tempfile.gettempdir())


def check(track: PoseTrack, spec: Spec, strictness: str = "standard", mode: str = "recorded",
          spill_dir: str | Path | None = None, frames: int = BLOCK_ROWS
          ) -> tuple[Metrics, list[Event], Summary]:
    """Run the checker over a whole track: metrics, events and the checker's summary.

    ``mode="recorded"`` takes the neutral pose from the whole clip and needs only a short setup
    hold (:mod:`posecheck.checking.recorded`); ``mode="live"`` decides as a live session does.
    The metrics are fed to the checker ``frames`` at a time (the same events as all at once);
    a track mapped from disk gets its metrics spilled to ``spill_dir`` (:func:`exercise_metrics`).
    """
    metrics = exercise_metrics(track, spill_dir, frames)
    if mode == "recorded":
        checker = Checker(spec, strictness, neutral_from_clip(spec, metrics, frames),
                          RECORDED_SETUP_HOLD, edge_reps=True)
    else:
        checker = Checker(spec, strictness=strictness)
    events = [event for block in metric_blocks(metrics, frames)
              for event in checker.feed_batch(block)]
    if len(metrics):
        events += checker.finish(float(metrics.times[-1]))
    return metrics, events, checker.summary()


def analyze(target: str | Path, exercise: str | Spec, model: str = "full", workers: int = 1,
            strictness: str = "standard", segmentation: bool = True,
            progress: Progress | None = None, max_people: int | None = None,
            mode: str = "recorded", analysis_fps: float | None = None,
            spill: bool | None = None, spill_dir: str | Path | None = None) -> Analysis:
    """Analyse a video file (or a saved ``.npz`` PoseTrack) for one exercise (a spec id, a
    spec file or a loaded :class:`Spec`). ``max_people`` > 1: follow the one who exercises
    among several people, and say so in the report's notes; None: look first
    (:func:`posecheck.pose.people.people_in_view`) and do so only if several people are in view.
    ``mode``: see :func:`check` ("live" decides frame by frame as a live session does).
    ``analysis_fps``: run the model on at most this many frames a second (None: every frame).
    ``spill``: keep the track and metrics on disk (True), in memory (False), or on disk for
    videos of more than :data:`SPILL_MIN_FRAMES` frames (None); spill folders go in
    ``spill_dir`` (default: the system's temporary folder) and are gone when this returns (the
    arrays stay readable: :mod:`posecheck.io.spill`)."""
    spec = exercise if isinstance(exercise, Spec) else load_spec(exercise)
    target = str(target)
    if target.endswith(".npz"):
        track = PoseTrack.load(target)
    else:
        if max_people is None:
            max_people = min(people_in_view(target, model), PROBE_MAX_PEOPLE) or 1
        track = estimate_video(
            target, model, workers, segmentation, progress, max_people=max_people,
            score=lambda person: check(person, spec, strictness)[2]["reps"]["total"],
            analysis_fps=analysis_fps, spill_dir=spill_dir,
            spill_min_frames={None: SPILL_MIN_FRAMES, True: 0, False: None}[spill])
    metrics, events, summary = check(track, spec, strictness, mode, spill_dir)
    interrupted = bool(track.meta.get("interrupted"))
    covered = float(track.times[-1]) if len(track) else 0.0
    people = track.meta.get("people_notes")  # set by the multi-person pass
    notes = tuple(people if people is not None else switch_notes(switch_times_by_block(track))) + (
        (f"interrupted by the user: the report covers the first {covered:.1f} s",)
        if interrupted else ()) + tuple(source_notes(track.meta))
    notes += _rate_note(track, analysis_fps)
    report = build_report(spec=spec, strictness=strictness, track=track, summary=summary,
                          events=events, model=track.model or model,
                          extra={"interrupted": interrupted}, notes=notes)
    return Analysis(track, metrics, events, report, spec)


def _rate_note(track: PoseTrack, analysis_fps: float | None) -> tuple[str, ...]:
    """A note when the model ran on a subsample of a video's frames."""
    video_fps = track.meta.get("fps")
    if analysis_fps is None or not isinstance(video_fps, (int, float)) or track.fps >= video_fps:
        return ()
    return (f"the pose model ran on {track.fps:g} of the video's {video_fps:g} frames a second "
            "(--analysis-fps)",)
