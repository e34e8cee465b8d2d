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

from typing import Iterable, Iterator

import numpy as np

from posecheck.io.spill import BLOCK_ROWS, read_blocks
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


def rest_limits(spec: Spec, layout: ColumnLayout,
                tables: Iterable[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    """Column of each counted side's rep metric → the level (sign-normalised so reps rise)
    at or under which that side is at rest, from ``tables``: (table (T, columns) in ``layout``,
    its start-position mask (T,)) pairs, the blocks of a whole clip in order.

    The level is the :data:`REST_QUANTILE` quantile of the rep metric over the start-position
    frames plus half the rep's ``end`` excursion (for a neutral-scaled rep, a fraction of that
    quantile's size), or for absolute thresholds the rep's ``end``;
    a side never seen in position has none. Holds have no rep metric: no levels.
    """
    rep = spec.rep
    if rep is None:
        return {}
    sign = 1.0 if rep.direction == "rising" else -1.0
    cols = [metric_col(layout, rep.metric, side) for side in tracks_of(spec)]
    if rep.relative_to != "neutral":
        return {col: sign * rep.end for col in cols}
    seen: dict[int, list[np.ndarray]] = {col: [] for col in cols}
    for table, position in tables:
        for col in cols:
            x = sign * table[:, col]
            seen[col].append(x[position & ~np.isnan(x)])
    limits = {}
    for col, parts in seen.items():
        values = np.concatenate(parts)
        if values.size:
            rest = float(np.quantile(values, REST_QUANTILE))
            limits[col] = rest + 0.5 * abs(rep.in_units(rep.end, rest))
    return limits


def rest_mask(spec: Spec, layout: ColumnLayout, table: np.ndarray, position: np.ndarray,
              limits: dict[int, float] | None = None) -> np.ndarray:
    """(T,) bool: start-position frames in which no counted side is mid-rep: each side's rep
    metric is within its rest level (:func:`rest_limits`, of this table unless ``limits`` are
    given, e.g. for a whole clip read in blocks) or hidden (a far limb hidden at rest)."""
    rep = spec.rep
    if rep is None:
        return position
    if limits is None:
        limits = rest_limits(spec, layout, [(table, position)])
    sign = 1.0 if rep.direction == "rising" else -1.0
    rest = position.copy()
    for col, limit in limits.items():
        x = sign * table[:, col]
        rest &= np.isnan(x) | (x <= limit)
    return rest


def neutral_from_clip(spec: Spec, metrics: Metrics,
                      frames: int = BLOCK_ROWS) -> dict[str, float] | None:
    """The user's neutral pose, metric name → value, from a whole recorded clip: the median of
    each calibration metric over the clip's rest frames (:func:`rest_mask`) where it is visible
    (NaN when seen in under half of them). None when the spec has no calibration or the clip
    holds under :data:`MIN_NEUTRAL_SECONDS` of rest (the checker then calibrates as live does).

    The clip is read ``frames`` at a time, twice (rest levels, then rest frames), so a long
    memory-mapped clip stays on disk; only the values at rest are gathered.
    """
    if spec.calibration is None or len(metrics) == 0:
        return None
    layout = ColumnLayout(spec)

    def tables() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(table, start-position mask, seconds to the next frame) of each block."""
        for (start, values), (_, times) in zip(read_blocks(metrics.values, frames),
                                               read_blocks(metrics.times, frames)):
            table = layout.table(Metrics(metrics.names, values, times))
            end = start + len(times)
            after = metrics.times[end] if end < len(metrics) else times[-1]
            yield table, start_position_mask(spec, layout, table), np.diff(times, append=after)

    limits = rest_limits(spec, layout, ((table, position) for table, position, _ in tables()))
    names = calibration_names(spec, layout)
    steps: list[np.ndarray] = []
    at_rest: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for table, position, step in tables():
        mask = rest_mask(spec, layout, table, position, limits)
        steps.append(step[mask])
        for name in names:
            at_rest[name].append(table[mask, layout.index(name)])
    if np.concatenate(steps).sum() < MIN_NEUTRAL_SECONDS:
        return None
    neutral = {}
    for name in names:
        values = np.concatenate(at_rest[name])
        seen = values[~np.isnan(values)]
        neutral[name] = (float(np.median(seen)) if seen.size and 2 * seen.size >= values.size
                         else float("nan"))
    return neutral
