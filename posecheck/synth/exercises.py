"""Exercise scripts: for each exercise and variant, the motion, its faults and a default camera.

``EXERCISES[name](variant, rng, size=..., reps=...)`` returns an :class:`Exercise` (``script``
does it from a seed). Variants: ``clean`` (correct form) and ``faults``: the reps (or holds)
between the first and the last carry the exercise's faults in turn (``fault_plan``), all of
one ``size`` in degrees (percentage faults such as a short range: ``faults.percent_for``).

Exercise names are the ids of ``exercise_specs/*.toml``. Rep sides follow each spec: the bird
dog's is the side of the raised LEG, the bridge leg extension's the extended leg, the lunge's
the front leg, the cossack squat's the bent leg, the active 90/90 IR's the leg whose foot
lifts, the active hamstring stretch's the moving (not the stretched) leg; none for the squat,
the glute bridge, the bridge hold (except single-leg holds: the extended leg) and the active
90/90 ER; otherwise the moving leg.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from posecheck.synth.faults import PERCENT_KINDS, Fault, percent_for
from posecheck.synth.motions import Motion, Script, other
from posecheck.synth.rig import X, Y
from posecheck.synth.scene import CameraSpec

VARIANTS = ("clean", "faults")
#: Default fault size, degrees (percentage faults: ``percent_for`` of it).
DEFAULT_SIZE = 20.0


@dataclass
class Exercise:
    """A scripted clip: motion, faults, default camera, and the person's horizontal forward
    (face or head) and left directions (3,) that camera views are relative to."""

    motion: Motion
    faults: list[Fault]
    camera: CameraSpec
    forward: np.ndarray = field(default_factory=lambda: -Y.copy())
    left: np.ndarray = field(default_factory=lambda: X.copy())
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {VARIANTS}")


def fault_plan(variant: str, reps: int, kinds: tuple[str, ...],
               clean: tuple[int, ...] = (0, -1)) -> list[str | None]:
    """The fault kind each rep (or hold) carries: none in a ``clean`` clip; in a ``faults``
    clip the reps at the indices ``clean`` stay clean and the others cycle through ``kinds``
    (a kind may repeat to weight it)."""
    _check_variant(variant)
    spared = {i % reps for i in clean}
    out: list[str | None] = []
    turn = 0
    for i in range(reps):
        if variant == "clean" or i in spared:
            out.append(None)
        else:
            out.append(kinds[turn % len(kinds)])
            turn += 1
    return out


def _amount(kind: str, size: float) -> float:
    """``size_deg`` of a fault of ``kind`` at the clip's size (percent for percentage kinds)."""
    return percent_for(size) if kind in PERCENT_KINDS else float(size)


# ------------------------------------------------------------------ quadruped
def _into_quadruped(s: Script) -> None:
    """Tall kneeling, lean into hands and knees, then a still neutral (calibration)."""
    s.hold(0.4)
    s.to(s.jitter(1.4), pitch=84.0)
    s.hold(0.2)
    s.label("setup", 0.0, note="tall kneeling, then lean into hands and knees")
    s.calibration(1.6, "still neutral quadruped")


def bird_dog(variant: str, rng: np.random.Generator, reps: int = 4, first_leg: str = "left",
             hold: float = 0.7, size: float = DEFAULT_SIZE) -> Exercise:
    """Into hands and knees, a still neutral, then alternating reps: right arm + left leg
    (a ``left`` rep), left arm + right leg, ...

    faults variant: the reps between the first and the last alternate a pelvis roll (the
    raised leg's hip lifts) and a lumbar arch of ``size`` degrees; an arm swing alone (no
    leg: never a rep) follows rep 2.
    """
    plan = fault_plan(variant, reps, ("pelvis_roll", "lumbar_arch"))
    s = Script("quadruped", "bird_dog", {"pitch": 12.0}, rng)
    _into_quadruped(s)
    faults: list[Fault] = []
    leg = first_leg
    for i, kind in enumerate(plan):
        arm = other(leg)
        start = s.now
        s.to(s.jitter(0.8), **{f"arm_{arm}": 1.0, f"leg_{leg}": 1.0})
        top = s.now
        s.hold(s.jitter(hold))
        s.label("hold", top, side=leg, note="arm and leg extended")
        s.to(s.jitter(0.7), **{f"arm_{arm}": 0.0, f"leg_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{arm} arm + {leg} leg")
        if kind is not None:
            faults.append(Fault(kind, size, start, s.now,
                                side=leg if kind == "pelvis_roll" else None, ramp=top - start))
        s.hold(s.jitter(0.3))
        if variant == "faults" and i == 1:
            start = s.now
            s.to(0.7, **{f"arm_{leg}": 0.8}).hold(0.3).to(0.6, **{f"arm_{leg}": 0.0})
            s.label("fidget", start, side=leg, note="arm swing alone: not a rep")
            s.hold(0.3)
        leg = other(leg)
    s.hold(0.4)
    camera = CameraSpec(view="left", distance=2.6, height=0.65, target_height=0.38)
    return Exercise(s.motion(variant=variant), faults, camera)


def fire_hydrant(variant: str, rng: np.random.Generator, reps: int = 4,
                 first_leg: str = "left", size: float = DEFAULT_SIZE) -> Exercise:
    """Into hands and knees, a still neutral, then alternating fire hydrants (bent knee lifted
    out to the side, 75 degrees).

    faults variant: the reps between the first and the last cycle through a pelvis hike (the
    pelvis rolls, the lifted leg's hip rises), a rep lifted ``percent_for(size)`` % short
    (incomplete_range), another hike and a pelvis rotation (the lifted leg's hip swings back,
    pelvis_yaw), all of ``size`` degrees.
    """
    plan = fault_plan(variant, reps,
                      ("pelvis_roll", "incomplete_range", "pelvis_roll", "pelvis_yaw"))
    s = Script("quadruped", "fire_hydrant", {"pitch": 12.0}, rng)
    _into_quadruped(s)
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        amount = 1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0
        s.to(s.jitter(0.8), **{f"hydrant_{leg}": amount})
        top = s.now
        s.hold(s.jitter(0.6))
        s.label("hold", top, side=leg, note="knee lifted out to the side")
        s.to(s.jitter(0.7), **{f"hydrant_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} knee out")
        if kind is not None:
            faults.append(Fault(kind, _amount(kind, size), start, s.now, side=leg,
                                ramp=0.0 if kind == "incomplete_range" else top - start))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    s.hold(0.3)
    camera = CameraSpec(view="rear_left", distance=2.6, height=0.8, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


# ------------------------------------------------------------------ bridges
def _lying_start(s: Script) -> None:
    """A foot shuffle (fidget), then still lying with the knees bent (calibration)."""
    s.to(0.5, march_left=0.15).to(0.5, march_left=0.0)
    s.label("fidget", 0.0, side="left", note="shuffles the left foot into place")
    s.hold(0.2)
    s.calibration(1.5, "still, lying with knees bent")


_BRIDGE_CAMERA = CameraSpec(view="left", distance=2.7, height=0.6, target_height=0.25)


#: Rep-to-rep variation of a clean bridge's top: how far the hips rise (fraction of the full
#: lift, lower only: full lift is the straight shoulder-hip-knee line). Real side-on bridges
#: (5, one clip) read their top hip angle within SD 0.7 degrees.
BRIDGE_LIFT_SD = 0.02


def glute_bridge(variant: str, rng: np.random.Generator, reps: int = 4,
                 size: float = DEFAULT_SIZE, first_drop: str = "left") -> Exercise:
    """Lying on the back, a still neutral, then bridges with both feet down: hips up (each a
    little differently high, ``BRIDGE_LIFT_SD``), a short pause at the top, down. Rep side:
    none (both legs).

    faults variant: the reps between the first and the last alternate hips that stop
    ``size`` degrees short of the top (bridge_hip_drop) and a pelvis that drops ``size``
    degrees on one side at the top (pelvis_drop, sides alternating from ``first_drop``).
    """
    plan = fault_plan(variant, reps, ("bridge_hip_drop", "pelvis_drop"))
    s = Script("bridge", "glute_bridge", {}, rng)
    _lying_start(s)
    faults: list[Fault] = []
    drop = first_drop
    for kind in plan:
        start = s.now
        s.to(s.jitter(0.9), lift=1.0 - abs(s.vary(BRIDGE_LIFT_SD)))
        top = s.now
        s.hold(s.jitter(0.7))
        s.label("hold", top, note="hips up")
        s.to(s.jitter(0.9), lift=0.0)
        s.label("rep", start, note="bridge")
        if kind == "bridge_hip_drop":
            faults.append(Fault(kind, size, start, s.now, ramp=top - start))
        elif kind == "pelvis_drop":
            faults.append(Fault(kind, size, start, s.now, side=drop, ramp=top - start))
            drop = other(drop)
        s.hold(s.jitter(0.5))
    s.hold(0.3)
    return Exercise(s.motion(variant=variant), faults, _BRIDGE_CAMERA, forward=Y.copy())


def hip_bridge_hold(variant: str, rng: np.random.Generator, holds: int = 3,
                    seconds: float = 4.0, size: float = DEFAULT_SIZE,
                    single_leg: bool | None = None, first_leg: str = "left") -> Exercise:
    """Lying on the back, a still neutral, then ``holds`` timed bridges: hips up, held
    ``seconds``, lowered slowly, a pause. ``single_leg`` (None: the rng decides, 40 % of
    clips): each hold straightens one leg in line with the trunk, legs alternating.

    faults variant: the holds after the first alternate the hips sinking ``size`` degrees
    during the hold (bridge_hip_drop) and the pelvis dropping ``size`` degrees on one side
    (pelvis_drop: the extended leg's side in a single-leg bridge).
    """
    plan = fault_plan(variant, holds, ("bridge_hip_drop", "pelvis_drop"), clean=(0,))
    if single_leg is None:
        single_leg = bool(rng.random() < 0.4)
    s = Script("bridge", "hip_bridge_hold", {}, rng)
    _lying_start(s)
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        s.to(s.jitter(1.0), lift=1.0)
        if single_leg:
            s.to(s.jitter(0.6), **{f"ext_{leg}": 1.0})
        top = s.now
        s.hold(s.jitter(seconds))
        side = leg if single_leg else None
        s.label("hold", top, side=side,
                note=f"bridge held on the {other(leg)} leg" if single_leg else "bridge held")
        if kind is not None:
            into = top + 0.3 * (s.now - top)
            faults.append(Fault(kind, size, into, s.now + 0.2,
                                side=(leg if kind == "pelvis_drop" else None), ramp=0.8))
        if single_leg:
            s.to(s.jitter(0.6), **{f"ext_{leg}": 0.0})
        s.to(s.jitter(1.5), lift=0.0)
        s.label("rep", start, side=side, note="one bridge")
        s.hold(s.jitter(1.0))
        leg = other(leg)
    return Exercise(s.motion(variant=variant, single_leg=single_leg), faults, _BRIDGE_CAMERA,
                    forward=Y.copy())


def bridge_leg_extension(variant: str, rng: np.random.Generator, reps: int = 4,
                         first_leg: str = "left", hold: float = 1.0,
                         size: float = DEFAULT_SIZE) -> Exercise:
    """Lying on the back, a still neutral, then bridges with a single-leg extension at the
    top, alternating legs. Rep side = the extended leg.

    faults variant: the reps between the first and the last alternate the pelvis dropping
    ``size`` degrees on the extended leg's side (pelvis_drop) and the hips sinking ``size``
    degrees (bridge_hip_drop) during the hold.
    """
    plan = fault_plan(variant, reps, ("pelvis_drop", "bridge_hip_drop"))
    s = Script("bridge", "bridge_leg_extension", {}, rng)
    _lying_start(s)
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        s.to(s.jitter(0.9), lift=1.0)
        s.to(s.jitter(0.7), **{f"ext_{leg}": 1.0})
        top = s.now
        s.hold(s.jitter(hold))
        s.label("hold", top, side=leg, note="hips up, leg extended")
        if kind is not None:
            faults.append(Fault(kind, size, top - 0.3, s.now + 0.3,
                                side=leg if kind == "pelvis_drop" else None, ramp=0.5))
        s.to(s.jitter(0.6), **{f"ext_{leg}": 0.0})
        s.to(s.jitter(0.8), lift=0.0)
        s.label("rep", start, side=leg, note=f"bridge, {leg} leg extended")
        s.hold(s.jitter(0.4))
        leg = other(leg)
    s.hold(0.3)
    return Exercise(s.motion(variant=variant), faults, _BRIDGE_CAMERA, forward=Y.copy())


def bridge_knee_drive(variant: str, rng: np.random.Generator, reps: int = 4,
                      first_leg: str = "left", size: float = DEFAULT_SIZE) -> Exercise:
    """Lying on the back, a still neutral, bridge up and hold it while the knees drive toward
    the chest in turn; lower at the end. Rep side = the driven knee.

    faults variant: the reps between the first and the last alternate the pelvis dropping
    ``size`` degrees on the lifted leg's side (pelvis_drop) and the hips sinking ``size``
    degrees (bridge_hip_drop).
    """
    plan = fault_plan(variant, reps, ("pelvis_drop", "bridge_hip_drop"))
    s = Script("bridge", "bridge_knee_drive", {}, rng)
    _lying_start(s)
    start = s.now
    s.to(s.jitter(0.9), lift=1.0)
    s.label("setup", start, note="bridges up")
    hold_start = s.now
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        s.to(s.jitter(0.7), **{f"march_{leg}": 1.0})
        s.hold(s.jitter(0.4))
        s.to(s.jitter(0.6), **{f"march_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} knee toward the chest")
        if kind is not None:
            faults.append(Fault(kind, size, start, s.now,
                                side=leg if kind == "pelvis_drop" else None, ramp=0.5))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    s.label("hold", hold_start, note="bridge held")
    start = s.now
    s.to(s.jitter(0.8), lift=0.0).hold(0.4)
    s.label("setup", start, note="lowers the hips")
    camera = CameraSpec(view="rear_left", distance=2.7, height=0.7, target_height=0.25)
    return Exercise(s.motion(variant=variant), faults, camera, forward=Y.copy())


# ------------------------------------------------------------------ 90/90 sits
def _into_9090(s: Script) -> None:
    s.to(0.6, hinge=3.0, reach=0.0).to(0.6, hinge=0.0)
    s.label("setup", 0.0, note="settles into the 90/90 sit")
    s.calibration(1.5, "still, upright 90/90")


def _sit_start(front: str) -> dict[str, float]:
    return {"front": 1.0 if front == "left" else -1.0, "hinge": -4.0, "reach": 0.2}


def ninety_ninety_er(variant: str, rng: np.random.Generator, front: str = "left",
                     hinge: float = 35.0, hold: float = 3.0, holds: int = 2,
                     size: float = 25.0) -> Exercise:
    """Seated 90/90 external-rotation hold with a forward hinge over the front shin,
    ``holds`` times.

    faults variant: during every hinge after the first (and but the last, from four holds)
    the back rounds ``size`` degrees (lumbar_rounding; the hips hinge half that less).
    """
    plan = fault_plan(variant, holds, ("lumbar_rounding",), clean=(0, -1) if holds >= 4 else (0,))
    s = Script("sit", "ninety_ninety_er", _sit_start(front), rng)
    _into_9090(s)
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        s.to(s.jitter(1.2), hinge=hinge, reach=0.6)
        top = s.now
        s.hold(s.jitter(hold))
        if kind is not None:
            faults.append(Fault(kind, size, top + 0.4, s.now - 0.2, ramp=0.7))
        s.label("hold", top, side=front, note="forward hinge over the front shin")
        s.to(s.jitter(1.0), hinge=0.0, reach=0.0)
        s.label("rep", start, side=front, note="hinge and hold")
        s.hold(s.jitter(0.6))
    camera = CameraSpec(view="left", distance=2.5, height=0.7, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


def ninety_ninety_ir(variant: str, rng: np.random.Generator, front: str = "left",
                     turn: float = 60.0, hold: float = 3.0, holds: int = 3,
                     size: float = DEFAULT_SIZE) -> Exercise:
    """Seated 90/90 internal-rotation stretch: the trunk turns to face the back leg and sits
    tall for ``hold`` seconds, back to the front, ``holds`` times; both legs stay down.

    faults variant: the holds after the first alternate a back rounding (slump,
    lumbar_rounding) and a forward lean of the trunk (trunk_lean), ``size`` degrees.
    """
    plan = fault_plan(variant, holds, ("lumbar_rounding", "trunk_lean"), clean=(0,))
    s = Script("sit", "ninety_ninety_ir", _sit_start(front) | {"hinge": 2.0, "reach": 0.0}, rng)
    _into_9090(s)
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        s.to(s.jitter(1.1), turn=turn, hinge=4.0)
        top = s.now
        s.hold(s.jitter(hold))
        if kind is not None:
            faults.append(Fault(kind, size, top + 0.3, s.now - 0.2, ramp=0.7))
        s.label("hold", top, note="faces the back leg, sitting tall")
        s.to(s.jitter(1.0), turn=0.0, hinge=0.0)
        s.label("rep", start, note="turn and hold")
        s.hold(s.jitter(0.6))
    camera = CameraSpec(view="front_left", distance=2.5, height=0.8, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


def active_ninety_ninety_er(variant: str, rng: np.random.Generator, front: str = "left",
                            reps: int = 4, hinge: float = 45.0,
                            size: float = DEFAULT_SIZE) -> Exercise:
    """Active 90/90 external rotation: from the upright 90/90 sit, hinge forward over the
    front shin with a long back, then lift the trunk back up. Rep side: none.

    faults variant: the reps between the first and the last alternate a back that rounds
    ``size`` degrees at the bottom (lumbar_rounding) and a low back that arches ``size``
    degrees coming up (lumbar_arch).
    """
    plan = fault_plan(variant, reps, ("lumbar_rounding", "lumbar_arch"))
    s = Script("sit", "active_ninety_ninety_er", _sit_start(front), rng)
    _into_9090(s)
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        s.to(s.jitter(1.0), hinge=hinge, reach=0.6)
        top = s.now
        s.hold(s.jitter(0.5))
        s.label("hold", top, note="hinged over the front shin")
        bottom = s.now
        s.to(s.jitter(1.0), hinge=0.0, reach=0.0)
        s.label("rep", start, note="hinge and lift")
        if kind == "lumbar_rounding":
            faults.append(Fault(kind, size, start, bottom + 0.5, ramp=top - start))
        elif kind == "lumbar_arch":
            faults.append(Fault(kind, size, bottom - 0.2, s.now + 0.3, ramp=0.6))
        s.hold(s.jitter(0.5))
    camera = CameraSpec(view="left", distance=2.5, height=0.7, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


def active_ninety_ninety_ir(variant: str, rng: np.random.Generator, front: str = "left",
                            reps: int = 4, size: float = DEFAULT_SIZE) -> Exercise:
    """Seated 90/90 upright; the back leg's foot lifts (knee down) and lowers. Rep side = the
    back leg.

    faults variant: the reps between the first and the last cycle through a lift
    ``percent_for(size)`` % short (incomplete_range), the trunk leaning back ``size`` degrees
    to help the lift (trunk_lean_back) and the back rounding ``size`` degrees
    (lumbar_rounding).
    """
    plan = fault_plan(variant, reps, ("incomplete_range", "trunk_lean_back", "lumbar_rounding"))
    back = other(front)
    s = Script("sit", "active_ninety_ninety_ir", _sit_start(front), rng)
    _into_9090(s)
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        amount = 1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0
        s.to(s.jitter(0.8), ir_lift=amount)
        s.hold(s.jitter(0.6))
        s.to(s.jitter(0.7), ir_lift=0.0)
        s.label("rep", start, side=back, note=f"{back} foot lifts")
        if kind is not None:
            faults.append(Fault(kind, _amount(kind, size), start, s.now,
                                side=back if kind == "incomplete_range" else None,
                                ramp=0.0 if kind == "incomplete_range" else 0.6))
        s.hold(s.jitter(0.4))
    camera = CameraSpec(view="rear_right", distance=2.5, height=0.8, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


# ------------------------------------------------------------------ standing
#: Rep-to-rep variation of a clean lunge: depth (fraction of full depth, shallower only) and
#: trunk lean (degrees), as for squats: 11 real side-on split squats read knee bend SD 2.7 and
#: trunk SD 2.7 degrees at their bottoms, renders of identical lunges 0.1-1.0 of trunk.
LUNGE_DEPTH_SD = 0.02
LUNGE_LEAN_SD = 2.0


def lunge(variant: str, rng: np.random.Generator, reps: int = 4, first_leg: str = "left",
          size: float = DEFAULT_SIZE) -> Exercise:
    """Standing, hands to the hips, a still stance, then alternating forward lunges: step
    forward, lower, push back up to standing. Rep side = the front leg.

    Each lunge's depth and lean vary a little (``LUNGE_DEPTH_SD``, ``LUNGE_LEAN_SD``).

    faults variant: the reps between the first and the last cycle through a forward trunk
    lean of ``size`` degrees on top of the clean 4 (trunk_lean), a lunge
    ``percent_for(size)`` % short of full depth (incomplete_range) and the front knee
    travelling past the toes, the shin ``size`` degrees further forward (knee_past_toes).
    """
    plan = fault_plan(variant, reps, ("trunk_lean", "incomplete_range", "knee_past_toes"))
    s = Script("lunge", "lunge", {"front": 1.0 if first_leg == "left" else -1.0}, rng)
    s.hold(0.5)
    s.to(0.7, hands_on_hips=1.0)
    s.label("setup", 0.0, note="hands to the hips")
    s.calibration(1.2, "still standing")
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        s.to(0.05, front=1.0 if leg == "left" else -1.0)
        start = s.now
        # Full depth puts the back knee near the floor: a lunge varies only shallower.
        depth = (1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0) * (
            1.0 - abs(s.vary(LUNGE_DEPTH_SD)))
        s.to(s.jitter(0.35), split=0.5, step=1.0).to(s.jitter(0.35), split=1.0, step=0.0)
        down = s.now
        s.to(s.jitter(0.8), depth=depth, lean=4.0 + s.vary(LUNGE_LEAN_SD))
        bottom = s.now
        s.hold(s.jitter(0.25))
        s.to(s.jitter(0.7), depth=0.0, lean=0.0)
        up = s.now
        s.to(s.jitter(0.35), split=0.5, step=1.0).to(s.jitter(0.35), split=0.0, step=0.0)
        s.label("rep", start, side=leg, note=f"{leg} leg steps forward")
        if kind == "incomplete_range":
            faults.append(Fault(kind, percent_for(size), start, s.now, side=leg, ramp=0.0))
        elif kind is not None:
            faults.append(Fault(kind, size, down, up, side=leg, ramp=bottom - down))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    s.hold(0.3)
    camera = CameraSpec(view="left", distance=3.3, height=1.0, target_height=0.75)
    return Exercise(s.motion(variant=variant), faults, camera,
                    centre=np.array([0.0, -0.3, 0.0]))


#: Natural forward lean of a clean bodyweight squat at full depth, degrees, for a person whose
#: shins tilt 30 degrees there.
SQUAT_LEAN = 28.0
#: Shin tilt at full depth, degrees, drawn per person: weight-bearing ankle dorsiflexion
#: varies widely between people.
SQUAT_SHIN = (20.0, 34.0)
#: Further trunk lean per degree of shin tilt short of 30, from balance: one degree less moves
#: the knees, and the hips behind them, back by about 6 mm (a 0.42 m shin at 30 degrees); the
#: upper body, about two thirds of the mass with its centre about 0.33 m above the hips, must
#: lean about 2 degrees further to keep the centre of mass over the feet. Stiffer ankles, more
#: lean: ankle dorsiflexion explains about 45 % of squat forward-lean variance (Fuglsang et
#: al., J Strength Cond Res 2017).
SQUAT_LEAN_PER_SHIN = 1.9
#: Rep-to-rep variation of a clean squat: depth (fraction of full depth, about 2.3 degrees of
#: knee bend) and trunk lean (degrees). Measured on real side-on footage as the model reads it
#: (rep peaks within one clip): knee bend SD 2.0 over 5 squats, trunk 1.2 (squats) and 2.7 (11
#: split squats), against 0.4-1.6 and 0.3-1.8 on renders whose reps were identical (model noise
#: alone), so about 2 degrees of each is the person's own.
SQUAT_DEPTH_SD = 0.02
SQUAT_LEAN_SD = 2.0
#: Squat depth faults: percent short per degree of the clip's size (see ``percent_for``).
SQUAT_PERCENT_PER_DEGREE = 1.0


def squat(variant: str, rng: np.random.Generator, reps: int = 6,
          size: float = DEFAULT_SIZE) -> Exercise:
    """Standing, a still stance, then bodyweight squats (arms reach forward on the way
    down). Each person's shins tilt a drawn ``SQUAT_SHIN`` angle at the bottom and the trunk
    leans as balance then needs (``SQUAT_LEAN``, ``SQUAT_LEAN_PER_SHIN``); each rep's depth
    and lean vary a little (``SQUAT_DEPTH_SD``, ``SQUAT_LEAN_SD``). Rep side: none.

    faults variant: the reps between the first and the last cycle through a squat
    ``size`` % short of full depth (incomplete_range), the chest dropping
    ``size`` degrees further forward (trunk_lean), heels lifting ``size`` degrees (heel_rise)
    and knees caving in ``size`` degrees (knee_valgus).
    """
    plan = fault_plan(variant, reps,
                      ("incomplete_range", "trunk_lean", "heel_rise", "knee_valgus"))
    short = percent_for(size, SQUAT_PERCENT_PER_DEGREE)
    shin = float(rng.uniform(*SQUAT_SHIN))
    lean = SQUAT_LEAN + SQUAT_LEAN_PER_SHIN * (30.0 - shin)
    s = Script("squat", "squat", {"shin": shin}, rng)
    s.hold(0.5)
    s.label("setup", 0.0, note="stands with the feet set")
    s.calibration(1.2, "still standing")
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        depth = (1.0 - short / 100.0 if kind == "incomplete_range" else 1.0) * (
            1.0 + s.vary(SQUAT_DEPTH_SD))
        s.to(s.jitter(1.0), depth=depth, lean=lean * depth + s.vary(SQUAT_LEAN_SD), reach=1.0)
        bottom = s.now
        s.hold(s.jitter(0.3))
        s.label("hold", bottom, note="bottom of the squat")
        s.to(s.jitter(0.9), depth=0.0, lean=3.0, reach=0.0)
        s.label("rep", start, note="squat")
        if kind == "incomplete_range":
            faults.append(Fault(kind, short, start, s.now, ramp=0.0))
        elif kind is not None:
            faults.append(Fault(kind, size, start, s.now, ramp=bottom - start))
        s.hold(s.jitter(0.4))
    s.hold(0.3)
    camera = CameraSpec(view="left", distance=3.3, height=1.0, target_height=0.75)
    return Exercise(s.motion(variant=variant), faults, camera,
                    centre=np.array([0.0, 0.1, 0.0]))


def cossack_squat(variant: str, rng: np.random.Generator, reps: int = 4,
                  first_leg: str = "left", size: float = DEFAULT_SIZE) -> Exercise:
    """Wide stance facing the camera, a still stance, then alternating cossack squats: shift
    onto one leg and squat deep while the other stays straight. Rep side = the bent leg.

    faults variant: the reps between the first and the last alternate a squat
    ``percent_for(size)`` % short (incomplete_range) and a forward lean of ``size`` degrees
    on top of the clean 12 (trunk_lean).
    """
    plan = fault_plan(variant, reps, ("incomplete_range", "trunk_lean"))
    s = Script("wide", "cossack_squat", {"width": 0.2}, rng)
    s.to(0.9, width=0.55)
    s.label("setup", 0.0, note="steps out to a wide stance")
    s.calibration(1.2, "still, wide stance")
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        sign = 1.0 if leg == "left" else -1.0
        depth = 1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0
        s.to(s.jitter(1.1), shift=sign, depth=depth, lean=12.0, reach=1.0)
        bottom = s.now
        s.hold(s.jitter(0.4))
        s.to(s.jitter(1.0), shift=0.0, depth=0.0, lean=0.0, reach=0.0)
        s.label("rep", start, side=leg, note=f"squats on the {leg} leg")
        if kind is not None:
            faults.append(Fault(kind, _amount(kind, size), start, s.now, side=leg,
                                ramp=0.0 if kind == "incomplete_range" else bottom - start))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    camera = CameraSpec(view="front", distance=3.4, height=1.0, target_height=0.7)
    return Exercise(s.motion(variant=variant), faults, camera)


# ------------------------------------------------------------------ floor, other
def side_lying_leg_raise(variant: str, rng: np.random.Generator, reps: int = 4,
                         size: float = DEFAULT_SIZE) -> Exercise:
    """Lying on the right side; the top (left) leg lifts 45 degrees and lowers. Rep side =
    the lifted leg. Camera views: ``front`` faces the person's front; ``left`` looks from
    the feet.

    faults variant: the reps between the first and the last alternate the pelvis rolling
    back ``size`` degrees (pelvis_roll) and a lift ``percent_for(size)`` % short
    (incomplete_range).
    """
    plan = fault_plan(variant, reps, ("pelvis_roll", "incomplete_range"))
    s = Script("side_lying", "side_lying_leg_raise", {}, rng)
    s.to(0.4, lift=0.1).to(0.4, lift=0.0)
    s.label("fidget", 0.0, side="left", note="shifts the top leg into place")
    s.calibration(1.4, "still, lying on the side")
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        amount = 1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0
        s.to(s.jitter(0.9), lift=amount)
        top = s.now
        s.hold(s.jitter(0.5))
        s.to(s.jitter(1.0), lift=0.0)
        s.label("rep", start, side="left", note="top leg lifts")
        if kind is not None:
            faults.append(Fault(kind, _amount(kind, size), start, s.now, side="left",
                                ramp=0.0 if kind == "incomplete_range" else top - start))
        s.hold(s.jitter(0.3))
    camera = CameraSpec(view="front", distance=2.8, height=0.7, target_height=0.25)
    return Exercise(s.motion(variant=variant), faults, camera, forward=X.copy(),
                    left=Y.copy())


def seated_hip_opener(variant: str, rng: np.random.Generator, reps: int = 4,
                      first_leg: str = "left", size: float = DEFAULT_SIZE) -> Exercise:
    """Sitting tall with straight legs, hands behind; one straight leg lifts up and out in an
    arc and back, then the other. Rep side = the moving leg.

    faults variant: the reps between the first and the last alternate an arc
    ``percent_for(size)`` % short (incomplete_range) and the trunk slumping back and rounding
    ``size`` degrees (lumbar_rounding).
    """
    plan = fault_plan(variant, reps, ("incomplete_range", "lumbar_rounding"))
    s = Script("long_sit", "seated_hip_opener", {"lean": -20.0}, rng)
    s.to(0.8, lean=-8.0)
    s.label("setup", 0.0, note="sits up tall")
    s.calibration(1.2, "still, sitting tall")
    faults: list[Fault] = []
    leg = first_leg
    for kind in plan:
        start = s.now
        amount = 1.0 - percent_for(size) / 100.0 if kind == "incomplete_range" else 1.0
        s.to(s.jitter(1.0), **{f"open_{leg}": amount})
        s.hold(s.jitter(0.3))
        s.to(s.jitter(0.9), **{f"open_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} leg opens")
        if kind is not None:
            faults.append(Fault(kind, _amount(kind, size), start, s.now,
                                side=leg if kind == "incomplete_range" else None,
                                ramp=0.0 if kind == "incomplete_range" else 0.6))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    camera = CameraSpec(view="front_left", distance=2.8, height=0.9, target_height=0.3)
    return Exercise(s.motion(variant=variant), faults, camera)


def active_hamstring_stretch(variant: str, rng: np.random.Generator, reps: int = 5,
                             stretched: str = "left", size: float = DEFAULT_SIZE
                             ) -> Exercise:
    """On the back, the ``stretched`` leg straight up a door frame (70 degrees); the other
    leg raises to 50 degrees and lowers, ``reps`` times. Rep side = the moving leg.

    faults variant: the reps between the first and the last alternate the pelvis tucking
    ``size`` degrees (posterior tilt, the low back lifts: pelvis_tuck) and the stretched
    leg's knee bending ``size`` degrees (knee_bend).
    """
    plan = fault_plan(variant, reps, ("pelvis_tuck", "knee_bend"))
    moving = other(stretched)
    s = Script("supine", "active_hamstring_stretch",
               {"door": 1.0 if stretched == "left" else -1.0}, rng)
    s.hold(0.4)
    s.to(s.jitter(1.2), stretch=1.0)
    s.label("setup", 0.0, side=stretched, note="puts the leg up the door frame")
    s.calibration(1.4, "still, one leg up the door frame")
    faults: list[Fault] = []
    for kind in plan:
        start = s.now
        s.to(s.jitter(0.9), **{"raise": 1.0})
        top = s.now
        s.hold(s.jitter(0.3))
        s.to(s.jitter(0.9), **{"raise": 0.0})
        s.label("rep", start, side=moving, note=f"{moving} leg raises")
        if kind is not None:
            faults.append(Fault(kind, size, start, s.now,
                                side=stretched if kind == "knee_bend" else None,
                                ramp=top - start))
        s.hold(s.jitter(0.3))
    s.hold(0.3)
    camera = CameraSpec(view="left", distance=2.7, height=0.6, target_height=0.3)
    return Exercise(s.motion(variant=variant), faults, camera, forward=Y.copy())


Builder = Callable[..., Exercise]
EXERCISES: dict[str, Builder] = {
    "bird_dog": bird_dog,
    "fire_hydrant": fire_hydrant,
    "glute_bridge": glute_bridge,
    "hip_bridge_hold": hip_bridge_hold,
    "bridge_leg_extension": bridge_leg_extension,
    "bridge_knee_drive": bridge_knee_drive,
    "ninety_ninety_er": ninety_ninety_er,
    "ninety_ninety_ir": ninety_ninety_ir,
    "active_ninety_ninety_er": active_ninety_ninety_er,
    "active_ninety_ninety_ir": active_ninety_ninety_ir,
    "lunge": lunge,
    "squat": squat,
    "cossack_squat": cossack_squat,
    "side_lying_leg_raise": side_lying_leg_raise,
    "seated_hip_opener": seated_hip_opener,
    "active_hamstring_stretch": active_hamstring_stretch,
}


def script(name: str, variant: str, seed: int, size: float | None = None,
           reps: int | None = None) -> Exercise:
    """Exercise ``name`` scripted from ``seed``: ``size`` = its faults' size in degrees
    (None: the builder's default), ``reps`` = its number of reps, or of holds for hold
    exercises (None: the builder's default)."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose from {sorted(EXERCISES)}")
    builder = EXERCISES[name]
    kwargs: dict[str, float | int] = {}
    if size is not None:
        kwargs["size"] = float(size)
    if reps is not None:
        kwargs["holds" if "holds" in inspect.signature(builder).parameters else "reps"] = reps
    return builder(variant, np.random.default_rng(seed), **kwargs)
