"""The seed exercises' key cues as the generator renders them.

* A 200-clip validation set holds at least 20 fault and 20 clean instances of every key cue in
  the views its rule judges from (counted from the scripts; no rendering).
* Every fault moves the metric its rule reads, in the rule's direction, by about its size,
  and the clean motions stay inside each rule: measured on the exact joints (and, for the
  silhouette metrics, on the mesh's projected silhouette) through the real kinematics, without
  rendering a video. These need the ``synth`` extra's body model (``.venv-synth``).
"""
from __future__ import annotations

import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from posecheck.checking.spec import load_spec
from posecheck.pose.landmarks import INDEX, NUM_LANDMARKS
from posecheck.synth.cues import KEY_CUES, OTHER_CUES, VIEW_CLASS, Cue, by_class, counts, table
from posecheck.synth.exercises import EXERCISES, Exercise, fault_plan, script
from posecheck.synth.faults import FAULT_SIZES, TARGETS, Fault, apply_faults, percent_for
from posecheck.synth.groundtruth import (
    TRUTH_NAMES, GroundTruth, derived_truth, landmark_sources, to_mediapipe)
from posecheck.synth.validation import MIX, VIEWS_BY_EXERCISE, clips, plan

HAVE_SYNTH = all(importlib.util.find_spec(m) for m in ("torch", "anny"))
needs_synth = pytest.mark.skipif(
    not HAVE_SYNTH, reason="synth extra not installed (torch, anny): use .venv-synth")

# ---------------------------------------------------------------------- the set's mix
def test_plan_200_gives_every_key_cue_20_fault_and_20_clean_instances() -> None:
    """In the cue's primary view class, where the criterion of benchmarks/VALIDATION.md
    counts them (``pytest -s`` prints the table)."""
    jobs = clips(plan(200))
    tally = counts(jobs)
    primary = {cue.rule: by_class(tally[cue.rule]).get(cue.primary, (0, 0)) for cue in KEY_CUES}
    print("\n" + table(jobs))
    assert not {rule: n for rule, n in primary.items() if min(n) < 20}, primary


def test_plan_covers_every_exercise_and_size() -> None:
    jobs = plan(200)
    assert {j.spec.exercise for j in jobs} == set(EXERCISES) == set(MIX) == set(VIEWS_BY_EXERCISE)
    for exercise in MIX:
        sizes = [j.spec.fault_size for j in jobs
                 if j.spec.exercise == exercise and j.spec.variant == "faults"]
        assert sorted(set(sizes)) == sorted(FAULT_SIZES), exercise
        assert max(sizes.count(s) for s in FAULT_SIZES) - min(
            sizes.count(s) for s in FAULT_SIZES) <= 1, exercise
    clean = [j for j in jobs if j.spec.variant == "clean"]
    assert clean and all(j.spec.fault_size is None for j in clean)
    # A clip's size reaches its scripted faults, and so the ground-truth labels.
    job = next(j for j in jobs if j.spec.exercise == "squat" and j.spec.variant == "faults")
    ex = script("squat", "faults", job.spec.seed, job.spec.fault_size, job.spec.reps)
    assert {f.size_deg for f in ex.faults if f.unit == "deg"} == {job.spec.fault_size}


@pytest.mark.parametrize("cue", KEY_CUES + OTHER_CUES, ids=lambda c: c.rule)
def test_cue_names_a_rule_judging_from_its_views(cue: Cue) -> None:
    spec_id, rule_id = cue.rule.split(".")
    spec = load_spec(spec_id)
    rule = spec.rule(rule_id)
    # A spec asking for "rear" accepts "front" (view_angle is 0 for both).
    judged = {"front" if v == "rear" else v for v in rule.views or spec.views}
    assert {VIEW_CLASS[v] for v in cue.views} <= judged, (cue.views, judged)
    assert set(cue.views) <= set(VIEWS_BY_EXERCISE[cue.exercise])
    assert all(EXERCISES[cue.exercise] and kind in TARGETS for kind in cue.faults)


def test_fault_plan_spares_first_and_last() -> None:
    assert fault_plan("clean", 4, ("a", "b")) == [None] * 4
    assert fault_plan("faults", 6, ("a", "b")) == [None, "a", "b", "a", "b", None]
    assert fault_plan("faults", 3, ("a",), clean=(0,)) == [None, "a", "a"]
    with pytest.raises(ValueError):
        fault_plan("sloppy", 4, ("a",))


def test_fault_kinds_units_and_signs() -> None:
    assert Fault("incomplete_range", 30.0, 0, 1).unit == "%"
    assert Fault("heel_rise", 10.0, 0, 1).unit == "deg"
    assert percent_for(15.0) == 30.0 and percent_for(15.0, 1.0) == 15.0
    with pytest.raises(ValueError):
        Fault("wobble", 10.0, 0, 1)
    with pytest.raises(ValueError):
        Fault("heel_rise", -10.0, 0, 1)
    yaw = Fault("pelvis_yaw", 10.0, 0.0, 2.0, side="right", ramp=0.5)
    assert apply_faults("quadruped", {"yaw": 0.0}, [yaw], 1.0)["yaw"] == -10.0
    lean = Fault("trunk_lean", 10.0, 0.0, 2.0, ramp=0.0)
    assert apply_faults("squat", {"lean": 28.0}, [lean], 1.0)["lean"] == 38.0
    assert apply_faults("sit", {"hinge": 4.0}, [replace(lean, kind="trunk_lean_back")],
                        1.0)["hinge"] == -6.0


# ---------------------------------------------------------------------- metrics of the truth
W, H = 640, 480


@pytest.fixture(scope="module")
def body():
    from posecheck.synth.appearance import Appearance
    from posecheck.synth.body import Body

    return Body(Appearance().phenotype())


def truth(body, ex: Exercise, times: np.ndarray, view: str, faults: bool = True,
          silhouette: bool = False) -> GroundTruth:
    """Ground truth of ``ex`` at ``times`` seen from ``view`` with its metrics: exact joints
    projected by a pinhole camera; the back contour from the mesh's projected silhouette when
    ``silhouette`` (else NaN)."""
    import cv2

    from posecheck.pose.contour import back_contour_profile
    from posecheck.synth.poses import build, placement

    family = ex.motion.family
    root = placement(body, family)
    camera = replace(ex.camera, view=view)
    pose = camera.pose(ex.forward, ex.left, ex.centre)
    inv = np.linalg.inv(pose)
    f = (H / 2) / np.tan(np.deg2rad(camera.yfov_deg) / 2)

    def project(points: np.ndarray) -> np.ndarray:
        pc = points @ inv[:3, :3].T + inv[:3, 3]
        depth = -pc[..., 2]
        return np.stack([W / 2 + f * pc[..., 0] / depth, H / 2 - f * pc[..., 1] / depth, depth],
                        -1)

    world, contour = [], []
    for t in times:
        p = ex.motion.params(float(t))
        if faults:
            p = apply_faults(family, p, ex.faults, float(t))
        posed = build(body, family, p, root)
        joints = to_mediapipe(posed.keypoints, body.keypoint_labels, posed.heads,
                              body.bone_labels)
        world.append(joints)
        if silhouette:
            mask = np.zeros((H, W), np.uint8)
            tris = np.round(project(posed.verts.astype(np.float64))[:, :2][body.faces])
            cv2.fillPoly(mask, list(tris.astype(np.int32)), 1)
            contour.append(back_contour_profile(mask, project(joints)))
        else:
            contour.append(np.full(24, np.nan, np.float32))
    world_a = np.array(world)
    n = len(times)
    return GroundTruth(
        fps=15.0, frame_size=(W, H), times=np.asarray(times, float),
        world=world_a.astype(np.float32), image=project(world_a).astype(np.float32),
        in_frame=np.ones((n, NUM_LANDMARKS), bool), occluded=np.zeros((n, NUM_LANDMARKS), bool),
        sources=landmark_sources(), back_contour=np.array(contour, np.float32),
        params=np.zeros((n, 0)), param_names=(), truth=derived_truth(world_a),
        truth_names=TRUTH_NAMES, metrics=np.zeros((n, 0)), metric_names=(), camera_pose=pose,
        intrinsics=np.array([[f, 0, W / 2], [0, f, H / 2], [0, 0, 1.0]]), labels={}
    ).with_metrics()


def plateau(fault: Fault, k: int = 3) -> np.ndarray:
    """(k,) times when ``fault`` is at full strength."""
    ramp = min(fault.ramp, 0.5 * (fault.end - fault.start))
    return np.linspace(fault.start + ramp + 0.05, fault.end - ramp - 0.05, k)


def knee_in(gt: GroundTruth, side: str) -> np.ndarray:
    """(T,) the knee's frontal-plane angle from the hip-ankle line, degrees, + = toward the
    midline (valgus): the scene's x (the person's left) and z (up) only."""
    hip, knee, ankle = (gt.world[:, INDEX[f"{side}_{j}"]][:, [0, 2]].astype(np.float64)
                        for j in ("hip", "knee", "ankle"))
    line, thigh = ankle - hip, knee - hip
    cross = line[:, 0] * thigh[:, 1] - line[:, 1] * thigh[:, 0]
    angle = np.degrees(np.arctan2(cross, (line * thigh).sum(1)))
    return -angle if side == "left" else angle


def value(gt: GroundTruth, metric: str) -> np.ndarray:
    """(T,) a metric, a truth value or ``knee_in_{side}``; ``{side}``-free names only,
    ``both`` = mean of the two sides."""
    if metric.startswith("knee_in_"):
        side = metric.removeprefix("knee_in_")
        if side == "both":
            return 0.5 * (knee_in(gt, "left") + knee_in(gt, "right"))
        return knee_in(gt, side)
    if metric.endswith("_both"):
        base = metric[: -len("_both")]
        return 0.5 * (gt.column(f"{base}_left") + gt.column(f"{base}_right"))
    return gt.column(metric)


#: (exercise, reps, fault kind, view, metric, per degree of size: low, high). The change of
#: ``metric`` (faulty minus the same instants without the fault) must lie in
#: [low * size, high * size] (negative bounds: the metric falls). ``{side}`` = the fault's side,
#: ``{other}`` the other one. Depth faults (incomplete_range) compare the rep's peak with the
#: same rep of the clean clip. Silhouette metrics (back_sag, back_curve) are torso lengths.
CASES = [
    ("bird_dog", 4, "pelvis_roll", "left", "back_sag", 0.0015, 0.006),
    ("bird_dog", 4, "lumbar_arch", "left", "back_sag", 0.0005, 0.006),
    ("fire_hydrant", 6, "pelvis_roll", "rear_left", "abs:hip_tilt", 0.8, 1.4),
    ("fire_hydrant", 6, "pelvis_yaw", "rear_left", "abs:hip_tilt", 0.1, 1.4),
    ("glute_bridge", 4, "bridge_hip_drop", "left", "hip_flexion_both", 0.6, 1.4),
    ("glute_bridge", 4, "pelvis_drop", "rear_left", "abs:hip_tilt", 0.7, 1.4),
    ("hip_bridge_hold", 3, "bridge_hip_drop", "left", "hip_flexion_both", 0.6, 1.4),
    ("hip_bridge_hold", 3, "pelvis_drop", "rear_left", "abs:hip_tilt", 0.7, 1.4),
    ("bridge_leg_extension", 4, "bridge_hip_drop", "left", "bridge_offset_{other}", -0.03, -0.005),
    ("ninety_ninety_er", 2, "lumbar_rounding", "left", "back_curve", 0.0005, 0.005),
    ("ninety_ninety_ir", 3, "trunk_lean", "left", "trunk_incline", -1.1, -0.85),
    ("active_ninety_ninety_er", 4, "lumbar_rounding", "left", "back_curve", 0.0005, 0.005),
    # Leaning back reads 0.57-0.78 of its size on the hip-shoulder line (not investigated).
    ("active_ninety_ninety_ir", 4, "trunk_lean_back", "left", "trunk_incline", -1.1, -0.5),
    ("lunge", 4, "trunk_lean", "left", "trunk_from_vertical", 0.85, 1.1),
    ("lunge", 4, "incomplete_range", "left", "knee_flexion_{side}", -1.4, -0.6),
    ("lunge", 5, "knee_past_toes", "left", "shank_from_vertical_{side}", 0.85, 1.15),
    ("lunge", 5, "knee_past_toes", "left", "knee_over_toe_{side}", 0.01, 0.02),
    ("squat", 6, "incomplete_range", "left", "knee_flexion_both", -1.4, -0.8),
    ("squat", 6, "trunk_lean", "left", "trunk_from_vertical", 0.85, 1.1),
    ("squat", 6, "heel_rise", "left", "shank_from_vertical_both", 0.85, 1.15),
    ("squat", 6, "heel_rise", "left", "heel_lift_both", 0.85, 1.15),
    # Knees turned in about the hip-ankle line: the frontal thigh angle grows 1.2-2.9 times
    # as fast (the thigh is foreshortened at the bottom of the squat).
    ("squat", 6, "knee_valgus", "front", "knee_in_both", 0.6, 3.5),
    ("cossack_squat", 4, "trunk_lean", "left", "trunk_from_vertical", 0.8, 1.1),
    ("side_lying_leg_raise", 4, "pelvis_roll", "front", "pelvis_roll_3d", -1.0, -0.7),
    ("seated_hip_opener", 4, "lumbar_rounding", "left", "trunk_from_vertical", 0.3, 0.8),
    ("active_hamstring_stretch", 4, "knee_bend", "left", "knee_flexion_{side}", 0.85, 1.1),
]


def _change(body, case: tuple, size: float) -> float:
    exercise, reps, kind, view, metric, *_ = case
    ex = script(exercise, "faults", 0, size, reps)
    fault = next(f for f in ex.faults if f.kind == kind)
    side = fault.side or "left"
    name = metric.replace("{side}", side).replace(
        "{other}", "right" if side == "left" else "left")
    absolute = name.startswith("abs:")
    name = name.removeprefix("abs:")
    if kind == "incomplete_range":
        clean = script(exercise, "clean", 0, size, reps)
        k = next(i for i, r in enumerate(ex.motion.of_kind("rep"))
                 if r.start <= fault.start + 1e-6 <= r.end)
        peaks = []
        for e in (ex, clean):
            rep = e.motion.of_kind("rep")[k]
            peaks.append(np.nanmax(value(truth(body, e, np.linspace(rep.start, rep.end, 9),
                                               view), name)))
        return float(peaks[0] - peaks[1])
    times = plateau(fault)
    silhouette = name in ("back_sag", "back_curve")
    on = value(truth(body, ex, times, view, True, silhouette), name)
    off = value(truth(body, ex, times, view, False, silhouette), name)
    delta = np.abs(on) - np.abs(off) if absolute else on - off
    return float(np.mean(delta))


@needs_synth
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[2]}-{c[4]}")
def test_fault_moves_its_metric_by_about_its_size(body, case: tuple) -> None:
    low, high = case[-2:]
    changes = [_change(body, case, size) for size in FAULT_SIZES]
    for size, change in zip(FAULT_SIZES, changes):
        assert low * size <= change <= high * size, (size, changes)
    # Bigger faults move the metric further.
    assert all(abs(b) > abs(a) for a, b in zip(changes, changes[1:])), changes


@needs_synth
def test_pelvis_tuck_is_invisible_to_the_landmarks(body) -> None:
    """The active hamstring stretch spec has no pelvis-tuck rule: a 20-degree tuck moves no
    landmark metric by more than a few degrees (as its spec note says)."""
    ex = script("active_hamstring_stretch", "faults", 0, 20.0, 4)
    fault = next(f for f in ex.faults if f.kind == "pelvis_tuck")
    on, off = (truth(body, ex, plateau(fault), "left", flag) for flag in (True, False))
    for name in ("hip_flexion_left", "hip_flexion_right", "trunk_from_vertical",
                 "knee_flexion_left", "leg_reach_right"):
        assert np.abs(value(on, name) - value(off, name)).max() < 5.0, name


#: Key cues whose rule reads landmarks or the silhouette: (cue rule, view) -> the clean
#: motion must satisfy the rule at standard strictness in that view.
CLEAN = [
    # Known: the lifted thigh moves the pelvis end of the back contour, so clean bird-dog reps
    # read up to about 0.016 against 0.015 on the exact silhouette (benchmarks/VALIDATION.md:
    # 2-3 false faults in 28-36 clean synthetic reps). Strict: passing would mean it changed.
    pytest.param("bird_dog.hips_stay_level", "left", marks=pytest.mark.xfail(
        strict=True, reason="clean bird dog reps reach the back_sag threshold")),
    ("glute_bridge.hips_fully_up", "left"),
    ("glute_bridge.pelvis_stays_level", "rear_left"),
    ("hip_bridge_hold.no_sagging", "left"),
    ("ninety_ninety_er.back_stays_long", "left"),
    ("lunge.trunk_upright", "left"),
    ("lunge.front_knee_ninety", "left"),
    ("fire_hydrant.hips_do_not_rotate", "rear_left"),
    ("squat.squat_depth", "left"),
    ("squat.chest_up", "left"),
    ("squat.heels_flat", "left"),
    ("lunge.knee_behind_toes", "left"),
]


@needs_synth
@pytest.mark.parametrize("rule, view", CLEAN)
def test_clean_motion_stays_inside_its_rule(body, rule: str, view: str) -> None:
    cue = next(c for c in KEY_CUES + OTHER_CUES if c.rule == rule)
    spec = load_spec(rule.split(".")[0])
    r = spec.rule(rule.split(".")[1])
    low, high, outside = r.bounds(0.0)
    assert not outside
    ex = script(cue.exercise, "clean", 1)
    units = ex.motion.of_kind("hold" if cue.unit == "hold" else "rep")
    calibration = ex.motion.of_kind("calibration")
    silhouette = r.metric in ("back_sag", "back_curve")
    holds = ex.motion.of_kind("hold")
    for unit in units[:2]:                        # both sides of alternating exercises
        side = unit.side or "both"
        name = r.metric.replace("{side}", side).replace(
            "{other}", {"left": "right", "right": "left"}.get(side, "both"))
        times = np.linspace(unit.start, unit.end, 5)
        top = [h for h in holds if unit.start <= h.start < unit.end]
        at_peak = r.scope == "rep_peak" or r.phases == ("peak",)
        if at_peak and top and cue.unit == "rep":     # the top of the rep: its labelled hold
            times = np.linspace(top[0].start, top[0].end, 3)
        values = value(truth(body, ex, times, view, silhouette=silhouette), name)
        if r.relative_to == "neutral":
            c = calibration[0]
            rest = value(truth(body, ex, np.linspace(c.start, c.end, 3), view,
                               silhouette=silhouette), name)
            values = values - np.median(rest)
        if at_peak and not top:       # no labelled top: the rep's deepest point
            values = np.array([np.nanmax(values) if r.comparison == "above"
                               else np.nanmin(values)])
        assert np.all((values >= low) & (values <= high)), (unit, values, (low, high))
