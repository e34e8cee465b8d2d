"""Resident memory over a long recording: the track in memory against the track spilled to disk.

    .venv/bin/python benchmarks/soak_memory.py replay --frames 1080000 --mode spill
    .venv/bin/python benchmarks/soak_memory.py replay --frames 200000 --mode memory
    .venv/bin/python benchmarks/soak_memory.py model --loop 30 --mode spill

Each command is one analysis in a fresh process, ``posecheck.pipeline.analyze`` with
``workers=1`` (the process that holds the track: a chunked run's parent holds the same, its
workers a chunk each) followed by ``save_outputs`` (report and track, as ``posecheck analyze``
writes them) into a temporary folder. A thread samples this process's memory every
``--every`` seconds from ``/proc/self/status`` (VmRSS, and its anonymous part RssAnon) with
the frames the model pass has done so far and the stage ("model" pass; "checks": metrics, neutral
pose, checker, report; "outputs": the report and track written), into
``.cache/soak/<run>.csv``; the summary line gives the RSS slope over the model pass (least
squares, bytes per frame), the peaks, and the peak's growth over the start per frame.

``model``: the real model over the bird-dog sample looped ``--loop`` times with PyAV into
``.cache/soak/`` (re-encoded once). ``replay``: no model and no decoding: the model's landmarks
of the bird-dog sample (computed once into ``.cache/soak/``) are replayed frame after frame by a
stand-in estimator through the same analysis path (the estimator's sink, the track, the
metrics, the checker, the report and the saved track), for recordings far longer than the
model could process in a session (1.08 million frames = 10 hours at 30 fps).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

import posecheck.pipeline as pipeline
from posecheck.analyze_run import save_outputs
from posecheck.io.sources import Frame
from posecheck.io.spill import BLOCK_ROWS
from posecheck.pose.track import FramePose, PoseTrack

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "bird_dog_clean.mp4"
#: Frames of the sample.
SAMPLE_FRAMES = 211
CACHE = ROOT / ".cache" / "soak"


def memory() -> tuple[int, int]:
    """(VmRSS, RssAnon) of this process in bytes."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            fields[key] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["RssAnon"]


class Sampler:
    """Memory and frames done, every ``every`` seconds, on a thread."""

    def __init__(self, every: float) -> None:
        self.every, self.frames, self.stage = every, 0, "model"
        self.rows: list[tuple[float, int, str, int, int]] = []
        self._stop = threading.Event()
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        rss, anon = memory()
        self.rows.append((time.perf_counter() - self._start, self.frames, self.stage, rss, anon))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> "Sampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


class ReplaySource:
    """A FrameSource of ``count`` frames that carry no picture: the replay estimator knows the
    landmarks. Frame ``i`` is at ``i / fps`` seconds."""

    is_live = False

    def __init__(self, count: int, fps: float, frame_size: tuple[int, int]) -> None:
        self.name, self.fps, self.frame_size, self.frame_count = "replay.mp4", fps, frame_size, count
        self._image = np.zeros((1, 1, 3), np.uint8)

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.frame_count):
            yield Frame(i, i / self.fps, self._image)

    def meta(self, since: int | None = None) -> dict[str, Any]:
        return {"fps": self.fps, "fps_from": "header", "missing_frames": 0,
                "header_fps": self.fps, "unreadable_times": []}

    def close(self) -> None:
        """Nothing to close."""


class ReplayEstimator:
    """Stands in for the PoseLandmarker: frame ``i`` gets the recorded landmarks of frame
    ``i mod T`` of ``track`` at the frame's own time (the same FramePose the model builds)."""

    model_name = "replay"

    def __init__(self, track: PoseTrack) -> None:
        self.track, self.next = track, 0

    def process(self, image: np.ndarray, time_s: float) -> FramePose:
        t, self.next = self.next % len(self.track), self.next + 1
        return FramePose(time_s, self.track.image[t].copy(), self.track.world[t].copy(),
                         self.track.visibility[t].copy(), self.track.presence[t].copy(),
                         self.track.back_contour[t].copy())


def recorded_track() -> PoseTrack:
    """The full model's track of the bird-dog sample, computed once."""
    path = CACHE / "bird_dog_clean.track.npz"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        pipeline.estimate_video(str(SAMPLE), "full").save(path)
    return PoseTrack.load(path)


def looped_video(loop: int) -> Path:
    """The bird-dog sample looped ``loop`` times (PyAV, H.264), made once."""
    import av

    path = CACHE / f"bird_dog_x{loop}.mp4"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    with av.open(str(SAMPLE)) as source:
        stream = source.streams.video[0]
        rate = stream.average_rate
        frames = [f.to_ndarray(format="rgb24") for f in source.decode(stream)]
    part = path.with_suffix(".part.mp4")
    with av.open(str(part), "w") as out:
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height = frames[0].shape[1], frames[0].shape[0]
        video.pix_fmt = "yuv420p"
        for _ in range(loop):
            for image in frames:
                out.mux(video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(video.encode())
    part.rename(path)
    return path


@contextlib.contextmanager
def replaying(track: PoseTrack, frames: int) -> Iterator[None]:
    """Within the block, ``pipeline.analyze`` reads the replay source with the replay
    estimator instead of a video file and the model."""
    @contextlib.contextmanager
    def estimator(*_args: object, **_kw: object) -> Iterator[ReplayEstimator]:
        yield ReplayEstimator(track)

    saved = pipeline.open_source, pipeline.open_estimator
    pipeline.open_source = lambda *_a, **_k: ReplaySource(frames, track.fps, track.frame_size)
    pipeline.open_estimator = estimator
    try:
        yield
    finally:
        pipeline.open_source, pipeline.open_estimator = saved


def slope(rows: list[tuple[float, int, str, int, int]], column: int) -> float:
    """Least-squares bytes per frame of ``column`` over the model pass's samples, from the
    frame where the spill's first block is full (its buffer is then all in memory; the model's
    start-up is over) or, in a shorter pass, from its second half."""
    points = [(r[1], r[column]) for r in rows if r[2] == "model"]
    last = max(f for f, _ in points)
    points = [(f, m) for f, m in points if f >= min(BLOCK_ROWS, last / 2)]
    if len(points) < 3:
        return float("nan")
    frames, values = np.array(points, np.float64).T
    return float(np.polyfit(frames, values, 1)[0])


def run(args: argparse.Namespace) -> None:
    spill = args.mode == "spill"
    name = f"{args.what}-{args.mode}-{args.frames if args.what == 'replay' else args.loop}"
    if args.what == "replay":
        track = recorded_track()
        target, frames, context = "replay.mp4", args.frames, replaying(track, args.frames)
    else:
        target = str(looped_video(args.loop))
        frames, context = args.loop * SAMPLE_FRAMES, contextlib.nullcontext()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(dir=CACHE.parent) as out, context, \
            Sampler(args.every) as sampler:
        def progress(n: int) -> None:
            sampler.frames += n
            if sampler.frames >= frames:
                sampler.stage = "checks"   # metrics, neutral pose, checker, report

        start = time.perf_counter()
        result = pipeline.analyze(target, "bird_dog", model=args.model, workers=1,
                                  progress=progress, max_people=1, spill=spill, spill_dir=out)
        analysed = time.perf_counter() - start
        sampler.stage = "outputs"
        save_outputs(result, out)
        leftovers = [p.name for p in Path(out).iterdir() if p.name.startswith(".posecheck")]
        reps, events = result.report["reps"]["total"], len(result.report["events"])
        frames = len(result.track)
        del result
    rows = sampler.rows
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["seconds", "frames_done", "stage", "vm_rss", "rss_anon"])
        writer.writerows(rows)
    base = rows[0][3]
    in_pass = [r for r in rows if r[2] == "model"]
    peak_pass = max(r[3] for r in in_pass)
    peak = max(r[3] for r in rows)
    print(f"| {args.what} | {args.mode} | {frames:,} | {analysed:.0f} | {base / 2**20:.0f} | "
          f"{peak_pass / 2**20:.0f} | {peak / 2**20:.0f} | {slope(rows, 3):.1f} | "
          f"{slope(rows, 4):.1f} | {(peak - base) / frames:.1f} | {reps} reps, {events} events; "
          f"spill folders left: {len(leftovers)} | "
          f"load {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("replay", "model"))
    parser.add_argument("--mode", choices=("spill", "memory"), default="spill")
    parser.add_argument("--frames", type=int, default=1_080_000, help="replay: frames")
    parser.add_argument("--loop", type=int, default=30, help="model: times the sample loops")
    parser.add_argument("--model", default="full")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    args = parser.parse_args()
    print(f"# {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    print("| source | track | frames | analyse s | RSS at start MiB | peak RSS in model pass "
          "MiB | peak RSS MiB | RSS slope in pass B/frame | anon slope B/frame | "
          "(peak - start) / frames B | result | load |")
    run(args)


if __name__ == "__main__":
    main()
