"""Annotated frames: skeleton coloured by rule state, rep counter, hold timer, cue banner.

Shared by the live window and the annotated video of ``analyze``. Only OpenCV drawing; sizes
scale with the frame height so the panel reads the same at 480 and 1080 lines. The layout is
computed first (:func:`layout`, boxes that never intersect), then drawn (:func:`draw_overlay`).

Example
-------
>>> import numpy as np
>>> frame = np.zeros((480, 640, 3), np.uint8)
>>> state = OverlayState(title="Bird dog", reps={"left": 3, "right": 2}, target_reps=10,
...                      cue="Lift the leg to hip height")
>>> draw_overlay(frame, None, None, state).shape
(480, 640, 3)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.measure.kinematics import VISIBILITY_MIN
from posecheck.pose.landmarks import EDGES, NUM_LANDMARKS

RuleStatus = Literal["ok", "fault", "hint"]

#: BGR colours.
OK = (90, 200, 60)
FAULT = (60, 60, 235)
HINT = (0, 185, 255)
NEUTRAL = (235, 235, 235)
TEXT = (255, 255, 255)
DIM_TEXT = (200, 200, 200)
PANEL = (25, 25, 25)
GOOD_CUE = (40, 130, 40)
STATUS_COLOURS: dict[str, tuple[int, int, int]] = {"ok": OK, "fault": FAULT, "hint": HINT}
_RANK = {"fault": 3, "hint": 2, "ok": 1}

FONT = cv2.FONT_HERSHEY_DUPLEX
#: Text cap height in pixels at font scale 1.0 (measured from cv2.getTextSize).
_CAP_AT_1 = 22.0
#: Joints drawn as dots: the body's, not the face or fingers (the nose stands for the head).
_DRAWN_JOINTS = np.zeros(NUM_LANDMARKS, bool)
_DRAWN_JOINTS[[0, *range(11, 17), *range(23, 29)]] = True
PANEL_ALPHA = 0.68


@dataclass
class RuleState:
    """One form rule as shown: its status and the landmark indices it involves."""

    status: RuleStatus
    landmarks: tuple[int, ...] = ()
    label: str = ""


@dataclass
class OverlayState:
    """Everything the overlay shows for one frame (all fields optional).

    reps : side ("left", "right", or any single key such as "total") -> count; empty for a
        hold, whose seconds then take the counter's place.
    metrics : label -> value as text ("L knee height" -> "+45 % torso"; see
        :mod:`posecheck.measure.readable`).
    goal : what the counter's "/N" means ("goal: 8 reps per side"), under the counter.
    fps, latency_ms : a developer badge under the counter (None: not shown).
    rules : rule id -> :class:`RuleState`.
    cue : the current form cue (red banner while a rule is at fault, else green).
    setup : setup guidance ("Move back so your feet are in view"), shown in amber above the cue.
    """

    title: str = ""
    reps: dict[str, int] = field(default_factory=dict)
    target_reps: int | None = None
    hold_seconds: float | None = None
    hold_target: float | None = None
    goal: str = ""
    cue: str = ""
    setup: str = ""
    metrics: dict[str, str] = field(default_factory=dict)
    rules: dict[str, RuleState] = field(default_factory=dict)
    fps: float | None = None
    latency_ms: float | None = None
    status: str = ""


@dataclass(frozen=True)
class Rect:
    """Axis-aligned box, pixels, ``x1``/``y1`` exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    def intersects(self, other: "Rect") -> bool:
        """True if the two boxes share any pixel."""
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class TextBlock:
    """Lines of text laid out in a box: font scale, thickness and line pitch."""

    rect: Rect
    lines: tuple[str, ...]
    scale: float
    thickness: int
    pitch: int
    pad: int


def _scale_for(cap_px: float) -> float:
    return cap_px / _CAP_AT_1


def _thickness(scale: float) -> int:
    return max(1, int(round(scale * 1.6)))


def _text_width(text: str, scale: float, thickness: int) -> int:
    return cv2.getTextSize(text, FONT, scale, thickness)[0][0]


def _wrap(text: str, scale: float, thickness: int, max_width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(lines[-1] + " " + word, scale, thickness) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


@lru_cache(maxsize=1024)
def _fit(text: str, cap_px: float, max_width: int, max_lines: int,
         min_cap_px: float) -> tuple[tuple[str, ...], float, int]:
    """Largest scale (from ``cap_px`` down to ``min_cap_px``) at which ``text`` wraps into
    ``max_lines`` lines of at most ``max_width`` pixels; the last resort cuts the end with "..".
    """
    cap = cap_px
    while True:
        scale = _scale_for(cap)
        thick = _thickness(scale)
        lines = _wrap(text, scale, thick, max_width)
        fits = len(lines) <= max_lines and all(
            _text_width(line, scale, thick) <= max_width for line in lines)
        if fits:
            return tuple(lines), scale, thick
        if cap <= min_cap_px:
            break
        cap = max(min_cap_px, cap * 0.88)
    head = lines[:max_lines - 1]
    tail = " ".join(lines[max_lines - 1:])
    return (*head, _truncate(tail, scale, thick, max_width)), scale, thick


def _truncate(line: str, scale: float, thickness: int, max_width: int) -> str:
    """``line``, cut at the end and marked with ".." until it fits ``max_width``."""
    if _text_width(line, scale, thickness) <= max_width:
        return line
    while line and _text_width(line + "..", scale, thickness) > max_width:
        line = line[:-1]
    return line.rstrip() + ".." if line else ""


def _block(lines: list[str] | tuple[str, ...], scale: float, thick: int, x: int, y: int, width: int | None,
           pad: int, align_right: bool = False) -> TextBlock:
    pitch = int(round(_CAP_AT_1 * scale * 1.55))
    text_w = max((_text_width(line, scale, thick) for line in lines), default=0)
    w = width if width is not None else text_w + 2 * pad
    h = pitch * len(lines) + 2 * pad - int(round(_CAP_AT_1 * scale * 0.55)) + thick
    x0 = x - w if align_right else x
    return TextBlock(Rect(x0, y, x0 + w, y + h), tuple(lines), scale, thick, pitch, pad)


def _counter_text(state: OverlayState) -> str:
    """The big counter: reps per side, or for a hold (no reps) the seconds held."""
    if not state.reps:
        if state.hold_target:
            return f"{state.hold_seconds or 0.0:.0f}/{state.hold_target:.0f} s"
        return ""
    target = f"/{state.target_reps}" if state.target_reps else ""
    if set(state.reps) <= {"left", "right"}:
        return "  ".join(f"{side[0].upper()} {state.reps.get(side, 0)}{target}"
                         for side in ("left", "right") if side in state.reps)
    return "  ".join(f"{n}{target}" for n in state.reps.values())


def _metric_lines(state: OverlayState, scale: float, thickness: int,
                  max_width: int) -> list[str]:
    """"label value" lines; a long label is cut, never the value."""
    lines = []
    for label, shown in state.metrics.items():
        suffix = f" {shown}"
        room = max_width - _text_width(suffix, scale, thickness)
        lines.append(_truncate(label, scale, thickness, room) + suffix)
    return lines


def _rule_lines(state: OverlayState) -> list[tuple[str, str]]:
    """Rules at fault or hinting, faults first (rules that are fine show only as a green
    skeleton, keeping the panel small)."""
    shown = [(rule.label or rule_id.replace("_", " "), rule.status)
             for rule_id, rule in state.rules.items() if rule.status != "ok"]
    return sorted(shown, key=lambda item: -_RANK[item[1]])


def layout(state: OverlayState, width: int, height: int,
           avoid: Rect | None = None) -> dict[str, TextBlock | Rect]:
    """Boxes for every element of the overlay at this frame size; no two intersect.

    Keys: "title", "status", "reps", "perf", "panel" (metrics and rules), "hold" (a
    :class:`Rect`), "setup", "cue"; absent when there is nothing to show or no room.
    avoid : the person's box; the panel goes to the side where it covers less of it.
    """
    u = min(height / 480.0, width / 640.0)  # one "unit" = one pixel at 640x480
    m = max(4, int(round(8 * u)))           # margin
    pad = max(3, int(round(6 * u)))
    out: dict[str, TextBlock | Rect] = {}

    # Top right: rep counter (or hold seconds) in the largest type; under it what the target
    # means, and fps/latency when asked for.
    top_right_w = 0
    reps = _counter_text(state)
    bottom_of_right = m
    if reps:
        lines, scale, thick = _fit(reps, 40 * u, int(width * 0.5), 1, 16 * u)
        block = out["reps"] = _block(lines, scale, thick, width - m, m, None, pad,
                                     align_right=True)
        top_right_w = block.rect.width
        bottom_of_right = block.rect.y1 + m
    notes = [text for text in (state.goal if reps else "", _perf_text(state)) if text]
    if notes:
        scale = _scale_for(12 * u)
        thick = _thickness(scale)
        notes = [_truncate(text, scale, thick, int(width * 0.5)) for text in notes]
        block = out["perf"] = _block(notes, scale, thick, width - m, bottom_of_right, None, pad,
                                     align_right=True)
        top_right_w = max(top_right_w, block.rect.width)

    # Top left: title (or the status alone), then the status line; shrunk to leave the
    # right column free.
    left_w = width - top_right_w - 3 * m
    top_of_panel = m
    if (state.title or state.status) and left_w > 40 * u:
        lines, scale, thick = _fit(state.title or state.status, 24 * u, left_w - 2 * pad, 1,
                                   14 * u)
        block = out["title"] = _block(lines, scale, thick, m, m, None, pad)
        top_of_panel = block.rect.y1 + m
        if state.title and state.status:
            lines, scale, thick = _fit(state.status, 15 * u, left_w - 2 * pad, 1, 9 * u)
            block = out["status"] = _block(lines, scale, thick, m, top_of_panel, None, pad)
            top_of_panel = block.rect.y1 + m

    # Bottom up: cue banner, setup banner, hold bar.
    bottom = height - m
    banner_w = width - 2 * m
    for key, text in (("cue", state.cue), ("setup", state.setup)):
        if not text:
            continue
        lines, scale, thick = _fit(text, 30 * u, banner_w - 2 * pad, 2, 14 * u)
        probe = _block(lines, scale, thick, m, 0, banner_w, pad)
        y0 = bottom - probe.rect.height
        if y0 < top_of_panel:
            continue
        out[key] = _block(lines, scale, thick, m, y0, banner_w, pad)
        bottom = y0 - m
    if state.hold_target:
        bar_h = max(8, int(round(24 * u)))
        if bottom - bar_h >= top_of_panel:
            out["hold"] = Rect(m, bottom - bar_h, width - m, bottom)
            bottom -= bar_h + m

    # Metrics, then rules behind a coloured dot, as many lines as fit: in the left column
    # under the title, or the right one under the counters, whichever covers less of `avoid`.
    col_w = min(int(width * 0.42), left_w)
    if (state.metrics or state.rules) and col_w > 60 * u:
        scale = _scale_for(13 * u)
        thick = _thickness(scale)
        dot = _dot_width(scale)
        text_w = col_w - 2 * pad - dot
        panel_lines = _metric_lines(state, scale, thick, text_w) + [
            _truncate(label, scale, thick, text_w) for label, _ in _rule_lines(state)]
        right_top = max(_rect(out[k]).y1 for k in ("reps", "perf") if k in out) + m \
            if "reps" in out or "perf" in out else m
        candidates = [_panel(panel_lines, scale, thick, pad, dot, m, top_of_panel, bottom,
                             None)]
        if avoid is not None:
            candidates.append(_panel(panel_lines, scale, thick, pad, dot, width - m, right_top,
                                     bottom, "right"))
        options = [b for b in candidates if b is not None]
        if options:   # the left unless it hides clearly more of the person (less flicker)
            out["panel"] = min(options, key=lambda b: (
                -len(b.lines), _overlap(b.rect, avoid) * (1.0 if b is options[0] else 2.0)))
    return out


def _panel(lines: list[str], scale: float, thick: int, pad: int, dot: int, x: int, top: int,
           bottom: int, align: str | None) -> TextBlock | None:
    """The metrics-and-rules block at (x, top), cut to the lines that fit above ``bottom``."""
    lines = list(lines)
    block = _block(lines, scale, thick, x, top, None, pad)
    while lines and block.rect.y1 > bottom:
        lines.pop()
        block = _block(lines, scale, thick, x, top, None, pad)
    if not lines:
        return None
    return _block(lines, scale, thick, x, top, block.rect.width + dot, pad,
                  align_right=align == "right")


def _overlap(a: Rect, b: Rect | None) -> int:
    """Area shared by two boxes (0 if ``b`` is None)."""
    if b is None:
        return 0
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0, min(a.y1, b.y1) - max(a.y0, b.y0))


def _dot_width(scale: float) -> int:
    """Room for the status dot in front of a rule line."""
    return int(round(_CAP_AT_1 * scale * 1.3))


def _rect(item: TextBlock | Rect) -> Rect:
    return item.rect if isinstance(item, TextBlock) else item


def _perf_text(state: OverlayState) -> str:
    parts = []
    if state.fps is not None and math.isfinite(state.fps):
        parts.append(f"{state.fps:.0f} fps")
    if state.latency_ms is not None and math.isfinite(state.latency_ms):
        parts.append(f"{state.latency_ms:.0f} ms")
    return "  ".join(parts)


def _shade(frame: np.ndarray, rect: Rect, colour: tuple[int, int, int],
           alpha: float = PANEL_ALPHA) -> None:
    """Blend ``colour`` over ``rect`` of ``frame`` (translucent panel)."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, rect.x0), max(0, rect.y0), min(w, rect.x1), min(h, rect.y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = frame[y0:y1, x0:x1]     # roi = roi * (1 - alpha) + colour * alpha, in place
    if colour[0] == colour[1] == colour[2]:
        cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha, beta=colour[0] * alpha)
    else:
        cv2.multiply(roi, (1.0 - alpha,) * 3 + (0.0,), dst=roi)
        cv2.add(roi, tuple(c * alpha for c in colour) + (0.0,), dst=roi)


def _draw_text(frame: np.ndarray, block: TextBlock, colour: tuple[int, int, int] = TEXT,
               background: tuple[int, int, int] = PANEL, centre: bool = False) -> None:
    _shade(frame, block.rect, background)
    cap = int(round(_CAP_AT_1 * block.scale))
    for i, line in enumerate(block.lines):
        x = block.rect.x0 + block.pad
        if centre:
            x = block.rect.x0 + (block.rect.width - _text_width(line, block.scale,
                                                                 block.thickness)) // 2
        y = block.rect.y0 + block.pad + cap + i * block.pitch
        cv2.putText(frame, line, (x, y), FONT, block.scale, colour, block.thickness,
                    cv2.LINE_AA)


def _edge_status(rules: dict[str, RuleState]) -> tuple[dict[int, str], dict[int, str]]:
    """Worst status per landmark and per edge index (fault > hint > ok)."""
    joint: dict[int, str] = {}
    edge: dict[int, str] = {}
    for rule in rules.values():
        members = set(rule.landmarks)
        for j in members:
            if _RANK[rule.status] > _RANK.get(joint.get(j, ""), 0):
                joint[j] = rule.status
        for k, (a, b) in enumerate(EDGES):
            if a in members and b in members and \
                    _RANK[rule.status] > _RANK.get(edge.get(k, ""), 0):
                edge[k] = rule.status
    return joint, edge


def draw_skeleton(frame: np.ndarray, image_landmarks: np.ndarray,
                  visibility: np.ndarray | None, rules: dict[str, RuleState]) -> None:
    """Draw the skeleton on ``frame`` in place; edges and joints coloured by rule status."""
    h = frame.shape[0]
    pts = np.asarray(image_landmarks, np.float64)[:NUM_LANDMARKS, :2]
    ok: NDArray[np.bool_] = np.all(np.isfinite(pts), axis=1)   # (33,)
    if visibility is not None:
        ok &= np.nan_to_num(np.asarray(visibility, np.float64), nan=0.0) >= VISIBILITY_MIN
    if not ok.any():
        return
    ipts = np.zeros((NUM_LANDMARKS, 2), np.int32)
    ipts[ok] = np.round(pts[ok]).astype(np.int32)
    joint_status, edge_status = _edge_status(rules)
    line_w = max(2, int(round(h / 160)))
    for k, (a, b) in enumerate(EDGES):
        if ok[a] and ok[b]:
            colour = STATUS_COLOURS.get(edge_status.get(k, ""), NEUTRAL)
            width = line_w + (line_w // 2 if k in edge_status else 0)
            cv2.line(frame, tuple(ipts[a]), tuple(ipts[b]), colour, width, cv2.LINE_AA)
    radius = max(3, int(round(h / 110)))
    for j in np.flatnonzero(ok & _DRAWN_JOINTS):
        colour = STATUS_COLOURS.get(joint_status.get(int(j), ""), NEUTRAL)
        cv2.circle(frame, tuple(ipts[j]), radius, colour, -1, cv2.LINE_AA)
        cv2.circle(frame, tuple(ipts[j]), radius, PANEL, 1, cv2.LINE_AA)


def _draw_hold(frame: np.ndarray, rect: Rect, seconds: float, target: float) -> None:
    _shade(frame, rect, PANEL)
    frac = min(1.0, max(0.0, seconds / target)) if target > 0 else 0.0
    fill = Rect(rect.x0, rect.y0, rect.x0 + int(round(rect.width * frac)), rect.y1)
    _shade(frame, fill, OK if frac < 1.0 else (60, 220, 120), alpha=0.85)
    label = f"hold {seconds:.0f} / {target:.0f} s"
    scale = _scale_for(rect.height * 0.55)
    thick = _thickness(scale)
    tw = _text_width(label, scale, thick)
    y = rect.y0 + (rect.height + int(_CAP_AT_1 * scale)) // 2
    cv2.putText(frame, label, (rect.x0 + (rect.width - tw) // 2, y), FONT, scale, TEXT,
                thick, cv2.LINE_AA)


def draw_overlay(frame_bgr: np.ndarray, image_landmarks: np.ndarray | None,
                 visibility: np.ndarray | None, state: OverlayState) -> np.ndarray:
    """Draw skeleton and panel on ``frame_bgr`` ((H, W, 3) uint8) in place; return it.

    image_landmarks : (33, 3) pixels of this frame (NaN or None: nobody found).
    visibility : (33,) in [0, 1] or None; joints under 0.5 are not drawn.
    """
    h, w = frame_bgr.shape[:2]
    person = None
    if image_landmarks is not None:
        draw_skeleton(frame_bgr, image_landmarks, visibility, state.rules)
        person = person_box(image_landmarks, visibility)
    boxes = layout(state, w, h, avoid=person)
    for key in ("title", "status", "reps", "perf"):
        if key in boxes:
            colour = DIM_TEXT if key == "perf" else TEXT
            _draw_text(frame_bgr, boxes[key], colour)  # type: ignore[arg-type]
    if "panel" in boxes:
        _draw_panel(frame_bgr, boxes["panel"], state)  # type: ignore[arg-type]
    if "hold" in boxes:
        _draw_hold(frame_bgr, boxes["hold"], state.hold_seconds or 0.0,  # type: ignore[arg-type]
                   float(state.hold_target or 0.0))
    if "setup" in boxes:
        _draw_text(frame_bgr, boxes["setup"], (20, 20, 20), HINT, centre=True)  # type: ignore
    if "cue" in boxes:
        statuses = {r.status for r in state.rules.values()}
        text, background = ((TEXT, FAULT) if "fault" in statuses else
                            ((20, 20, 20), HINT) if "hint" in statuses else (TEXT, GOOD_CUE))
        _draw_text(frame_bgr, boxes["cue"], text, background, centre=True)  # type: ignore
    return frame_bgr


def person_box(image_landmarks: np.ndarray, visibility: np.ndarray | None) -> Rect | None:
    """Box around the visible landmarks (pixels), or None if none is visible."""
    pts = np.asarray(image_landmarks, np.float64)[:, :2]
    ok = np.isfinite(pts).all(axis=1)
    if visibility is not None:
        ok &= np.nan_to_num(np.asarray(visibility, np.float64), nan=0.0) >= VISIBILITY_MIN
    if not ok.any():
        return None
    (x0, y0), (x1, y1) = pts[ok].min(axis=0), pts[ok].max(axis=0)
    return Rect(int(x0), int(y0), int(x1) + 1, int(y1) + 1)


def _draw_panel(frame: np.ndarray, block: TextBlock, state: OverlayState) -> None:
    _shade(frame, block.rect, PANEL)
    n_metrics = len(state.metrics)
    statuses = [status for _, status in _rule_lines(state)]
    cap = int(round(_CAP_AT_1 * block.scale))
    dot = _dot_width(block.scale)
    x = block.rect.x0 + block.pad
    for i, line in enumerate(block.lines):
        y = block.rect.y0 + block.pad + cap + i * block.pitch
        if i >= n_metrics:
            cv2.circle(frame, (x + cap // 2, y - cap // 2), max(3, cap // 2),
                       STATUS_COLOURS[statuses[i - n_metrics]], -1, cv2.LINE_AA)
        cv2.putText(frame, line, (x + (dot if i >= n_metrics else 0), y), FONT, block.scale,
                    TEXT, block.thickness, cv2.LINE_AA)
