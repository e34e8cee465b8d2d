"""Session summary figures computed from the checker's records."""
from __future__ import annotations

from typing import Any

from posecheck.checking.records import HoldRecord, RepDetail
from posecheck.measure.vocabulary import SIDES


def hold_totals(holds: list[HoldRecord]) -> dict[str, float]:
    """Seconds held in good form per side and in total."""
    totals = {"left": 0.0, "right": 0.0, "total": 0.0}
    for hold in holds:
        if hold["side"] is not None:
            totals[hold["side"]] += hold["seconds"]
        totals["total"] += hold["seconds"]
    return totals


def asymmetry(rep_details: list[RepDetail], metric: str) -> dict[str, Any] | None:
    """Mean rep range per side and their difference (also in percent of the sides' mean);
    None unless both sides have reps."""
    ranges = {side: [d["range"] for d in rep_details if d["side"] == side] for side in SIDES}
    if not (ranges["left"] and ranges["right"]):
        return None
    left = sum(ranges["left"]) / len(ranges["left"])
    right = sum(ranges["right"]) / len(ranges["right"])
    mean = 0.5 * (abs(left) + abs(right))
    return {"metric": metric, "left_range": left, "right_range": right,
            "difference": left - right,
            "percent": 100.0 * (left - right) / mean if mean > 0 else 0.0}
