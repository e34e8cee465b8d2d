"""Camera views as view_angle conditions (0 = square to the camera, 90 = side-on)."""
from __future__ import annotations

from posecheck.checking.spec import VIEW_BANDS

VIEW_CUES = {"side": "Turn side-on to the camera", "front": "Face the camera",
             "rear": "Turn your back to the camera",
             "oblique": "Turn halfway toward the camera"}


#: Degrees beyond its views that a started exercise may drift before its view is lost: the
#: measured view angle of one person holding one position wanders by several degrees on real
#: footage (a front-oblique lunge clip: 21-34 degrees), so entering and leaving a view use
#: different bounds, as a thermostat does.
VIEW_KEEP_MARGIN = 10.0


def view_bounds(views: tuple[str, ...], margin: float = 0.0) -> tuple[float, float, bool]:
    """The view_angle condition covering ``views``: the union of their bands, as one interval
    or as the outside of the gap between two (front + side without oblique); ``margin``
    degrees wider on each side (a gap narrower by as much, at least to a single angle).

    >>> view_bounds(("side",)), view_bounds(("front", "side"))
    ((55.0, 90.0, False), (35.0, 55.0, True))
    >>> view_bounds(("side", "oblique"), margin=10.0), view_bounds(("front", "side"), margin=10.0)
    ((15.0, 100.0, False), (45.0, 45.0, True))
    """
    bands = sorted(VIEW_BANDS[v] for v in views)
    low, high = bands[0]
    for band_low, band_high in bands[1:]:
        if band_low > high:
            middle = 0.5 * (high + band_low)
            return min(high + margin, middle), max(band_low - margin, middle), True
        high = max(high, band_high)
    return low - margin, high + margin, False


def view_cue(views: tuple[str, ...]) -> str:
    """Guidance toward the first (preferred) view."""
    return VIEW_CUES[views[0]]
