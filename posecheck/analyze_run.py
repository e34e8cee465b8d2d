"""The ``analyze`` command: one or many inputs, their reports, CSVs, annotated videos and a
summary table. Outputs are written only when an input's analysis has succeeded."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Iterator

from posecheck.engines import ClipOptions, Engine, LocalPool, Serial
from posecheck.errors import OutputError, PosecheckError, one_line
from posecheck.outputs.publish import OutputSet, check_file
from posecheck.pipeline import Analysis, default_workers
from posecheck.outputs.report import (atomic_write_text, format_summary, write_json_report,
                              write_metrics_csv)
from posecheck.checking.spec import Spec, load_spec


def input_stem(path: Path) -> str:
    """The name outputs are called after: ``clip`` for ``clip.mp4`` and ``clip.track.npz``."""
    return path.name.removesuffix(".track.npz") if path.name.endswith(".track.npz") else path.stem


def _distinct(paths: list[Path]) -> list[Path]:
    """``paths`` without repeats of the same file, in order."""
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def output_stems(paths: list[Path]) -> list[str]:
    """A distinct output name per input: :func:`input_stem`, or the whole file name where two
    inputs share a stem (``clip.mp4`` and ``clip.webm``), numbered if even those collide."""
    stems = [input_stem(p) for p in paths]
    stems = [p.name if stems.count(s) > 1 else s for p, s in zip(paths, stems)]
    seen: dict[str, int] = {}
    unique = []
    for stem in stems:
        seen[stem] = seen.get(stem, 0) + 1
        unique.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return unique


@dataclass(frozen=True)
class Targets:
    """Where one input's outputs go (None: not asked for)."""

    report: Path
    track: Path | None
    csv: Path | None
    html: Path | None
    annotated: Path | None
    exports: tuple[Path, ...] = ()

    @classmethod
    def for_clip(cls, path: Path, out: Path, *, stem: str | None = None, csv: bool = False,
                 html: bool = False, annotate: Path | None = None,
                 export: tuple[str, ...] = ()) -> "Targets":
        """The outputs of input ``path`` in folder ``out``, named after ``stem`` (default: the
        input's name): the report, the track (videos only), and what is asked for."""
        stem = stem or input_stem(path)
        video = not _is_track(path)
        return cls(out / f"{stem}.report.json", out / f"{stem}.track.npz" if video else None,
                   out / f"{stem}.metrics.csv" if csv else None,
                   out / f"{stem}.report.html" if html else None,
                   annotate if video else None, tuple(out / f"{stem}.{fmt}" for fmt in export))

    @classmethod
    def of(cls, path: Path, stem: str, args: argparse.Namespace, many: bool) -> "Targets":
        """:meth:`for_clip` from the ``analyze`` command's options."""
        annotate = args.annotate
        if annotate is not None and many:
            annotate = annotate / f"{stem}.annotated.webm"
        return cls.for_clip(path, args.out, stem=stem, csv=args.csv, html=args.html,
                            annotate=annotate, export=tuple(args.export))

    def check(self) -> None:
        """Raise OutputError now, before any work, if one of these cannot be written."""
        for target, what in ((self.report, "report"), (self.track, "track"),
                             (self.csv, "metrics CSV"), (self.html, "HTML report"),
                             (self.annotated, "annotated video"),
                             *((target, "export") for target in self.exports)):
            if target is not None:
                check_file(target, what)
        if self.annotated is not None:
            from posecheck.outputs.video_writer import encoding_for

            encoding_for(self.annotated)


def _is_track(path: Path) -> bool:
    return path.suffix.lower() == ".npz"


def _mark_interrupted(report: dict[str, Any], note: str) -> None:
    report["interrupted"] = True
    report.setdefault("notes", []).append(note)


def write_outputs(path: Path, spec: Spec, result: Analysis, targets: Targets) -> bool:
    """Write one input's outputs, all together or none. Ctrl-C while the annotated video is
    written skips that video; the report is still written. A stop (Ctrl-C, SIGTERM, SIGHUP)
    while the other outputs are written waits for them: True if one came."""
    report = result.report
    with OutputSet() as outputs:
        if targets.annotated is not None:
            from posecheck.outputs.annotate import write_annotated_video

            try:
                outputs.write(targets.annotated,
                              lambda part: write_annotated_video(path, result, part))
                report["annotated_video"] = str(targets.annotated)
            except KeyboardInterrupt:
                _mark_interrupted(report, "interrupted by the user: no annotated video written")
        with stops_deferred() as stops:
            if targets.csv is not None:
                outputs.write(targets.csv, lambda part: write_metrics_csv(
                    result.metrics, result.track.detected, part))
                report["metrics_csv"] = str(targets.csv)
            if targets.html is not None:
                from posecheck.outputs.display import display_metrics
                from posecheck.outputs.html_report import render_html

                report["html_report"] = str(targets.html)
                outputs.write(targets.html, lambda part: atomic_write_text(
                    part, render_html(report, result.metrics, display_metrics(spec),
                                      video=None if _is_track(path) else path,
                                      track=result.track, spec=spec)))
            if targets.exports:
                from posecheck.outputs.export import write_export

                for target in targets.exports:
                    outputs.write(target, partial(write_export, target.suffix[1:], target,
                                                  result.track, result.metrics))
                report["exports"] = [str(t) for t in targets.exports]
            if targets.track is not None:
                outputs.write(targets.track, result.track.save)
                report["track"] = str(targets.track)
            outputs.write(targets.report, lambda part: write_json_report(report, part))
            outputs.publish()
    return bool(stops)


def save_outputs(result: Analysis, out: str | Path, *, csv: bool = False, html: bool = False,
                 annotate: str | Path | None = None, export: tuple[str, ...] = ()) -> Targets:
    """Write an analysis's report and the outputs asked for into ``out``, exactly as
    ``posecheck analyze`` does (all together or none), and say where they went: the library
    API behind the command, for notebooks and scripts.

    >>> from posecheck import analyze, save_outputs                    # doctest: +SKIP
    >>> result = analyze("sample_videos/lunge.mp4", "lunge")           # doctest: +SKIP
    >>> save_outputs(result, "reports", html=True).html                # doctest: +SKIP
    PosixPath('reports/lunge.report.html')
    """
    path = Path(result.track.source or "analysis")
    targets = Targets.for_clip(path, Path(out), csv=csv, html=html,
                               annotate=Path(annotate) if annotate is not None else None,
                               export=export)
    targets.check()
    if write_outputs(path, result.spec, result, targets):
        raise KeyboardInterrupt      # a Ctrl-C that waited for the outputs to be written
    return targets


#: Signals that stop a run (:func:`termination_as_interrupt` makes the last two act as Ctrl-C).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def termination_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP stop the work as Ctrl-C does (KeyboardInterrupt):
    the part analysed gets its report and no part file is left behind."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS[1:]}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def stops_deferred() -> Iterator[list[int]]:
    """Within the block, Ctrl-C (and SIGTERM, SIGHUP) do not interrupt: the block ends and the
    signals that came are in the yielded list, for the caller to stop the work. Raised inside
    the track's zip writer, a Ctrl-C became a ValueError, a traceback and exit 1 instead of
    130. Signal handlers belong to the main thread: elsewhere the block runs unchanged."""
    stopped: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return
    previous = {sig: signal.signal(sig, lambda signum, _frame: stopped.append(signum))
                for sig in STOP_SIGNALS}
    try:
        yield stopped
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def engine_for(args: argparse.Namespace, many_videos: bool) -> Engine:
    """The engine the options ask for: a dask cluster (``--engine dask``), a pool of local
    worker processes for several videos, or this process (saved tracks need no model; one
    video's chunks go to ``--workers`` processes)."""
    workers = args.workers or default_workers()
    progress = not args.no_progress
    if args.engine == "dask":
        from posecheck.dask_engine import DaskCluster

        return DaskCluster(args.scheduler, progress)
    if many_videos and workers > 1:
        return LocalPool(workers, progress)
    return Serial(workers, progress)


def clip_options(args: argparse.Namespace) -> ClipOptions:
    return ClipOptions(args.model, args.strictness, not args.no_segmentation,
                       args.max_people or None, args.analysis_fps, spill_dir=str(args.out))


def analyze_many(paths: list[Path], args: argparse.Namespace) -> int:
    """Analyse every input; a failing input is reported and the rest go on. Exit status 2 if
    any input failed, 130 if the user interrupted (the inputs finished and the interrupted
    ones still get their reports, of the part analysed). Every output location is checked
    before the first analysis. The summary lists the inputs in the order given."""
    if args.analysis_fps is not None and args.annotate is not None:
        raise OutputError("--annotate draws the analysis on every frame: use it without "
                          "--analysis-fps")
    spec = load_spec(args.exercise)
    paths = _distinct(paths)
    many = len(paths) > 1
    all_targets = [Targets.of(p, stem, args, many)
                   for p, stem in zip(paths, output_stems(paths))]
    for targets in all_targets:
        targets.check()
    if many:
        check_file(args.out / "summary.md", "summary")
    if many and args.html:
        check_file(args.out / "index.html", "index page")
    rows: dict[int, tuple[object, ...]] = {}   # input, status, reps left, right, faults, notes
    reports: dict[int, dict[str, Any]] = {}
    interrupted = False

    def take(index: int, outcome: Analysis | PosecheckError) -> bool:
        """Write one input's outputs and summary row; True if its analysis was interrupted
        or a stop came while its outputs were written."""
        path = paths[index]
        if isinstance(outcome, PosecheckError):
            if not many:
                raise outcome
            print(f"posecheck: error: {one_line(str(outcome))}", file=sys.stderr)
            rows[index] = (one_line(path.name), "error", "", "", "", one_line(str(outcome)))
            return False
        stopped = write_outputs(path, spec, outcome, all_targets[index])
        report = reports[index] = outcome.report
        print(format_summary(report))
        print(f"  report: {one_line(str(all_targets[index].report))}")
        reps = report.get("reps", {})
        counted = [f for f in report.get("faults", []) if f.get("status") == "validated"]
        rows[index] = (one_line(path.name), "ok", reps.get("left", ""), reps.get("right", ""),
                       len(counted), one_line("; ".join(report.get("notes", []))))
        return stopped or (bool(report.get("interrupted")) and not _is_track(path))  # this run's

    videos = sum(not _is_track(path) for path in paths)
    with engine_for(args, videos > 1).start(paths, spec, clip_options(args)) as run:
        try:
            for index, outcome in run.results():
                if take(index, outcome):
                    interrupted = True
                    run.stop()
        except KeyboardInterrupt:  # the running inputs stop and return what they did
            interrupted = True
            run.stop()
            for index, outcome in run.results():
                take(index, outcome)
    if many:
        table = _summary_table([rows[i] for i in sorted(rows)])
        print(table)
        atomic_write_text(args.out / "summary.md", table + "\n")
    if many and args.html:
        from posecheck.outputs.index_page import render_index

        index = args.out / "index.html"
        atomic_write_text(index, render_index([rows[i] for i in sorted(rows)],
                                              [reports.get(i) for i in sorted(rows)], index))
    if interrupted:
        return 130
    return 2 if any(row[1] == "error" for row in rows.values()) else 0


def _summary_table(rows: list[tuple[object, ...]]) -> str:
    lines = ["| input | status | reps left | reps right | faults | notes |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
