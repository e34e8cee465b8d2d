"""Exercise scripts: for each exercise and variant, the motion, its faults and a default camera.

``EXERCISES[name](variant, rng)`` returns an :class:`Exercise`. Variants: ``clean`` (correct
form) and ``faults`` (the exercise's typical faults of known size on some reps); builders
accept both and may add their own.

Rep sides: for the bird dog the side of the raised LEG; otherwise the working leg.
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


# ------------------------------------------------------------------ bird dog
def bird_dog(variant: str, rng: np.random.Generator, reps: int = 4, first_leg: str = "left",
             hold: float = 0.7) -> Exercise:
    """Tall kneeling, lean into hands and knees, a still neutral (calibration), then
    alternating reps: right arm + left leg, left arm + right leg, ...

    faults variant: pelvis roll 20 deg on rep 2, lumbar arch 20 deg on rep 3, and an arm
    swing alone (no leg: never a rep) between reps 2 and 3.
    """
    _check_variant(variant)
    s = Script("quadruped", "bird_dog", {"pitch": 12.0}, rng)
    s.hold(0.4)
    s.to(s.jitter(1.4), pitch=84.0)
    s.hold(0.2)
    s.label("setup", 0.0, note="tall kneeling, then lean into hands and knees")
    start = s.now
    s.hold(1.6)
    s.label("calibration", start, note="still neutral quadruped")
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
            faults.append(Fault("lumbar_arch", 20.0, start, s.now, side=None, ramp=top - start))
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


# ------------------------------------------------------------------ glute bridge
def hip_bridge(variant: str, rng: np.random.Generator, reps: int = 4,
               first_leg: str = "left", hold: float = 1.0) -> Exercise:
    """Lying on the back, a still neutral, then bridges with a single-leg extension at the
    top, alternating legs. Rep side = the extended leg (the planted leg works).

    faults variant: on rep 3 the hips sink 15 degrees (bridge_hip_drop) during the hold.
    """
    _check_variant(variant)
    s = Script("bridge", "hip_bridge", {}, rng)
    s.to(0.5, march_left=0.15).to(0.5, march_left=0.0)
    s.label("fidget", 0.0, side="left", note="shuffles the left foot into place")
    s.hold(0.2)
    start = s.now
    s.hold(1.5)
    s.label("calibration", start, note="still, lying with knees bent")
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


# ------------------------------------------------------------------ 90/90 sit
def ninety_ninety(variant: str, rng: np.random.Generator, front: str = "left",
                  hinge: float = 35.0, hold: float = 3.0) -> Exercise:
    """Seated 90/90 external-rotation hold with a forward hinge over the front shin, twice.

    faults variant: during the second hinge the back rounds (lumbar_rounding, 25 degrees).
    """
    _check_variant(variant)
    sign = 1.0 if front == "left" else -1.0
    s = Script("sit", "ninety_ninety", {"front": sign, "hinge": -4.0, "reach": 0.2}, rng)
    s.to(0.6, hinge=3.0, reach=0.0).to(0.6, hinge=0.0)
    s.label("setup", 0.0, note="settles into the 90/90 sit")
    start = s.now
    s.hold(1.5)
    s.label("calibration", start, note="still, upright 90/90")
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


# ------------------------------------------------------------------ lunge
def lunge(variant: str, rng: np.random.Generator, reps: int = 4, front: str = "left"
          ) -> Exercise:
    """Standing, hands to the hips, step back into a split stance, lunge reps, step forward.

    faults variant: rep 3 stops halfway (incomplete_range), rep 4 leans forward 25 degrees
    (trunk_lean).
    """
    _check_variant(variant)
    sign = 1.0 if front == "left" else -1.0
    s = Script("lunge", "lunge", {"front": sign}, rng)
    s.hold(0.8)
    s.to(0.6, hands_on_hips=1.0)
    s.to(0.5, split=0.5, step=1.0).to(0.5, split=1.0, step=0.0)
    s.label("setup", 0.0, note="hands to hips, steps back into a split stance")
    start = s.now
    s.hold(1.0)
    s.label("calibration", start, note="still split stance")
    faults: list[Fault] = []
    for i in range(reps):
        start = s.now
        depth = 0.45 if variant == "faults" and i == 2 else 1.0
        lean = 25.0 if variant == "faults" and i == 3 else 4.0
        s.to(s.jitter(1.0), depth=depth, lean=lean)
        s.hold(s.jitter(0.3))
        s.to(s.jitter(0.9), depth=0.0, lean=0.0)
        s.label("rep", start, side=front, note=f"{front} leg in front")
        if depth < 1.0:
            faults.append(Fault("incomplete_range", 100.0 * (1.0 - depth), start, s.now,
                                ramp=0.0))
        if lean > 10.0:
            faults.append(Fault("trunk_lean", lean, start, s.now, ramp=0.0))
        s.hold(s.jitter(0.3))
    start = s.now
    s.to(0.5, split=0.5, step=1.0).to(0.5, split=0.0, step=0.0)
    s.label("setup", start, note="steps forward to finish")
    s.hold(0.4)
    camera = CameraSpec(view="left", distance=3.2, height=1.0, target_height=0.75)
    return Exercise(s.motion(variant=variant), faults, camera, centre=np.array([0.0, 0.35, 0.0]))


Builder = Callable[..., Exercise]
EXERCISES: dict[str, Builder] = {
    "bird_dog": bird_dog,
    "hip_bridge": hip_bridge,
    "ninety_ninety": ninety_ninety,
    "lunge": lunge,
}
