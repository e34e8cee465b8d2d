"""Pose estimators kept alive from one clip to the next in a long-lived process.

Creating a PoseLandmarker costs 0.15 s without the segmentation mask and 0.4-0.9 s with it;
a folder of short clips would pay that for every clip. Inside :func:`kept_estimators` (or for
good, in a worker process, after :func:`keep_estimators`), :func:`open_estimator` hands out one
estimator per model and options (and per thread), restarted for each clip
(:meth:`PoseEstimator.restart`): a restarted estimator gives the same landmarks whatever clip
came before it. Outside, it creates a new estimator and closes it afterwards.

Example
-------
>>> with kept_estimators():                                     # doctest: +SKIP
...     for clip in clips:
...         analyze(clip, "bird_dog")       # one landmarker for all the clips
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from posecheck.pose.estimator import PoseEstimator

_kept: dict[tuple[str, bool, int, int], PoseEstimator] | None = None


def keep_estimators() -> None:
    """From now on, this process keeps its estimators (a worker process's set-up)."""
    global _kept
    if _kept is None:
        _kept = {}


@contextmanager
def kept_estimators() -> Iterator[None]:
    """Estimators are kept within the block and closed at its end (unless they already were
    kept before it)."""
    global _kept
    if _kept is not None:
        yield
        return
    _kept = {}
    try:
        yield
    finally:
        kept, _kept = _kept, None
        for estimator in kept.values():
            estimator.close()


@contextmanager
def open_estimator(model: str | Path = "full", segmentation: bool = True,
                   max_people: int = 1) -> Iterator[PoseEstimator]:
    """A VIDEO-mode estimator for one clip: a kept one restarted, or a new one closed after."""
    if _kept is None:
        with PoseEstimator(model, segmentation=segmentation, max_people=max_people) as fresh:
            yield fresh
        return
    key = (str(model), segmentation, max_people, threading.get_ident())
    kept = _kept.get(key)
    if kept is None:
        kept = _kept[key] = PoseEstimator(model, segmentation=segmentation, max_people=max_people)
    kept.restart()
    yield kept
