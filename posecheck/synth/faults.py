"""Form faults of known size and time interval, added on top of a motion's parameters.

A fault ramps in over ``ramp`` seconds from ``start``, stays at full size, and ramps out so
that it is gone at ``end``. Its effect is added to one pose parameter (see ``TARGETS``), with a
sign that depends on the fault and its side.

Kinds:

* ``pelvis_roll``: quadruped; the pelvis rolls so that the raised leg's hip lifts (``side`` =
  the raised leg). Side-lying: the pelvis rolls back. ``size_deg`` = roll angle.
* ``lumbar_arch``: the low back sags / arches (anterior pelvic tilt), degrees.
* ``lumbar_rounding``: the back rounds, degrees of spine flexion (seated: the hips hinge half
  as much less, so the reach stays about the same; quadruped: posterior pelvic tilt).
* ``bridge_hip_drop``: the hips sink during a bridge hold; degrees of trunk angle lost.
* ``pelvis_drop``: bridge with one leg extended; the pelvis drops on the unsupported side
  (``side`` = extended leg), degrees of roll.
* ``trunk_lean``: the trunk leans forward by ``size_deg`` (lunges). Label only: the motion
  builder scripts the lean itself.
* ``incomplete_range``: label only; the motion builder shortens the rep itself;
  ``size_deg`` holds the percentage of the range that is missing.
"""
from __future__ import annotations

from dataclasses import dataclass

from posecheck.synth.poses import smoothstep

#: fault kind -> pose family -> ((parameter, factor), ...) it adds ``factor * size`` to.
TARGETS: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "pelvis_roll": {"quadruped": (("roll", 1.0),), "side_lying": (("roll", 1.0),)},
    "lumbar_arch": {f: (("lumbar", 1.0),) for f in ("quadruped", "bridge", "lunge", "sit",
                                                      "wide", "long_sit", "side_lying")},
    # Rounding instead of hinging: the spine flexes while the hips hinge less.
    "lumbar_rounding": {"sit": (("flexion", 1.0), ("hinge", -0.5)),
                        "lunge": (("flexion", 1.0),), "quadruped": (("lumbar", -1.0),),
                        "long_sit": (("lumbar", -1.0), ("lean", -0.5))},
    "bridge_hip_drop": {"bridge": (("sag", 1.0),)},
    "pelvis_drop": {"bridge": (("roll", 1.0),)},
    "trunk_lean": {},
    "incomplete_range": {},
}


@dataclass(frozen=True)
class Fault:
    """One fault occurrence. ``side``: the person's side it concerns (None if central)."""

    kind: str
    size_deg: float
    start: float
    end: float
    side: str | None = None
    ramp: float = 0.5

    def envelope(self, t: float) -> float:
        """0..1 strength at time ``t``."""
        if t <= self.start or t >= self.end:
            return 0.0
        ramp = min(self.ramp, 0.5 * (self.end - self.start))
        return smoothstep((t - self.start) / ramp) * smoothstep((self.end - t) / ramp)

    def signed_size(self) -> float:
        """Signed amount (times each target's factor) added at full strength."""
        if self.kind in ("pelvis_roll", "pelvis_drop"):
            # + roll turns the left hip toward the back: up when prone, down when supine.
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
