"""Engines that analyse many inputs: one after another in this process, or on a pool of
long-lived local worker processes (one per core), each keeping its pose models from clip to
clip. The dask cluster engine is :mod:`posecheck.dask_engine`. Whatever the engine, an input's
:class:`~posecheck.pipeline.Analysis` is the same, and the caller writes the outputs.

An engine's ``start(paths, spec, options)`` is a context manager giving a :class:`Run`:
``run.results()`` yields ``(input index, Analysis or the PosecheckError it raised)`` as inputs
finish; after Ctrl-C, ``run.stop()`` stops the running inputs after their current frame (their
analyses come back marked interrupted, from a second ``run.results()``) and drops the rest.

Example
-------
>>> with LocalPool(2).start(paths, load_spec("lunge"), ClipOptions()) as run:  # doctest: +SKIP
...     for index, outcome in run.results():
...         print(paths[index], outcome.report["reps"])
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from tqdm import tqdm

from posecheck.errors import PosecheckError
from posecheck.pose.estimator_cache import keep_estimators, kept_estimators
from posecheck.pipeline import Analysis, _sigint_ignored, analyze
from posecheck.io.sources import open_source
from posecheck.checking.spec import Spec

Outcome = tuple[int, "Analysis | PosecheckError"]


@dataclass(frozen=True)
class ClipOptions:
    """How every input of a run is analysed (see :func:`posecheck.pipeline.analyze`)."""

    model: str = "full"
    strictness: str = "standard"
    segmentation: bool = True
    max_people: int | None = None
    analysis_fps: float | None = None
    #: Where a long video's spill folder goes (``posecheck analyze``: the output folder).
    spill_dir: str | None = None


def analyze_clip(path: str, spec: Spec, options: ClipOptions, workers: int = 1,
                 progress: Any = None) -> Analysis:
    """One input analysed with ``options`` (``workers`` processes for a long video's chunks)."""
    return analyze(path, spec, model=options.model, workers=workers,
                   strictness=options.strictness, segmentation=options.segmentation,
                   progress=progress, max_people=options.max_people,
                   analysis_fps=options.analysis_fps, spill_dir=options.spill_dir)


def largest_first(paths: list[Path]) -> list[int]:
    """Input indices, the largest file first (a long clip started last would finish last
    alone); inputs that cannot be read count as empty (they fail fast anyway)."""
    def size(i: int) -> int:
        try:
            return os.stat(paths[i]).st_size
        except OSError:
            return 0
    return sorted(range(len(paths)), key=lambda i: -size(i))


class Run(Protocol):
    def results(self) -> Iterator[Outcome]: ...

    def stop(self) -> None: ...


class Engine(Protocol):
    def start(self, paths: list[Path], spec: Spec, options: ClipOptions
              ) -> AbstractContextManager[Run]: ...


class Serial:
    """In this process, in input order; a long video's chunks on ``workers`` processes. With
    several inputs the pose models are kept from one input to the next."""

    def __init__(self, workers: int = 1, progress: bool = True) -> None:
        self.workers = workers
        self.progress = progress

    @contextmanager
    def start(self, paths: list[Path], spec: Spec, options: ClipOptions) -> Iterator[Run]:
        run = _SerialRun(self, paths, spec, options)
        if len(paths) > 1:
            with kept_estimators():
                yield run
        else:
            yield run


class _SerialRun:
    def __init__(self, engine: Serial, paths: list[Path], spec: Spec,
                 options: ClipOptions) -> None:
        self.engine, self.paths, self.spec, self.options = engine, paths, spec, options
        self.next = 0

    def results(self) -> Iterator[Outcome]:
        while self.next < len(self.paths):
            index, self.next = self.next, self.next + 1
            yield index, self._one(self.paths[index])

    def _one(self, path: Path) -> Analysis | PosecheckError:
        total = None if path.suffix.lower() == ".npz" else open_source(str(path)).frame_count
        bar = tqdm(total=total, desc=path.name, unit="frame", leave=False,
                   disable=not self.engine.progress or total is None, file=sys.stderr)
        try:
            return analyze_clip(str(path), self.spec, self.options, self.engine.workers,
                                bar.update)
        except PosecheckError as exc:
            return exc
        finally:
            bar.close()

    def stop(self) -> None:
        self.next = len(self.paths)


#: Set in each pool worker process (by :func:`_init_pool_worker`): the run's stop event.
_stop_event: Any = None


def _init_pool_worker(stop: Any) -> None:
    """A pool worker's set-up: keep pose models across clips, remember the stop event."""
    global _stop_event
    _stop_event = stop
    keep_estimators()


def _stop_requested(_frames: int) -> None:
    """Between two frames: raise KeyboardInterrupt if the parent stopped the run (the clip's
    analysis then covers the frames done, marked interrupted)."""
    if _stop_event is not None and _stop_event.is_set():
        raise KeyboardInterrupt


def _pool_task(path: str, spec: Spec, options: ClipOptions) -> Analysis:
    return analyze_clip(path, spec, options, progress=_stop_requested)


class LocalPool:
    """``workers`` long-lived processes on this machine, each loading the pose model once and
    taking the next input, the largest first. Workers ignore Ctrl-C: the parent stops them."""

    def __init__(self, workers: int, progress: bool = True) -> None:
        self.workers = workers
        self.progress = progress

    @contextmanager
    def start(self, paths: list[Path], spec: Spec, options: ClipOptions) -> Iterator[Run]:
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        pool = ProcessPoolExecutor(min(self.workers, len(paths)), mp_context=context,
                                   initializer=_init_pool_worker, initargs=(stop,))
        try:
            with _sigint_ignored():  # the workers start here and keep ignoring Ctrl-C
                futures = {pool.submit(_pool_task, str(paths[i]), spec, options): i
                           for i in largest_first(paths)}
            with tqdm(total=len(paths), unit="clip", disable=None if self.progress else True,
                      file=sys.stderr, leave=False) as bar:   # None: on a terminal only
                yield FuturesRun(futures, bar, as_completed,
                                 lambda pending: [f.cancel() for f in pending], stop)
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)


def finished(completed: Iterator[Any], pending: dict[Any, int], bar: tqdm,
             stopped_by: type[BaseException] | tuple[()] = (),
             stopping: Any = lambda: False) -> Iterator[Outcome]:
    """(input index, analysis or its error) for each future of ``pending`` (future -> index) as
    ``completed`` yields it, skipping cancelled ones; ``stopped_by`` raised while ``stopping()``
    is true means the run was stopped, and that future is skipped too. Shared by the local pool
    and the dask engine."""
    for future in completed:
        index = pending.pop(future)
        if future.cancelled():
            continue
        bar.update()
        try:
            outcome: Analysis | PosecheckError = future.result()
        except PosecheckError as exc:
            outcome = exc
        except stopped_by:
            if not stopping():
                raise
            continue
        yield index, outcome


class FuturesRun:
    """Results of a local pool's or a dask cluster's futures (future -> input index) as they
    finish. ``completed`` is the library's ``as_completed``; stopping sets ``stop_event`` if
    any (pool workers then stop after their current frame and return what they did) and
    ``cancel``s the futures, which drops those not started: results() goes on with the rest."""

    def __init__(self, futures: dict[Any, int], bar: tqdm,
                 completed: Callable[[list[Any]], Iterable[Any]],
                 cancel: Callable[[list[Any]], object], stop_event: Any = None) -> None:
        self.pending, self.bar = dict(futures), bar
        self.completed, self.cancel, self.stop_event = completed, cancel, stop_event
        self.stopped = False

    def results(self) -> Iterator[Outcome]:
        # a worker killed by the same signal as the parent breaks the pool: not an error then
        yield from finished(iter(self.completed(list(self.pending))), self.pending, self.bar,
                            BrokenProcessPool, lambda: self.stopped)

    def stop(self) -> None:
        self.stopped = True
        if self.stop_event is not None:
            self.stop_event.set()
        self.cancel(list(self.pending))
