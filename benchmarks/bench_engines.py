"""Many inputs on both cores and on a dask cluster: paired, alternating runs in one process.

    .venv/bin/python benchmarks/bench_engines.py folder  [--clips 20] [--repeats 3]
    .venv/bin/python benchmarks/bench_engines.py folder-cli [--clips 20] [--repeats 3]
    .venv/bin/python benchmarks/bench_engines.py long    [--loop 21] [--repeats 3]
    .venv/bin/python benchmarks/bench_engines.py cluster [--clips 20] [--repeats 3]

``folder``: 20 clips of 2-5 s cut at random from the samples into a temporary folder; one
process as before this engine (a new model per clip), one process keeping its models, and the
local pool of one worker per core (all in this process, so the one-process runs pay no
imports or start-up). ``folder-cli``: the command line, ``--workers 1`` against the pool,
each run a new process. ``long``: one sample looped to about 5 minutes; 1 worker
against the chunked run on every core, and the chunked run as it was before the chunks were
balanced (equal frame counts; the parent waiting for the workers to exit). ``cluster``: a LocalCluster of 1 and of 2 worker
processes (one thread each), and the scheduler's overhead per task (tasks that do nothing).
Every line prints the load average; nothing here is committed but this script.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterator

import cv2
import numpy as np

import posecheck.pipeline as pipeline
from posecheck.bench import cut_clips
from posecheck.engines import ClipOptions, LocalPool, Serial
from posecheck.pipeline import analyze, default_workers
from posecheck.checking.spec import load_spec

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def read_frames(path: Path) -> tuple[list[np.ndarray], float]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while (grabbed := capture.read())[0]:
        frames.append(grabbed[1])
    return frames, capture.get(cv2.CAP_PROP_FPS)


def write_video(frames: list[np.ndarray], fps: float, out: Path) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return out


def cut_folder(folder: Path, clips: int) -> list[Path]:
    """``clips`` clips of 2-5 s from random places in the two bird-dog samples."""
    half = clips // 2
    return (cut_clips(SAMPLES / "bird_dog_clean.mp4", clips - half, folder, seed=0)
            + cut_clips(SAMPLES / "bird_dog_faults.mp4", half, folder, seed=1))


def paired(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each run, alternating, ``repeats`` rounds."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
            print(f"  round {round_ + 1} {name}: {seconds[name][-1]:.1f} s ({load()})",
                  flush=True)
    return seconds


def report(seconds: dict[str, list[float]], base: str, frames: int) -> None:
    print(f"\n| run | median s | frames/s | speed-up vs {base} (median of paired ratios) |")
    print("|---|---:|---:|---:|")
    for name, values in seconds.items():
        ratio = statistics.median(b / o for b, o in zip(seconds[base], values))
        print(f"| {name} | {statistics.median(values):.1f} | "
              f"{frames / statistics.median(values):.1f} | {ratio:.2f}x |")


def run_engine(engine, paths: list[Path], spec, options: ClipOptions) -> None:
    with engine.start(paths, spec, options) as run:
        for _, outcome in run.results():
            assert not isinstance(outcome, Exception), outcome


def folder_bench(args: argparse.Namespace) -> None:
    spec, options = load_spec("bird_dog"), ClipOptions(model=args.model)
    workers = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        paths = cut_folder(Path(tmp), args.clips)
        frames = sum(int(cv2.VideoCapture(str(p)).get(cv2.CAP_PROP_FRAME_COUNT)) for p in paths)
        print(f"folder: {len(paths)} clips, {frames} frames, model {args.model}, "
              f"{workers} cores ({load()})")
        seconds = paired({
            "one process, new model per clip (before)":
                lambda: [run_engine(Serial(progress=False), [p], spec, options) for p in paths],
            "one process, models kept": lambda: run_engine(Serial(progress=False), paths, spec,
                                                           options),
            f"local pool, {workers} workers": lambda: run_engine(
                LocalPool(workers, progress=False), paths, spec, options),
        }, args.repeats)
    report(seconds, "one process, new model per clip (before)", frames)
    base = seconds["one process, models kept"]
    pool = seconds[f"local pool, {workers} workers"]
    print(f"pool vs one process with models kept: "
          f"{statistics.median(b / p for b, p in zip(base, pool)):.2f}x")


def folder_cli_bench(args: argparse.Namespace) -> None:
    """The same folder as a user runs it: ``posecheck analyze DIR`` with ``--workers 1``
    against the default pool, each a new process (imports and model start-up included)."""
    workers = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "clips"
        folder.mkdir()
        paths = cut_folder(folder, args.clips)
        frames = sum(int(cv2.VideoCapture(str(p)).get(cv2.CAP_PROP_FRAME_COUNT)) for p in paths)
        print(f"folder (command line): {len(paths)} clips, {frames} frames, model {args.model} "
              f"({load()})")

        def cli(n: int) -> Callable[[], object]:
            command = [sys.executable, "-m", "posecheck.cli", "analyze", str(folder), "-e",
                       "bird_dog", "--model", args.model, "--workers", str(n), "--no-progress",
                       "--out", str(Path(tmp) / f"out{n}")]
            return lambda: subprocess.run(command, check=True, capture_output=True)
        seconds = paired({"posecheck analyze DIR --workers 1": cli(1),
                          f"posecheck analyze DIR (pool of {workers})": cli(workers)},
                         args.repeats)
    report(seconds, "posecheck analyze DIR --workers 1", frames)


def long_bench(args: argparse.Namespace) -> None:
    workers = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        frames, fps = read_frames(SAMPLES / "bird_dog_clean.mp4")
        clip = write_video(frames * args.loop, fps, Path(tmp) / "long.mp4")
        count = len(frames) * args.loop
        print(f"long: {count} frames ({count / fps / 60:.1f} min), model {args.model} "
              f"({load()})")
        def chunks_before() -> object:
            with even_chunks_waiting_for_exit():
                return analyze(clip, "bird_dog", model=args.model, workers=workers)

        seconds = paired({
            "1 worker": lambda: analyze(clip, "bird_dog", model=args.model, workers=1),
            f"{workers} workers (chunks)": lambda: analyze(clip, "bird_dog", model=args.model,
                                                           workers=workers),
            f"{workers} workers (chunks as before: even, waiting for the workers to exit)":
                chunks_before,
        }, args.repeats)
    report(seconds, "1 worker", count)
    before = seconds[f"{workers} workers (chunks as before: even, waiting for the workers to exit)"]
    now = seconds[f"{workers} workers (chunks)"]
    print(f"chunks now vs before: {statistics.median(b / n for b, n in zip(before, now)):.3f}x")


@contextlib.contextmanager
def even_chunks_waiting_for_exit() -> Iterator[None]:
    """Within the block, a long video's chunks are cut as before ``chunk_bounds`` (equal
    frame counts) and the parent waits for the chunk workers to exit."""
    class Waiting(ProcessPoolExecutor):
        def shutdown(self, wait: bool = True, **kw: Any) -> None:
            super().shutdown(wait=True, **kw)

    saved = pipeline.chunk_bounds, pipeline.ProcessPoolExecutor
    pipeline.chunk_bounds = lambda count, chunks, warmup: (
        np.linspace(0, count, chunks + 1).round().astype(int))
    pipeline.ProcessPoolExecutor = Waiting
    try:
        yield
    finally:
        pipeline.chunk_bounds, pipeline.ProcessPoolExecutor = saved


def _nothing(i: int) -> int:
    return i


def cluster_bench(args: argparse.Namespace) -> None:
    from distributed import Client, LocalCluster

    from posecheck.dask_engine import DaskCluster

    spec, options = load_spec("bird_dog"), ClipOptions(model=args.model)
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as one, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as two:
        paths = cut_folder(Path(tmp), args.clips)
        frames = sum(int(cv2.VideoCapture(str(p)).get(cv2.CAP_PROP_FRAME_COUNT)) for p in paths)
        print(f"cluster: {len(paths)} clips, {frames} frames, model {args.model} ({load()})")
        for cluster in (one, two):   # each worker loads its model once, before the timing
            run_engine(DaskCluster(cluster.scheduler_address, False), paths[:4], spec, options)
        seconds = paired({
            "dask, 1 worker": lambda: run_engine(DaskCluster(one.scheduler_address, False),
                                                 paths, spec, options),
            "dask, 2 workers": lambda: run_engine(DaskCluster(two.scheduler_address, False),
                                                  paths, spec, options),
        }, args.repeats)
        report(seconds, "dask, 1 worker", frames)
        with Client(two.scheduler_address) as client:
            per_task = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                client.gather(client.map(_nothing, range(1000), pure=False))
                per_task.append((time.perf_counter() - start) / 1000)
            start = time.perf_counter()
            client.gather([client.submit(_nothing, i, pure=False) for i in range(100)])
            one_by_one = (time.perf_counter() - start) / 100
        print(f"scheduler overhead per empty task (2 workers, 1000 tasks): "
              f"{statistics.median(per_task) * 1000:.2f} ms; submitted one by one (100): "
              f"{one_by_one * 1000:.2f} ms ({load()})")
        per_clip = statistics.median(seconds["dask, 1 worker"]) / len(paths)
        print(f"per-clip cost on 1 worker: {per_clip:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("folder", "folder-cli", "long", "cluster"))
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--loop", type=int, default=21)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="full")
    args = parser.parse_args()
    {"folder": folder_bench, "folder-cli": folder_cli_bench, "long": long_bench,
     "cluster": cluster_bench}[args.what](args)


if __name__ == "__main__":
    main()
