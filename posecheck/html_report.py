"""A self-contained HTML report for people: summary, a timeline plot of the metrics that matter
with reps and faults marked, and the rep and fault tables. No scripts, no external files."""
from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from posecheck.metrics import Metrics

PLOT_WIDTH, PANEL_HEIGHT, MARGIN = 900, 90, 40
SIDE_COLOURS = {"left": "#3b82f6", "right": "#a855f7", None: "#64748b"}
FAULT_COLOURS = {"validated": "#dc2626", "experimental": "#f59e0b"}
_STYLE = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1e293b}
h1{margin-bottom:0}.sub{color:#64748b}.cards{display:flex;gap:1em;margin:1em 0}
.card{background:#f1f5f9;border-radius:8px;padding:.8em 1.2em}.card b{font-size:1.6em;display:block}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #e2e8f0;
padding:.3em .5em;text-align:left;font-size:.9em}.hint{color:#b45309}.fault{color:#b91c1c}"""


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return escape(str(value))


def timeline_svg(report: dict[str, Any], metrics: Metrics, names: tuple[str, ...]) -> str:
    """SVG panels, one per metric in ``names``, over the session's time; reps shaded by side,
    faults as bars (red counted, amber hints)."""
    names = tuple(n for n in names if n in metrics.names)
    times = metrics.times
    if not len(times) or not names:
        return ""
    t0, t1 = float(times[0]), float(max(times[-1], times[0] + 1e-3))
    x = lambda t: MARGIN + (float(t) - t0) / (t1 - t0) * (PLOT_WIDTH - 2 * MARGIN)  # noqa: E731
    height = len(names) * PANEL_HEIGHT + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PLOT_WIDTH}" height="{height}" '
             f'font-size="11" font-family="sans-serif">']
    for rep in report.get("rep_details", []):
        parts.append(f'<rect x="{x(rep["start_s"]):.1f}" y="0" height="{height - 30}" '
                     f'width="{max(1.0, x(rep["end_s"]) - x(rep["start_s"])):.1f}" '
                     f'fill="{SIDE_COLOURS.get(rep.get("side"), "#64748b")}" opacity="0.12"/>')
    for i, name in enumerate(names):
        top = i * PANEL_HEIGHT
        values = metrics.column(name)
        finite = values[np.isfinite(values)]
        parts.append(f'<text x="{MARGIN}" y="{top + 12}">{escape(name)}</text>')
        if not finite.size:
            continue
        low, high = float(finite.min()), float(finite.max())
        span = high - low or 1.0
        y = lambda v: top + PANEL_HEIGHT - 8 - (v - low) / span * (PANEL_HEIGHT - 24)  # noqa: E731
        runs, current = [], []
        for t, v in zip(times, values):
            if np.isfinite(v):
                current.append(f"{x(t):.1f},{y(v):.1f}")
            elif current:
                runs.append(current)
                current = []
        runs.append(current)
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="#0f172a" stroke-width="1.2" '
                             f'points="{" ".join(run)}"/>')
        parts.append(f'<text x="4" y="{top + 24}" fill="#64748b">{high:.2f}</text>'
                     f'<text x="4" y="{top + PANEL_HEIGHT - 8}" fill="#64748b">{low:.2f}</text>')
    for fault in report.get("faults", []):
        end = fault.get("end_s") if fault.get("end_s") is not None else t1
        colour = FAULT_COLOURS.get(fault.get("status"), "#f59e0b")
        parts.append(f'<rect x="{x(fault["start_s"]):.1f}" y="{height - 26}" height="8" '
                     f'width="{max(2.0, x(end) - x(fault["start_s"])):.1f}" fill="{colour}">'
                     f'<title>{escape(str(fault.get("rule")))}</title></rect>')
    for tick in np.linspace(t0, t1, 7):
        parts.append(f'<text x="{x(tick):.1f}" y="{height - 4}" text-anchor="middle">'
                     f'{tick:.1f} s</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: dict[str, Any], metrics: Metrics, names: tuple[str, ...]) -> str:
    """The whole report page as a string; every text from the report is escaped."""
    exercise, video, reps = report["exercise"], report["video"], report.get("reps", {})
    faults = report.get("faults", [])
    counted = [f for f in faults if f.get("status") == "validated"]
    cards = [("reps left", reps.get("left", 0)), ("reps right", reps.get("right", 0)),
             ("reps total", reps.get("total", 0)), ("faults", len(counted)),
             ("hints", len(faults) - len(counted))]
    cards += [(f"hold {h.get('side') or ''}".strip(), f"{h.get('seconds', 0):.1f} s")
              for h in report.get("holds", [])]
    rep_rows = "".join(
        f"<tr><td>{i + 1}</td><td>{_fmt(r.get('side'))}</td><td>{_fmt(r['start_s'], 1)}</td>"
        f"<td>{_fmt(r['end_s'], 1)}</td><td>{_fmt(r.get('range'))}</td>"
        f"<td>{escape(', '.join(f['rule'] for f in r.get('faults', [])))}</td></tr>"
        for i, r in enumerate(report.get("rep_details", [])))
    fault_rows = "".join(
        f"<tr class=\"{'fault' if f.get('status') == 'validated' else 'hint'}\">"
        f"<td>{_fmt(f.get('rule'))}</td><td>{_fmt(f.get('side'))}</td>"
        f"<td>{_fmt(f.get('start_s'), 1)}–{_fmt(f.get('end_s'), 1)} s</td>"
        f"<td>{_fmt(f.get('worst'))}</td><td>{_fmt(f.get('cue'))}</td>"
        f"<td>{_fmt(f.get('status'))}</td></tr>" for f in faults)
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.get("notes", []))
    return (
        f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(exercise['title'])}"
        f" – posecheck</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(exercise['title'])}</h1><p class=\"sub\">{escape(video['path'])} · "
        f"{video['duration_s']:.1f} s · {video['width']}×{video['height']} · person found in "
        f"{report['person_detected_ratio']:.0%} of frames · model {escape(str(report['model']))}"
        f" · {escape(exercise.get('strictness', ''))}</p>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "<div class=\"cards\">" + "".join(f"<div class=\"card\"><b>{escape(str(v))}</b>"
                                            f"{escape(k)}</div>" for k, v in cards) + "</div>"
        + "<h2>Timeline</h2><p class=\"sub\">Shaded: reps (blue left, purple right). Bars: "
          "faults (red, counted) and hints (amber, rules not yet validated).</p>"
        + timeline_svg(report, metrics, names)
        + "<h2>Reps</h2><table><tr><th>#</th><th>side</th><th>start s</th><th>end s</th>"
          "<th>range</th><th>faults</th></tr>" + rep_rows + "</table>"
        + "<h2>Faults and hints</h2><table><tr><th>rule</th><th>side</th><th>when</th>"
          "<th>worst</th><th>cue</th><th>status</th></tr>" + fault_rows + "</table>"
        + "</body></html>\n")
