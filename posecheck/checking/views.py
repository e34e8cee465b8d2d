"""Camera views as view_angle conditions (0 = square to the camera, 90 = side-on)."""
from __future__ import annotations

from posecheck.checking.spec import VIEW_BANDS

VIEW_CUES = {"side": "Turn side-on to the camera", "front": "Face the camera",
             "rear": "Turn your back to the camera",
             "oblique": "Turn halfway toward the camera"}


def view_bounds(views: tuple[str, ...]) -> tuple[float, float, bool]:
    """The view_angle condition covering ``views``: the union of their bands, as one interval
    or as the outside of the gap between two (front + side without oblique).

    >>> view_bounds(("side",)), view_bounds(("front", "side"))
    ((55.0, 90.0, False), (35.0, 55.0, True))
    """
    bands = sorted(VIEW_BANDS[v] for v in views)
    low, high = bands[0]
    for band_low, band_high in bands[1:]:
        if band_low > high:
            return high, band_low, True
        high = max(high, band_high)
    return low, high, False


def view_cue(views: tuple[str, ...]) -> str:
    """Guidance toward the first (preferred) view."""
    return VIEW_CUES[views[0]]
