"""The ``posecheck`` command line: a thin layer over functions a notebook user can call too."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from posecheck.errors import PosecheckError, one_line
from posecheck.pose.models import VARIANTS
from posecheck.io.sources import VIDEO_SUFFIXES, SourceError
from posecheck.checking.spec import LEVELS



def _add_analyze(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("analyze", help="analyse a recorded video, a saved track (.npz) or a folder",
                       description="Analyse recorded exercise videos and write reports.")
    p.add_argument("inputs", nargs="+", help="video file(s), saved .npz track(s) or a folder")
    p.add_argument("--exercise", "-e", required=True, help="exercise spec id or spec file")
    p.add_argument("--model", choices=VARIANTS, default="full")
    p.add_argument("--workers", type=int, default=None,
                   help="processes for long videos (default: number of cores)")
    p.add_argument("--strictness", choices=LEVELS, default="standard")
    p.add_argument("--out", type=Path, default=Path("reports"), help="report folder")
    p.add_argument("--csv", action="store_true", help="also write per-frame metrics as CSV")
    p.add_argument("--html", action="store_true",
                   help="also write a readable HTML report with a timeline plot")
    p.add_argument("--annotate", type=Path, default=None,
                   help="write an annotated video here, .webm (VP9) or .mp4 (H.264) (a folder "
                        "when analysing several: one .webm each)")
    p.add_argument("--export", type=_export_formats, default=(), metavar="trc,mot",
                   help="also write the landmarks as an OpenSim .trc marker file and/or the "
                        "joint angles as a .mot motion file (docs/REPORT.md)")
    p.add_argument("--no-segmentation", action="store_true",
                   help="skip the segmentation mask (no back-contour metric, a little faster)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--max-people", type=int, default=0, metavar="N",
                   help="look for up to N people and follow the one who exercises (default: "
                        "a quick look first; several people only if several are in view)")
    p.add_argument("--analysis-fps", type=_positive_fps, default=None, metavar="N",
                   help="run the pose model on at most N frames a second (default: every "
                        "frame); events keep the video's real times")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: this machine's cores (default); dask: a dask.distributed "
                        "cluster (--scheduler; pip install posecheck[cluster])")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="the dask scheduler's address, e.g. tcp://10.0.0.5:8786")
    p.set_defaults(handler=_run_analyze)


def _export_formats(text: str) -> tuple[str, ...]:
    from posecheck.outputs.export import parse_formats

    return parse_formats(text)


def _positive_fps(text: str) -> float:
    value = float(text)
    if not 0 < value < 1000:
        raise argparse.ArgumentTypeError(f"{text}: not a frame rate (0 < N < 1000)")
    return value


def _add_models(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("models", help="download or build the pose model bundles")
    msub = p.add_subparsers(dest="models_command", required=True)
    f = msub.add_parser("fetch", help="provision a model bundle")
    f.add_argument("variants", nargs="*", choices=VARIANTS, default=["full"])
    f.add_argument("--route", choices=("auto", "download", "build"), default="auto")
    f.add_argument("--force", action="store_true")
    f.set_defaults(handler=_run_models_fetch)
    msub.add_parser("list", help="show provisioned models").set_defaults(handler=_run_models_list)


def _add_specs(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("specs", help="list or validate exercise specs")
    ssub = p.add_subparsers(dest="specs_command", required=True)
    ssub.add_parser("list", help="list the exercise specs").set_defaults(handler=_run_specs_list)
    v = ssub.add_parser("validate", help="validate spec files (default: all shipped specs)")
    v.add_argument("files", nargs="*", type=Path)
    v.set_defaults(handler=_run_specs_validate)
    show = ssub.add_parser("show", help="print a spec's rule cards: what each rule checks, "
                                        "its views, measured numbers and status")
    show.add_argument("spec", help="exercise spec id or spec file")
    show.set_defaults(handler=_run_specs_show)


def _add_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from posecheck.bench import add_bench_arguments

    p = sub.add_parser("bench", help="measure throughput per stage")
    add_bench_arguments(p)
    p.set_defaults(handler=_run_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posecheck", description="Exercise form checker: MediaPipe Pose + exercise specs.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_analyze(sub)
    _add_models(sub)
    _add_specs(sub)
    _add_bench(sub)
    from posecheck.live.cli import add_live_parser

    add_live_parser(sub)
    return parser


def _is_input(path: Path) -> bool:
    """A file in a folder that ``analyze`` takes: a video or a saved track (not, say, the
    ground truth ``.gt.npz`` beside a sample)."""
    return path.is_file() and (path.suffix.lower() in VIDEO_SUFFIXES
                               or path.name.lower().endswith(".track.npz"))


def _expand_inputs(inputs: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if _is_input(p))
            if not found:
                raise SourceError(f"{path}: folder holds no videos or .track.npz files")
            paths += found
        else:
            paths.append(path)
    return paths


def _run_analyze(args: argparse.Namespace) -> int:
    from posecheck.analyze_run import analyze_many, termination_as_interrupt

    with termination_as_interrupt():
        return analyze_many(_expand_inputs(args.inputs), args)


def _run_models_fetch(args: argparse.Namespace) -> int:
    from posecheck.pose.models import fetch_model

    for variant in args.variants:
        path = fetch_model(variant, route=args.route, force=args.force)
        print(f"{variant}: {path}")
    return 0


def _run_models_list(args: argparse.Namespace) -> int:
    from posecheck.pose.models import bundle_damage, model_status

    for row in model_status():
        damage = bundle_damage(row["path"]) if row["present"] and not row["verified"] else None
        state = ("ok" if row["verified"] else "corrupt" if damage
                 else "present" if row["present"] else "missing")
        print(f"{row['variant']:6s} {state:8s} {row['path']}"
              + (f"  ({one_line(damage)})" if damage else ""))
    return 0


def _run_specs_list(args: argparse.Namespace) -> int:
    from posecheck.checking.spec import list_specs

    for spec in list_specs():
        print(f"{spec.id:28s} {spec.kind:5s} {spec.sides:12s} {spec.title}")
    return 0


def _run_specs_validate(args: argparse.Namespace) -> int:
    from posecheck.checking.spec import validate_specs

    errors = validate_specs(args.files or None)
    for error in errors:
        print(one_line(error), file=sys.stderr)
    if not errors:
        print("all specs valid")
    return 2 if errors else 0


def _run_specs_show(args: argparse.Namespace) -> int:
    from posecheck.outputs.rule_cards import spec_cards
    from posecheck.checking.spec import load_spec

    print(spec_cards(load_spec(args.spec)))
    return 0


def _run_bench(args: argparse.Namespace) -> int:
    from posecheck.bench import run_bench

    return run_bench(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``posecheck`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="posecheck: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except PosecheckError as exc:
        print(f"posecheck: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (``| head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
