"""``posecheck bench``: throughput of every stage on one clip, in one process, with a naive
hobby-style pipeline as the baseline. Prints a markdown table (median of several runs).

Stages: decode, pose (per model variant; VIDEO vs IMAGE mode; with and without the
segmentation mask), kinematics + checker, overlay, encode, the whole ``analyze`` pipeline with
one worker and with all cores.
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from posecheck.landmarks import INDEX
from posecheck.sources import open_source

DEFAULT_CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "bird_dog_clean.mp4"


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="bird_dog")
    parser.add_argument("--models", nargs="+", default=["full"], choices=("lite", "full", "heavy"))
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--loop", type=int, default=4,
                        help="repeat the clip this many times for the multi-worker run")
    parser.add_argument("--workers", type=int, default=None)


def _median_rate(run: Callable[[], int], repeats: int) -> tuple[float, float]:
    """Median frames/s and ms/frame of ``run`` (which returns the frames it processed)."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        frames = run()
        rates.append(frames / (time.perf_counter() - start))
    rate = statistics.median(rates)
    return rate, 1000.0 / rate


def _landmarker(model: str, mode: str, masks: bool):
    from mediapipe.tasks.python import BaseOptions, vision

    from posecheck.estimator import quiet_native_stderr
    from posecheck.models import ensure_model

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(ensure_model(model))),
        running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
        num_poses=1, output_segmentation_masks=masks)
    with quiet_native_stderr():
        return vision.PoseLandmarker.create_from_options(options)


def _pose_only(video: Path, model: str, mode: str, masks: bool) -> Callable[[], int]:
    """Decode + the landmarker's own work, nothing of ours after it."""
    import mediapipe as mp

    def run() -> int:
        source = open_source(str(video))
        with _landmarker(model, mode, masks) as landmarker:
            for frame in source:
                image = mp.Image(image_format=mp.ImageFormat.SRGB,
                                 data=np.ascontiguousarray(frame.image[:, :, ::-1]))
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
    import mediapipe as mp

    def run() -> int:
        source = open_source(str(video))
        reps, up = 0, False
        with _landmarker(model, "video", False) as landmarker:
            for frame in source:
                image = mp.Image(image_format=mp.ImageFormat.SRGB,
                                 data=np.ascontiguousarray(frame.image[:, :, ::-1]))
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
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), source.fps,
                             source.frame_size)
    for _ in range(times):
        for image in frames:
            writer.write(image)
    writer.release()
    return out


def run_bench(args: argparse.Namespace) -> int:
    """Measure and print the table; returns the exit status."""
    from posecheck.checker import Checker
    from posecheck.display import SessionView, replay
    from posecheck.overlay import draw_overlay
    from posecheck.pipeline import analyze, default_workers, exercise_metrics
    from posecheck.spec import load_spec

    video: Path = args.video
    source = open_source(str(video))
    frames = [f.image for f in source]
    n = len(frames)
    spec = load_spec(args.exercise)
    rows: list[tuple[str, float, float, str]] = []

    def add(stage: str, run: Callable[[], int], note: str = "") -> float:
        rate, ms = _median_rate(run, args.repeats)
        rows.append((stage, rate, ms, note))
        print(f"  {stage}: {rate:,.1f} frames/s", flush=True)
        return rate

    print(f"bench: {video} ({n} frames, {source.frame_size[0]}x{source.frame_size[1]}), "
          f"median of {args.repeats}", flush=True)
    add("decode", lambda: sum(1 for _ in open_source(str(video))))
    pose_rate = {}
    for model in args.models:
        pose_rate[model] = add(f"pose only, {model}, VIDEO mode, with mask (decode incl.)",
                               _pose_only(video, model, "video", True))
        add(f"pose only, {model}, VIDEO mode, no mask", _pose_only(video, model, "video", False))
    main_model = args.models[0]
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
            writer = cv2.VideoWriter(str(Path(tmp) / "e.mp4"), cv2.VideoWriter_fourcc(*"mp4v"),
                                     source.fps, source.frame_size)
            for image in frames:
                writer.write(image)
            writer.release()
            return n
        add("encode (mp4v)", encode)

        e2e = add(f"analyze end to end, {main_model}, 1 worker",
                  lambda: len(analyze(str(video), args.exercise, model=main_model,
                                      workers=1).track))
        add(f"naive baseline: pose + per-frame Python angles, {main_model}",
            _naive_pipeline(video, main_model), "hobby-project style, no mask")
        long_clip = _looped_clip(video, args.loop, Path(tmp))
        workers = args.workers or default_workers()
        one = add(f"analyze {args.loop}x clip, 1 worker",
                  lambda: len(analyze(str(long_clip), args.exercise, model=main_model,
                                      workers=1).track))
        many = add(f"analyze {args.loop}x clip, {workers} workers",
                   lambda: len(analyze(str(long_clip), args.exercise, model=main_model,
                                       workers=workers).track))

    print()
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{default_workers()} cores, Python {platform.python_version()}")
    print("| stage | frames/s | ms/frame | note |\n|---|---:|---:|---|")
    for stage, rate, ms, note in rows:
        print(f"| {stage} | {rate:,.1f} | {ms:.3f} | {note} |")
    print(f"\nend to end / pose only ({main_model}, same run): {e2e / pose_rate[main_model]:.2f}")
    print(f"{workers} workers / 1 worker: {many / one:.2f}x")
    return 0
