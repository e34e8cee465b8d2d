"""Exercise poses: named pose families, each a function of a few continuous parameters.

Every family is a function ``build(body, params, root) -> Posed``: ``params`` maps the
family's parameter names (see ``NEUTRAL``) to floats, ``root`` is the clip's root translation
(3,) from :func:`placement`. Motions interpolate parameters over time, faults add to them, so
everything a clip does is one of these functions evaluated frame by frame.

World: +Z up, the person's LEFT is +X. Floor exercises lie along the Y axis. Angles in degrees.
Sides are the person's own (``"left"``, ``"right"``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.spatial.transform import Rotation

from posecheck.pose.landmarks import SIDES
from posecheck.synth.body import Body, Posed
from posecheck.synth.rig import (
    SIDE_SIGN, X, Y, Z, Rig, rot, rotate_toward, two_link_knee, unit)

LUMBAR = ("spine05", "spine04", "spine03")
THORACIC = ("spine02", "spine01")


def smoothstep(x: float) -> float:
    """Cubic ease 0 -> 1 on [0, 1] (clipped)."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def _pelvis_and_lumbar(rig: Rig, trunk: np.ndarray, roll: float, lumbar: float,
                       flexion: float = 0.0, yaw: float = 0.0) -> None:
    """Root = ``trunk`` rotation combined with pelvis faults, lumbar spine compensating.

    Faults are rotations in the pelvis's own (rest-pose) axes, so their sense does not depend
    on how the body lies: +X turns the front of the pelvis down (anterior tilt).
    roll : pelvis roll about the trunk's long axis; + turns the LEFT hip toward the back
    (lifts it when prone, lowers it when supine).
    lumbar : anterior pelvic tilt (lumbar extension / arch, + = arch, - = rounding).
    yaw : turn about the pelvis's front-back axis (vertical when prone); + swings the LEFT
    hip toward the feet.
    flexion : extra thoracic-lumbar flexion (+ rounds the back), spread over the spine.
    The lumbar bones undo the pelvis faults in equal steps, so the thorax keeps the
    orientation it has without faults.
    """
    fault = (Rotation.from_rotvec(np.deg2rad(roll) * Z)
             * Rotation.from_rotvec(np.deg2rad(yaw) * Y)
             * Rotation.from_rotvec(np.deg2rad(lumbar) * X))
    rig.set("root", trunk @ fault.as_matrix())
    step = Rotation.from_rotvec(-fault.as_rotvec() / len(LUMBAR)).as_matrix()
    bend = rot(X, flexion / (len(LUMBAR) + len(THORACIC)))
    for bone in LUMBAR:
        rig.set(bone, step @ bend)
    for bone in THORACIC:
        rig.set(bone, bend)


# ------------------------------------------------------------------ quadruped family
def quadruped(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Hands and knees (bird dog, fire hydrant), or tall kneeling when ``pitch`` is small.

    pitch : trunk rotation about +X (84 = hands-and-knees, about 10 = tall kneeling).
    arm_{side}, leg_{side} : raise fraction 0..1 (1 = arm forward / leg back, horizontal).
    hydrant_{side} : thigh abduction fraction 0..1 (1 = 75 degrees, knee stays bent).
    roll, yaw, lumbar : pelvis faults (see ``_pelvis_and_lumbar``). A roll or yaw pivots on
    the stance hip (the side whose leg is lower) and leaves the thorax where it is without it.
    """
    rig = _quadruped_rig(body, p)
    if abs(p["roll"]) < 1e-6 and abs(p["yaw"]) < 1e-6:
        return rig.pose(root)
    clean = _quadruped_rig(body, p | {"roll": 0.0, "yaw": 0.0}).pose(root)
    rolled = rig.pose(root)
    stance = "right" if p["leg_left"] + p["hydrant_left"] >= p["leg_right"] + p["hydrant_right"] \
        else "left"
    delta = body.keypoint(clean, f"{stance}_hip") - body.keypoint(rolled, f"{stance}_hip")
    rig.translate_world("spine05", -delta)
    return rig.pose(root + delta)


#: Range of trunk pitch corrections (degrees) searched by :func:`_kneeling_pitch`.
KNEELING_PITCH_RANGE = (-30.0, 12.0)


def _kneeling_pitch(body: Body) -> float:
    """Pitch correction (degrees, added to hands-and-knees pitches) at which this body rests
    on hands and knees alike: the lowest points of the hands and of the shins at one height
    (bisection on the mesh; memoised). With one pitch for every body the knees hung 5-9 cm
    above the floor (arms longer than thighs), and the trunk read 86 degrees from vertical
    where real side-on bird dogs read 73-83."""
    key = ("kneeling-pitch",)
    if key not in body.memo:
        body.memo[key] = _level_contact(
            lambda c: _quadruped_rig(body, NEUTRAL["quadruped"], c).pose(np.zeros(3)),
            body.moved_by("lowerleg01"), body.moved_by("finger", "metacarpal", "wrist"),
            KNEELING_PITCH_RANGE, rises=True)
    return body.memo[key]


def _level_contact(pose_at: Callable[[float], Posed], upper: np.ndarray,
                   lower: np.ndarray, bounds: tuple[float, float], rises: bool) -> float:
    """The parameter in ``bounds`` at which two vertex groups' lowest points (``upper``,
    ``lower``: (V,) bool masks) are at one height, by bisection (10 steps) on the posed mesh;
    ``pose_at(x)`` poses the body, and ``rises`` says whether ``upper`` rises against
    ``lower`` as x grows. Floor poses use it to rest on every part that should touch the
    floor (the lowest point of the whole body is put on the floor)."""
    lo, hi = bounds
    for _ in range(10):
        mid = 0.5 * (lo + hi)
        z = pose_at(mid).verts[:, 2]
        if (z[upper].min() > z[lower].min()) == rises:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _quadruped_rig(body: Body, p: dict[str, float], correction: float | None = None) -> Rig:
    """The hands-and-knees rig; ``correction`` (degrees) tilts the trunk of a pose with the
    hands down (default: :func:`_kneeling_pitch`)."""
    rig = Rig(body)
    hands_down = smoothstep((p["pitch"] - 40.0) / 40.0)
    if correction is None:
        correction = _kneeling_pitch(body)
    pitch = p["pitch"] + hands_down * correction
    _pelvis_and_lumbar(rig, rot(X, pitch), p["roll"], p["lumbar"], yaw=p["yaw"])
    for side in SIDES:
        sx = SIDE_SIGN[side]
        a = np.deg2rad(90.0 * p[f"arm_{side}"])
        arm = np.array([0.0, -np.sin(a), -np.cos(a)])
        arm_front = np.array([0.0, -np.cos(a), np.sin(a)])
        rig.aim_segment(side, "upperarm", arm, -Y, arm_front)
        rig.aim_segment(side, "forearm", arm, -Y, arm_front)
        raise_ = p[f"arm_{side}"]
        flat = hands_down * (1.0 - smoothstep(2.0 * raise_))
        hand = unit(flat * -Y + (1.0 - flat) * arm + 1e-6 * -Y)
        palm = unit(flat * -Z + (1.0 - flat) * np.array([-sx, 0.0, 0.0]) + 1e-6 * -Z)
        rig.hand(side, hand, palm)

        b = np.deg2rad(90.0 * p[f"leg_{side}"])
        thigh = np.array([0.0, np.sin(b), -np.cos(b)])
        thigh_front = np.array([0.0, -np.cos(b), -np.sin(b)])
        abduct = rot(Y, -sx * 75.0 * p[f"hydrant_{side}"])
        rig.aim_segment(side, "thigh", abduct @ thigh, -Y, abduct @ thigh_front)
        rig.aim_segment(side, "shin", Y, -Y, -Z)
        f = np.deg2rad(-12.0 + 100.0 * p[f"leg_{side}"])
        rig.foot(side, [0.0, np.cos(f), -np.sin(f)], [0.0, -np.sin(f), -np.cos(f)])
    return rig


# ------------------------------------------------------------------ supine bridge family
def _slerp(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    """Unit vector between unit vectors ``a`` (w = 0) and ``b`` (w = 1)."""
    if w <= 0.0:
        return unit(a)
    angle = np.degrees(np.arccos(np.clip(unit(a) @ unit(b), -1.0, 1.0)))
    return rotate_toward(a, b, w * angle) if angle > 1e-6 else unit(a)


def _bridge_rig(body: Body, p: dict[str, float], legs: dict[str, tuple] | None,
                elevation: float) -> Rig:
    """The bridge rig with the shoulder -> hip line raised ``elevation`` degrees."""
    rig = Rig(body)
    trunk = rot(X, -(90.0 + elevation))
    _pelvis_and_lumbar(rig, trunk, p["roll"], p["lumbar"])
    rig.set_world("neck01", rot(X, -90.0))           # the head stays flat on the floor
    for side in SIDES:
        sx = SIDE_SIGN[side]
        arm = unit([sx * 0.22, -1.0, -0.04])         # arms on the floor toward the feet
        rig.aim_segment(side, "upperarm", arm, -Y, Z)
        rig.aim_segment(side, "forearm", arm, -Y, Z)
        rig.hand(side, arm, -Z)
        thigh, shin = (legs or _lying_legs(body))[side]
        rig.aim_segment(side, "thigh", thigh, -Y, unit(np.cross(thigh, X)))
        rig.aim_segment(side, "shin", shin, -Y, unit(np.cross(shin, X)))
        free = max(p[f"ext_{side}"], p[f"march_{side}"])
        rig.foot(side, _slerp(unit([0.0, -1.0, -0.05]), _toes(shin), free),
                 _slerp(Z, -shin, free))
    return rig


#: Knee bend of the lying pose, degrees (0 = straight): real side-on bridge clips read 110-132
#: at rest (the model's reading, 3 clips).
LYING_KNEE_FLEXION = 120.0
#: Range of the lying thigh's elevation (degrees from the floor) searched by :func:`_lying_legs`.
LYING_THIGH_RANGE = (10.0, 85.0)


def _legs_at(thigh_deg: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Both legs of the lying pose, side -> (thigh, shin) unit directions: the thigh raised
    ``thigh_deg`` from the floor toward the feet, the knee bent :data:`LYING_KNEE_FLEXION`."""
    a, f = np.deg2rad(thigh_deg), np.deg2rad(LYING_KNEE_FLEXION)
    return {side: (unit([0.06 * SIDE_SIGN[side], -np.cos(a), np.sin(a)]),
                   unit([0.0, -np.cos(a - f), np.sin(a - f)])) for side in SIDES}


def _lying_legs(body: Body) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The lying pose's legs for this body (:func:`_legs_at`), the thigh raised so far that
    the back and the soles rest on the same floor: the lowest points of pelvis and spine and
    of the feet at one height (bisection on the mesh; memoised). Fixed leg directions left
    short-legged bodies propped up on their feet with the back 13-17 cm in the air (their
    bridges lifted the hips 1-4 cm), lifted long-legged bodies' feet off the floor and folded
    every knee to about 150 degrees."""
    key = ("lying-legs",)
    if key not in body.memo:
        thigh = _level_contact(
            lambda a: _bridge_rig(body, NEUTRAL["bridge"], _legs_at(a), 0.0).pose(np.zeros(3)),
            body.moved_by("spine", "pelvis"), body.moved_by("foot", "toe"), LYING_THIGH_RANGE,
            rises=False)
        body.memo[key] = _legs_at(thigh)
    return body.memo[key]


def _toes(shin: np.ndarray) -> np.ndarray:
    """Toe direction for a neutral ankle: perpendicular to ``shin`` in the sagittal plane."""
    return unit(np.cross(shin, X))


def bridge(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Lying on the back (head toward +Y), knees bent, feet flat; hips lift into a bridge.

    lift : 0..1 of the trunk elevation (shoulder -> hip line) at which shoulders, hips and
        knees line up (found per body), plus ``top`` degrees beyond it (overshoot, default 0).
    sag : fault, degrees of trunk elevation lost (hips sinking).
    roll : pelvis roll (+ lowers the LEFT hip, supine); lumbar : arch (+).
    ext_{side} : 0..1 that leg straightens in line with the trunk (single-leg bridge).
    march_{side} : 0..1 knee drive: thigh toward vertical, knee bent 90 degrees.
    Shoulders and the planted feet stay where they are in the neutral pose (2-link IK).
    """
    elevation = (_straight_bridge(body) + p["top"]) * p["lift"] - p["sag"]
    lifted, offset, knees = _bridge_knees(body, p, elevation)
    ankles0 = body.memo[("bridge-reference",)][1]
    trunk_dir = unit(body.midpoint(lifted, "hip") - body.midpoint(lifted, "shoulder"))
    legs = {}
    for side in SIDES:
        hip = body.keypoint(lifted, f"{side}_hip") + offset
        thigh, shin = unit(knees[side] - hip), unit(ankles0[side] - knees[side])
        ext, march = p[f"ext_{side}"], p[f"march_{side}"]
        thigh = _slerp(_slerp(thigh, trunk_dir, ext), unit([0.0, 0.25, 1.0]), march)
        shin = _slerp(_slerp(shin, trunk_dir, ext), -Y, march)
        legs[side] = (thigh, shin)
    return _bridge_rig(body, p, legs, elevation).pose(root + offset)


def _bridge_knees(body: Body, p: dict[str, float], elevation: float
                  ) -> tuple[Posed, np.ndarray, dict[str, np.ndarray]]:
    """The trunk raised ``elevation`` degrees about the shoulders (legs not yet placed), the
    (3,) offset that keeps the shoulders where they lie, and each knee (3,) placed so that the
    foot stays planted (2-link IK)."""
    key = ("bridge-reference",)
    if key not in body.memo:
        ref = _bridge_rig(body, NEUTRAL["bridge"], None, 0.0).pose(np.zeros(3))
        joints = {s: [body.keypoint(ref, f"{s}_{j}") for j in ("hip", "knee", "ankle")]
                  for s in SIDES}
        body.memo[key] = (body.midpoint(ref, "shoulder"), {s: joints[s][2] for s in SIDES},
                          {s: (np.linalg.norm(joints[s][1] - joints[s][0]),
                               np.linalg.norm(joints[s][2] - joints[s][1])) for s in SIDES})
    shoulders0, ankles0, lengths = body.memo[key]
    lifted = _bridge_rig(body, p, None, elevation).pose(np.zeros(3))
    offset = shoulders0 - body.midpoint(lifted, "shoulder")
    knees = {s: two_link_knee(body.keypoint(lifted, f"{s}_hip") + offset, ankles0[s], *lengths[s],
                              np.array([0, -0.3, 1.0])) for s in SIDES}
    return lifted, offset, knees


def _straight_bridge(body: Body) -> float:
    """Trunk elevation (degrees) at which shoulders, hips and knees line up in a two-legged
    bridge of this body (bisection on the hip's height over the shoulder-knee line;
    memoised)."""
    key = ("bridge-straight",)
    if key not in body.memo:
        lo, hi = 0.0, 60.0
        for _ in range(14):
            mid = 0.5 * (lo + hi)
            lifted, offset, knees = _bridge_knees(body, NEUTRAL["bridge"], mid)
            shoulder = body.midpoint(lifted, "shoulder") + offset
            hip = body.midpoint(lifted, "hip") + offset
            knee = 0.5 * (knees["left"] + knees["right"])
            w = (hip - shoulder) @ (knee - shoulder) / ((knee - shoulder) @ (knee - shoulder))
            above = hip[2] - (shoulder + w * (knee - shoulder))[2]
            lo, hi = (lo, mid) if above > 0 else (mid, hi)
        body.memo[key] = 0.5 * (lo + hi)
    return body.memo[key]


# ------------------------------------------------------------------ seated 90/90 family
def sit_9090(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Seated 90/90: one leg in front (hip and knee at 90 degrees, shin across the front,
    lying on its outer side), the other to the side (shin pointing back).

    front : +1 = the LEFT leg in front, -1 = the right leg.
    hinge : forward lean of the whole trunk from the hips, degrees (neutral spine).
    flexion : spine rounding, degrees (spread over lumbar and thoracic spine).
    lumbar : anterior pelvic tilt (+) / posterior (-).
    reach : 0..1 hands slide forward on the floor (with the hinge).
    ir_lift : 0..1 the back leg's foot lifts (hip internal rotation, 40 degrees), knee down.
    turn : the trunk (with the pelvis) turns toward the BACK leg, degrees (90/90 IR stretch).
    The lowest point of the body rests on the floor.
    """
    rig = Rig(body)
    front = "left" if p["front"] >= 0 else "right"
    toward_back = -1.0 if front == "left" else 1.0        # + about Z turns the face to the left
    trunk = rot(Z, toward_back * p["turn"]) @ rot(X, p["hinge"])
    _pelvis_and_lumbar(rig, trunk, 0.0, p["lumbar"], p["flexion"])
    for side in SIDES:
        sx = SIDE_SIGN[side]
        if side == front:
            thigh, shin = unit([sx * 0.35, -1.0, -0.12]), unit([-sx, -0.12, -0.03])
            rig.aim_segment(side, "thigh", thigh, -Y, sx * X)
            rig.aim_segment(side, "shin", shin, -Y, Y)
            rig.foot(side, unit(shin + 0.3 * Y), unit(Y - 0.3 * shin))
        else:
            thigh = unit([sx, -0.3, -0.12])
            lift = rot(thigh, sx * 40.0 * p["ir_lift"])     # shin turns up about the thigh
            shin, shin_front = lift @ unit([0.15 * sx, 1.0, -0.03]), lift @ (-sx * X)
            rig.aim_segment(side, "thigh", thigh, -Y, unit([0.3 * sx, -1.0, 0.0]))
            rig.aim_segment(side, "shin", shin, -Y, shin_front)
            rig.foot(side, shin, unit(shin_front + 0.2 * Z))
        reach = p["reach"]
        arm = unit([sx * 0.25, -0.35 - 0.9 * reach, -1.0 + 0.35 * reach])
        rig.aim_segment(side, "upperarm", arm, -Y, -Y)
        rig.aim_segment(side, "forearm", arm, -Y, -Y)
        rig.hand(side, _slerp(arm, -Y, 0.6), -Z)
    posed = rig.pose(root)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ standing / lunge family
def stand(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Standing and forward lunges: the back foot stays planted, the front foot steps ahead
    (face toward -Y).

    front : +1 = the LEFT foot steps forward, -1 = the right one (switch only while
        ``split`` is 0).
    split : 0..1 the front foot is ``stride`` leg lengths ahead (0 = feet together).
    step : 0..1 lift of the front foot off the floor while it steps.
    depth : 0..1 lunge depth (1 = front thigh about horizontal, back knee near the floor).
    lean : trunk forward lean, degrees; lumbar, flexion : as in :func:`sit_9090`.
    knee_forward : the front shin tilts this many degrees further forward (the hips travel
        forward over the front foot, the knee past the toes).
    hands_on_hips : 0..1; arm_swing_{side} : 0..1 arm raised forward (a fidget).
    The lowest point of the body rests on the floor.
    """
    kp = body.rest_keypoint
    front = "left" if p["front"] >= 0 else "right"
    back = "right" if front == "left" else "left"
    thigh_len = np.linalg.norm(kp["left_hip"] - kp["left_knee"])
    shin_len = np.linalg.norm(kp["left_knee"] - kp["left_ankle"])
    ankle_h = kp["left_ankle"][2] - body.rest.verts[:, 2].min()
    half_width = 0.5 * abs(kp["left_hip"][0] - kp["right_hip"][0])
    leg = thigh_len + shin_len
    stride = p["stride"] * leg * p["split"]
    ankles = {back: np.array([SIDE_SIGN[back] * half_width, 0.0, ankle_h + 0.07 * p["split"]]),
              front: np.array([SIDE_SIGN[front] * half_width, -stride,
                               ankle_h + 0.12 * p["step"]])}
    bottom = shin_len + ankle_h + 0.03
    top = np.sqrt(max(leg ** 2 - (0.5 * stride) ** 2, 0.0)) * 0.985 + ankle_h
    hip_target = np.array([0.0, -0.55 * stride, top + (bottom - top) * p["depth"]])

    rig = _stand_rig(body, p, None)
    first = rig.pose(np.zeros(3))
    shift = hip_target - body.midpoint(first, "hip")
    if abs(p["knee_forward"]) > 1e-6:
        shift = _knee_forward(body.keypoint(first, f"{front}_hip") + shift, ankles[front],
                              thigh_len, shin_len, p["knee_forward"]) + shift
    legs = {}
    for side in SIDES:
        hip = body.keypoint(first, f"{side}_hip") + shift
        knee = two_link_knee(hip, ankles[side], thigh_len, shin_len, np.array([0.0, -1.0, 0.0]))
        legs[side] = (unit(knee - hip), unit(ankles[side] - knee))
    rig = _stand_rig(body, p, legs, back)
    posed = rig.pose(root + shift)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


def _shank_forward(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float) -> float:
    """Forward (-Y) tilt of the shin from vertical, degrees, of the IK knee."""
    knee = two_link_knee(hip, ankle, thigh, shin, np.array([0.0, -1.0, 0.0]))
    d = knee - ankle
    return float(np.degrees(np.arctan2(-d[1], d[2])))


def _knee_forward(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float,
                  degrees: float) -> np.ndarray:
    """(3,) hip displacement (along Y) that tilts the shin ``degrees`` further forward."""
    target = _shank_forward(hip, ankle, thigh, shin) + degrees
    move = np.zeros(3)
    for _ in range(6):
        now = _shank_forward(hip + move, ankle, thigh, shin)
        move[1] -= shin * (np.sin(np.deg2rad(target)) - np.sin(np.deg2rad(now)))
    return move


def _stand_rig(body: Body, p: dict[str, float], legs: dict[str, tuple] | None,
               back: str | None = None) -> Rig:
    rig = Rig(body)
    _pelvis_and_lumbar(rig, rot(X, p["lean"]), 0.0, p["lumbar"], p["flexion"])
    for side in SIDES:
        sx = SIDE_SIGN[side]
        hang = unit([sx * 0.15, 0.0, -1.0])
        swing = _slerp(hang, -Y, 0.9 * p[f"arm_swing_{side}"])
        hips_w = p["hands_on_hips"]
        upper = _slerp(swing, unit([sx * 0.55, 0.3, -0.8]), hips_w)
        fore = _slerp(swing, unit([-sx * 0.3, -0.45, -0.85]), hips_w)
        rig.aim_segment(side, "upperarm", upper, -Y, -Y)
        rig.aim_segment(side, "forearm", fore, -Y, -Y)
        rig.hand(side, fore, [-sx, 0.0, 0.0])
        if legs is None:
            continue
        thigh, shin = legs[side]
        rig.aim_segment(side, "thigh", thigh, -Y, unit(np.cross(X, thigh)))
        rig.aim_segment(side, "shin", shin, -Y, unit(np.cross(X, shin)))
        if side == back:
            toe = rotate_toward(-Y, -Z, 45.0 * p["split"])
            rig.foot(side, toe, unit(np.cross(toe, X)))
        else:
            rig.foot(side, -Y, Z)
    return rig


# ------------------------------------------------------------------ side-lying family
#: Lying on the right side: body +X (left) up, head toward -Y, face toward +X.
_ON_RIGHT_SIDE = np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])


def side_lying(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Lying on the right side, head on the lower arm, the top (left) leg lifts.

    lift : 0..1 abduction of the top leg (1 = 45 degrees), knee straight.
    roll : pelvis roll about the body's long axis (fault: the pelvis rolls back);
    lumbar : as in :func:`quadruped`. The lowest point of the body rests on the floor.
    """
    rig = Rig(body)
    _pelvis_and_lumbar(rig, _ON_RIGHT_SIDE, p["roll"], p["lumbar"])
    front = X                                        # where the face and kneecaps point
    for side, arm, hand_palm in (("right", unit([0.25, -1.0, -0.15]), -Z),
                                 ("left", unit([0.2, 1.0, -0.25]), -Z)):
        rig.aim_segment(side, "upperarm", arm, -Y, front)
        rig.aim_segment(side, "forearm", arm, -Y, front)
        rig.hand(side, arm, hand_palm)
    bottom_thigh, bottom_shin = unit([0.25, 1.0, 0.0]), unit([-0.1, 1.0, 0.0])
    rig.aim_segment("right", "thigh", bottom_thigh, -Y, front)
    rig.aim_segment("right", "shin", bottom_shin, -Y, front)
    rig.foot("right", front, -bottom_shin)
    top = rotate_toward(unit([0.08, 1.0, 0.0]), Z, 45.0 * p["lift"])
    rig.aim_segment("left", "thigh", top, -Y, front)
    rig.aim_segment("left", "shin", top, -Y, front)
    rig.foot("left", front, -top)
    posed = rig.pose(root)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ wide-stance family
def wide_squat(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Wide stance facing -Y; shift onto one leg and squat on it (cossack squat).

    shift : -1..1 toward the LEFT (+) or right (-) leg, which bends; the other stays long.
    depth : 0..1 (1 = deep squat on the bent leg). width : stance half-width, leg lengths.
    lean : trunk forward lean, degrees; reach : 0..1 arms forward for balance.
    The feet stay put (2-link IK); the lowest point of the body rests on the floor.
    """
    kp = body.rest_keypoint
    thigh_len = np.linalg.norm(kp["left_hip"] - kp["left_knee"])
    shin_len = np.linalg.norm(kp["left_knee"] - kp["left_ankle"])
    ankle_h = kp["left_ankle"][2] - body.rest.verts[:, 2].min()
    leg = thigh_len + shin_len
    w = p["width"] * leg
    ankles = {s: np.array([SIDE_SIGN[s] * w, 0.0, ankle_h]) for s in SIDES}
    top = np.sqrt(max(leg ** 2 - w ** 2, 0.0)) * 0.985 + ankle_h
    bottom = ankle_h + 0.5 * shin_len
    amount = abs(p["shift"])
    hip_target = np.array([0.7 * w * p["shift"], 0.0, top + (bottom - top) * p["depth"] * amount])

    def rig_for(legs: dict[str, tuple] | None) -> Rig:
        rig = Rig(body)
        _pelvis_and_lumbar(rig, rot(X, p["lean"]), 0.0, p["lumbar"])
        for side in SIDES:
            sx = SIDE_SIGN[side]
            arm = _slerp(unit([sx * 0.15, 0.0, -1.0]), unit([sx * 0.1, -1.0, 0.0]),
                         0.9 * p["reach"])
            rig.aim_segment(side, "upperarm", arm, -Y, -Y)
            rig.aim_segment(side, "forearm", arm, -Y, -Y)
            rig.hand(side, arm, [-sx, 0.0, 0.0])
            if legs is not None:
                thigh, shin, bend = legs[side]
                rig.aim_segment(side, "thigh", thigh, -Y, bend)
                rig.aim_segment(side, "shin", shin, -Y, bend)
                rig.foot(side, unit([sx * 0.35, -1.0, 0.0]), Z)
        return rig

    first = rig_for(None).pose(np.zeros(3))
    shift = hip_target - body.midpoint(first, "hip")
    legs = {}
    for side in SIDES:
        bend = unit([SIDE_SIGN[side] * 0.5, -1.0, 0.0])
        hip = body.keypoint(first, f"{side}_hip") + shift
        knee = two_link_knee(hip, ankles[side], thigh_len, shin_len, bend)
        legs[side] = (unit(knee - hip), unit(ankles[side] - knee), bend)
    posed = rig_for(legs).pose(root + shift)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ long-sit family
def long_sit(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Sitting tall, legs straight ahead (-Y), hands on the floor behind (seated hip opener).

    open_{side} : 0..1 that straight leg lifts (25 degrees) and swings out (55 degrees).
    lean : trunk lean, degrees (+ forward). The lowest point of the body rests on the floor.
    """
    rig = Rig(body)
    _pelvis_and_lumbar(rig, rot(X, p["lean"]), 0.0, p["lumbar"])
    for side in SIDES:
        sx = SIDE_SIGN[side]
        arm = unit([sx * 0.3, 0.45, -1.0])
        rig.aim_segment(side, "upperarm", arm, -Y, -Y)
        rig.aim_segment(side, "forearm", arm, -Y, -Y)
        rig.hand(side, unit([sx * 0.2, 1.0, -0.6]), -Z)
        o = p[f"open_{side}"]
        leg = rot(Z, sx * 55.0 * o) @ unit([sx * 0.1, -1.0, -0.06])
        leg = rotate_toward(leg, Z, 25.0 * o)
        rig.aim_segment(side, "thigh", leg, -Y, Z)
        rig.aim_segment(side, "shin", leg, -Y, Z)
        rig.foot(side, rotate_toward(Z, leg, 15.0), -leg)
    posed = rig.pose(root)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ squat family
#: Squat stance: ankles this many hip half-widths from the midline, toes turned out (degrees).
SQUAT_STANCE, SQUAT_TOES_OUT = 1.35, 15.0


def squat(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Bodyweight squat facing -Y, feet planted a little wider than the hips, toes out.

    depth : 0..1; the shins tilt ``shin`` * depth degrees forward and the thighs 85 * depth
        degrees from vertical (1 = thighs about level, knees bent about 115 degrees with the
        shins at 30). shin : shin tilt at full depth, degrees (the person's ankle mobility).
    lean : trunk forward lean, degrees (the builder scripts the natural lean with depth).
    heel : both heels lift, the feet pitching this many degrees about the toes; the ankle
        angle stays, so the shins tilt as much further forward (the hips follow).
    valgus : both knees cave in, each turning this many degrees about its hip-ankle line.
    reach : 0..1 arms forward for balance; lumbar, flexion : as in :func:`sit_9090`.
    The lowest point of the body rests on the floor.
    """
    kp = body.rest_keypoint
    thigh_len = np.linalg.norm(kp["left_hip"] - kp["left_knee"])
    shin_len = np.linalg.norm(kp["left_knee"] - kp["left_ankle"])
    ankle_h = kp["left_ankle"][2] - body.rest.verts[:, 2].min()
    half_width = 0.5 * abs(kp["left_hip"][0] - kp["right_hip"][0])
    foot = {s: kp[f"{s}_big_toe"] - kp[f"{s}_ankle"] for s in SIDES}
    rest_toes = 0.5 * (kp["left_big_toe"] + kp["left_small_toe"]) - kp["left_ankle"]
    rest_pitch = np.degrees(np.arctan2(-rest_toes[2], np.linalg.norm(rest_toes[:2])))
    toes, ankles = {}, {}
    for side in SIDES:
        sx = SIDE_SIGN[side]
        toes[side] = rot(Z, sx * SQUAT_TOES_OUT) @ -Y               # toes turned out
        flat = np.array([sx * SQUAT_STANCE * half_width, 0.0, ankle_h])
        reach = np.linalg.norm(foot[side][:2])
        toe = flat + reach * toes[side]
        back = rotate_toward(-toes[side], Z, p["heel"])            # the heel pitches up
        ankles[side] = toe + reach * back
    s_, t_ = np.deg2rad(p["shin"] * p["depth"]), np.deg2rad(85.0 * p["depth"])
    leg = thigh_len + shin_len
    top = np.sqrt(max(leg ** 2 - ((SQUAT_STANCE - 1.0) * half_width) ** 2, 0.0)) * 0.985
    height = top + (shin_len * np.cos(s_) + thigh_len * np.cos(t_) - leg) * 0.985
    mid_ankle = 0.5 * (ankles["left"] + ankles["right"])
    hip_target = mid_ankle + np.array(
        [0.0, thigh_len * np.sin(t_) - shin_len * np.sin(s_), height])
    if abs(p["heel"]) > 1e-6:     # the ankle angle stays: the shins tilt forward with the feet
        hip_target = hip_target + _knee_forward(
            hip_target + np.array([half_width, 0.0, 0.0]), ankles["left"], thigh_len, shin_len,
            p["heel"])

    def rig_for(legs: dict[str, tuple] | None) -> Rig:
        rig = Rig(body)
        _pelvis_and_lumbar(rig, rot(X, p["lean"]), 0.0, p["lumbar"], p["flexion"])
        for side in SIDES:
            sx = SIDE_SIGN[side]
            arm = _slerp(unit([sx * 0.15, 0.0, -1.0]), unit([sx * 0.15, -1.0, 0.05]),
                         0.9 * p["reach"])
            rig.aim_segment(side, "upperarm", arm, -Y, -Y)
            rig.aim_segment(side, "forearm", arm, -Y, -Y)
            rig.hand(side, arm, [-sx, 0.0, 0.0])
            if legs is not None:
                thigh, shin = legs[side]
                rig.aim_segment(side, "thigh", thigh, -Y, unit(np.cross(X, thigh)))
                rig.aim_segment(side, "shin", shin, -Y, unit(np.cross(X, shin)))
                pitch = rotate_toward(toes[side], -Z, rest_pitch + p["heel"])
                rig.foot(side, pitch, unit(np.cross(np.cross(pitch, Z), pitch)))
        return rig

    first = rig_for(None).pose(np.zeros(3))
    shift = hip_target - body.midpoint(first, "hip")
    legs = {}
    for side in SIDES:
        hip = body.keypoint(first, f"{side}_hip") + shift
        axis = unit(ankles[side] - hip)
        bend = rot(axis, SIDE_SIGN[side] * p["valgus"]) @ toes[side]   # + turns the knee in
        knee = two_link_knee(hip, ankles[side], thigh_len, shin_len, bend)
        legs[side] = (unit(knee - hip), unit(ankles[side] - knee))
    posed = rig_for(legs).pose(root + shift)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ supine leg-stretch family
def supine(body: Body, p: dict[str, float], root: np.ndarray) -> Posed:
    """Lying on the back (head toward +Y), legs straight (active hamstring stretch).

    door : +1 = the LEFT leg is the stretched one (up a door frame), -1 = the right.
    stretch : 0..1 the stretched leg rises to ``stretch_angle`` degrees above the floor.
    raise : 0..1 the other leg rises from the floor to ``raise_angle`` degrees.
    bend : the stretched leg's knee bends, degrees (fault); lumbar : pelvic tilt (- = tuck).
    The lowest point of the body rests on the floor.
    """
    rig = Rig(body)
    _pelvis_and_lumbar(rig, rot(X, -90.0), 0.0, p["lumbar"])
    rig.set_world("neck01", rot(X, -90.0))
    stretched = "left" if p["door"] >= 0 else "right"
    for side in SIDES:
        sx = SIDE_SIGN[side]
        arm = unit([sx * 0.25, -1.0, -0.04])
        rig.aim_segment(side, "upperarm", arm, -Y, Z)
        rig.aim_segment(side, "forearm", arm, -Y, Z)
        rig.hand(side, arm, -Z)
        if side == stretched:
            a, bend = p["stretch_angle"] * p["stretch"], p["bend"]
        else:
            a, bend = p["raise_angle"] * p["raise"], 0.0
        thigh = rotate_toward(unit([sx * 0.06, -1.0, 0.0]), Z, a + 0.5 * bend)
        shin = rotate_toward(unit([sx * 0.06, -1.0, 0.0]), Z, a - 0.5 * bend)
        rig.aim_segment(side, "thigh", thigh, -Y, unit(np.cross(thigh, X)))
        rig.aim_segment(side, "shin", shin, -Y, unit(np.cross(shin, X)))
        rig.foot(side, rotate_toward(_toes(shin), shin, 10.0), -shin)
    posed = rig.pose(root)
    return posed.translated(np.array([0.0, 0.0, -posed.verts[:, 2].min()]))


# ------------------------------------------------------------------ registry
PoseFunction = Callable[[Body, dict[str, float], np.ndarray], Posed]

NEUTRAL: dict[str, dict[str, float]] = {
    "quadruped": {"pitch": 84.0, "arm_left": 0.0, "arm_right": 0.0, "leg_left": 0.0,
                  "leg_right": 0.0, "hydrant_left": 0.0, "hydrant_right": 0.0,
                  "roll": 0.0, "yaw": 0.0, "lumbar": 0.0},
    "bridge": {"lift": 0.0, "top": 0.0, "sag": 0.0, "roll": 0.0, "lumbar": 0.0,
               "ext_left": 0.0, "ext_right": 0.0, "march_left": 0.0, "march_right": 0.0},
    "sit": {"front": 1.0, "hinge": 0.0, "flexion": 0.0, "lumbar": 0.0, "reach": 0.0,
            "ir_lift": 0.0, "turn": 0.0},
    "lunge": {"front": 1.0, "split": 0.0, "stride": 0.75, "step": 0.0, "depth": 0.0,
              "lean": 0.0, "lumbar": 0.0, "flexion": 0.0, "hands_on_hips": 0.0,
              "arm_swing_left": 0.0, "arm_swing_right": 0.0, "knee_forward": 0.0},
    "side_lying": {"lift": 0.0, "roll": 0.0, "lumbar": 0.0},
    "wide": {"shift": 0.0, "depth": 0.0, "width": 0.55, "lean": 0.0, "lumbar": 0.0,
             "reach": 0.0},
    "long_sit": {"open_left": 0.0, "open_right": 0.0, "lean": -8.0, "lumbar": 0.0},
    "squat": {"depth": 0.0, "lean": 3.0, "heel": 0.0, "valgus": 0.0, "reach": 0.0,
              "lumbar": 0.0, "flexion": 0.0, "shin": 30.0},
    "supine": {"door": 1.0, "stretch": 0.0, "stretch_angle": 70.0, "raise": 0.0,
               "raise_angle": 50.0, "bend": 0.0, "lumbar": 0.0},
}
FAMILIES: dict[str, PoseFunction] = {
    "quadruped": quadruped,
    "bridge": bridge,
    "sit": sit_9090,
    "lunge": stand,
    "side_lying": side_lying,
    "wide": wide_squat,
    "long_sit": long_sit,
    "squat": squat,
    "supine": supine,
}


def build(body: Body, family: str, params: dict[str, float], root: np.ndarray) -> Posed:
    """Pose ``body`` in ``family`` with ``params`` (missing names take neutral values)."""
    return FAMILIES[family](body, NEUTRAL[family] | params, root)


def placement(body: Body, family: str) -> np.ndarray:
    """(3,) root translation that puts the family's neutral pose on the floor, centred at 0."""
    key = ("placement", family)
    if key not in body.memo:
        posed = build(body, family, {}, np.zeros(3))
        lo, hi = posed.verts.min(0), posed.verts.max(0)
        centre = 0.5 * (lo + hi)
        body.memo[key] = np.array([-centre[0], -centre[1], -lo[2]], np.float64)
    return body.memo[key]
