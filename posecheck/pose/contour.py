"""The back contour: a compact profile of the person's upper silhouette over the trunk.

The segmentation mask is reduced, each frame, to CONTOUR_SAMPLES offsets of the upper body
contour from the chord that joins the shoulder midpoint to the hip midpoint. "Upper" is the
side of the chord that faces image-up, which is the back for quadruped, plank and kneeling
exercises (the "virtual cup on the low back"). The mask itself is never kept.
"""
from __future__ import annotations

import cv2
import numpy as np

from posecheck.pose.landmarks import INDEX
from posecheck.pose.track import CONTOUR_SAMPLES

#: How far from the chord to search for the contour, in torso lengths.
SEARCH_TORSO_LENGTHS = 0.6
#: Search step along the normal, in pixels.
STEP_PX = 0.5
_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]


def trunk_chord(image_landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shoulder and hip midpoints in pixels.

    image_landmarks : (33, 3) float, pixels.
    Returns two (2,) arrays (NaN if a landmark is missing).
    """
    shoulder = image_landmarks[_SHOULDERS, :2].mean(axis=0)
    hip = image_landmarks[_HIPS, :2].mean(axis=0)
    return shoulder, hip


def upward_normal(shoulder: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """(2,) unit normal of the shoulder-to-hip chord that points image-up (y < 0).

    For an upright trunk (chord vertical) the normal points to image right.
    """
    along = (hip - shoulder) / np.linalg.norm(hip - shoulder)
    normal = np.array([along[1], -along[0]])
    if normal[1] > 0 or (normal[1] == 0 and normal[0] < 0):
        normal = -normal
    return normal


def back_contour_profile(mask: np.ndarray, image_landmarks: np.ndarray) -> np.ndarray:
    """Offsets of the upper silhouette contour from the shoulder-to-hip chord.

    mask : (H, W) float or bool array, person probability or membership.
    image_landmarks : (33, 3) float, pixels (x right, y down).
    Returns (CONTOUR_SAMPLES,) float32: for evenly spaced points from the shoulder midpoint
    (index 0) to the hip midpoint (index -1), the distance in pixels along the upward normal to
    the outermost point where the mask is above 0.5 (sub-pixel, linear interpolation). NaN when
    the landmarks are missing, the chord is degenerate, or the mask has no person there.

    Example
    -------
    >>> import numpy as np
    >>> mask = np.zeros((100, 200), np.float32); mask[40:60, 20:180] = 1.0
    >>> lm = np.full((33, 3), np.nan); lm[[11, 12]] = [30, 55, 0]; lm[[23, 24]] = [170, 55, 0]
    >>> bool(np.allclose(back_contour_profile(mask, lm), 15.5, atol=0.6))
    True
    """
    nan_profile = np.full(CONTOUR_SAMPLES, np.nan, np.float32)
    shoulder, hip = trunk_chord(np.asarray(image_landmarks, np.float64))
    torso = float(np.linalg.norm(hip - shoulder))
    if not np.isfinite(torso) or torso < 4.0:
        return nan_profile
    normal = upward_normal(shoulder, hip)
    offsets = np.arange(0.0, SEARCH_TORSO_LENGTHS * torso, STEP_PX)           # (D,)
    fractions = np.linspace(0.0, 1.0, CONTOUR_SAMPLES)                        # (K,)
    base = shoulder + fractions[:, None] * (hip - shoulder)                   # (K, 2)
    points = base[:, None, :] + offsets[None, :, None] * normal               # (K, D, 2)
    values = cv2.remap(np.asarray(mask, np.float32), points[..., 0].astype(np.float32),
                       points[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)       # (K, D)
    inside = values > 0.5
    if not inside.any():
        return nan_profile
    # The outermost inside sample along each ray, then interpolate the 0.5 crossing beyond it.
    last = inside.shape[1] - 1 - np.argmax(inside[:, ::-1], axis=1)           # (K,)
    rows = np.arange(CONTOUR_SAMPLES)
    nxt = np.minimum(last + 1, inside.shape[1] - 1)
    v0, v1 = values[rows, last], values[rows, nxt]
    frac = np.where(v0 > v1, (v0 - 0.5) / np.maximum(v0 - v1, 1e-6), 0.0)
    profile: np.ndarray = offsets[last] + np.clip(frac, 0.0, 1.0) * STEP_PX
    profile[~inside.any(axis=1)] = np.nan
    return profile.astype(np.float32)
