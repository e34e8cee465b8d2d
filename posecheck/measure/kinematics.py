"""The metric vocabulary (docs/ARCHITECTURE.md), vectorised over a whole PoseTrack.

Each metric is a pure function of (T, 2) image points, (T, 3) world points or (T,) arrays;
:func:`compute_metrics` gathers the landmarks a metric needs, sets them to NaN where their
visibility is below :data:`VISIBILITY_MIN` (or nobody was found), and lets NaN propagate, so a
metric is NaN exactly where one of its landmarks is not visible. No loop runs over frames.

Conventions: image x right, y down (pixels); "up" is image up. World landmarks (metres) follow
MediaPipe: x right and y down as in the image, z away from the camera, origin between the hips.
"Left"/"right" are the person's sides. Angles are degrees; lengths are divided by the torso
length (see :func:`trunk_vector`) so that they do not depend on distance or frame size.

Example
-------
>>> from posecheck.pose.track import PoseTrack
>>> m = compute_metrics(PoseTrack.empty(30.0, (640, 480)), ["knee_flexion_left"])
>>> m.values.shape
(0, 1)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from posecheck.measure.geometry import (
    FloatArray, angle_between, elevation, joint_angle, lean_from_up, line_tilt, segment_angle_from_vertical,
)
from posecheck.pose.landmarks import BODY_JOINT_INDICES, INDEX, NAMES
from posecheck.measure.metrics import Metrics
from posecheck.pose.track import PoseTrack

#: A landmark with visibility below this is treated as missing (its metrics are NaN).
VISIBILITY_MIN = 0.5

#: World "up" (MediaPipe world y points down, like the image).
WORLD_UP = np.array([0.0, -1.0, 0.0])

TORSO_LANDMARKS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")

#: Frames computed together; small enough for the temporaries to stay in the CPU cache.
BLOCK_FRAMES = 4096


# ---------------------------------------------------------------------------------------------
# Torso: the reference for lengths and the trunk line
# ---------------------------------------------------------------------------------------------

def trunk_vector(left_shoulder: FloatArray, right_shoulder: FloatArray,
                 left_hip: FloatArray, right_hip: FloatArray) -> FloatArray:
    """Hip→shoulder trunk vector in the image, with a one-sided fallback.

    The vector from the hip midpoint to the shoulder midpoint when all four landmarks are
    visible; otherwise the hip→shoulder vector of a side whose shoulder and hip are both visible
    (in side views the far side is often occluded, and its own segment is parallel to the
    midline); NaN when neither side is complete.
    all inputs : (T, 2) float arrays, NaN where not visible. Returns (T, 2).
    """
    mid = 0.5 * (left_shoulder + right_shoulder) - 0.5 * (left_hip + right_hip)
    left = left_shoulder - left_hip
    right = right_shoulder - right_hip
    side = np.where(np.isnan(left[:, :1]), right, left)
    return np.where(np.isnan(mid[:, :1]), side, mid)


def torso_length(trunk: FloatArray) -> FloatArray:
    """Length of the trunk vector (:func:`trunk_vector`), pixels.

    trunk : (T, 2). Returns (T,).
    """
    return np.hypot(trunk[:, 0], trunk[:, 1])


# ---------------------------------------------------------------------------------------------
# Per-side metrics. Inputs are (T, 2) image points of the same side, NaN where not visible.
# ---------------------------------------------------------------------------------------------

def hip_flexion(shoulder: FloatArray, hip: FloatArray, knee: FloatArray) -> FloatArray:
    """180 − angle(shoulder, hip, knee); 0 = thigh continues the trunk line. (T,) 0..180."""
    return 180.0 - joint_angle(shoulder, hip, knee)


def knee_flexion(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """180 − angle(hip, knee, ankle); 0 = straight leg. (T,) 0..180."""
    return 180.0 - joint_angle(hip, knee, ankle)


def elbow_flexion(shoulder: FloatArray, elbow: FloatArray, wrist: FloatArray) -> FloatArray:
    """180 − angle(shoulder, elbow, wrist); 0 = straight arm. (T,) 0..180."""
    return 180.0 - joint_angle(shoulder, elbow, wrist)


def shoulder_flexion(hip: FloatArray, shoulder: FloatArray, elbow: FloatArray) -> FloatArray:
    """angle(hip, shoulder, elbow); 0 = upper arm along the trunk toward the hip, 180 = overhead.

    (T,) 0..180. Unsigned: an arm raised forward and one raised backward read the same.
    """
    return joint_angle(hip, shoulder, elbow)


def arm_reach(hip: FloatArray, shoulder: FloatArray, wrist: FloatArray) -> FloatArray:
    """Angle between the trunk axis (this side's hip→shoulder) and the arm (shoulder→wrist).

    0 = the arm continues the trunk line (a bird-dog reach), 90 = arm at right angles to the
    trunk, 180 = arm along the trunk toward the hip. (T,) 0..180.
    """
    return angle_between(shoulder - hip, wrist - shoulder)


def leg_reach(shoulder: FloatArray, hip: FloatArray, ankle: FloatArray) -> FloatArray:
    """Angle between the trunk axis (this side's shoulder→hip) and the leg (hip→ankle).

    0 = the leg continues the trunk line (a bird-dog reach). (T,) 0..180.
    """
    return angle_between(hip - shoulder, ankle - hip)


def rise(base: FloatArray, point: FloatArray, torso: FloatArray) -> FloatArray:
    """Height of ``point`` above ``base`` in the image (image up), in torso lengths.

    base, point : (T, 2); torso : (T,) pixels. Returns (T,); negative = below.
    Used by ``knee_rise`` and ``ankle_rise`` (base = hip) and ``wrist_rise`` (base = shoulder).
    """
    return (base[:, 1] - point[:, 1]) / torso


def thigh_from_vertical(hip: FloatArray, knee: FloatArray) -> FloatArray:
    """Angle of hip→knee against image down; 0 = vertical thigh. (T,) 0..180."""
    return segment_angle_from_vertical(hip, knee, "down")


def shank_from_vertical(knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """Angle of knee→ankle against image down; 0 = vertical shank. (T,) 0..180."""
    return segment_angle_from_vertical(knee, ankle, "down")


def knee_over_toe(knee: FloatArray, ankle: FloatArray, heel: FloatArray,
                  foot_index: FloatArray) -> FloatArray:
    """Horizontal distance of the knee beyond the ankle in the facing direction, / shank length.

    The facing direction is the image-x direction heel→toe (foot_index); NaN when the foot is
    exactly end-on (no horizontal extent). Meaningful in side views only. (T,); > 0 = knee ahead
    of the ankle.
    """
    facing = np.sign(foot_index[:, 0] - heel[:, 0])
    facing[facing == 0] = np.nan
    shank = np.hypot(knee[:, 0] - ankle[:, 0], knee[:, 1] - ankle[:, 1])
    return (knee[:, 0] - ankle[:, 0]) * facing / shank


def heel_lift(heel: FloatArray, foot_index: FloatArray) -> FloatArray:
    """The foot's pitch: the heel→toe (foot_index) line against image horizontal, degrees.

    + = heel above the toe, whichever way the person faces; a flat foot reads near 0 (the
    landmarks' own offset and the camera's pitch add a constant, which a neutral-relative rule
    cancels). Meaningful in side views only: from the front the foot is end-on.
    heel, foot_index : (T, 2) pixels. Returns (T,) -90..90.
    """
    rise = foot_index[:, 1] - heel[:, 1]                  # image y grows downward
    return np.degrees(np.arctan2(rise, np.abs(foot_index[:, 0] - heel[:, 0])))


def bridge_offset(shoulder: FloatArray, hip: FloatArray, knee: FloatArray,
                  torso: FloatArray) -> FloatArray:
    """Signed distance of the hip from the shoulder→knee line, in torso lengths.

    Perpendicular distance; positive = the hip lies on the image-up side of the line (in a
    bridge, "hips up"); the line is read left to right on screen, so the sign does not depend
    on which way the person lies. NaN when the line is exactly vertical ("up" is undefined).
    Meaningful in side views. (T,).
    """
    d = knee - shoulder
    r = hip - shoulder
    cross = d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]
    orientation = -np.sign(d[:, 0])
    orientation[orientation == 0] = np.nan
    return cross * orientation / (np.hypot(d[:, 0], d[:, 1]) * torso)


# ---------------------------------------------------------------------------------------------
# Whole-body metrics
# ---------------------------------------------------------------------------------------------

def trunk_from_vertical(trunk: FloatArray) -> FloatArray:
    """Trunk line (hip→shoulder) against image up; 0 = upright, 90 = horizontal. (T,) 0..180.

    trunk : (T, 2), see :func:`trunk_vector`.
    """
    return np.degrees(np.arctan2(np.abs(trunk[:, 0]), -trunk[:, 1]))


def trunk_lean(trunk: FloatArray) -> FloatArray:
    """Trunk line against image up, signed: + = leaning toward image right. (T,) (-180, 180].

    Changes sign when the image is mirrored.
    """
    return lean_from_up(trunk)


def tilt(left: FloatArray, right: FloatArray) -> FloatArray:
    """The left–right line against image horizontal, folded into -90..90.

    + = the line rises toward image right (counter-clockwise on screen), whichever way the
    person faces. Used for ``shoulder_tilt`` and ``hip_tilt``. Changes sign under mirroring.
    Front and rear views only: side-on, the two points nearly coincide and the tilt is noise
    (on a real side-view bird dog it swings over the whole -90..90 range).
    left, right : (T, 2). Returns (T,).
    """
    return line_tilt(left, right)


def pelvis_roll(left_hip: FloatArray, right_hip: FloatArray) -> FloatArray:
    """World left→right hip line against the horizontal plane; + = right hip higher. (T,) -90..90.

    left_hip, right_hip : (T, 3) world metres. "Horizontal" is the camera's horizontal plane
    (MediaPipe world axes follow the camera), so a tilted camera biases it. Changes sign under
    mirroring.
    """
    return elevation(right_hip - left_hip, WORLD_UP)


def trunk_rotation(left_shoulder: FloatArray, right_shoulder: FloatArray,
                   left_hip: FloatArray, right_hip: FloatArray) -> FloatArray:
    """Signed angle from the world hip line to the shoulder line in the horizontal plane.

    Both lines are read left→right and projected on the camera's x-z plane; + = shoulders
    turned toward the person's left relative to the hips (right shoulder forward).
    inputs : (T, 3) world metres. Returns (T,) (-180, 180]; physiologically within ±60.
    Changes sign under mirroring. Ill-conditioned when either line is near vertical (lying on
    one's side), where its horizontal projection is short.
    """
    h = right_hip - left_hip
    s = right_shoulder - left_shoulder
    cross = h[:, 0] * s[:, 2] - h[:, 2] * s[:, 0]
    dot = h[:, 0] * s[:, 0] + h[:, 2] * s[:, 2]
    return np.degrees(np.arctan2(cross, dot))


def stance_width(left_ankle: FloatArray, right_ankle: FloatArray, left_hip: FloatArray,
                 right_hip: FloatArray) -> FloatArray:
    """World ankle-to-ankle distance / world hip width. inputs : (T, 3). Returns (T,)."""
    ankles: FloatArray = np.linalg.norm(left_ankle - right_ankle, axis=1)
    hips: FloatArray = np.linalg.norm(left_hip - right_hip, axis=1)
    return ankles / hips


def back_sag(back_contour: NDArray[np.float32], torso: FloatArray) -> FloatArray:
    """Largest dip of the back contour below its own end-to-end chord, in torso lengths.

    back_contour : (T, K) offsets (pixels, + = above) of the upper body contour from the
    shoulder→hip chord at K evenly spaced samples (see :mod:`posecheck.pose.contour`). The chord
    joining the contour's first and last samples is subtracted, so only the contour's own
    curvature counts (the "virtual cup" on the low back): 0 for a flat or domed back, > 0 for a
    sagging one. NaN if any sample is NaN. torso : (T,) pixels. Returns (T,).
    """
    s = np.linspace(0.0, 1.0, back_contour.shape[1], dtype=back_contour.dtype)
    first, last = back_contour[:, 0], back_contour[:, -1]
    below_chord = np.multiply.outer(last - first, s)
    below_chord -= back_contour
    deepest: NDArray[np.float32] = below_chord.max(axis=1)
    return (deepest + first) / torso


def back_curve(back_contour: NDArray[np.float32], torso: FloatArray) -> FloatArray:
    """Mean signed offset of the back contour's interior from its own end-to-end chord, in
    torso lengths: + for a rounded (humped) back, - for a hollow (arched or sagging) one.

    back_contour : (T, K) as for :func:`back_sag`; torso : (T,) pixels. Returns (T,), NaN if
    any sample is NaN. Averaging the whole interior makes it steadier than the single deepest
    point of :func:`back_sag`, and its sign tells rounding from arching (forward hinges).
    """
    s = np.linspace(0.0, 1.0, back_contour.shape[1], dtype=back_contour.dtype)
    first, last = back_contour[:, :1], back_contour[:, -1:]
    offsets = back_contour[:, 1:-1] - (first + (last - first) * s[1:-1])
    mean: NDArray[np.float32] = offsets.mean(axis=1)
    return mean / torso


def view_angle(left_shoulder: FloatArray, right_shoulder: FloatArray, left_hip: FloatArray,
               right_hip: FloatArray) -> FloatArray:
    """How side-on the person is: 0 = square to the camera (front or rear), 90 = side-on.

    The left→right shoulder and hip lines (world, summed) projected on the horizontal x-z
    plane, against the camera's x axis, folded into 0..90. inputs : (T, 3). Returns (T,).
    """
    v = (right_shoulder - left_shoulder) + (right_hip - left_hip)
    return np.degrees(np.arctan2(np.abs(v[:, 2]), np.abs(v[:, 0])))


def body_in_frame(frame_size: tuple[int, int], detected: NDArray[np.bool_],
                  image_all: NDArray[np.float32]) -> FloatArray:
    """Fraction of the 12 body joints whose estimated position lies inside the frame. (T,) 0..1.

    frame_size : (width, height); detected : (T,) bool, a person was found; image_all :
    (T, 33, 2) image landmarks in pixels, visible or not. Framing is about position, not
    occlusion: in a side view the far limbs are hidden but in frame, while a body cut off by
    the frame edge has its joints estimated outside it. NaN where nobody was found (so "no
    person" and "person fully out of frame" differ).
    """
    width, height = frame_size
    xy = image_all[:, BODY_JOINT_INDICES]                                      # (T, 12, 2)
    inside: FloatArray = ((xy[..., 0] >= 0) & (xy[..., 0] < width)
              & (xy[..., 1] >= 0) & (xy[..., 1] < height)).mean(axis=1)
    inside[~detected] = np.nan
    return inside


def body_height(frame_size: tuple[int, int], *landmarks: FloatArray) -> FloatArray:
    """Size of the person in the frame: the bounding box of all visible landmarks, its longer
    side divided by the frame's matching side.

    frame_size : (width, height); landmarks : all 33 (T, 2) arrays, NaN where not visible.
    Returns (T,) 0..1, above 1 when the box spills out of the frame; NaN with fewer than two
    visible landmarks.
    """
    points = np.stack(landmarks)
    extent: FloatArray = np.fmax.reduce(points, axis=0) - np.fmin.reduce(points, axis=0)
    w, h = extent.T
    width, height = frame_size
    size: FloatArray = np.where(h >= w, h / height, w / width)
    size[(~np.isnan(points[..., 0])).sum(axis=0) < 2] = np.nan
    return size


# ---------------------------------------------------------------------------------------------
# The vocabulary: metric name → (function, input keys, unit)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MetricDef:
    """How one metric is computed.

    inputs : keys passed to ``func`` in order: a landmark name (image x, y, NaN where not
        visible), ``world:<name>`` (world x, y, z, likewise), ``trunk`` (:func:`trunk_vector`),
        ``torso`` (:func:`torso_length`), ``back_contour``, ``frame_size`` or ``detected``.
    unit : "deg", "ratio" (torso lengths and other dimensionless ratios) or "px".
    """

    func: Callable[..., FloatArray]
    inputs: tuple[str, ...]
    unit: str


def _side_metrics(side: str) -> dict[str, MetricDef]:
    def lm(*joints: str) -> tuple[str, ...]:
        return tuple(f"{side}_{j}" for j in joints)

    return {
        f"hip_flexion_{side}": MetricDef(hip_flexion, lm("shoulder", "hip", "knee"), "deg"),
        f"knee_flexion_{side}": MetricDef(knee_flexion, lm("hip", "knee", "ankle"), "deg"),
        f"elbow_flexion_{side}": MetricDef(elbow_flexion, lm("shoulder", "elbow", "wrist"),
                                           "deg"),
        f"shoulder_flexion_{side}": MetricDef(shoulder_flexion, lm("hip", "shoulder", "elbow"),
                                              "deg"),
        f"arm_reach_{side}": MetricDef(arm_reach, lm("hip", "shoulder", "wrist"), "deg"),
        f"leg_reach_{side}": MetricDef(leg_reach, lm("shoulder", "hip", "ankle"), "deg"),
        f"knee_rise_{side}": MetricDef(rise, (*lm("hip", "knee"), "torso"), "ratio"),
        f"ankle_rise_{side}": MetricDef(rise, (*lm("hip", "ankle"), "torso"), "ratio"),
        f"wrist_rise_{side}": MetricDef(rise, (*lm("shoulder", "wrist"), "torso"), "ratio"),
        f"thigh_from_vertical_{side}": MetricDef(thigh_from_vertical, lm("hip", "knee"), "deg"),
        f"shank_from_vertical_{side}": MetricDef(shank_from_vertical, lm("knee", "ankle"),
                                                 "deg"),
        f"knee_over_toe_{side}": MetricDef(
            knee_over_toe, lm("knee", "ankle", "heel", "foot_index"), "ratio"),
        f"heel_lift_{side}": MetricDef(heel_lift, lm("heel", "foot_index"), "deg"),
        f"bridge_offset_{side}": MetricDef(
            bridge_offset, (*lm("shoulder", "hip", "knee"), "torso"), "ratio"),
    }


_WORLD_TORSO = tuple(f"world:{n}" for n in TORSO_LANDMARKS)

METRICS: dict[str, MetricDef] = {
    **_side_metrics("left"),
    **_side_metrics("right"),
    "trunk_from_vertical": MetricDef(trunk_from_vertical, ("trunk",), "deg"),
    "trunk_lean": MetricDef(trunk_lean, ("trunk",), "deg"),
    "shoulder_tilt": MetricDef(tilt, ("left_shoulder", "right_shoulder"), "deg"),
    "hip_tilt": MetricDef(tilt, ("left_hip", "right_hip"), "deg"),
    "pelvis_roll": MetricDef(pelvis_roll, ("world:left_hip", "world:right_hip"), "deg"),
    "trunk_rotation": MetricDef(trunk_rotation, _WORLD_TORSO, "deg"),
    "stance_width": MetricDef(stance_width, ("world:left_ankle", "world:right_ankle",
                                             "world:left_hip", "world:right_hip"), "ratio"),
    "back_sag": MetricDef(back_sag, ("back_contour", "torso"), "ratio"),
    "back_curve": MetricDef(back_curve, ("back_contour", "torso"), "ratio"),
    "view_angle": MetricDef(view_angle, _WORLD_TORSO, "deg"),
    "body_in_frame": MetricDef(body_in_frame, ("frame_size", "detected", "image_all"), "ratio"),
    "body_height": MetricDef(body_height, ("frame_size", *NAMES), "ratio"),
    "torso_length": MetricDef(torso_length, ("trunk",), "px"),
}

#: Every metric name, in a stable order (per-side metrics first, left then right).
ALL_METRICS: tuple[str, ...] = tuple(METRICS)

#: Input keys that are not landmarks.
_DERIVED = frozenset({"trunk", "torso", "back_contour", "frame_size", "detected", "image_all"})

#: Metric name → unit ("deg", "ratio", "px"), e.g. to pick filter settings.
UNITS: dict[str, str] = {name: m.unit for name, m in METRICS.items()}

#: Metrics whose sign flips when the image is mirrored (left and right swapped, x flipped).
MIRROR_SIGNED: frozenset[str] = frozenset(
    {"trunk_lean", "shoulder_tilt", "hip_tilt", "pelvis_roll", "trunk_rotation"})


def landmarks_used(name: str) -> tuple[str, ...]:
    """Landmark names a metric reads (e.g. to highlight them in an overlay).

    ``trunk``/``torso`` inputs count as the four torso landmarks, of which only one complete
    side is required (:func:`trunk_vector`).
    """
    names: list[str] = []
    for key in METRICS[name].inputs:
        if key in ("trunk", "torso"):
            names += TORSO_LANDMARKS
        elif key not in _DERIVED:
            names.append(key.removeprefix("world:"))
    return tuple(dict.fromkeys(names))


def _gather(points: FloatArray, visibility: FloatArray, names: list[str]) -> dict[str, FloatArray]:
    """Landmarks ``names`` as contiguous float64 arrays, NaN where not visible.

    points : (T, 33, D) float; visibility : (T, 33). Returns name → (T, D).
    """
    index = [INDEX[n] for n in names]
    gathered = np.empty((len(index), points.shape[0], points.shape[2]), np.float64)
    for j, i in enumerate(index):
        gathered[j] = points[:, i]
    hidden = ~(visibility[:, index].T >= VISIBILITY_MIN)
    np.copyto(gathered, np.nan, where=hidden[..., None])
    return dict(zip(names, gathered))


def _inputs(track: PoseTrack, keys: set[str]) -> dict[str, object]:
    """The named inputs (see :class:`MetricDef`) of ``track``."""
    if keys & {"trunk", "torso"}:
        keys = keys | set(TORSO_LANDMARKS)
    image = sorted(k for k in keys - _DERIVED if not k.startswith("world:"))
    world = sorted(k.removeprefix("world:") for k in keys if k.startswith("world:"))
    found: dict[str, object] = {"frame_size": track.frame_size, "detected": track.detected,
                                "back_contour": track.back_contour,
                                "image_all": track.image[..., :2]}
    landmarks = _gather(track.image[..., :2], track.visibility, image)
    found.update(landmarks)
    found.update((f"world:{k}", v)
                 for k, v in _gather(track.world, track.visibility, world).items())
    if keys & {"trunk", "torso"}:
        trunk = trunk_vector(*(landmarks[n] for n in TORSO_LANDMARKS))
        found["trunk"] = trunk
        found["torso"] = torso_length(trunk)
    return found


def compute_metrics(track: PoseTrack, names: Iterable[str] | None = None) -> Metrics:
    """Metrics of every frame of ``track``.

    track : T frames. names : metric names to compute (default: :data:`ALL_METRICS`); only
    those are computed. Returns :class:`Metrics` with values (T, M) float64, NaN where a
    landmark the metric uses has visibility < :data:`VISIBILITY_MIN` or nobody was found.
    Raises KeyError naming unknown metrics.

    Long tracks are processed in blocks of :data:`BLOCK_FRAMES` frames so that the temporary
    arrays stay in the CPU cache (about twice as fast as one pass over 100k frames).
    """
    selected = ALL_METRICS if names is None else tuple(dict.fromkeys(names))
    unknown = [n for n in selected if n not in METRICS]
    if unknown:
        raise KeyError(f"unknown metrics {unknown}; known: {', '.join(ALL_METRICS)}")
    keys = {k for n in selected for k in METRICS[n].inputs}
    columns = np.empty((len(selected), len(track)), np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, len(track), BLOCK_FRAMES):
            block = slice(start, start + BLOCK_FRAMES)
            inputs = _inputs(track[block], keys)
            for j, name in enumerate(selected):
                metric = METRICS[name]
                columns[j, block] = metric.func(*(inputs[k] for k in metric.inputs))
    # (T, M) view of the (M, T) columns: each metric stays contiguous for the checker.
    return Metrics(selected, columns.T, np.asarray(track.times, np.float64))
