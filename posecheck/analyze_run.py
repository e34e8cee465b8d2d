"""The ``analyze`` command: one or many inputs, their reports, CSVs, annotated videos and a
summary table. Outputs are written only when an input's analysis has succeeded."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from posecheck.errors import PosecheckError, one_line
from posecheck.pipeline import Analysis, analyze, default_workers
from posecheck.report import (atomic_write_text, format_summary, write_json_report,
                              write_metrics_csv)
from posecheck.sources import open_source
from posecheck.spec import Spec, load_spec



def input_stem(path: Path) -> str:
    """The name outputs are called after: ``clip`` for ``clip.mp4`` and ``clip.track.npz``."""
    return path.name.removesuffix(".track.npz") if path.name.endswith(".track.npz") else path.stem


def _frame_count(path: Path) -> int | None:
    if path.suffix == ".npz":
        return None
    return open_source(str(path)).frame_count


def analyze_one(path: Path, spec: Spec, args: argparse.Namespace,
                annotate: Path | None) -> Analysis:
    """Analyse one input and write its outputs into ``args.out``."""
    total = _frame_count(path)
    bar = tqdm(total=total, desc=path.name, unit="frame", leave=False,
               disable=args.no_progress or total is None, file=sys.stderr)
    try:
        result = analyze(path, spec, model=args.model,
                         workers=args.workers or default_workers(),
                         strictness=args.strictness, segmentation=not args.no_segmentation,
                         progress=bar.update)
    finally:
        bar.close()
    stem = input_stem(path)
    out: Path = args.out
    if annotate is not None and path.suffix != ".npz":
        from posecheck.annotate import write_annotated_video

        write_annotated_video(path, result, annotate)
        result.report["annotated_video"] = str(annotate)
    if args.csv:
        csv_path = out / f"{stem}.metrics.csv"
        write_metrics_csv(result.metrics, result.track.detected, csv_path)
        result.report["metrics_csv"] = str(csv_path)
    if args.html:
        from posecheck.display import display_metrics
        from posecheck.html_report import render_html

        html_path = out / f"{stem}.report.html"
        result.report["html_report"] = str(html_path)
        atomic_write_text(html_path, render_html(result.report, result.metrics,
                                                 display_metrics(spec)))
    if path.suffix != ".npz":
        track_path = out / f"{stem}.track.npz"
        out.mkdir(parents=True, exist_ok=True)
        result.track.save(track_path)
        result.report["track"] = str(track_path)
    write_json_report(result.report, out / f"{stem}.report.json")
    return result


def _annotate_target(args: argparse.Namespace, path: Path, many: bool) -> Path | None:
    if args.annotate is None:
        return None
    return args.annotate / f"{input_stem(path)}.annotated.mp4" if many else args.annotate


def analyze_many(paths: list[Path], args: argparse.Namespace) -> int:
    """Analyse every input; a failing input is reported and the rest go on. Exit status 2 if
    any input failed, 130 if the user interrupted (the interrupted input still gets its report
    of the part analysed)."""
    spec = load_spec(args.exercise)
    many = len(paths) > 1
    rows, failed, interrupted = [], 0, False
    for path in paths:
        try:
            result = analyze_one(path, spec, args, _annotate_target(args, path, many))
        except PosecheckError as exc:
            if not many:
                raise
            print(f"posecheck: error: {one_line(str(exc))}", file=sys.stderr)
            rows.append((path.name, "error", "", "", "", str(exc)))
            failed += 1
            continue
        report = result.report
        print(format_summary(report))
        print(f"  report: {args.out / (input_stem(path) + '.report.json')}")
        reps = report.get("reps", {})
        counted = [f for f in report.get("faults", []) if f.get("status") == "validated"]
        rows.append((path.name, "ok", reps.get("left", ""), reps.get("right", ""),
                     len(counted), "; ".join(report.get("notes", []))))
        interrupted = bool(report.get("interrupted"))
        if interrupted:
            break
    if many:
        table = _summary_table(rows)
        print(table)
        atomic_write_text(args.out / "summary.md", table + "\n")
    if interrupted:
        return 130
    return 2 if failed else 0


def _summary_table(rows: list[tuple]) -> str:
    lines = ["| input | status | reps left | reps right | faults | notes |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
