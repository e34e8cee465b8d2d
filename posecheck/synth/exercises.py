"""Exercise scripts: for each exercise and variant, the motion, its faults and a default camera.

``EXERCISES[name](variant, rng)`` returns an :class:`Exercise`. Variants: ``clean`` (correct
form) and ``faults`` (the exercise's typical faults of known size on some reps); builders
accept both and may add their own.

Exercise names are the ids of ``exercise_specs/*.toml``. Rep sides follow each spec: the bird
dog's is the side of the raised LEG, the bridge leg extension's the extended leg, the lunge's
the front leg, the cossack squat's the bent leg, the active 90/90 IR's the leg whose foot
lifts; otherwise the moving leg.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from posecheck.synth.faults import Fault
from posecheck.synth.motions import Motion, Script, other
from posecheck.synth.rig import X, Y
from posecheck.synth.scene import CameraSpec

VARIANTS = ("clean", "faults")


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


# ------------------------------------------------------------------ quadruped
def _into_quadruped(s: Script) -> None:
    """Tall kneeling, lean into hands and knees, then a still neutral (calibration)."""
    s.hold(0.4)
    s.to(s.jitter(1.4), pitch=84.0)
    s.hold(0.2)
    s.label("setup", 0.0, note="tall kneeling, then lean into hands and knees")
    s.calibration(1.6, "still neutral quadruped")


def bird_dog(variant: str, rng: np.random.Generator, reps: int = 4, first_leg: str = "left",
             hold: float = 0.7) -> Exercise:
    """Into hands and knees, a still neutral, then alternating reps: right arm + left leg
    (a ``left`` rep), left arm + right leg, ...

    faults variant: pelvis roll 20 deg on rep 2, lumbar arch 20 deg on rep 3, and an arm
    swing alone (no leg: never a rep) between reps 2 and 3.
    """
    _check_variant(variant)
    s = Script("quadruped", "bird_dog", {"pitch": 12.0}, rng)
    _into_quadruped(s)
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        arm = other(leg)
        start = s.now
        s.to(s.jitter(0.8), **{f"arm_{arm}": 1.0, f"leg_{leg}": 1.0})
        top = s.now
        s.hold(s.jitter(hold))
        s.label("hold", top, side=leg, note="arm and leg extended")
        s.to(s.jitter(0.7), **{f"arm_{arm}": 0.0, f"leg_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{arm} arm + {leg} leg")
        if variant == "faults" and i == 1:
            faults.append(Fault("pelvis_roll", 20.0, start, s.now, side=leg, ramp=top - start))
        if variant == "faults" and i == 2:
            faults.append(Fault("lumbar_arch", 20.0, start, s.now, ramp=top - start))
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
                 first_leg: str = "left") -> Exercise:
    """Into hands and knees, a still neutral, then alternating fire hydrants (bent knee lifted
    out to the side, 75 degrees).

    faults variant: the pelvis rolls 15 degrees toward the lifted leg on rep 2; rep 3 lifts
    only 45 % of the way (incomplete_range).
    """
    _check_variant(variant)
    s = Script("quadruped", "fire_hydrant", {"pitch": 12.0}, rng)
    _into_quadruped(s)
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        start = s.now
        amount = 0.45 if variant == "faults" and i == 2 else 1.0
        s.to(s.jitter(0.8), **{f"hydrant_{leg}": amount})
        top = s.now
        s.hold(s.jitter(0.6))
        s.label("hold", top, side=leg, note="knee lifted out to the side")
        s.to(s.jitter(0.7), **{f"hydrant_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} knee out")
        if variant == "faults" and i == 1:
            faults.append(Fault("pelvis_roll", 15.0, start, s.now, side=leg, ramp=top - start))
        if amount < 1.0:
            faults.append(Fault("incomplete_range", 100.0 * (1.0 - amount), start, s.now,
                                side=leg, ramp=0.0))
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


def bridge_leg_extension(variant: str, rng: np.random.Generator, reps: int = 4,
                         first_leg: str = "left", hold: float = 1.0) -> Exercise:
    """Lying on the back, a still neutral, then bridges with a single-leg extension at the
    top, alternating legs. Rep side = the extended leg.

    faults variant: on rep 3 the hips sink 15 degrees (bridge_hip_drop) during the hold.
    """
    _check_variant(variant)
    s = Script("bridge", "bridge_leg_extension", {}, rng)
    _lying_start(s)
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        start = s.now
        s.to(s.jitter(0.9), lift=1.0)
        s.to(s.jitter(0.7), **{f"ext_{leg}": 1.0})
        top = s.now
        s.hold(s.jitter(hold))
        s.label("hold", top, side=leg, note="hips up, leg extended")
        if variant == "faults" and i == 2:
            faults.append(Fault("bridge_hip_drop", 15.0, top - 0.3, s.now + 0.3, ramp=0.5))
        s.to(s.jitter(0.6), **{f"ext_{leg}": 0.0})
        s.to(s.jitter(0.8), lift=0.0)
        s.label("rep", start, side=leg, note=f"bridge, {leg} leg extended")
        s.hold(s.jitter(0.4))
        leg = other(leg)
    s.hold(0.3)
    camera = CameraSpec(view="left", distance=2.7, height=0.6, target_height=0.25)
    return Exercise(s.motion(variant=variant), faults, camera, forward=Y.copy())


def bridge_knee_drive(variant: str, rng: np.random.Generator, reps: int = 4,
                      first_leg: str = "left") -> Exercise:
    """Lying on the back, a still neutral, bridge up and hold it while the knees drive toward
    the chest in turn; lower at the end. Rep side = the driven knee.

    faults variant: on rep 2 the pelvis drops 12 degrees on the lifted leg's side
    (pelvis_drop); on rep 4 the hips sink 12 degrees (bridge_hip_drop).
    """
    _check_variant(variant)
    s = Script("bridge", "bridge_knee_drive", {}, rng)
    _lying_start(s)
    start = s.now
    s.to(s.jitter(0.9), lift=1.0)
    s.label("setup", start, note="bridges up")
    hold_start = s.now
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        start = s.now
        s.to(s.jitter(0.7), **{f"march_{leg}": 1.0})
        s.hold(s.jitter(0.4))
        s.to(s.jitter(0.6), **{f"march_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} knee toward the chest")
        if variant == "faults" and i == 1:
            faults.append(Fault("pelvis_drop", 12.0, start, s.now, side=leg, ramp=0.5))
        if variant == "faults" and i == 3:
            faults.append(Fault("bridge_hip_drop", 12.0, start, s.now, ramp=0.5))
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


def ninety_ninety_er(variant: str, rng: np.random.Generator, front: str = "left",
                     hinge: float = 35.0, hold: float = 3.0) -> Exercise:
    """Seated 90/90 external-rotation hold with a forward hinge over the front shin, twice.

    faults variant: during the second hinge the back rounds (lumbar_rounding, 25 degrees).
    """
    _check_variant(variant)
    sign = 1.0 if front == "left" else -1.0
    s = Script("sit", "ninety_ninety_er", {"front": sign, "hinge": -4.0, "reach": 0.2}, rng)
    _into_9090(s)
    faults: list[Fault] = []
    for i in range(2):
        start = s.now
        s.to(s.jitter(1.2), hinge=hinge, reach=0.6)
        top = s.now
        s.hold(s.jitter(hold))
        if variant == "faults" and i == 1:
            faults.append(Fault("lumbar_rounding", 25.0, top + 0.4, s.now - 0.2, ramp=0.7))
        s.label("hold", top, side=front, note="forward hinge over the front shin")
        s.to(s.jitter(1.0), hinge=0.0, reach=0.0)
        s.label("rep", start, side=front, note="hinge and hold")
        s.hold(s.jitter(0.6))
    camera = CameraSpec(view="left", distance=2.5, height=0.7, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


def active_ninety_ninety_ir(variant: str, rng: np.random.Generator, front: str = "left",
                            reps: int = 4) -> Exercise:
    """Seated 90/90 upright; the back leg's foot lifts (knee down) and lowers. Rep side = the
    back leg.

    faults variant: rep 2 lifts only half way (incomplete_range); rep 3 the trunk leans back
    and rounds 20 degrees to help the lift (lumbar_rounding).
    """
    _check_variant(variant)
    sign = 1.0 if front == "left" else -1.0
    back = other(front)
    s = Script("sit", "active_ninety_ninety_ir", {"front": sign, "hinge": -4.0, "reach": 0.2},
               rng)
    _into_9090(s)
    faults: list[Fault] = []
    for i in range(reps):
        start = s.now
        amount = 0.5 if variant == "faults" and i == 1 else 1.0
        s.to(s.jitter(0.8), ir_lift=amount)
        s.hold(s.jitter(0.6))
        s.to(s.jitter(0.7), ir_lift=0.0)
        s.label("rep", start, side=back, note=f"{back} foot lifts")
        if amount < 1.0:
            faults.append(Fault("incomplete_range", 50.0, start, s.now, side=back, ramp=0.0))
        if variant == "faults" and i == 2:
            faults.append(Fault("lumbar_rounding", 20.0, start, s.now, ramp=0.6))
        s.hold(s.jitter(0.4))
    camera = CameraSpec(view="rear_right", distance=2.5, height=0.8, target_height=0.35)
    return Exercise(s.motion(variant=variant), faults, camera)


# ------------------------------------------------------------------ standing
def lunge(variant: str, rng: np.random.Generator, reps: int = 4, first_leg: str = "left"
          ) -> Exercise:
    """Standing, hands to the hips, a still stance, then alternating forward lunges: step
    forward, lower, push back up to standing. Rep side = the front leg.

    faults variant: rep 3 stops at 45 % depth (incomplete_range), rep 4 leans forward 25
    degrees (trunk_lean).
    """
    _check_variant(variant)
    s = Script("lunge", "lunge", {"front": 1.0 if first_leg == "left" else -1.0}, rng)
    s.hold(0.5)
    s.to(0.7, hands_on_hips=1.0)
    s.label("setup", 0.0, note="hands to the hips")
    s.calibration(1.2, "still standing")
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        s.to(0.05, front=1.0 if leg == "left" else -1.0)
        start = s.now
        depth = 0.45 if variant == "faults" and i == 2 else 1.0
        lean = 25.0 if variant == "faults" and i == 3 else 4.0
        s.to(s.jitter(0.35), split=0.5, step=1.0).to(s.jitter(0.35), split=1.0, step=0.0)
        s.to(s.jitter(0.8), depth=depth, lean=lean)
        s.hold(s.jitter(0.25))
        s.to(s.jitter(0.7), depth=0.0, lean=0.0)
        s.to(s.jitter(0.35), split=0.5, step=1.0).to(s.jitter(0.35), split=0.0, step=0.0)
        s.label("rep", start, side=leg, note=f"{leg} leg steps forward")
        if depth < 1.0:
            faults.append(Fault("incomplete_range", 100.0 * (1.0 - depth), start, s.now,
                                side=leg, ramp=0.0))
        if lean > 10.0:
            faults.append(Fault("trunk_lean", lean, start, s.now, side=leg, ramp=0.0))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    s.hold(0.3)
    camera = CameraSpec(view="left", distance=3.3, height=1.0, target_height=0.75)
    return Exercise(s.motion(variant=variant), faults, camera,
                    centre=np.array([0.0, -0.3, 0.0]))


def cossack_squat(variant: str, rng: np.random.Generator, reps: int = 4,
                  first_leg: str = "left") -> Exercise:
    """Wide stance facing the camera, a still stance, then alternating cossack squats: shift
    onto one leg and squat deep while the other stays straight. Rep side = the bent leg.

    faults variant: rep 2 goes only 40 % deep (incomplete_range); rep 3 leans forward 30
    degrees (trunk_lean).
    """
    _check_variant(variant)
    s = Script("wide", "cossack_squat", {"width": 0.2}, rng)
    s.to(0.9, width=0.55)
    s.label("setup", 0.0, note="steps out to a wide stance")
    s.calibration(1.2, "still, wide stance")
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        start = s.now
        sign = 1.0 if leg == "left" else -1.0
        depth = 0.4 if variant == "faults" and i == 1 else 1.0
        lean = 30.0 if variant == "faults" and i == 2 else 12.0
        s.to(s.jitter(1.1), shift=sign, depth=depth, lean=lean, reach=1.0)
        s.hold(s.jitter(0.4))
        s.to(s.jitter(1.0), shift=0.0, depth=0.0, lean=0.0, reach=0.0)
        s.label("rep", start, side=leg, note=f"squats on the {leg} leg")
        if depth < 1.0:
            faults.append(Fault("incomplete_range", 100.0 * (1.0 - depth), start, s.now,
                                side=leg, ramp=0.0))
        if lean > 20.0:
            faults.append(Fault("trunk_lean", lean, start, s.now, side=leg, ramp=0.0))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    camera = CameraSpec(view="front", distance=3.4, height=1.0, target_height=0.7)
    return Exercise(s.motion(variant=variant), faults, camera)


# ------------------------------------------------------------------ floor, other
def side_lying_leg_raise(variant: str, rng: np.random.Generator, reps: int = 4
                         ) -> Exercise:
    """Lying on the right side; the top (left) leg lifts 45 degrees and lowers. Rep side =
    the lifted leg. Camera views: ``front`` faces the person's front; ``left`` looks from
    the feet.

    faults variant: the pelvis rolls back 15 degrees on rep 2 (pelvis_roll); rep 3 lifts
    half way (incomplete_range).
    """
    _check_variant(variant)
    s = Script("side_lying", "side_lying_leg_raise", {}, rng)
    s.to(0.4, lift=0.1).to(0.4, lift=0.0)
    s.label("fidget", 0.0, side="left", note="shifts the top leg into place")
    s.calibration(1.4, "still, lying on the side")
    faults: list[Fault] = []
    for i in range(reps):
        start = s.now
        amount = 0.5 if variant == "faults" and i == 2 else 1.0
        s.to(s.jitter(0.9), lift=amount)
        top = s.now
        s.hold(s.jitter(0.5))
        s.to(s.jitter(1.0), lift=0.0)
        s.label("rep", start, side="left", note="top leg lifts")
        if variant == "faults" and i == 1:
            faults.append(Fault("pelvis_roll", 15.0, start, s.now, side="left",
                                ramp=top - start))
        if amount < 1.0:
            faults.append(Fault("incomplete_range", 50.0, start, s.now, side="left", ramp=0.0))
        s.hold(s.jitter(0.3))
    camera = CameraSpec(view="front", distance=2.8, height=0.7, target_height=0.25)
    return Exercise(s.motion(variant=variant), faults, camera, forward=X.copy(),
                    left=Y.copy())


def seated_hip_opener(variant: str, rng: np.random.Generator, reps: int = 4,
                      first_leg: str = "left") -> Exercise:
    """Sitting tall with straight legs, hands behind; one straight leg lifts up and out in an
    arc and back, then the other. Rep side = the moving leg.

    faults variant: rep 2 opens only half way (incomplete_range); on rep 3 the trunk slumps
    back and rounds 20 degrees (lumbar_rounding).
    """
    _check_variant(variant)
    s = Script("long_sit", "seated_hip_opener", {"lean": -20.0}, rng)
    s.to(0.8, lean=-8.0)
    s.label("setup", 0.0, note="sits up tall")
    s.calibration(1.2, "still, sitting tall")
    faults: list[Fault] = []
    leg = first_leg
    for i in range(reps):
        start = s.now
        amount = 0.5 if variant == "faults" and i == 1 else 1.0
        s.to(s.jitter(1.0), **{f"open_{leg}": amount})
        s.hold(s.jitter(0.3))
        s.to(s.jitter(0.9), **{f"open_{leg}": 0.0})
        s.label("rep", start, side=leg, note=f"{leg} leg opens")
        if amount < 1.0:
            faults.append(Fault("incomplete_range", 50.0, start, s.now, side=leg, ramp=0.0))
        if variant == "faults" and i == 2:
            faults.append(Fault("lumbar_rounding", 20.0, start, s.now, ramp=0.6))
        s.hold(s.jitter(0.3))
        leg = other(leg)
    camera = CameraSpec(view="front_left", distance=2.8, height=0.9, target_height=0.3)
    return Exercise(s.motion(variant=variant), faults, camera)


Builder = Callable[..., Exercise]
EXERCISES: dict[str, Builder] = {
    "bird_dog": bird_dog,
    "fire_hydrant": fire_hydrant,
    "bridge_leg_extension": bridge_leg_extension,
    "bridge_knee_drive": bridge_knee_drive,
    "ninety_ninety_er": ninety_ninety_er,
    "active_ninety_ninety_ir": active_ninety_ninety_ir,
    "lunge": lunge,
    "cossack_squat": cossack_squat,
    "side_lying_leg_raise": side_lying_leg_raise,
    "seated_hip_opener": seated_hip_opener,
}
