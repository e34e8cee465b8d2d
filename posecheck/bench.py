"""``posecheck bench``: throughput of every stage on one clip, in one process, with a naive
hobby-style pipeline as the baseline. Prints a markdown table (median of several runs).

Stages: decode, pose (per model variant; VIDEO vs IMAGE mode; with and without the
segmentation mask), kinematics + checker, overlay, encode, the whole ``analyze`` pipeline with
one worker and with all cores, and a folder of short clips cut from the video in one process
against the local pool of workers (:mod:`posecheck.engines`).
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import cv2

from posecheck.errors import PosecheckError
from posecheck.pose.estimator import to_mp_image
from posecheck.pose.landmarks import INDEX
from posecheck.io.sources import open_source

if TYPE_CHECKING:
    from posecheck.checking.spec import Spec
    from posecheck.engines import Engine

DEFAULT_CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "bird_dog_clean.mp4"


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="bird_dog")
    parser.add_argument("--models", nargs="+", default=["full"], choices=("lite", "full", "heavy"))
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--loop", type=int, default=6,
                        help="repeat the clip this many times for the multi-worker run")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--folder-clips", type=int, default=10,
                        help="clips of 2-5 s cut from the video for the folder run (0: skip)")


def _rate(run: Callable[[], int]) -> float:
    start = time.perf_counter()
    frames = run()
    return frames / (time.perf_counter() - start)


def _paired(base: Callable[[], int], other: Callable[[], int], repeats: int
            ) -> tuple[float, float, float]:
    """Median rates of ``base`` and ``other`` run alternately, and the median of the per-pair
    ratios other/base: alternating keeps a ratio fair when the machine's load drifts."""
    pairs = [(_rate(base), _rate(other)) for _ in range(repeats)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(b / a for a, b in pairs))


def _landmarker(model: str, mode: str, masks: bool) -> Any:   # a MediaPipe PoseLandmarker
    from mediapipe.tasks.python import BaseOptions, vision

    from posecheck.pose.estimator import quiet_native_stderr
    from posecheck.pose.models import ensure_model

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(ensure_model(model))),
        running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
        num_poses=1, output_segmentation_masks=masks)
    with quiet_native_stderr():
        return vision.PoseLandmarker.create_from_options(options)


def _pose_only(video: Path, model: str, mode: str, masks: bool) -> Callable[[], int]:
    """Decode + the landmarker's own work, nothing of ours after it."""
    def run() -> int:
        source = open_source(str(video))
        with _landmarker(model, mode, masks) as landmarker:
            for frame in source:
                image = to_mp_image(frame.image)
                if mode == "video":
                    landmarker.detect_for_video(image, int(frame.time * 1000))
                else:
                    landmarker.detect(image)
            return frame.index + 1
    return run


def _naive_angle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    ang = math.degrees(math.atan2(c[1] - b[1], c[0] - b[0]) - math.atan2(a[1] - b[1], a[0] - b[0]))
    ang = abs(ang)
    return 360 - ang if ang > 180 else ang


_NAIVE_TRIPLES = [(f"{s}_{a}", f"{s}_{b}", f"{s}_{c}") for s in ("left", "right")
                  for a, b, c in (("shoulder", "hip", "knee"), ("hip", "knee", "ankle"),
                                  ("shoulder", "elbow", "wrist"), ("hip", "shoulder", "elbow"),
                                  ("shoulder", "hip", "ankle"))]


def _naive_pipeline(video: Path, model: str) -> Callable[[], int]:
    """What hobby projects do: pose per frame, then a Python loop of angles and a counter."""
    def run() -> int:
        source = open_source(str(video))
        reps, up = 0, False
        with _landmarker(model, "video", False) as landmarker:
            for frame in source:
                image = to_mp_image(frame.image)
                result = landmarker.detect_for_video(image, int(frame.time * 1000))
                if not result.pose_landmarks:
                    continue
                points = result.pose_landmarks[0]
                angles = [_naive_angle(*[(points[INDEX[n]].x, points[INDEX[n]].y) for n in triple])
                          for triple in _NAIVE_TRIPLES]
                if angles[0] > 160 and not up:
                    up = True
                elif angles[0] < 120 and up:
                    up, reps = False, reps + 1
            return frame.index + 1
    return run


def _looped_clip(video: Path, times: int, folder: Path) -> Path:
    """The clip repeated ``times`` times, for a long multi-worker run."""
    source = open_source(str(video))
    frames = [f.image for f in source]
    out = folder / f"{video.stem}_x{times}.mp4"
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), source.fps,
                             source.frame_size)
    for _ in range(times):
        for image in frames:
            writer.write(image)
    writer.release()
    return out


def cut_clips(video: Path, count: int, folder: Path, seed: int = 0) -> list[Path]:
    """``count`` clips of 2-5 s cut at random places of ``video`` (shorter videos: whole)."""
    import numpy as np

    source = open_source(str(video))
    frames = [f.image for f in source]
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        length = min(len(frames), int(rng.uniform(2.0, 5.0) * source.fps))
        start = int(rng.integers(0, len(frames) - length + 1))
        out = folder / f"{video.stem}_cut{i:02d}.mp4"
        writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), source.fps,
                                 source.frame_size)
        for image in frames[start:start + length]:
            writer.write(image)
        writer.release()
        paths.append(out)
    return paths


def _folder_run(engine: Engine, paths: list[Path], spec: Spec, model: str
                ) -> Callable[[], int]:
    """Every clip through an engine; returns the frames analysed."""
    from posecheck.engines import ClipOptions

    def run() -> int:
        frames = 0
        with engine.start(paths, spec, ClipOptions(model=model)) as results:
            for _, outcome in results.results():
                if isinstance(outcome, PosecheckError):
                    raise outcome      # a clip that fails: its own one-line error
                frames += len(outcome.track)
        return frames
    return run


def run_bench(args: argparse.Namespace) -> int:
    """Measure and print the table; returns the exit status."""
    from posecheck.checking.checker import Checker
    from posecheck.outputs.display import SessionView, replay
    from posecheck.outputs.overlay import draw_overlay
    from posecheck.pipeline import analyze, default_workers, exercise_metrics
    from posecheck.checking.spec import load_spec

    video: Path = args.video
    source = open_source(str(video))
    frames = [f.image for f in source]
    n = len(frames)
    spec = load_spec(args.exercise)
    rows: list[tuple[str, float, float, str]] = []

    def record(stage: str, rate: float, note: str = "") -> float:
        rows.append((stage, rate, 1000.0 / rate, note))
        print(f"  {stage}: {rate:,.1f} frames/s", flush=True)
        return rate

    def add(stage: str, run: Callable[[], int], note: str = "") -> float:
        return record(stage, statistics.median(_rate(run) for _ in range(args.repeats)), note)

    def add_pair(base: tuple[str, Callable[[], int]], other: tuple[str, Callable[[], int]],
                 note: str) -> float:
        base_rate, other_rate, ratio = _paired(base[1], other[1], args.repeats)
        record(base[0], base_rate)
        record(other[0], other_rate, f"{ratio:.2f}x {note} (median of paired runs)")
        return ratio

    print(f"bench: {video} ({n} frames, {source.frame_size[0]}x{source.frame_size[1]}), "
          f"median of {args.repeats}", flush=True)
    add("decode", lambda: sum(1 for _ in open_source(str(video))))
    for model in args.models:
        add(f"pose only, {model}, VIDEO mode, no mask", _pose_only(video, model, "video", False))
    main_model = args.models[0]
    e2e_ratio = add_pair(
        (f"pose only, {main_model}, VIDEO mode, with mask (decode incl.)",
         _pose_only(video, main_model, "video", True)),
        (f"analyze end to end, {main_model}, 1 worker",
         lambda: len(analyze(str(video), args.exercise, model=main_model, workers=1).track)),
        "of pose only")
    add(f"pose only, {main_model}, IMAGE mode, with mask", _pose_only(video, main_model, "image", True))

    track = analyze(str(video), args.exercise, model=main_model, workers=1).track
    big = type(track).concatenate([track] * max(1, 100_000 // max(n, 1)))

    def core() -> int:
        metrics = exercise_metrics(big)
        Checker(spec).feed_batch(metrics)
        return len(big)
    add("kinematics + filter + checker", core, f"{len(big):,}-frame track")

    metrics = exercise_metrics(track)
    events = Checker(spec).feed_batch(metrics)

    def overlay() -> int:
        states = replay(SessionView.from_spec(spec), events, track.times)
        for i, (image, (now, view)) in enumerate(zip(frames, states)):
            draw_overlay(image.copy(), track.image[i], track.visibility[i],
                         view.overlay_state(now))
        return n
    add("overlay (draw)", overlay)

    with tempfile.TemporaryDirectory() as tmp:
        def encode() -> int:
            writer = cv2.VideoWriter(str(Path(tmp) / "e.mp4"), cv2.VideoWriter.fourcc(*"mp4v"),
                                     source.fps, source.frame_size)
            for image in frames:
                writer.write(image)
            writer.release()
            return n
        add("encode (mp4v)", encode)

        add(f"naive baseline: pose + per-frame Python angles, {main_model}",
            _naive_pipeline(video, main_model), "hobby-project style, no mask")
        long_clip = _looped_clip(video, args.loop, Path(tmp))
        workers = args.workers or default_workers()
        scaling = add_pair(
            (f"analyze {args.loop}x clip, 1 worker",
             lambda: len(analyze(str(long_clip), args.exercise, model=main_model,
                                 workers=1).track)),
            (f"analyze {args.loop}x clip, {workers} workers",
             lambda: len(analyze(str(long_clip), args.exercise, model=main_model,
                                 workers=workers).track)),
            "of 1 worker")
        folder_ratio = None
        if args.folder_clips:
            from posecheck.engines import LocalPool, Serial

            clips = cut_clips(video, args.folder_clips, Path(tmp))
            folder_ratio = add_pair(
                (f"folder of {len(clips)} clips, one process (models kept)",
                 _folder_run(Serial(progress=False), clips, spec, main_model)),
                (f"folder of {len(clips)} clips, local pool of {workers}",
                 _folder_run(LocalPool(workers, progress=False), clips, spec, main_model)),
                "of one process")

    print()
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{default_workers()} cores, Python {platform.python_version()}")
    print("| stage | frames/s | ms/frame | note |\n|---|---:|---:|---|")
    for stage, rate, ms, note in rows:
        print(f"| {stage} | {rate:,.1f} | {ms:.3f} | {note} |")
    print(f"\nend to end / pose only ({main_model}, same run): {e2e_ratio:.2f}")
    print(f"{workers} workers / 1 worker: {scaling:.2f}x")
    if folder_ratio is not None:
        print(f"folder, local pool of {workers} / one process: {folder_ratio:.2f}x")
    return 0
