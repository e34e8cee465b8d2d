"""The seed exercises' key cues as the validation set renders them, and how many fault and
clean instances of each a set holds in the views the cue is judged from.

A cue is one spec rule (``spec.rule``), the generator's fault kinds it names, the exercise
whose clips carry them, and the camera views (``scene.VIEWS`` names) the rule judges from.
An instance is a labelled rep (a labelled hold for hold cues): a **fault** instance when it
overlaps a fault of the cue's kinds, **clean** when it overlaps no fault at all (reps with
another fault count for neither), as ``benchmarks/validate_rules.py`` scores them. Counting
needs only the scripts, no rendering.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from posecheck.synth.exercises import Exercise, script

#: Camera view -> the view class a spec names (docs/SPEC.md; "rear" reads as front).
VIEW_CLASS = {"left": "side", "right": "side", "front": "front", "rear": "front",
              "front_left": "oblique", "front_right": "oblique", "rear_left": "oblique",
              "rear_right": "oblique"}
SIDE = ("left", "right")
FRONT_OBLIQUE = ("front_left", "front_right")
#: For lying exercises whose forward is the head, 45 degrees toward the feet.
REAR_OBLIQUE = ("rear_left", "rear_right")


@dataclass(frozen=True)
class Cue:
    """A key cue. rule : ``spec_id.rule_id``; faults : fault kinds it names; views : camera
    views it is judged from, those of its primary view class first (where the set must hold
    20 fault and 20 clean instances); unit : "rep" or "hold" (what one instance is)."""

    rule: str
    exercise: str
    faults: tuple[str, ...]
    views: tuple[str, ...]
    unit: str = "rep"

    @property
    def primary(self) -> str:
        """The view class of the first view."""
        return VIEW_CLASS[self.views[0]]


#: The issue's key cues (bird dog hips level and no arch; bridge hips up and pelvis level;
#: 90/90 back long; lunge trunk upright and depth; fire hydrant pelvis level; squat depth and
#: chest up), each with the rule that checks it; the bridge's "hips up" also as a hold.
KEY_CUES: tuple[Cue, ...] = (
    Cue("bird_dog.hips_stay_level", "bird_dog", ("pelvis_roll",), SIDE),
    Cue("bird_dog.back_does_not_arch", "bird_dog", ("lumbar_arch",), SIDE + FRONT_OBLIQUE),
    Cue("glute_bridge.hips_fully_up", "glute_bridge", ("bridge_hip_drop",),
        REAR_OBLIQUE + SIDE),
    Cue("glute_bridge.pelvis_stays_level", "glute_bridge", ("pelvis_drop",), REAR_OBLIQUE),
    Cue("hip_bridge_hold.no_sagging", "hip_bridge_hold", ("bridge_hip_drop",),
        REAR_OBLIQUE + SIDE, "hold"),
    Cue("ninety_ninety_er.back_stays_long", "ninety_ninety_er", ("lumbar_rounding",),
        SIDE + FRONT_OBLIQUE, "hold"),
    Cue("lunge.trunk_upright", "lunge", ("trunk_lean",), SIDE + FRONT_OBLIQUE),
    Cue("lunge.front_knee_ninety", "lunge", ("incomplete_range",), SIDE + FRONT_OBLIQUE),
    Cue("fire_hydrant.hips_do_not_rotate", "fire_hydrant", ("pelvis_roll",),
        REAR_OBLIQUE + ("rear",) + FRONT_OBLIQUE),
    Cue("squat.squat_depth", "squat", ("incomplete_range",), SIDE + FRONT_OBLIQUE),
    Cue("squat.chest_up", "squat", ("trunk_lean",), SIDE + FRONT_OBLIQUE),
)
#: Further cues the set renders faults for (counted, not required to reach 20).
OTHER_CUES: tuple[Cue, ...] = (
    Cue("hip_bridge_hold.pelvis_stays_level", "hip_bridge_hold", ("pelvis_drop",),
        REAR_OBLIQUE, "hold"),
    Cue("squat.heels_flat", "squat", ("heel_rise",), SIDE),
    Cue("lunge.knee_behind_toes", "lunge", ("knee_past_toes",), SIDE),
    Cue("bridge_leg_extension.hips_stay_up", "bridge_leg_extension", ("bridge_hip_drop",),
        SIDE + REAR_OBLIQUE),
    Cue("bridge_knee_drive.bridge_height_kept", "bridge_knee_drive", ("bridge_hip_drop",),
        SIDE + REAR_OBLIQUE),
    Cue("ninety_ninety_ir.stay_tall", "ninety_ninety_ir", ("trunk_lean", "lumbar_rounding"),
        FRONT_OBLIQUE + ("front",), "hold"),
    Cue("active_ninety_ninety_er.hinge_deep_enough", "active_ninety_ninety_er",
        ("lumbar_rounding",), SIDE + FRONT_OBLIQUE),
    Cue("active_ninety_ninety_ir.trunk_upright", "active_ninety_ninety_ir",
        ("trunk_lean_back", "lumbar_rounding"), SIDE + ("rear",) + REAR_OBLIQUE),
    Cue("side_lying_leg_raise.hips_stay_stacked", "side_lying_leg_raise", ("pelvis_roll",),
        ("front",) + FRONT_OBLIQUE),
    Cue("cossack_squat.squat_deep", "cossack_squat", ("incomplete_range",),
        ("front",) + FRONT_OBLIQUE),
    Cue("seated_hip_opener.sit_tall", "seated_hip_opener", ("lumbar_rounding",),
        ("front",) + FRONT_OBLIQUE),
    Cue("active_hamstring_stretch.stretched_leg_straight", "active_hamstring_stretch",
        ("knee_bend",), SIDE + REAR_OBLIQUE),
)


def instances(exercise: Exercise, cue: Cue) -> tuple[int, int]:
    """(fault, clean) instances of ``cue`` in one scripted clip, whatever its view."""
    units = exercise.motion.of_kind("hold" if cue.unit == "hold" else "rep")
    fault = clean = 0
    for unit in units:
        hits = [f for f in exercise.faults if f.start < unit.end and f.end > unit.start]
        if not hits:
            clean += 1
        elif any(f.kind in cue.faults for f in hits):
            fault += 1
    return fault, clean


@dataclass(frozen=True)
class Clip:
    """What counting needs of a clip: exercise, variant, seed, fault size, reps, view."""

    exercise: str
    variant: str
    seed: int
    fault_size: float | None
    reps: int | None
    view: str


def counts(clips: list[Clip], cues: tuple[Cue, ...] = KEY_CUES
           ) -> dict[str, dict[str, Counter]]:
    """Per cue rule: ``{"fault": Counter(view -> n), "clean": Counter(view -> n)}`` over the
    clips seen from one of the cue's views."""
    out: dict[str, dict[str, Counter]] = {c.rule: {"fault": Counter(), "clean": Counter()}
                                          for c in cues}
    scripted: dict[Clip, Exercise] = {}
    for clip in clips:
        for cue in cues:
            if cue.exercise != clip.exercise or clip.view not in cue.views:
                continue
            if clip not in scripted:
                scripted[clip] = script(clip.exercise, clip.variant, clip.seed,
                                        clip.fault_size, clip.reps)
            fault, clean = instances(scripted[clip], cue)
            out[cue.rule]["fault"][clip.view] += fault
            out[cue.rule]["clean"][clip.view] += clean
    return out


def by_class(tally: dict[str, Counter]) -> dict[str, tuple[int, int]]:
    """One cue's :func:`counts` entry summed per view class: class -> (fault, clean)."""
    out: dict[str, list[int]] = {}
    for i, kind in enumerate(("fault", "clean")):
        for view, n in tally[kind].items():
            out.setdefault(VIEW_CLASS[view], [0, 0])[i] += n
    return {k: (v[0], v[1]) for k, v in out.items()}


def table(clips: list[Clip], cues: tuple[Cue, ...] = KEY_CUES) -> str:
    """A Markdown table of :func:`counts`: per cue, fault/clean instances in its primary view
    class, in every class it is judged from, and per view."""
    rows = ["| cue (rule) | primary class: fault / clean | per class | per view (fault/clean) |",
            "|---|---|---|---|"]
    for cue in cues:
        c = counts(clips, (cue,))[cue.rule]
        classes = by_class(c)
        fault, clean = classes.get(cue.primary, (0, 0))
        per_class = ", ".join(f"{k} {f}/{n}" for k, (f, n) in classes.items())
        per = ", ".join(f"{v} {c['fault'][v]}/{c['clean'][v]}" for v in cue.views
                        if c["fault"][v] or c["clean"][v])
        rows.append(f"| `{cue.rule}` | {cue.primary}: {fault} / {clean} | {per_class} | "
                    f"{per} |")
    return "\n".join(rows)
