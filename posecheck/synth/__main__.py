"""Command line of the synthetic-people generator.

  python -m posecheck.synth render --exercise bird_dog --variant clean \\
      --out sample_videos/bird_dog_clean.mp4 --seed 0
  python -m posecheck.synth samples --out sample_videos          # the committed samples
  python -m posecheck.synth validation-set --out .cache/validation --n 200 --workers 2
  python -m posecheck.synth render --world phone --exercise lunge --seed 3 --out x.mp4
  python -m posecheck.synth preview --exercise lunge --times 0,3,6 --out sheet.png
  python -m posecheck.synth evaluate sample_videos/*.mp4     # MediaPipe vs ground truth
  python -m posecheck.synth refresh-metrics sample_videos/*.gt.npz  # after kinematics changes
  python -m posecheck.synth list
"""
from __future__ import annotations

import argparse
import sys

from posecheck.synth.scene import VIEWS


def _camera(args: argparse.Namespace):
    """The exercise's default camera with the command line's overrides (None: no override)."""
    if not (args.view or args.camera_distance or args.camera_height):
        return None
    from dataclasses import replace

    import numpy as np

    from posecheck.synth.exercises import EXERCISES

    default = EXERCISES[args.exercise](args.variant, np.random.default_rng(args.seed)).camera
    return replace(default, view=args.view or default.view,
                   distance=args.camera_distance or default.distance,
                   height=args.camera_height or default.height)


def _render(args: argparse.Namespace) -> int:
    from posecheck.synth.clip import ClipSpec, render_clip

    spec = ClipSpec(exercise=args.exercise, variant=args.variant, seed=args.seed,
                    width=args.width, height=args.height, fps=args.fps, camera=_camera(args),
                    fault_size=args.fault_size, reps=args.reps, max_frames=args.max_frames)
    if args.world != "clean_room":
        from dataclasses import replace

        from posecheck.synth.world import clip_spec

        spec = replace(clip_spec(args.exercise, args.variant, args.seed, args.world, args.view,
                                 args.max_frames), fault_size=args.fault_size, reps=args.reps)
    gt, stats = render_clip(spec, args.out, progress=not args.quiet)
    print(f"{args.out}: {stats.frames} frames, {len(gt.reps)} reps, "
          f"{stats.render_s / stats.frames:.3f} s/frame render + "
          f"{stats.pose_s / stats.frames:.3f} s/frame pose ({stats.fps:.2f} frames/s)")
    return 0


def _samples(args: argparse.Namespace) -> int:
    from posecheck.synth.samples import render_samples

    render_samples(args.out, args.names or None, progress=not args.quiet)
    return 0


def _preview(args: argparse.Namespace) -> int:
    import cv2

    from posecheck.synth.clip import ClipSpec, preview

    spec = ClipSpec(exercise=args.exercise, variant=args.variant, seed=args.seed,
                    width=args.width, height=args.height, camera=_camera(args),
                    fault_size=args.fault_size, reps=args.reps)
    sheet = preview(spec, [float(t) for t in args.times.split(",")])
    cv2.imwrite(args.out, cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(args.out)
    return 0


def _listed(text: str) -> tuple[str, ...]:
    """A comma-separated option as a tuple (empty: no filter)."""
    return tuple(x for x in text.split(",") if x)


def _validation_set(args: argparse.Namespace) -> int:
    from posecheck.synth.validation import generate

    size = {"width": args.width, "height": args.height} if args.size else {}
    generate(args.out, n=args.n, workers=args.workers, seed=args.seed, fps=args.fps,
             progress=not args.quiet, world=args.world,
             exercises=_listed(args.exercises), views=_listed(args.views), **size)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from posecheck.pipeline import estimate_video
    from posecheck.synth.evaluate import accuracy
    from posecheck.synth.groundtruth import GroundTruth, path_for

    print("clip\tframes\tdetected\tmean_px\tmedian_px\tp95_px\ttorso_%\tvisible_px\t"
          "occluded_px\tlr_swapped")
    for video in args.videos:
        track = estimate_video(video, model=args.model)
        a = accuracy(track, GroundTruth.load(path_for(video)))
        print(f"{video}\t{a.frames}\t{a.detection_rate:.3f}\t{a.mean_px:.1f}\t{a.median_px:.1f}"
              f"\t{a.p95_px:.1f}\t{a.mean_torso_pct:.1f}\t{a.visible_px:.1f}\t{a.occluded_px:.1f}"
              f"\t{a.swapped_frames:.3f}", flush=True)
    return 0


def _refresh_metrics(args: argparse.Namespace) -> int:
    from posecheck.synth.groundtruth import GroundTruth

    for path in args.files:
        GroundTruth.load(path).with_metrics().save(path)
        print(path)
    return 0


def _list(_: argparse.Namespace) -> int:
    from posecheck.synth.exercises import EXERCISES, VARIANTS

    print("exercises:", ", ".join(sorted(EXERCISES)))
    print("variants:", ", ".join(VARIANTS))
    print("views:", ", ".join(VIEWS))
    from posecheck.synth.samples import SAMPLES

    print("samples:", ", ".join(SAMPLES))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posecheck.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, fps: float | None) -> None:
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--fps", type=float, default=fps)
        p.add_argument("--width", type=int, default=640)
        p.add_argument("--height", type=int, default=480)
        p.add_argument("--quiet", action="store_true")

    def clip_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--exercise", required=True)
        p.add_argument("--variant", default="clean")
        p.add_argument("--view", choices=sorted(VIEWS), help="camera view (default: exercise's)")
        p.add_argument("--fault-size", type=float,
                       help="degrees of every fault of a faults clip (validation set: 10, 15, 20)")
        p.add_argument("--reps", type=int, help="reps, or holds for hold exercises")
        p.add_argument("--camera-distance", type=float)
        p.add_argument("--camera-height", type=float)
        common(p, 15.0)

    r = sub.add_parser("render", help="render one clip and its ground truth")
    clip_args(r)
    r.add_argument("--out", required=True, help="output .mp4 (ground truth: .gt.npz beside)")
    r.add_argument("--max-frames", type=int, help="render only the first N frames")
    r.add_argument("--world", choices=("clean_room", "phone"), default="clean_room",
                   help="phone: draw clothes, room, light, camera and capture from --seed "
                        "(ignores --width/--height/--fps and the camera options but --view)")
    r.set_defaults(func=_render)

    pv = sub.add_parser("preview", help="a contact sheet of single frames (PNG)")
    clip_args(pv)
    pv.add_argument("--times", required=True, help="comma-separated seconds")
    pv.add_argument("--out", required=True, help="output .png")
    pv.set_defaults(func=_preview)

    v = sub.add_parser("validation-set", help="render a cached set of varied clips")
    v.add_argument("--out", required=True)
    v.add_argument("--n", type=int, default=200)
    v.add_argument("--workers", type=int, default=2)
    v.add_argument("--exercises", default="",
                   help="comma-separated: render only these exercises' clips of the set")
    v.add_argument("--views", default="",
                   help="comma-separated camera views (left, front_right, ...): only these")
    v.add_argument("--world", choices=("clean_room", "phone"), default="phone",
                   help="clean_room: the sets of 2026-11 (640x480, 15 fps); phone: the harder "
                        "world of issue 9 (docs/SYNTH_GROUND_TRUTH.md)")
    v.add_argument("--size", action="store_true",
                   help="render every clip at --width x --height (default: the world's)")
    common(v, None)
    v.set_defaults(func=_validation_set)

    e = sub.add_parser("evaluate", help="MediaPipe landmark accuracy against ground truth "
                                        "(main environment: needs mediapipe, not the extra)")
    e.add_argument("videos", nargs="+", help="clips with a .gt.npz beside them")
    e.add_argument("--model", default="full", help="lite | full | heavy | path to .task")
    e.set_defaults(func=_evaluate)

    sm = sub.add_parser("samples", help="render the committed sample clips")
    sm.add_argument("--out", default="sample_videos")
    sm.add_argument("names", nargs="*", help="sample names (default: all)")
    sm.add_argument("--quiet", action="store_true")
    sm.set_defaults(func=_samples)

    rm = sub.add_parser("refresh-metrics", help="recompute the kinematic metrics stored in "
                                             "ground-truth files (no rendering, main env)")
    rm.add_argument("files", nargs="+", help=".gt.npz files")
    rm.set_defaults(func=_refresh_metrics)

    sub.add_parser("list", help="exercises, variants, views and samples").set_defaults(
        func=_list)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    finally:
        if "posecheck.synth.clip" in sys.modules:
            sys.modules["posecheck.synth.clip"].RENDERER.close()


if __name__ == "__main__":
    sys.exit(main())
