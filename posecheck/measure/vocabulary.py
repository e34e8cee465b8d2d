"""Metric names as exercise specs write them: concrete names or ``<sided metric>_{side}``.

The list of names itself lives in :mod:`posecheck.measure.kinematics` (``ALL_METRICS``); this module
adds the placeholder logic the spec loader and the checker share.

>>> resolve("knee_rise_{side}", "left"), resolve("arm_reach_{other}", "left")
('knee_rise_left', 'arm_reach_right')
>>> is_known("knee_rise_{side}"), is_known("knee_rize_{side}")
(True, False)
"""
from __future__ import annotations

from posecheck.measure.kinematics import ALL_METRICS
from posecheck.pose.landmarks import SIDES as SIDES  # re-exported: specs speak of sides here
OPPOSITE: dict[str, str] = {"left": "right", "right": "left"}

#: Every concrete metric name kinematics produces (kinematics owns the list).
METRIC_NAMES: tuple[str, ...] = ALL_METRICS

#: Per-side metrics: the bases whose concrete names end in ``_left`` and ``_right``.
SIDED_METRICS: tuple[str, ...] = tuple(
    name[: -len("_left")] for name in METRIC_NAMES
    if name.endswith("_left") and name[: -len("_left")] + "_right" in METRIC_NAMES)

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
