"""Live-session latency: a sample clip stands in for a 640x480 camera, paced in real time.

Measures, per processed frame, capture → cue decided (pose, metrics, checker, cue scheduler)
and capture → displayed (overlay drawn at 720 lines and the window updated with ``--window``
under a display; drawn off-screen otherwise), their p50/p95, frames dropped by the capture thread and the
processing rate. Each clip frame is repeated to reach ``--fps`` (default 30, a webcam's rate)
so the model has a camera's frame budget while the person moves at their own speed.

    .venv/bin/python benchmarks/bench_live.py                       # full model, off-screen
    xvfb-run -a .venv/bin/python benchmarks/bench_live.py --window  # with a real window
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posecheck.live.session import run_live  # noqa: E402

DEFAULT_CLIP = ROOT / "sample_videos" / "bird_dog_clean.mp4"


def as_camera(clip: Path, fps: float, size: tuple[int, int], out: Path) -> float:
    """Write the clip at ``size``, each frame repeated so it plays at about ``fps`` at its
    own speed (a 15 fps clip becomes a 30 fps camera); returns the frame rate written."""
    source = cv2.VideoCapture(str(clip))
    repeat = max(1, round(fps / source.get(cv2.CAP_PROP_FPS)))
    rate = source.get(cv2.CAP_PROP_FPS) * repeat
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), rate, size)
    while True:
        ok, frame = source.read()
        if not ok:
            break
        frame = cv2.resize(frame, size) if frame.shape[1::-1] != size else frame
        for _ in range(repeat):
            writer.write(frame)
    source.release()
    writer.release()
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="bird_dog")
    parser.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--window", action="store_true", help="show the live window")
    parser.add_argument("--no-segmentation", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        camera = Path(tmp) / "camera.mp4"
        rate = as_camera(args.clip, args.fps, (640, 480), camera)
        summary = run_live(args.exercise, source=str(camera), model=args.model, voice="none",
                           window=args.window, realtime=True,
                           segmentation=not args.no_segmentation,
                           report_path=Path(tmp) / "live.json", print_summary=False,
                           on_display=None if args.window else (lambda image: None))
    live = summary["live"]
    figures = {
        "model": args.model, "frame_size": "640x480", "camera_fps": rate,
        "segmentation": not args.no_segmentation,
        "display": "window" if args.window else "overlay drawn off-screen",
        "capture_to_cue_ms": live["capture_to_cue_ms"],
        "capture_to_display_ms": live.get("capture_to_display_ms"),
        "pose_ms": live["pose_ms"],
        "frames_captured": live["frames_captured"], "frames_processed": live["frames_processed"],
        "frames_dropped": live["frames_dropped"], "processing_fps": live["processing_fps"],
        "reps": summary["reps"],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
