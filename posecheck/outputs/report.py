"""Session reports: the JSON report (documented in docs/REPORT.md), per-frame CSV, a text summary.

Writers are atomic: a report file is either complete or absent, never half-written.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.io.atomic import atomic_path
from posecheck.errors import one_line
from posecheck.checking.events import Event
from posecheck.checking.records import Summary
from posecheck.measure.metrics import Metrics
from posecheck.measure.readable import unit_of
from posecheck.checking.spec import Spec
from posecheck.pose.track import PoseTrack

SCHEMA_VERSION = 1


def build_report(*, spec: Spec, strictness: str, track: PoseTrack, summary: Summary,
                 events: list[Event], model: str, extra: dict[str, Any] | None = None,
                 notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """Assemble the JSON report of one session from the track and the checker's summary."""
    exercise = {"id": spec.id, "title": spec.title, "kind": spec.kind, "sides": spec.sides,
                "strictness": strictness}
    frames = len(track)
    frame_time = 1.0 / track.fps if track.fps > 0 else 0.0  # fps may be NaN
    duration = float(track.times[-1] - track.times[0]) + frame_time if frames else 0.0
    ratio = track.detected_ratio
    all_notes = list(notes) + [n for n in summary.get("notes", ()) if n not in notes]
    if frames == 0 or ratio == 0.0:
        all_notes.append("no person was detected in the video")
    elif ratio < 0.5:
        all_notes.append(f"a person was detected in only {ratio:.0%} of frames")
    report = {
        "schema_version": SCHEMA_VERSION,
        "exercise": exercise,
        "video": {"path": track.source, "fps": round(track.fps, 3), "frames": frames,
                  "duration_s": round(duration, 3), "width": track.frame_size[0],
                  "height": track.frame_size[1]},
        "model": model,
        "person_detected_ratio": round(ratio, 4),
        **summary,
        "events": [event_to_dict(e) for e in events],
        "notes": all_notes,
    }
    if extra:
        report.update(extra)
    jsonable: dict[str, Any] = _jsonable(report)
    return jsonable


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as plain JSON data."""
    return {"kind": event.kind, "time_s": round(float(event.time), 3), "side": event.side,
            "rule": event.rule, "message": event.message, "data": event.data}


def _jsonable(value: Any) -> Any:
    """Replace numpy scalars/arrays and non-finite floats (as null) for strict JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8 (the undecodable bytes of a file name
    written as ``\\udcff``)."""
    with atomic_path(path) as part:
        part.write_text(text, encoding="utf-8", errors="backslashreplace")


def write_json_report(report: dict[str, Any], path: Path) -> None:
    """Write the report as indented, strict JSON."""
    atomic_write_text(path, json.dumps(report, indent=2, allow_nan=False) + "\n")


#: The suffix a metric's CSV column carries, by the unit :func:`unit_of` reads it in; values
#: stay in the metric's own unit (a ratio of the torso length, not a percentage).
CSV_UNIT_SUFFIXES = {"deg": "deg", "px": "px", "% torso": "torso_lengths",
                     "% frame": "frame_fraction"}


def csv_column(name: str) -> str:
    """A metric's CSV column: its name and unit, ``knee_flexion_left_deg``,
    ``knee_rise_left_torso_lengths``, ``body_height_frame_fraction``."""
    return f"{name}_{CSV_UNIT_SUFFIXES[unit_of(name)[0]]}"


def write_metrics_csv(metrics: Metrics, detected: np.ndarray, path: Path) -> None:
    """One row per frame: time_s, detected (0/1), then every metric (empty where NaN), one
    header row whose metric columns end in their unit (:func:`csv_column`).

    detected : (T,) bool.
    """
    with atomic_path(path) as part, open(part, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["time_s", "detected", *map(csv_column, metrics.names)])
        for t, found, row in zip(metrics.times, detected, metrics.values):
            writer.writerow([f"{t:.3f}", int(found),
                             *("" if not np.isfinite(v) else f"{v:.4f}" for v in row)])


def format_summary(report: dict[str, Any]) -> str:
    """A short human-readable summary of a report."""
    video, reps = report["video"], report.get("reps", {})
    duration = "?" if video["duration_s"] is None else f"{video['duration_s']:.1f}"
    lines = [f"{report['exercise'].get('title', report['exercise'].get('id'))}: "
             f"{one_line(str(video['path']))} ({duration} s, "
             f"person in {report['person_detected_ratio']:.0%} of frames)"]
    lines += [f"  note: {n}" for n in report.get("notes", [])]
    if reps and report["exercise"].get("kind") != "hold":
        lines.append(f"  reps: {reps.get('total', 0)} "
                     f"(left {reps.get('left', 0)}, right {reps.get('right', 0)})")
    for hold in report.get("holds", []):
        lines.append(f"  hold ({hold.get('side') or 'both'}): "
                     f"{hold.get('seconds', 0):.1f} s in good form")
    faults = report.get("faults", [])
    counted = [f for f in faults if f.get("status", "validated") == "validated"]
    lines.append(f"  faults: {len(counted)}" + (f" (+{len(faults) - len(counted)} hints)"
                                                 if len(faults) > len(counted) else ""))
    for fault in faults:
        tag = "" if fault.get("status", "validated") == "validated" else " [hint]"
        end = fault.get("end_s")
        lines.append(f"    {fault.get('start_s', 0):6.1f}-"
                     f"{'end' if end is None else format(end, '.1f'):>5s} s  "
                     f"{fault.get('rule')}{tag}: {fault.get('cue', '')}")
    return "\n".join(lines)
