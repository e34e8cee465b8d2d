"""SVG charts for the HTML report: one metric over the session's time, in a unit a person
reads, with the allowed band of its rule, faults, reps and holds marked. No scripts.

Example
-------
>>> chart = Chart(times=np.arange(3.0), values=np.array([0.0, 5.0, 1.0]), unit="deg",
...               title="trunk from vertical")
>>> chart.svg().startswith("<svg")
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Callable

import numpy as np

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 900, 150, 64, 12, 20, 22
SIDE_COLOURS = {"left": "#3b82f6", "right": "#a855f7", None: "#64748b"}
FAULT_COLOURS = {"validated": "#dc2626", "experimental": "#f59e0b"}
BAND_COLOUR = "#16a34a"
HOLD_COLOUR = "#0d9488"


@dataclass
class Span:
    """A stretch of time to mark: ``kind`` "rep", "hold" or "fault"; ``colour`` for its fill."""

    start: float
    end: float
    colour: str
    label: str = ""


@dataclass
class Chart:
    """One metric over time.

    times, values : (T,) seconds and values already in ``unit`` (NaN: not seen).
    band : (low, high) the rule allows, in ``unit`` (an open side is +-inf); None: no rule.
    shaded : reps and holds behind the line; bars : faults under it; marks : (time, value,
        text) points to label (the worst moment of a fault).
    """

    times: np.ndarray
    values: np.ndarray
    unit: str
    title: str
    band: tuple[float, float] | None = None
    shaded: list[Span] = field(default_factory=list)
    bars: list[Span] = field(default_factory=list)
    marks: list[tuple[float, float, str]] = field(default_factory=list)
    span: tuple[float, float] | None = None

    def _x_range(self) -> tuple[float, float]:
        if self.span is not None:
            return self.span
        finite = self.times[np.isfinite(self.times)]
        if not finite.size:
            return 0.0, 1.0
        return float(finite[0]), float(max(finite[-1], finite[0] + 1e-3))

    def _y_range(self) -> tuple[float, float]:
        finite = self.values[np.isfinite(self.values)]
        points = [*finite.tolist(), *(v for _, v, _ in self.marks)]
        if self.band is not None:
            points += [b for b in self.band if np.isfinite(b)]
        if not points:
            return 0.0, 1.0
        low, high = min(points), max(points)
        pad = (high - low) * 0.08 or 1.0
        return low - pad, high + pad

    def svg(self) -> str:
        """The chart as an inline ``<svg>`` element."""
        t0, t1 = self._x_range()
        y0, y1 = self._y_range()
        plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

        def x(t: float) -> float:
            return LEFT + (float(t) - t0) / (t1 - t0) * plot_w

        def y(v: float) -> float:
            return TOP + (y1 - float(np.clip(v, y0, y1))) / (y1 - y0) * plot_h

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
               f'width="100%" font-size="11" font-family="sans-serif" role="img">'
               f'<title>{escape(self.title)}</title>'
               f'<text x="{LEFT}" y="12" font-weight="bold">{escape(self.title)}'
               f' ({escape(self.unit)})</text>']
        for span in self.shaded:
            out.append(_rect(x(span.start), TOP, x(span.end) - x(span.start), plot_h,
                             span.colour, 0.13, span.label))
        if self.band is not None:
            low, high = self.band
            top, bottom = y(high if np.isfinite(high) else y1), y(low if np.isfinite(low) else y0)
            out.append(_rect(LEFT, top, plot_w, bottom - top, BAND_COLOUR, 0.12, "allowed"))
            for edge in self.band:
                if np.isfinite(edge):
                    out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(edge):.1f}" '
                               f'y2="{y(edge):.1f}" stroke="{BAND_COLOUR}" '
                               f'stroke-dasharray="4 3"/>'
                               f'<text x="{LEFT + plot_w - 2}" y="{y(edge) - 3:.1f}" '
                               f'text-anchor="end" fill="{BAND_COLOUR}">limit '
                               f'{edge:+.{1 if abs(edge) < 10 else 0}f}</text>')
        if y0 < 0 < y1:
            out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
                       f'stroke="#94a3b8" stroke-width="0.6"/>')
        out += _polylines(self.times, self.values, x, y)
        for bar in self.bars:
            out.append(_rect(x(bar.start), TOP + plot_h - 6, max(2.0, x(bar.end) - x(bar.start)),
                             6, bar.colour, 0.9, bar.label))
        for t, v, text in self.marks:
            out.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="4" fill="#dc2626"/>'
                       f'<text x="{x(t) + 6:.1f}" y="{y(v) - 5:.1f}" fill="#b91c1c">'
                       f'{escape(text)}</text>')
        out.append(f'<text x="{LEFT - 4}" y="{TOP + 9}" text-anchor="end" fill="#475569">'
                   f'{y1:.0f}</text><text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" '
                   f'fill="#475569">{y0:.0f}</text>')
        for tick in np.linspace(t0, t1, 7):
            out.append(f'<text x="{x(tick):.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                       f'fill="#475569">{tick:.0f} s</text>')
        out.append("</svg>")
        return "".join(out)


def _rect(x: float, y: float, w: float, h: float, colour: str, opacity: float,
          label: str = "") -> str:
    tip = f"<title>{escape(label)}</title>" if label else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(0.0, w):.1f}" height="{max(0.0, h):.1f}" '
            f'fill="{colour}" opacity="{opacity}">{tip}</rect>')


def _polylines(times: np.ndarray, values: np.ndarray, x: Callable[[float], float],
               y: Callable[[float], float]) -> list[str]:
    """The line, broken where the value is not seen."""
    ok = np.isfinite(values) & np.isfinite(times)
    out, run = [], []
    for t, v, good in zip(times, values, ok):
        if good:
            run.append(f"{x(t):.1f},{y(v):.1f}")
            continue
        if len(run) > 1:
            out.append(run)
        run = []
    if len(run) > 1:
        out.append(run)
    return [f'<polyline fill="none" stroke="#0f172a" stroke-width="1.3" '
            f'points="{" ".join(points)}"/>' for points in out]
