"""The ``posecheck live`` sub-command; registered by :mod:`posecheck.cli`."""
from __future__ import annotations

import argparse
from pathlib import Path

VOICES = ("espeak", "tone", "none")


def add_live_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``live`` to the ``posecheck`` sub-commands."""
    from posecheck.pose.models import VARIANTS
    from posecheck.checking.spec import LEVELS

    p = subparsers.add_parser(
        "live", help="coach an exercise live from a camera (or a video standing in for one)",
        description="Live coaching: pose, form cues spoken and shown, reps and holds counted. "
                    "Keys: q quit, space pause, r restart the exercise, n next exercise "
                    "(or end the rest).")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--exercise", "-e", help="exercise spec id or spec file")
    what.add_argument("--routine", type=Path, help="routine file (TOML): exercises with rests")
    p.add_argument("--source", default="0",
                   help="camera index, stream URL or video file (default: camera 0)")
    p.add_argument("--model", choices=VARIANTS, default="full")
    p.add_argument("--voice", choices=VOICES, default="espeak",
                   help="spoken cues (espeak-ng), a soft tone per cue, or silence")
    p.add_argument("--no-voice", dest="voice", action="store_const", const="none",
                   help="same as --voice none")
    p.add_argument("--strictness", choices=LEVELS, default="standard")
    p.add_argument("--cooldown", type=float, default=8.0,
                   help="seconds before the same cue may be spoken again (default 8)")
    p.add_argument("--no-window", action="store_true", help="run headless")
    p.add_argument("--realtime", action="store_true",
                   help="pace a video file to its own frame rate, like a camera")
    p.add_argument("--no-segmentation", action="store_true",
                   help="skip the segmentation mask (no back-contour metric, lower latency)")
    p.add_argument("--report", type=Path, default=None,
                   help="session summary JSON (default: reports/live-<time>.json); the "
                        "landmark track (.track.npz) is written beside it")
    p.add_argument("--html", action="store_true",
                   help="also write a readable HTML report beside the summary")
    p.add_argument("--speech-wav", type=Path, default=None, metavar="FILE",
                   help="write the cues that were said as a WAV file, each at its time")
    p.add_argument("--show-perf", action="store_true",
                   help="show frames per second and latency in the window")
    p.set_defaults(handler=run_live_command)
    return p


def run_live_command(args: argparse.Namespace) -> int:
    """Handler of ``posecheck live``: run the session, print and save its summary. Exit
    status 130 after Ctrl-C (143 SIGTERM, 129 SIGHUP), once everything is saved."""
    from posecheck.live.session import exit_status, run_live

    source: str | int = int(args.source) if str(args.source).isdigit() else args.source
    summary = run_live(args.exercise, routine=args.routine, source=source, model=args.model,
                       voice=args.voice, window=not args.no_window,
                       strictness=args.strictness, cooldown=args.cooldown,
                       realtime=args.realtime, segmentation=not args.no_segmentation,
                       report_path=args.report, html=args.html, speech_wav=args.speech_wav,
                       show_perf=args.show_perf)
    return exit_status(summary)
