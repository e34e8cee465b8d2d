"""What a recorded clip allows that a live session cannot: looking at the whole clip first.

Live, the checker must decide causally, so it waits for the user to hold the start position
still (the setup hold) and measures the neutral pose in that hold. Real recorded clips are cut
tightly around the movement (0.2-0.6 s of lead-in, some with no still moment at all), so
those gates lose real reps. A recorded clip is checked with:

- the **neutral pose from the clip itself**: the median of each calibration metric over the
  frames at rest in the start position (all setup checks pass, no side mid-rep), wherever
  those frames are;
- a **short setup hold** (:data:`RECORDED_SETUP_HOLD`) instead of the spec's, so a lead-in of
  a fraction of a second arms the counter, while a single stray frame still does not.

Everything else (framing, the start position, rep thresholds, rules) is the same state
machine as live: a clip with a proper setup gives the same counts either way.
"""
from __future__ import annotations

import numpy as np

from posecheck.checking.columns import ColumnLayout
from posecheck.checking.compile import build_setup, calibration_names, metric_col, tracks_of
from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import Spec

#: Seconds of start position that arm the checker on a recorded clip: about 6 frames at 30 fps,
#: well under the shortest lead-in measured on real clips (0.2 s), longer than a landmark blip.
RECORDED_SETUP_HOLD = 0.2
#: Where a side's rest level sits in the distribution of its rep metric over the start-position
#: frames: low enough to stay out of the reps (often half the clip), high enough to ignore noise.
REST_QUANTILE = 0.1
#: Fewest start-position frames (seconds) from which a neutral pose is taken.
MIN_NEUTRAL_SECONDS = 0.2


def start_position_mask(spec: Spec, layout: ColumnLayout, table: np.ndarray) -> np.ndarray:
    """(T,) bool: frames of ``table`` ((T, columns) in ``layout``) in which every setup check
    (framing, view, start position) passes."""
    return build_setup(spec, layout).in_position(table)


def rest_mask(spec: Spec, layout: ColumnLayout, table: np.ndarray,
              position: np.ndarray) -> np.ndarray:
    """(T,) bool: start-position frames in which no counted side is mid-rep.

    A side's rest level is the :data:`REST_QUANTILE` quantile of its rep metric (sign-normalised
    so reps rise) over the start-position frames, or for absolute thresholds the rep's ``end``;
    a side is at rest within half the rep's ``end`` excursion of that level, or while hidden
    (a far limb hidden at rest). Holds have no rep metric: every start-position frame is rest.
    """
    rep = spec.rep
    if rep is None:
        return position
    sign = 1.0 if rep.direction == "rising" else -1.0
    rest = position.copy()
    for side in tracks_of(spec):
        x = sign * table[:, metric_col(layout, rep.metric, side)]
        seen = x[position & ~np.isnan(x)]
        if rep.relative_to == "neutral":
            if seen.size == 0:
                continue
            limit = np.quantile(seen, REST_QUANTILE) + 0.5 * abs(rep.end)
        else:
            limit = sign * rep.end
        rest &= np.isnan(x) | (x <= limit)
    return rest


def neutral_from_clip(spec: Spec, metrics: Metrics) -> dict[str, float] | None:
    """The user's neutral pose, metric name → value, from a whole recorded clip: the median of
    each calibration metric over the clip's rest frames (:func:`rest_mask`) where it is visible
    (NaN when seen in under half of them). None when the spec has no calibration or the clip
    holds under :data:`MIN_NEUTRAL_SECONDS` of rest (the checker then calibrates as live does).
    """
    if spec.calibration is None or len(metrics) == 0:
        return None
    layout = ColumnLayout(spec)
    table = layout.table(metrics)
    mask = rest_mask(spec, layout, table, start_position_mask(spec, layout, table))
    steps = np.diff(metrics.times, append=metrics.times[-1])
    if steps[mask].sum() < MIN_NEUTRAL_SECONDS:
        return None
    neutral = {}
    for name in calibration_names(spec, layout):
        values = table[mask, layout.index(name)]
        seen = values[~np.isnan(values)]
        neutral[name] = (float(np.median(seen)) if seen.size and 2 * seen.size >= values.size
                         else float("nan"))
    return neutral
