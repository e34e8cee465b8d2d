"""Kinematics: known poses, invariances, mirroring, visibility and wrap-safety."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from posecheck.measure import kinematics
from posecheck.measure.geometry import joint_angle, line_tilt, segment_angle_from_vertical
from posecheck.measure.kinematics import (
    ALL_METRICS, METRICS, MIRROR_SIGNED, UNITS, VISIBILITY_MIN, compute_metrics, landmarks_used,
)
from posecheck.pose.landmarks import INDEX, NUM_LANDMARKS
from posecheck.pose.track import CONTOUR_SAMPLES, PoseTrack

FRAME = (640, 480)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def make_track(image: np.ndarray, world: np.ndarray | None = None,
               visibility: np.ndarray | None = None, contour: np.ndarray | None = None,
               frame_size: tuple[int, int] = FRAME) -> PoseTrack:
    """A track from image points (T, 33, 2) or (33, 2); everything else optional."""
    image = np.asarray(image, np.float64)
    if image.ndim == 2:
        image = image[None]
    t = image.shape[0]
    image3 = np.concatenate([image, np.zeros((t, NUM_LANDMARKS, 1))], axis=2)
    if world is None:  # the image pose, 300 px to the metre, flat
        world = np.concatenate([(image - (320, 240)) / 300, np.zeros((t, NUM_LANDMARKS, 1))], 2)
    world = np.broadcast_to(world, (t, NUM_LANDMARKS, 3))
    if visibility is None:
        visibility = np.ones((t, NUM_LANDMARKS))
    visibility = np.broadcast_to(visibility, (t, NUM_LANDMARKS))
    if contour is None:
        contour = np.zeros((t, CONTOUR_SAMPLES))
    contour = np.broadcast_to(contour, (t, CONTOUR_SAMPLES))
    return PoseTrack(image=image3.astype(np.float32), world=world.astype(np.float32),
                     visibility=visibility.astype(np.float32),
                     presence=visibility.astype(np.float32), times=np.arange(t) / 30.0,
                     back_contour=contour.astype(np.float32), fps=30.0, frame_size=frame_size)


def pose(**points: tuple[float, float]) -> np.ndarray:
    """(33, 2) image points: the named ones as given, the rest at the frame centre."""
    out = np.tile([320.0, 240.0], (NUM_LANDMARKS, 1))
    for name, xy in points.items():
        out[INDEX[name]] = xy
    return out


def both_sides(**points: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """The same point for ``left_<joint>`` and ``right_<joint>`` (a side view)."""
    return {f"{side}_{joint}": xy for joint, xy in points.items() for side in ("left", "right")}


def metrics_of(points: np.ndarray, **kwargs) -> dict[str, float]:
    return compute_metrics(make_track(points, **kwargs)).row(0)


# A side-view quadruped facing image left: trunk horizontal, 150 px long, thighs vertical.
QUADRUPED = both_sides(shoulder=(200, 250), elbow=(200, 300), wrist=(200, 350), hip=(350, 250),
                       knee=(350, 350), ankle=(450, 350), heel=(460, 345),
                       foot_index=(470, 355))


# ---------------------------------------------------------------------------------------------
# Known poses
# ---------------------------------------------------------------------------------------------

def test_quadruped_neutral() -> None:
    m = metrics_of(pose(**QUADRUPED))
    for side in ("left", "right"):
        assert m[f"hip_flexion_{side}"] == pytest.approx(90.0)
        assert m[f"knee_flexion_{side}"] == pytest.approx(90.0)
        assert m[f"thigh_from_vertical_{side}"] == pytest.approx(0.0)
        assert m[f"shank_from_vertical_{side}"] == pytest.approx(90.0)
        assert m[f"knee_rise_{side}"] == pytest.approx(-100 / 150)
        assert m[f"wrist_rise_{side}"] == pytest.approx(-100 / 150)
        assert m[f"arm_reach_{side}"] == pytest.approx(90.0)
        assert m[f"shoulder_flexion_{side}"] == pytest.approx(90.0)
    assert m["trunk_from_vertical"] == pytest.approx(90.0)
    assert m["trunk_lean"] == pytest.approx(-90.0)  # head toward image left
    assert m["torso_length"] == pytest.approx(150.0)
    assert m["shoulder_tilt"] == pytest.approx(0.0) and m["hip_tilt"] == pytest.approx(0.0)


def test_quadruped_with_arm_and_leg_raised_level() -> None:
    points = dict(QUADRUPED, left_knee=(450, 250), left_ankle=(550, 250),
                  right_elbow=(125, 250), right_wrist=(50, 250))
    m = metrics_of(pose(**points))
    assert m["leg_reach_left"] == pytest.approx(0.0, abs=1e-6)
    assert m["hip_flexion_left"] == pytest.approx(0.0, abs=1e-6)
    assert m["knee_flexion_left"] == pytest.approx(0.0, abs=1e-6)
    assert m["knee_rise_left"] == pytest.approx(0.0, abs=1e-9)
    assert m["ankle_rise_left"] == pytest.approx(0.0, abs=1e-9)
    assert m["thigh_from_vertical_left"] == pytest.approx(90.0)
    assert m["arm_reach_right"] == pytest.approx(0.0, abs=1e-6)
    assert m["shoulder_flexion_right"] == pytest.approx(180.0)
    assert m["wrist_rise_right"] == pytest.approx(0.0, abs=1e-9)
    # The supporting limbs are unchanged.
    assert m["leg_reach_right"] == pytest.approx(
        math.degrees(math.atan2(100, 100)))
    assert m["arm_reach_left"] == pytest.approx(90.0)


def test_leg_dropped_below_trunk_line_reads_positive_reach() -> None:
    # Ankle 50 px below the line 200 px out from the hip: atan(50/200).
    m = metrics_of(pose(**dict(QUADRUPED, left_knee=(450, 275), left_ankle=(550, 300))))
    assert m["leg_reach_left"] == pytest.approx(math.degrees(math.atan2(50, 200)))
    assert m["ankle_rise_left"] == pytest.approx(-50 / 150)


def test_standing_lean_and_tilts() -> None:
    # Front view, person leaning 30 degrees toward image right, shoulders level.
    lean = math.radians(30)
    mid = np.array([320.0, 300.0]) + 150 * np.array([math.sin(lean), -math.cos(lean)])
    points = pose(left_hip=(350, 300), right_hip=(290, 300),
                  left_shoulder=tuple(mid + (40, 0)), right_shoulder=tuple(mid - (40, 0)))
    m = metrics_of(points)
    assert m["trunk_lean"] == pytest.approx(30.0)
    assert m["trunk_from_vertical"] == pytest.approx(30.0)
    assert m["shoulder_tilt"] == pytest.approx(0.0, abs=1e-9)
    # Right hip (image left) 20 px higher: the hip line falls toward image right.
    points[INDEX["right_hip"]] = (290, 280)
    assert metrics_of(points)["hip_tilt"] == pytest.approx(-math.degrees(math.atan2(20, 60)))


def test_bridge_offset_sign_does_not_depend_on_facing() -> None:
    # Shoulder on the floor, knee up; the hip 20 px above the shoulder→knee line at its x.
    points = pose(**both_sides(shoulder=(100, 400), hip=(250, 330), knee=(400, 300)))
    expected = 20 * 300 / math.hypot(300, 100) / math.hypot(150, 70)
    m = metrics_of(points)
    assert m["bridge_offset_left"] == pytest.approx(expected)
    flipped = points.copy()
    flipped[:, 0] = 640 - flipped[:, 0]
    assert metrics_of(flipped)["bridge_offset_left"] == pytest.approx(expected, rel=1e-5)
    sagging = pose(**both_sides(shoulder=(100, 400), hip=(250, 380), knee=(400, 300)))
    assert metrics_of(sagging)["bridge_offset_right"] < 0


def test_knee_over_toe() -> None:
    # Facing left (toe left of heel); knee 30 px ahead of the ankle, shank 100 px tall-ish.
    points = pose(**both_sides(knee=(270, 300), ankle=(300, 395), heel=(315, 400),
                               foot_index=(260, 405)))
    m = metrics_of(points)
    assert m["knee_over_toe_left"] == pytest.approx(30 / math.hypot(30, 95))
    points[INDEX["left_foot_index"], 0] = 315  # foot end-on: no facing direction
    assert math.isnan(metrics_of(points)["knee_over_toe_left"])


def test_heel_lift_reads_the_foot_pitch_whichever_way_the_person_faces() -> None:
    # Facing left, the heel 20 degrees above the toe, pivoting about the toe.
    toe = (260.0, 405.0)
    heel = (toe[0] + 60 * math.cos(math.radians(20)), toe[1] - 60 * math.sin(math.radians(20)))
    points = pose(**both_sides(heel=heel, foot_index=toe))
    assert metrics_of(points)["heel_lift_left"] == pytest.approx(20, abs=1e-4)
    flipped = points.copy()
    flipped[:, 0] = 640 - flipped[:, 0]
    assert metrics_of(flipped)["heel_lift_right"] == pytest.approx(20, abs=1e-4)
    flat = pose(**both_sides(heel=(320, 405), foot_index=toe))
    assert metrics_of(flat)["heel_lift_left"] == pytest.approx(0, abs=1e-6)


def test_world_metrics() -> None:
    world = np.zeros((NUM_LANDMARKS, 3))
    c, s = math.cos(math.radians(20)), math.sin(math.radians(20))
    # Facing the camera: the person's left is camera +x; forward is toward the camera (-z).
    world[INDEX["left_hip"]] = (0.15, 0.0, 0.0)
    world[INDEX["right_hip"]] = (-0.15, -0.1, 0.0)  # right hip 10 cm higher (y down)
    world[INDEX["left_shoulder"]] = (0.2 * c, -0.5, 0.2 * s)
    world[INDEX["right_shoulder"]] = (-0.2 * c, -0.5, -0.2 * s)  # right shoulder forward
    world[INDEX["left_ankle"]] = (0.3, 0.9, 0.0)
    world[INDEX["right_ankle"]] = (-0.3, 0.9, 0.0)
    m = metrics_of(pose(**QUADRUPED), world=world)
    assert m["pelvis_roll"] == pytest.approx(math.degrees(math.atan2(0.1, 0.3)))
    assert m["trunk_rotation"] == pytest.approx(20.0)
    assert m["stance_width"] == pytest.approx(0.6 / math.hypot(0.3, 0.1))
    # The summed hip and shoulder lines point 0.4·sin20 toward the camera over 0.3 + 0.4·cos20.
    assert m["view_angle"] == pytest.approx(math.degrees(math.atan2(0.4 * s, 0.3 + 0.4 * c)))
    side_on = world.copy()
    for name in ("left_hip", "right_hip", "left_shoulder", "right_shoulder"):
        side_on[INDEX[name]] = side_on[INDEX[name]][[2, 1, 0]]  # swap x and z
    assert metrics_of(pose(**QUADRUPED), world=side_on)["view_angle"] == pytest.approx(
        90.0 - m["view_angle"])


def test_back_curve_sign_tells_a_rounded_back_from_a_hollow_one() -> None:
    points = pose(**QUADRUPED)
    bump = np.sin(np.linspace(0.0, np.pi, CONTOUR_SAMPLES))
    torso = metrics_of(points)["torso_length"]
    rounded = metrics_of(points, contour=20.0 + 0.1 * torso * bump)["back_curve"]
    hollow = metrics_of(points, contour=20.0 - 0.1 * torso * bump)["back_curve"]
    flat = metrics_of(points, contour=np.linspace(10.0, 30.0, CONTOUR_SAMPLES))["back_curve"]
    assert rounded > 0.05 and hollow == pytest.approx(-rounded) and abs(flat) < 1e-9


def test_back_sag_measures_the_dip_below_the_contour_chord() -> None:
    s = np.linspace(0.0, 1.0, CONTOUR_SAMPLES)
    chord = 4.0 * s  # a tilted but straight contour: no sag
    bump = 6.0 * np.maximum(0.0, 1.0 - np.abs(s - s[12]) / 0.2)  # a 6 px tent at sample 12
    dip, dome = chord - bump, chord + bump
    points = pose(**QUADRUPED)
    for contour, expected in ((chord, 0.0), (dip, 6.0 / 150), (dome, 0.0)):
        assert metrics_of(points, contour=contour)["back_sag"] == pytest.approx(
            expected, abs=1e-3 / 150)
    holed = dip.copy()
    holed[3] = np.nan
    assert math.isnan(metrics_of(points, contour=holed)["back_sag"])


def test_body_in_frame_and_height() -> None:
    points = pose(**QUADRUPED)
    points[INDEX["left_wrist"]] = points[INDEX["right_wrist"]] = (-10, 350)
    points[INDEX["left_ankle"]] = (700, 350)
    m = metrics_of(points)
    assert m["body_in_frame"] == pytest.approx(9 / 12)
    # Widest extent: x from -10 to 700 (wider than tall) over the frame width.
    assert m["body_height"] == pytest.approx(710 / 640)


# ---------------------------------------------------------------------------------------------
# Generic properties over random poses
# ---------------------------------------------------------------------------------------------

coords = hnp.arrays(np.float64, (NUM_LANDMARKS, 2),
                    elements=st.floats(60, 580, allow_nan=False, allow_subnormal=False),
                    fill=st.nothing())
worlds = hnp.arrays(np.float64, (NUM_LANDMARKS, 3),
                    elements=st.floats(-1, 1, allow_nan=False, allow_subnormal=False),
                    fill=st.nothing())

#: Segments whose length must not be tiny for angles to be well conditioned.
SEGMENTS = [(f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in (
    ("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"),
    ("elbow", "wrist"), ("shoulder", "wrist"), ("hip", "ankle"), ("shoulder", "knee"),
    ("heel", "foot_index"))] + [("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")]


def well_conditioned(points: np.ndarray) -> bool:
    lengths = [np.hypot(*(points[INDEX[a]] - points[INDEX[b]])) for a, b in SEGMENTS]
    torso = np.hypot(*(points[[INDEX["left_shoulder"], INDEX["right_shoulder"]]].mean(0)
                       - points[[INDEX["left_hip"], INDEX["right_hip"]]].mean(0)))
    foot_dx = [abs(points[INDEX[f"{s}_heel"], 0] - points[INDEX[f"{s}_foot_index"], 0])
               for s in ("left", "right")]
    line_dx = [abs(points[INDEX[f"{s}_knee"], 0] - points[INDEX[f"{s}_shoulder"], 0])
               for s in ("left", "right")]
    return min(lengths) > 15 and torso > 30 and min(foot_dx + line_dx) > 2


def world_well_conditioned(world: np.ndarray) -> bool:
    """Hip and shoulder lines with a horizontal extent, hips and ankles apart."""
    hips, shoulders, ankles = (world[INDEX[f"right_{j}"]] - world[INDEX[f"left_{j}"]]
                               for j in ("hip", "shoulder", "ankle"))
    return (min(np.hypot(hips[0], hips[2]), np.hypot(shoulders[0], shoulders[2]),
                np.hypot(*(hips + shoulders)[[0, 2]])) > 0.05
            and min(np.linalg.norm(hips), np.linalg.norm(ankles)) > 0.05)


def transform(points: np.ndarray, degrees: float, scale: float,
              shift: tuple[float, float]) -> np.ndarray:
    """Rotate counter-clockwise on screen about the centre, scale, shift."""
    a = math.radians(degrees)
    centred = points - (320, 240)
    x, y = centred[:, 0], centred[:, 1]
    rotated = np.stack([x * math.cos(a) + y * math.sin(a), -x * math.sin(a) + y * math.cos(a)], 1)
    return rotated * scale + (320, 240) + shift


ROTATION_INVARIANT = {n for n in ALL_METRICS if n.rsplit("_", 1)[0] in (
    "hip_flexion", "knee_flexion", "elbow_flexion", "shoulder_flexion", "arm_reach",
    "leg_reach")} | {"torso_length"}
FRAME_DEPENDENT = {"body_in_frame", "body_height"}
WORLD_ONLY = {"pelvis_roll", "trunk_rotation", "stance_width", "view_angle"}


def close(a: float, b: float, tol: float, period: float | None = None) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    diff = a - b
    if period:
        diff = (diff + period / 2) % period - period / 2
    return abs(diff) <= tol * max(1.0, abs(b))


def tolerance(name: str) -> float:
    return 2e-3 if UNITS[name] == "deg" else 1e-4


@SETTINGS
@given(points=coords, scale=st.floats(0.3, 3.0), dx=st.floats(-300, 300), dy=st.floats(-300, 300))
def test_translation_and_scale_invariance(points, scale, dx, dy) -> None:
    assume(well_conditioned(points))
    before = metrics_of(points)
    after = metrics_of(transform(points, 0.0, scale, (dx, dy)))
    for name in set(ALL_METRICS) - FRAME_DEPENDENT - {"torso_length"}:
        period = 180.0 if name.endswith("_tilt") else 360.0 if UNITS[name] == "deg" else None
        assert close(after[name], before[name], tolerance(name), period), name
    assert close(after["torso_length"], before["torso_length"] * scale, 1e-4)


@SETTINGS
@given(points=coords, degrees=st.floats(-180, 180), scale=st.floats(0.5, 2.0))
def test_rotation_invariance_and_known_rotation_changes(points, degrees, scale) -> None:
    assume(well_conditioned(points))
    world = make_track(points).world[0]  # the world pose does not turn with the image
    before = metrics_of(points, world=world)
    after = metrics_of(transform(points, degrees, scale, (0.0, 0.0)), world=world)
    for name in ROTATION_INVARIANT - {"torso_length"}:
        assert close(after[name], before[name], tolerance(name)), name
    # Angles against image axes move with the rotation (counter-clockwise = toward the left).
    assert close(after["trunk_lean"], before["trunk_lean"] - degrees, 2e-3, 360.0)
    assert close(after["shoulder_tilt"], before["shoulder_tilt"] + degrees, 2e-3, 180.0)
    for name in WORLD_ONLY:
        assert close(after[name], before[name], 1e-9), name


@SETTINGS
@given(points=coords, world=worlds, contour=hnp.arrays(
    np.float64, CONTOUR_SAMPLES, elements=st.floats(-20, 20, allow_subnormal=False),
    fill=st.nothing()))
def test_mirroring_swaps_sides_and_flips_signed_metrics(points, world, contour) -> None:
    assume(well_conditioned(points) and world_well_conditioned(world))
    track = make_track(points, world=world, contour=contour)
    before = compute_metrics(track).row(0)
    after = compute_metrics(track.mirrored()).row(0)
    for name in ALL_METRICS:
        if name.endswith("_left") or name.endswith("_right"):
            base, side = name.rsplit("_", 1)
            other = f"{base}_{'right' if side == 'left' else 'left'}"
            assert close(after[other], before[name], tolerance(name)), name
        elif name in MIRROR_SIGNED:
            period = 180.0 if name.endswith("_tilt") else 360.0
            assert close(after[name], -before[name], tolerance(name), period), name
        else:
            assert close(after[name], before[name], tolerance(name)), name


def expected_nan(name: str, hidden: set[str]) -> bool:
    """Whether a metric must be NaN when the landmarks in ``hidden`` are not visible."""
    inputs = METRICS[name].inputs
    if name == "body_in_frame":
        return False
    if name == "body_height":
        return len(hidden) > NUM_LANDMARKS - 2
    direct = {k.removeprefix("world:") for k in inputs} & set(INDEX)
    trunk_missing = not (
        hidden.isdisjoint({"left_shoulder", "left_hip"})
        or hidden.isdisjoint({"right_shoulder", "right_hip"}))
    uses_trunk = bool({"trunk", "torso"} & set(inputs))
    return bool(direct & hidden) or (uses_trunk and trunk_missing)


@SETTINGS
@given(points=coords, world=worlds,
       hidden=st.sets(st.sampled_from(sorted(INDEX)), min_size=1, max_size=12),
       low=st.floats(0.0, VISIBILITY_MIN - 1e-6))  # (visibility is stored as float32)
def test_invisible_landmarks_give_nan_never_a_number(points, world, hidden, low) -> None:
    assume(well_conditioned(points))
    visibility = np.ones(NUM_LANDMARKS)
    visibility[[INDEX[n] for n in hidden]] = low
    m = compute_metrics(make_track(points, world=world, visibility=visibility)).row(0)
    for name in ALL_METRICS:
        assert math.isnan(m[name]) == expected_nan(name, hidden), (name, sorted(hidden))


def test_one_side_of_the_torso_is_enough_for_torso_metrics() -> None:
    visibility = np.ones(NUM_LANDMARKS)
    visibility[[INDEX["right_shoulder"], INDEX["right_hip"]]] = 0.1
    m = metrics_of(pose(**QUADRUPED), visibility=visibility)
    assert m["torso_length"] == pytest.approx(150.0)
    assert m["knee_rise_left"] == pytest.approx(-100 / 150)
    assert math.isnan(m["knee_rise_right"]) and math.isnan(m["hip_tilt"])


def test_frames_without_a_person_are_all_nan() -> None:
    near = {k: (x + 5, y - 5) if k.startswith("right") else (x, y)
            for k, (x, y) in QUADRUPED.items()}
    track = make_track(np.stack([pose(**near)] * 3))
    track.image[1] = np.nan
    track.world[1] = np.nan
    track.visibility[1] = np.nan
    track.back_contour[1] = np.nan
    values = compute_metrics(track).values
    assert np.isnan(values[1]).all()
    assert np.isfinite(values[[0, 2]]).all()


# ---------------------------------------------------------------------------------------------
# Wrap-safety: lines turning through ±180 degrees
# ---------------------------------------------------------------------------------------------

def test_angles_stay_continuous_through_a_full_turn() -> None:
    steps = np.radians(np.arange(0.0, 720.0, 1.0))
    centre = np.array([320.0, 240.0])
    direction = np.stack([np.cos(steps), -np.sin(steps)], 1) * 100  # counter-clockwise
    frames = np.tile(pose(**QUADRUPED), (len(steps), 1, 1))
    frames[:, INDEX["left_hip"]] = frames[:, INDEX["right_hip"]] = centre
    frames[:, INDEX["left_shoulder"]] = frames[:, INDEX["right_shoulder"]] = centre + direction
    frames[:, INDEX["left_knee"]] = centre - direction  # thigh continues the trunk line
    frames[:, INDEX["right_knee"]] = centre + direction * 0.5  # folded onto the trunk
    # Shoulders as a line turning about the centre, for the tilt.
    shoulder_line = frames.copy()
    shoulder_line[:, INDEX["left_shoulder"]] = centre - direction
    m = compute_metrics(make_track(frames))
    tilt = compute_metrics(make_track(shoulder_line), ["shoulder_tilt"]).column("shoulder_tilt")

    def max_step(values: np.ndarray, period: float) -> float:
        d = np.diff(values)
        return float(np.abs((d + period / 2) % period - period / 2).max())

    assert max_step(m.column("trunk_lean"), 360.0) < 1.01
    assert max_step(tilt, 180.0) < 1.01
    # Away from vertical (the only place where +90 and -90 meet) the tilt has no jump at all,
    # including where the line's left→right direction points to image left (±180).
    near_horizontal = np.abs(tilt) < 80
    jumps = np.abs(np.diff(tilt))[near_horizontal[1:] & near_horizontal[:-1]]
    assert jumps.max() < 1.01
    assert np.abs(np.diff(m.column("trunk_from_vertical"))).max() < 1.01
    assert np.allclose(m.column("hip_flexion_left"), 0.0, atol=1e-4)
    assert np.allclose(m.column("hip_flexion_right"), 180.0, atol=1e-4)


def test_geometry_helpers() -> None:
    a, b = np.array([[0.0, 0.0]]), np.array([[10.0, -10.0]])
    assert line_tilt(a, b) == pytest.approx(45.0)
    assert line_tilt(b, a) == pytest.approx(45.0)
    assert segment_angle_from_vertical(a, b, "up") == pytest.approx(45.0)
    assert segment_angle_from_vertical(a, b, "down") == pytest.approx(135.0)
    with pytest.raises(ValueError):
        segment_angle_from_vertical(a, b, "sideways")
    # 3-D joint angle and near-straight angles stay exact with atan2.
    assert joint_angle(np.array([1.0, 0, 0]), np.zeros(3), np.array([0, 0, 2.0])) == 90.0
    nearly = joint_angle(np.array([-1.0, 0]), np.zeros(2), np.array([1.0, 1e-9]))
    assert 180.0 - nearly == pytest.approx(math.degrees(1e-9), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------

def test_selected_metrics_equal_the_full_computation() -> None:
    points = pose(**QUADRUPED)
    full = metrics_of(points)
    some = compute_metrics(make_track(points), ["view_angle", "knee_rise_left", "hip_tilt"])
    assert some.names == ("view_angle", "knee_rise_left", "hip_tilt")
    for name in some.names:
        assert close(some.row(0)[name], full[name], 0.0)


def test_blocks_give_the_same_values_as_one_pass(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    frames = rng.uniform(60, 580, (50, NUM_LANDMARKS, 2))
    visibility = rng.uniform(0.3, 1.0, (50, NUM_LANDMARKS))
    track = make_track(frames, visibility=visibility,
                       contour=rng.normal(0, 3, (50, CONTOUR_SAMPLES)))
    whole = compute_metrics(track).values
    monkeypatch.setattr(kinematics, "BLOCK_FRAMES", 7)
    np.testing.assert_array_equal(compute_metrics(track).values, whole)


def test_unknown_metric_names_raise() -> None:
    with pytest.raises(KeyError, match="knee_rize_left"):
        compute_metrics(make_track(pose()), ["knee_rize_left"])


def test_empty_track() -> None:
    m = compute_metrics(PoseTrack.empty(30.0, FRAME))
    assert m.values.shape == (0, len(ALL_METRICS))


def test_every_metric_has_a_unit_a_filter_preset_and_known_landmarks() -> None:
    from posecheck.measure.filters import ONE_EURO_PRESETS

    assert set(UNITS) == set(ALL_METRICS)
    for name in ALL_METRICS:
        assert UNITS[name] in ONE_EURO_PRESETS, name
        assert set(landmarks_used(name)) <= set(INDEX), name
