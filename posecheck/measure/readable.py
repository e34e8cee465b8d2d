"""Metrics as a person reads them: a plain name ("left knee height") and a unit a person knows
(degrees, % of the torso length, % of the frame) instead of "knee_rise_left 0.07".

Ratios in torso lengths become percent of the torso; angles stay degrees. Used by the live
window, the annotated video and the HTML report, so all three speak the same words.

Example
-------
>>> readable("knee_rise_left", -0.07)
('L knee height', '-7 % torso')
>>> metric_name("back_sag")
'low-back sag'
"""
from __future__ import annotations

import math

from posecheck.measure.kinematics import UNITS

#: Metric family (the name without ``_left``/``_right``) -> words.
NAMES: dict[str, str] = {
    "hip_flexion": "hip bend", "knee_flexion": "knee bend", "elbow_flexion": "elbow bend",
    "shoulder_flexion": "arm raise", "arm_reach": "arm reach", "leg_reach": "leg reach",
    "knee_rise": "knee height", "ankle_rise": "ankle height", "wrist_rise": "hand height",
    "thigh_from_vertical": "thigh from vertical", "shank_from_vertical": "shin from vertical",
    "knee_over_toe": "knee past toes", "heel_lift": "heel lift",
    "bridge_offset": "hips below line",
    "trunk_from_vertical": "trunk from vertical", "trunk_lean": "trunk lean",
    "shoulder_tilt": "shoulder tilt", "hip_tilt": "hip tilt", "pelvis_roll": "pelvis roll",
    "trunk_rotation": "trunk rotation", "stance_width": "stance width",
    "back_sag": "low-back sag", "back_curve": "back curve", "view_angle": "camera angle",
    "body_in_frame": "body in frame", "body_height": "body height",
    "torso_length": "torso length",
}
#: Ratios of the frame rather than of the torso.
_OF_FRAME = frozenset({"body_in_frame", "body_height"})


def _split(name: str) -> tuple[str, str]:
    """("knee_rise", "left") for "knee_rise_left"; (name, "") for a side-less metric."""
    for side in ("left", "right"):
        if name.endswith("_" + side):
            return name[: -len(side) - 1], side
    return name, ""


def metric_name(name: str, short_side: bool = False) -> str:
    """"knee_rise_left" -> "left knee height" ("L knee height" with ``short_side``)."""
    family, side = _split(name)
    words = NAMES.get(family, family.replace("_", " "))
    if not side:
        return words
    return f"{side[0].upper() if short_side else side} {words}"


def unit_of(name: str) -> tuple[str, float]:
    """The unit a person reads and the factor from the metric's own unit:
    ("deg", 1.0), ("% torso", 100.0), ("% frame", 100.0) or ("px", 1.0)."""
    unit = UNITS.get(name, "")
    if unit == "deg":
        return "deg", 1.0
    if unit == "ratio":
        return ("% frame" if name in _OF_FRAME else "% torso"), 100.0
    return unit, 1.0


def scaled(name: str, value: float | None) -> float | None:
    """``value`` in the readable unit of ``name`` (None or NaN stays None)."""
    if value is None or not math.isfinite(value):
        return None
    return value * unit_of(name)[1]


def readable(name: str, value: float | None, signed: bool = False) -> tuple[str, str]:
    """(short label, value with unit) for a display panel; "not seen" where NaN.
    ``signed``: a "+" for positive values (a change from the neutral pose)."""
    unit = unit_of(name)[0]
    shown = scaled(name, value)
    if shown is None:
        return metric_name(name, short_side=True), "not seen"
    number = f"{shown:+.0f}" if signed else f"{shown:.0f}"
    return metric_name(name, short_side=True), f"{number} {unit}"
