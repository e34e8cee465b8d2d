"""Form faults of known size and time interval, added on top of a motion's parameters.

A fault ramps in over ``ramp`` seconds from ``start``, stays at full size, and ramps out so
that it is gone at ``end``. Its effect is added to pose parameters (see ``TARGETS``), with a
sign that depends on the fault and its side. ``size_deg`` is always positive; the kind fixes
the direction. ``unit`` is ``"deg"`` for angles and ``"%"`` for the percentage-style kinds
(``size_deg`` then holds the percentage).

Kinds (``side`` = the person's side the fault concerns, None if central):

* ``pelvis_roll``: quadruped (bird dog, fire hydrant): the pelvis rolls about the trunk's
  long axis so that the raised or lifted leg's hip rises (a hip hike; ``side`` = that leg).
  Side-lying: the pelvis rolls back. Degrees of roll.
* ``pelvis_yaw``: quadruped: the pelvis turns about the vertical so that the lifted leg's
  hip swings back toward the feet (``side`` = that leg), degrees.
* ``lumbar_arch``: the low back sags / arches (anterior pelvic tilt), degrees.
* ``lumbar_rounding``: the back rounds, degrees of spine flexion (seated: the hips hinge half
  as much less, so the reach stays about the same; quadruped: posterior pelvic tilt).
* ``pelvis_tuck``: lying on the back: the pelvis tilts posteriorly and the low back lifts off
  the floor, degrees (active hamstring stretch).
* ``bridge_hip_drop``: the hips sink during a bridge until the shoulder-hip-knee angle is
  about ``size_deg`` short of straight (the trunk's elevation drops ``size_deg /
  HIP_PER_TRUNK`` degrees: the knees stay over the planted feet, so the hip angle closes
  faster than the trunk drops).
* ``pelvis_drop``: bridge: the pelvis drops on ``side`` (the extended or unsupported leg's
  side; in a two-legged bridge the side that drops), degrees of roll.
* ``trunk_lean``: the trunk leans forward by ``size_deg`` more than the clean motion (lunge,
  squat, cossack squat, 90/90 sits: more hinge; long sit: less lean back).
* ``trunk_lean_back``: seated 90/90: the trunk leans back by ``size_deg``.
* ``knee_past_toes``: lunge: the front shin tilts forward ``size_deg`` more (the knee travels
  past the toes; ``side`` = front leg).
* ``heel_rise``: squat: both heels lift, the feet pitch ``size_deg`` about the toes.
* ``knee_valgus``: squat: both knees cave in; each knee turns ``size_deg`` about its
  hip-ankle line toward the midline.
* ``knee_bend``: lying leg stretch: the stretched leg's knee bends ``size_deg`` (``side`` =
  that leg).
* ``incomplete_range``: label only (the motion builder shortens the rep itself); unit ``%``,
  ``size_deg`` holds the percentage of the range that is missing.

Sizes: the validation set draws one of ``FAULT_SIZES`` degrees per clip; percentage faults
take ``percent_for(size)`` (10, 15, 20 degrees -> 20, 30, 40 % of the range missing; the
squat 10, 15, 20 %).
"""
from __future__ import annotations

from dataclasses import dataclass

from posecheck.synth.poses import smoothstep

#: Fault sizes of the validation set, degrees (a clip's faults all take one of them).
FAULT_SIZES = (10.0, 15.0, 20.0)
#: Percentage-style faults: percent of the range missing per degree of the clip's size.
PERCENT_PER_DEGREE = 2.0

#: Bridge: degrees of hip angle closed per degree of trunk elevation lost (synthetic default
#: body: 10 degrees of trunk elevation lost close the shoulder-hip-knee angle 22-25 degrees).
HIP_PER_TRUNK = 2.4

_LUMBAR_FAMILIES = ("quadruped", "bridge", "lunge", "sit", "wide", "long_sit", "side_lying",
                    "squat", "supine")
#: fault kind -> pose family -> ((parameter, factor), ...) it adds ``factor * size`` to.
TARGETS: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "pelvis_roll": {"quadruped": (("roll", 1.0),), "side_lying": (("roll", 1.0),)},
    "pelvis_yaw": {"quadruped": (("yaw", 1.0),)},
    "lumbar_arch": {f: (("lumbar", 1.0),) for f in _LUMBAR_FAMILIES},
    # Rounding instead of hinging: the spine flexes while the hips hinge less.
    "lumbar_rounding": {"sit": (("flexion", 1.0), ("hinge", -0.5)),
                        "lunge": (("flexion", 1.0),), "quadruped": (("lumbar", -1.0),),
                        "long_sit": (("lumbar", -1.0), ("lean", -0.5)),
                        "squat": (("flexion", 1.0),)},
    "pelvis_tuck": {"supine": (("lumbar", -1.0),)},
    "bridge_hip_drop": {"bridge": (("sag", 1.0 / HIP_PER_TRUNK),)},
    "pelvis_drop": {"bridge": (("roll", 1.0),)},
    "trunk_lean": {"lunge": (("lean", 1.0),), "squat": (("lean", 1.0),),
                   "wide": (("lean", 1.0),), "sit": (("hinge", 1.0),),
                   "long_sit": (("lean", 1.0),)},
    "trunk_lean_back": {"sit": (("hinge", -1.0),)},
    "knee_past_toes": {"lunge": (("knee_forward", 1.0),)},
    "heel_rise": {"squat": (("heel", 1.0),)},
    "knee_valgus": {"squat": (("valgus", 1.0),)},
    "knee_bend": {"supine": (("bend", 1.0),)},
    "incomplete_range": {},
}
#: Kinds whose ``size_deg`` is a percentage.
PERCENT_KINDS = frozenset({"incomplete_range"})


def percent_for(size_deg: float, per_degree: float = PERCENT_PER_DEGREE) -> float:
    """Percentage of the range a percentage-style fault leaves out at the clip's size.

    ``per_degree`` is chosen per exercise so that the steps are comparable with the angle
    faults: the squat uses 1 (10, 15, 20 % short costs about 11, 16, 22 degrees of knee bend at
    the bottom), the lunge the default 2 (20, 30, 40 % short: about 10, 15, 20 degrees of
    front-knee bend)."""
    return per_degree * float(size_deg)


@dataclass(frozen=True)
class Fault:
    """One fault occurrence. ``side``: the person's side it concerns (None if central)."""

    kind: str
    size_deg: float
    start: float
    end: float
    side: str | None = None
    ramp: float = 0.5
    unit: str = ""

    def __post_init__(self) -> None:
        if self.kind not in TARGETS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose from {sorted(TARGETS)}")
        if self.size_deg < 0:
            raise ValueError(f"fault size must be positive (the kind gives the sign): "
                             f"{self.kind} {self.size_deg}")
        if not self.unit:
            object.__setattr__(self, "unit", "%" if self.kind in PERCENT_KINDS else "deg")

    def envelope(self, t: float) -> float:
        """0..1 strength at time ``t``."""
        if t <= self.start or t >= self.end:
            return 0.0
        ramp = min(self.ramp, 0.5 * (self.end - self.start))
        if ramp <= 0.0:
            return 1.0
        return smoothstep((t - self.start) / ramp) * smoothstep((self.end - t) / ramp)

    def signed_size(self) -> float:
        """Signed amount (times each target's factor) added at full strength: + roll turns
        the left hip toward the back (up when prone, down when supine), + yaw swings the left
        hip toward the feet; every other kind is positive (families with a per-side
        parameter, the front knee or the stretched leg, know that side from the motion)."""
        if self.kind in ("pelvis_roll", "pelvis_drop", "pelvis_yaw"):
            return self.size_deg if self.side == "left" else -self.size_deg
        return self.size_deg


def apply_faults(family: str, params: dict[str, float], faults: list[Fault],
                 t: float) -> dict[str, float]:
    """``params`` with every active fault's contribution added at time ``t``. Label-only
    faults (scripted into the motion itself) add nothing."""
    out = dict(params)
    for fault in faults:
        targets = TARGETS[fault.kind].get(family, ())
        if not targets:
            continue
        amount = fault.envelope(t) * fault.signed_size()
        for name, factor in targets:
            out[name] += factor * amount
    return out
