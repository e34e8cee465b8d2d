"""The cluster engine: one dask.distributed task per input, on an existing cluster.

Every worker needs posecheck installed (``pip install posecheck[cluster]``), the model bundle
(``posecheck models fetch full``, or the ``--model`` in use) and the inputs at the paths given
on the command line (shared storage). A worker process keeps its pose models from one task to
the next (:mod:`posecheck.pose.estimator_cache`), so each loads the model once. Tasks are submitted
largest input first; results come back to this process, which writes every output.

Example
-------
>>> engine = DaskCluster("tcp://10.0.0.5:8786")                             # doctest: +SKIP
>>> with engine.start(paths, load_spec("lunge"), ClipOptions()) as run:     # doctest: +SKIP
...     outcomes = dict(run.results())
"""
from __future__ import annotations

import sys
import uuid
from dataclasses import replace
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm

from posecheck.engines import ClipOptions, FuturesRun, Run, analyze_clip, largest_first
from posecheck.errors import PosecheckError
from posecheck.pose.estimator_cache import keep_estimators
from posecheck.pipeline import Analysis
from posecheck.checking.spec import Spec


class ClusterError(PosecheckError):
    """No cluster to run on: dask missing, no scheduler address, or none answering."""


def cluster_task(path: str, spec: Spec, options: ClipOptions) -> Analysis:
    """One input on a cluster worker, whose process keeps its pose models for the next (a long
    video spills to the worker's temporary folder: the output folder is the submitter's)."""
    keep_estimators()
    return analyze_clip(path, spec, replace(options, spill_dir=None))


class DaskCluster:
    """A dask.distributed cluster at ``address`` (``tcp://host:8786``) or an existing
    ``distributed.Client``-compatible address object (a LocalCluster)."""

    def __init__(self, address: Any, progress: bool = True, timeout_s: float = 30.0) -> None:
        if not address:
            raise ClusterError("--engine dask needs --scheduler ADDRESS (tcp://host:8786)")
        self.address = address
        self.progress = progress
        self.timeout_s = timeout_s

    @contextmanager
    def start(self, paths: list[Path], spec: Spec, options: ClipOptions) -> Iterator[Run]:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ClusterError("--engine dask needs dask.distributed: "
                               "pip install posecheck[cluster]") from None
        try:
            client = Client(self.address, timeout=self.timeout_s)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"{self.address}: no dask scheduler answers ({exc})") from None
        with client:
            run_id = uuid.uuid4().hex[:8]
            order = largest_first(paths)
            futures = {client.submit(cluster_task, str(paths[i]), spec, options, pure=False,
                                     key=f"posecheck-{run_id}-{i}",
                                     priority=len(paths) - rank): i
                       for rank, i in enumerate(order)}
            with tqdm(total=len(paths), unit="clip", disable=None if self.progress else True,
                      file=sys.stderr, leave=False) as bar:   # None: on a terminal only
                # stopping cancels the tasks not done (a cluster task cannot stop mid-clip)
                yield FuturesRun(futures, bar, as_completed, client.cancel)
