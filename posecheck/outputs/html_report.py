"""A self-contained HTML report a physiotherapist can judge a session from: counts or holds,
left against right, the user's neutral pose, every rule with its status and what it covers,
each fault's metric against its allowed band in degrees or % of the torso, and pictures of
the worst moment of each fault and of each rep's peak (from the video, skeleton drawn).
No scripts; pictures are embedded as small JPEGs. The one external file is the annotated video,
when one was written: the page plays it from its place relative to the page.

Example
-------
>>> page = render_html(result.report, result.metrics, ("knee_rise_left",),
...                    video=Path("clip.mp4"), track=result.track)    # doctest: +SKIP
"""
from __future__ import annotations

import math
import os
from contextlib import nullcontext
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from posecheck.outputs.html_svg import FAULT_COLOURS, HOLD_COLOUR, SIDE_COLOURS, Chart, Span
from posecheck.measure.metrics import Metrics
from posecheck.measure.readable import metric_name, scaled, unit_of
from posecheck.measure.vocabulary import is_sided, resolve

if TYPE_CHECKING:
    from posecheck.checking.spec import Rule, Spec
    from posecheck.pose.track import PoseTrack

#: At most this many rep-peak pictures (the first reps of each side).
MAX_REP_THUMBS = 8
_STYLE = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1e293b}
h1{margin-bottom:0}h2{margin-top:1.6em}.sub{color:#64748b}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.card{background:#f1f5f9;border-radius:8px;padding:.8em 1.2em}.card b{font-size:1.6em;display:block}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #e2e8f0;
padding:.3em .5em;text-align:left;font-size:.9em;vertical-align:top}.hint{color:#b45309}
.fault{color:#b91c1c}.ok{color:#15803d}.badge{border-radius:4px;padding:0 .4em;font-size:.8em}
.validated{background:#dcfce7}.experimental{background:#fef3c7}
.thumbs{display:flex;flex-wrap:wrap;gap:.8em}figure{margin:0;font-size:.8em;color:#475569}
figure img{display:block;height:130px;border-radius:4px}"""


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return escape(str(value))


def _num(value: float, signed: bool = True) -> str:
    """A readable number: one decimal below 10 ("-0.8"), whole above ("+45")."""
    digits = 1 if abs(value) < 10 else 0
    return f"{value:{'+' if signed else ''}.{digits}f}"


def _load_spec(report: dict[str, Any]) -> "Spec | None":
    from posecheck.checking.spec import load_spec

    try:
        return load_spec(report["exercise"]["id"])
    except Exception:           # a spec file that moved: the page is made without rule cards
        return None


class Page:
    """What the sections of one report page share: the report, metrics, spec, pictures."""

    def __init__(self, report: dict[str, Any], metrics: Metrics, spec: "Spec | None",
                 grabber: Any) -> None:
        self.report, self.metrics, self.spec, self.grabber = report, metrics, spec, grabber
        self.strictness = report["exercise"].get("strictness", "standard")
        self.baseline = report.get("calibration") or {}
        self.is_hold = report["exercise"].get("kind") == "hold"
        self.hold_target = spec.dosage.hold_seconds if spec is not None else None
        times = metrics.times[np.isfinite(metrics.times)] if len(metrics) else np.zeros(0)
        self.span = (float(times[0]), float(max(times[-1], times[0] + 1e-3))) \
            if times.size else None

    # -- values as a person reads them ---------------------------------------------------
    def relative(self, name: str, rule: "Rule | None" = None) -> bool:
        """Whether ``name`` is shown as a change from the user's neutral pose."""
        wanted = rule is None or rule.relative_to == "neutral"
        return wanted and self.baseline.get(name) is not None

    def shown(self, name: str, value: float | None, rule: "Rule | None" = None) -> float | None:
        """``value`` of ``name`` in readable units, relative to neutral where it applies."""
        if value is None:
            return None
        return scaled(name, value - self.baseline[name] if self.relative(name, rule)
                      else value)

    def unit(self, name: str, rule: "Rule | None" = None) -> str:
        unit = unit_of(name)[0]
        return f"{unit} from your start position" if self.relative(name, rule) else unit

    def band(self, rule: "Rule") -> tuple[float, float]:
        """The rule's allowed range at this strictness, in readable units."""
        low, high, _ = rule.bounds(rule.tolerance.at(self.strictness))
        factor = unit_of(rule.metric.replace("{side}", "left").replace("{other}", "right"))[1]
        return low * factor, high * factor

    # -- marks on charts -----------------------------------------------------------------
    def spans(self) -> list[Span]:
        """Reps (by side) and holds, to shade behind a chart."""
        out = [Span(r["start_s"], r["end_s"], SIDE_COLOURS.get(r.get("side"), "#64748b"),
                    f"rep {i + 1} {r.get('side') or ''}")
               for i, r in enumerate(self.report.get("rep_details", []))]
        return out + [Span(h["start_s"], h["end_s"], HOLD_COLOUR,
                           f"hold {h.get('side') or ''}: {_fmt(h.get('seconds'))} s in form")
                      for h in self.report.get("holds", [])
                      if h.get("start_s") is not None and h.get("end_s") is not None]

    def fault_bars(self, rule_id: str | None = None) -> list[Span]:
        return [Span(f["start_s"], f["end_s"] if f.get("end_s") is not None else
                     (self.span or (0, 0))[1], FAULT_COLOURS.get(f.get("status"), "#f59e0b"),
                     f"{f.get('rule')}: {f.get('cue', '')}")
                for f in self.report.get("faults", []) if rule_id in (None, f.get("rule"))]

    def column(self, name: str, rule: "Rule | None" = None) -> np.ndarray | None:
        if name not in self.metrics.names:
            return None
        values = self.metrics.column(name).astype(float)
        if self.relative(name, rule):
            values = values - self.baseline[name]
        return values * unit_of(name)[1]


def _header(page: Page) -> str:
    report = page.report
    exercise, video = report["exercise"], report["video"]
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [escape(str(video.get("path", ""))), f"session {_fmt(video.get('duration_s'))} s",
             f"{video.get('width')}×{video.get('height')}",
             f"person found in {report.get('person_detected_ratio', 0):.0%} of frames",
             f"model {escape(str(report.get('model')))}",
             f"strictness {escape(page.strictness)}", f"report made {when}"]
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.get("notes", []))
    warn = ("<p class=\"fault\"><b>Interrupted:</b> the session was stopped early; this "
            "report covers the part recorded.</p>" if report.get("interrupted") else "")
    return (f"<h1>{escape(exercise['title'])}</h1><p class=\"sub\">{' · '.join(parts)}</p>"
            + warn + (f"<ul>{notes}</ul>" if notes else ""))


def _cards(page: Page) -> str:
    report = page.report
    faults = report.get("faults", [])
    counted = sum(f.get("status") == "validated" for f in faults)
    cards: list[tuple[str, str]] = []
    if page.is_hold:
        target = f" of {_fmt(page.hold_target, 0)}" if page.hold_target else ""
        for i, hold in enumerate(report.get("holds", [])):
            side = f"{hold['side']} side" if hold.get("side") else f"hold {i + 1}"
            reached = "target reached" if hold.get("target_reached") else "held in good form"
            cards.append((f"{_fmt(hold.get('seconds'))}{target} s", f"{side}: {reached}"))
        if not report.get("holds"):
            cards.append(("0 s", "no hold in good form"))
    else:
        reps = report.get("reps", {})
        sides = ("left", "right") if report["exercise"].get("sides") == "alternating" else ()
        cards += [(str(reps.get(s, 0)), f"reps {s}") for s in sides]
        cards.append((str(reps.get("total", 0)), "reps in all"))
    cards += [(str(counted), "faults (validated rules)"),
              (str(len(faults) - counted), "hints (rules not yet validated)")]
    return "<div class=\"cards\">" + "".join(
        f"<div class=\"card\"><b>{v}</b>{escape(k)}</div>" for v, k in cards) + "</div>"


def _video(page: Page) -> str:
    """The annotated video, played from its path relative to the page (both in the report)."""
    video, html = page.report.get("annotated_video"), page.report.get("html_report")
    if not video or not html:
        return ""
    src = quote(Path(os.path.relpath(Path(video).absolute(), Path(html).absolute().parent))
                .as_posix())
    return ("<h2>Annotated video</h2><video controls preload=\"metadata\" "
            f"src=\"{escape(src)}\" style=\"max-width:100%\">The annotated video: "
            f"<a href=\"{escape(src)}\">{escape(Path(video).name)}</a></video>")


def _asymmetry(page: Page) -> str:
    report = page.report
    if page.is_hold or report["exercise"].get("sides") != "alternating":
        return ""
    asym, reps = report.get("asymmetry") or {}, report.get("reps", {})
    rows = [("reps counted", str(reps.get("left", 0)), str(reps.get("right", 0)), "")]
    template = asym.get("metric")
    if template:
        left, right = resolve(template, "left"), resolve(template, "right")
        unit = unit_of(left)[0]
        diff = asym.get("percent")
        rows.append((f"range of {metric_name(template.replace('_{side}', ''))} per rep",
                     f"{_fmt(scaled(left, asym.get('left_range')), 0)} {unit}",
                     f"{_fmt(scaled(right, asym.get('right_range')), 0)} {unit}",
                     "" if diff is None else f"{diff:+.0f} % (left vs right)"))
    return ("<h2>Left and right</h2><table><tr><th></th><th>left</th><th>right</th>"
            "<th>difference</th></tr>" + "".join(
                f"<tr><td>{escape(a)}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>"
                for a, b, c, d in rows) + "</table>")


def _calibration(page: Page) -> str:
    if not page.baseline:
        return ""
    rows = "".join(f"<tr><td>{escape(metric_name(name))}</td><td>"
                   f"{_fmt(scaled(name, value), 0)} {unit_of(name)[0]}</td></tr>"
                   for name, value in page.baseline.items())
    return ("<h2>Start position (neutral)</h2><p class=\"sub\">Measured while the person was "
            "at rest in the start position (live: the still moment before counting; a recorded "
            "clip: every rest moment in it); rules marked \"from your start position\" compare "
            "with these values, so body shape and camera angle cancel out.</p>"
            f"<table><tr><th>measure</th><th>value</th></tr>{rows}</table>")


def _rule_metric_names(page: Page, rule: "Rule") -> list[str]:
    if not is_sided(rule.metric):
        return [rule.metric]
    return [resolve(rule.metric, side) for side in ("left", "right")]


def _band_text(page: Page, rule: "Rule") -> str:
    low, high = page.band(rule)
    unit = unit_of(_rule_metric_names(page, rule)[0])[0]
    if rule.comparison == "above":
        text = f"at least {_num(low)} {unit}"
    elif rule.comparison == "below":
        text = f"at most {_num(high)} {unit}"
    else:
        inside = rule.comparison == "between"
        text = f"{'between' if inside else 'outside'} {_num(low)} and {_num(high)} {unit}"
    where = {"neutral": " from the start position",
             "own_reps": " compared with your earlier reps"}.get(rule.relative_to, "")
    when = f", checked {'/'.join(rule.phases)}" if rule.phases else ""
    return text + where + when


def _rules(page: Page) -> str:
    if page.spec is None:
        return ""
    faults = page.report.get("faults", [])
    rows = []
    for rule in page.spec.rules:
        count = sum(f.get("rule") == rule.id for f in faults)
        found = (f"<span class=\"{'fault' if rule.status == 'validated' else 'hint'}\">"
                 f"{count} {'fault' if rule.status == 'validated' else 'hint'}"
                 f"{'s' * (count != 1)}</span>" if count else "<span class=\"ok\">none</span>")
        names = ", ".join(metric_name(n) for n in _rule_metric_names(page, rule))
        views = f" Valid in {', '.join(rule.views)} views." if rule.views else ""
        rows.append(f"<tr><td><b>{escape(rule.id.replace('_', ' '))}</b><br>"
                    f"<span class=\"badge {rule.status}\">{rule.status}</span></td>"
                    f"<td>{found}</td><td>“{escape(rule.cue)}”<br><span class=\"sub\">"
                    f"{escape(names)}: {escape(_band_text(page, rule))}.{views}</span></td>"
                    f"<td>{escape(rule.note)}</td></tr>")
    return ("<h2>Rules checked</h2><p class=\"sub\">Validated rules were measured against "
            "synthetic people with known faults and count as faults; experimental ones are "
            "hints, never counted. The note says what a rule covers and how well it "
            "worked.</p><table><tr><th>rule</th><th>this session</th><th>cue and limit</th>"
            "<th>what it covers, how it was measured</th></tr>" + "".join(rows) + "</table>")


def _worst_time(page: Page, fault: dict[str, Any], name: str, rule: "Rule") -> float:
    """The moment of a fault furthest outside its rule's band (its middle if unseen)."""
    start = float(fault["start_s"])
    end = float(fault["end_s"]) if fault.get("end_s") is not None else start
    values = page.column(name, rule)
    if values is None:
        return (start + end) / 2
    inside = (page.metrics.times >= start - 1e-6) & (page.metrics.times <= end + 1e-6)
    low, high = page.band(rule)
    outside = np.maximum(low - values, values - high)
    outside = np.where(inside & np.isfinite(outside), outside, -np.inf)
    return float(page.metrics.times[int(np.argmax(outside))]) if np.isfinite(
        outside.max(initial=-np.inf)) else (start + end) / 2


def _fault_name(rule: "Rule", side: str | None) -> str:
    return resolve(rule.metric, side) if is_sided(rule.metric) and side else \
        rule.metric if not is_sided(rule.metric) else resolve(rule.metric, "left")


def _picture(page: Page, time_s: float, caption: str, faulty: tuple[int, ...] = ()) -> str:
    if page.grabber is None:
        return ""
    uri = page.grabber.thumbnail(time_s, faulty)
    if uri is None:
        return ""
    return (f"<figure><img src=\"{uri}\" alt=\"{escape(caption)}\">"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _faults(page: Page) -> str:
    from posecheck.outputs.display import metric_landmarks

    faults = page.report.get("faults", [])
    if not faults:
        return "<h2>Faults and hints</h2><p>None: every checked rule held.</p>"
    rules = {r.id: r for r in page.spec.rules} if page.spec is not None else {}
    charts, pictures, rows = [], [], []
    plotted: set[str] = set()
    for i, fault in enumerate(faults):
        rule = rules.get(fault.get("rule"))
        name = _fault_name(rule, fault.get("side")) if rule is not None else ""
        worst = page.shown(name, fault.get("worst"), rule) if rule is not None else None
        unit = page.unit(name, rule) if rule is not None else ""
        rows.append(f"<tr class=\"{'fault' if fault.get('status') == 'validated' else 'hint'}\">"
                    f"<td>{escape(str(fault.get('rule')).replace('_', ' '))}</td>"
                    f"<td>{_fmt(fault.get('side'))}</td><td>{_fmt(fault.get('start_s'))}–"
                    f"{_fmt(fault.get('end_s'))} s</td><td>{_num(worst) if worst is not None else '–'} "
                    f"{escape(unit)}</td>"
                    f"<td>{escape(_band_text(page, rule)) if rule else ''}</td>"
                    f"<td>{_fmt(fault.get('cue'))}</td><td>{_fmt(fault.get('status'))}</td></tr>")
        if rule is None:
            continue
        at = _worst_time(page, fault, name, rule)
        pictures.append(_picture(page, at, f"{i + 1}. {rule.id.replace('_', ' ')} at "
                                            f"{at:.1f} s ({_num(worst) if worst is not None else '–'} "
                                            f"{unit_of(name)[0]})",
                                 metric_landmarks(name)))
        values = page.column(name, rule)
        if values is not None and name not in plotted:
            plotted.add(name)
            marks = [(t, v, _num(v)) for f in faults if f.get("rule") == rule.id
                     for t in [_worst_time(page, f, name, rule)]
                     for v in [page.shown(name, f.get("worst"), rule)] if v is not None]
            charts.append(Chart(page.metrics.times, values, page.unit(name, rule),
                                f"{metric_name(name)}: rule “{rule.id.replace('_', ' ')}”",
                                band=page.band(rule), shaded=page.spans(),
                                bars=page.fault_bars(rule.id), marks=marks,
                                span=page.span).svg())
    return ("<h2>Faults and hints</h2><p class=\"sub\">Each chart shows the measure a rule "
            "checks, the allowed band (green, dashed limits), reps (blue left, purple right) "
            "or holds (teal) shaded, faults as red bars (amber: hints) and the worst moment of "
            "each.</p>" + "".join(charts)
            + (f"<div class=\"thumbs\">{''.join(pictures)}</div>" if any(pictures) else "")
            + "<table><tr><th>rule</th><th>side</th><th>when</th><th>worst</th><th>allowed</th>"
              "<th>cue</th><th>status</th></tr>" + "".join(rows) + "</table>")


def _timeline(page: Page, names: tuple[str, ...]) -> str:
    charts = []
    for name in names:
        values = page.column(name)
        if values is None or not np.isfinite(values).any():
            continue
        charts.append(Chart(page.metrics.times, values, page.unit(name), metric_name(name),
                            shaded=page.spans(), bars=page.fault_bars(),
                            span=page.span).svg())
    if not charts:
        return ""
    target = f", target {_fmt(page.hold_target, 0)} s each" if page.hold_target else ""
    what = f"holds (teal{target})" if page.is_hold else "reps (blue left, purple right)"
    return (f"<h2>Timeline</h2><p class=\"sub\">Shaded: {escape(what)}. Bars: faults (red, "
            "counted) and hints (amber).</p>" + "".join(charts))


def _reps(page: Page) -> str:
    details = page.report.get("rep_details", [])
    if page.is_hold or not details:
        return ""
    rows, pictures = [], []
    rep_metric = page.report.get("asymmetry", {}).get("metric") if page.report.get(
        "asymmetry") else None
    for i, rep in enumerate(details):
        side = rep.get("side")
        name = resolve(rep_metric, side) if rep_metric and side and is_sided(rep_metric) \
            else rep_metric
        rng = f"{_fmt(scaled(name, rep.get('range')), 0)} {unit_of(name)[0]}" if name else \
            _fmt(rep.get("range"), 2)
        faults = ", ".join(f["rule"].replace("_", " ") for f in rep.get("faults", []))
        rows.append(f"<tr><td>{i + 1}</td><td>{_fmt(side)}</td><td>{_fmt(rep['start_s'])}–"
                    f"{_fmt(rep['end_s'])} s</td><td>{rng}</td>"
                    f"<td class=\"{'ok' if rep.get('clean', True) else 'fault'}\">"
                    f"{escape(faults) or 'clean'}</td></tr>")
        if i < MAX_REP_THUMBS and rep.get("peak_s") is not None:
            pictures.append(_picture(page, float(rep["peak_s"]),
                                     f"rep {i + 1} {side or ''} at its peak, "
                                     f"{float(rep['peak_s']):.1f} s"))
    return ("<h2>Reps</h2>" + (f"<div class=\"thumbs\">{''.join(pictures)}</div>"
                               if any(pictures) else "")
            + "<table><tr><th>#</th><th>side</th><th>when</th><th>range</th><th>faults</th>"
              "</tr>" + "".join(rows) + "</table>")


def render_html(report: dict[str, Any], metrics: Metrics, names: tuple[str, ...],
                video: Path | None = None, track: "PoseTrack | None" = None,
                spec: "Spec | None" = None) -> str:
    """The whole report page as a string; every text from the report is escaped.

    names : metrics for the timeline (e.g. :func:`posecheck.outputs.display.display_metrics`).
    video, track : the source video and its landmarks, for the pictures (none without them).
    spec : the exercise's spec, for the rules (default: loaded by the report's exercise id).
    """
    from posecheck.outputs.thumbnails import FrameGrabber

    spec = spec if spec is not None else _load_spec(report)
    pictures = (FrameGrabber(Path(video), track)
                if video is not None and track is not None and Path(video).is_file()
                else nullcontext())
    with pictures as grabber:
        page = Page(report, metrics, spec, grabber)
        body = (_header(page) + _cards(page) + _video(page) + _faults(page) + _timeline(page, names)
                + _reps(page) + _asymmetry(page) + _calibration(page) + _rules(page))
    title = escape(report["exercise"]["title"])
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} – posecheck"
            f"</title><style>{_STYLE}</style></head><body>{body}</body></html>\n")
