"""Generic angle math over arrays of points and vectors, in degrees.

Image conventions: x right, y DOWN (pixels). "Image up" is therefore the vector (0, -1).
Every function is vectorised over leading axes and uses ``atan2`` so that angles are exact
near 0 and 180 degrees and never flip by 360 (a signed angle stays in (-180, 180]).
Undirected lines (a left-to-right shoulder line read either way) are folded into -90..90.

NaN in any input gives NaN in the output. A zero-length vector has no direction: its angle is
whatever atan2(±0, ±0) gives (0 or ±180), so callers avoid coincident points.

Example
-------
>>> import numpy as np
>>> float(joint_angle(np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0])))
90.0
>>> float(line_tilt(np.array([0.0, 0.0]), np.array([-10.0, -10.0])))
-45.0
"""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: The arrays this module and the metric vocabulary work on: float64 points, vectors, angles.
FloatArray = NDArray[np.float64]

def angle_between(u: FloatArray, v: FloatArray) -> FloatArray:
    """Unsigned angle between vectors, 0..180 degrees.

    u, v : (..., 2) or (..., 3) float arrays (broadcastable).
    Returns (...,) float array.
    """
    cross: FloatArray
    if u.shape[-1] == 2 and v.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    dot: FloatArray = np.sum(u * v, axis=-1)
    return np.degrees(np.arctan2(cross, dot))


def joint_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at ``b`` between the segments b→a and b→c, 0..180 degrees (180 = straight).

    a, b, c : (..., 2) or (..., 3) float arrays. Returns (...,).
    """
    return angle_between(a - b, c - b)


def segment_angle_from_vertical(start: FloatArray, end: FloatArray,
                                reference: str = "down") -> FloatArray:
    """Unsigned angle of the segment start→end against image down (or up), 0..180 degrees.

    start, end : (..., 2) float arrays, image pixels. reference : "down" or "up".
    Returns (...,); 0 = the segment points straight along ``reference``.
    """
    if reference not in ("down", "up"):
        raise ValueError(f"reference must be 'down' or 'up', not {reference!r}")
    d = end - start
    along = d[..., 1] if reference == "down" else -d[..., 1]
    return np.degrees(np.arctan2(np.abs(d[..., 0]), along))


def lean_from_up(v: FloatArray) -> FloatArray:
    """Signed angle of ``v`` against image up, (-180, 180] degrees, + = toward image right.

    v : (..., 2) float array. Returns (...,).
    """
    return np.degrees(np.arctan2(v[..., 0], -v[..., 1]))


def line_tilt(start: FloatArray, end: FloatArray) -> FloatArray:
    """Tilt of the line through start and end against image horizontal, -90..90 degrees.

    Positive = the line rises toward image right (counter-clockwise on screen). The line has no
    direction: it is read left to right on screen, so swapping start and end gives the same
    value and a line turning through horizontal-pointing-left stays continuous (no 180-degree
    jump); the only jump is between +90 and -90, both of which mean a vertical line.
    start, end : (..., 2) float arrays, image pixels. Returns (...,).
    """
    d = end - start
    flip = np.where(d[..., 0] < 0, -1.0, 1.0)
    return np.degrees(np.arctan2(-d[..., 1] * flip, d[..., 0] * flip))


def elevation(v: FloatArray, up: FloatArray) -> FloatArray:
    """Angle of ``v`` above the plane perpendicular to the unit vector ``up``, -90..90 degrees.

    v : (..., 3) float array; up : (3,) unit vector. Returns (...,).
    """
    along: FloatArray = v @ up
    across: FloatArray = np.linalg.norm(v - along[..., None] * up, axis=-1)
    return np.degrees(np.arctan2(along, across))
