"""The metric vocabulary shared by kinematics and exercise specs (docs/ARCHITECTURE.md).

One list, one place: the spec loader checks names against it and the checker resolves
``{side}`` / ``{other}`` placeholders with :func:`resolve`.

>>> resolve("knee_rise_{side}", "left"), resolve("arm_reach_{other}", "left")
('knee_rise_left', 'arm_reach_right')
>>> is_known("knee_rise_{side}"), is_known("knee_rize_{side}")
(True, False)
"""
from __future__ import annotations

SIDES: tuple[str, str] = ("left", "right")
OPPOSITE: dict[str, str] = {"left": "right", "right": "left"}

#: Per-side metrics; the concrete names end in ``_left`` / ``_right``.
SIDED_METRICS: tuple[str, ...] = (
    "hip_flexion", "knee_flexion", "elbow_flexion", "shoulder_flexion",
    "arm_reach", "leg_reach", "knee_rise", "ankle_rise", "wrist_rise",
    "thigh_from_vertical", "shank_from_vertical", "knee_over_toe", "bridge_offset",
)

#: Whole-body metrics (no side).
BODY_METRICS: tuple[str, ...] = (
    "trunk_from_vertical", "trunk_lean", "shoulder_tilt", "hip_tilt", "pelvis_roll",
    "trunk_rotation", "stance_width", "back_sag", "view_angle", "body_in_frame",
    "body_height", "torso_length",
)

#: Every concrete metric name kinematics may produce.
METRIC_NAMES: tuple[str, ...] = BODY_METRICS + tuple(
    f"{base}_{side}" for base in SIDED_METRICS for side in SIDES)

_PLACEHOLDERS = ("{side}", "{other}")


def is_known(template: str) -> bool:
    """Whether ``template`` names a metric: a concrete name or ``<sided>_{side|other}``."""
    if template in METRIC_NAMES:
        return True
    for placeholder in _PLACEHOLDERS:
        suffix = "_" + placeholder
        if template.endswith(suffix) and template[: -len(suffix)] in SIDED_METRICS:
            return True
    return False


def is_sided(template: str) -> bool:
    """Whether ``template`` carries a ``{side}`` or ``{other}`` placeholder."""
    return any(p in template for p in _PLACEHOLDERS)


def resolve(template: str, side: str | None) -> str:
    """The concrete metric name of ``template`` for the working ``side``."""
    if side is None:
        if is_sided(template):
            raise ValueError(f"{template!r} needs a side")
        return template
    return template.replace("{side}", side).replace("{other}", OPPOSITE[side])
