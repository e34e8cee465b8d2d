"""Measure every form rule's fault detection against synthetic ground truth.

Two steps, two environments:

  # 1. render the focused validation set with the project's generator (.venv-synth)
  .venv-synth/bin/python benchmarks/validate_rules.py render --out .cache/validation --workers 2
  # 2. run the real pipeline (MediaPipe full model) on every clip and score the rules (.venv)
  .venv/bin/python benchmarks/validate_rules.py evaluate .cache/validation \
      --markdown benchmarks/VALIDATION.md

With a set of both halves (``make validation-set``), thresholds are chosen on one half and
reported on the other (by body shape, ``--part``)::

  .venv/bin/python benchmarks/validate_rules.py evaluate .cache/validation --part choose \
      --json /tmp/choose.json
  .venv/bin/python benchmarks/validate_rules.py choose /tmp/choose.json   # thresholds to set
  .venv/bin/python benchmarks/validate_rules.py evaluate .cache/validation --part report \
      --json /tmp/report.json
  .venv/bin/python benchmarks/validate_rules.py record /tmp/report.json --set "held-out ..."
  .venv/bin/python benchmarks/rule_cards.py      # verdicts and docs/RULES.md

``render`` builds clips like ``posecheck.synth.validation.plan`` does (varied body shapes,
clothing, rooms, camera distance and height) but chooses exercise, variant and camera view
explicitly (``FOCUS``), so that each rule gets fault and clean instances in each of its views;
the standard set pairs clean clips with some views and fault clips with others. Clips are
rendered in list order (most important first) and skipped when already rendered from the same
spec.

``evaluate`` runs ``posecheck.pipeline.analyze`` on each ``<clip>.mp4`` that has a
``<clip>.gt.npz`` (the landmark track is saved as ``<clip>.track.npz`` and reused, so re-scoring
never re-runs the model) and compares the checker's events with the ground-truth labels:

* rep counts per side against the labelled rep intervals, and phantom reps (counted reps whose
  span overlaps no labelled rep: fidgets, setup);
* per rule and camera view: a labelled rep (or hold interval) carrying a fault the rule targets
  (``TARGETS``) is a true positive when a ``fault_started`` of the rule overlaps the fault
  interval; a rep with no fault at all is a false positive when one of the rule's faults
  overlaps the rep. Rules with no target fault in the set only get a false-positive rate.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.outputs.rule_cards import wilson  # noqa: E402

#: Seed of the focused set (distinct from the committed samples' seed 0).
SET_SEED = 7

#: (exercise, variant, camera views) in render order; each view gets one clip per entry.
#: Bridges: "oblique" is 45 degrees toward the feet (rear_*), as the specs ask.
FOCUS: list[tuple[str, str, tuple[str, ...]]] = [
    ("bird_dog", "faults", ("left", "front_left", "right", "front_right")),
    ("lunge", "faults", ("left", "front_left", "right", "front_right")),
    ("bridge_leg_extension", "faults", ("left", "rear_left", "right", "rear_right")),
    ("bird_dog", "faults", ("right", "front_right", "left", "front_left")),
    ("ninety_ninety_er", "faults", ("left", "front_left")),
    ("bird_dog", "clean", ("left", "front_left", "right", "front_right")),
    ("bird_dog", "faults", ("left", "front_left", "right", "front_right")),
    ("bridge_knee_drive", "faults", ("rear_left", "left", "rear_right", "right")),
    ("lunge", "clean", ("left", "front_right")),
    ("ninety_ninety_er", "faults", ("right", "front_right")),
    ("bridge_leg_extension", "faults", ("left", "rear_left")),
    ("lunge", "faults", ("right", "front_right", "left", "front_left")),
    # second round, after the first 40 had rendered in 33 minutes
    ("bird_dog", "faults", ("right", "front_right", "left", "front_left")),
    ("lunge", "faults", ("left", "front_left", "right", "front_right")),
    ("bird_dog", "faults", ("left", "front_left", "right", "front_right")),
    # third round (the machine had become idle)
    ("bird_dog", "clean", ("right", "front_right", "left", "front_left")),
    ("ninety_ninety_er", "faults", ("left", "front_left", "right", "front_right")),
    # fourth round: the 90/90 rounding rule needs six holds of each kind per view
    ("ninety_ninety_er", "faults", ("right", "front_right", "left", "front_left")),
]

#: Which ground-truth fault kinds each rule is meant to detect (exercise, rule id) -> kinds.
TARGETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("bird_dog", "hips_stay_level"): ("pelvis_roll", "lumbar_arch"),
    ("bird_dog", "back_does_not_arch"): ("lumbar_arch",),
    ("bridge_leg_extension", "hips_stay_up"): ("bridge_hip_drop",),
    ("bridge_knee_drive", "bridge_height_kept"): ("bridge_hip_drop", "pelvis_drop"),
    ("hip_bridge_hold", "no_sagging"): ("bridge_hip_drop",),
    ("hip_bridge_hold", "hips_fully_up"): ("bridge_hip_drop",),
    ("ninety_ninety_er", "back_stays_long"): ("lumbar_rounding",),
    ("lunge", "front_knee_ninety"): ("incomplete_range",),
    ("lunge", "trunk_upright"): ("trunk_lean",),
    ("lunge", "knee_behind_toes"): ("knee_past_toes",),
    # issue 9: the key cues rendered by posecheck/synth/cues.py, and the other rendered faults
    ("glute_bridge", "hips_fully_up"): ("bridge_hip_drop",),
    ("glute_bridge", "pelvis_stays_level"): ("pelvis_drop",),
    ("glute_bridge", "height_kept"): ("bridge_hip_drop",),
    ("glute_bridge", "hips_up"): ("bridge_hip_drop",),
    ("hip_bridge_hold", "pelvis_stays_level"): ("pelvis_drop",),
    ("fire_hydrant", "hips_do_not_rotate"): ("pelvis_roll", "pelvis_yaw"),
    ("squat", "squat_depth"): ("incomplete_range",),
    ("squat", "chest_up"): ("trunk_lean",),
    ("squat", "heels_flat"): ("heel_rise",),
    ("squat", "depth_kept"): ("incomplete_range",),
    ("squat", "chest_kept"): ("trunk_lean",),
    ("squat", "heels_kept"): ("heel_rise",),
    ("ninety_ninety_ir", "stay_tall"): ("trunk_lean", "lumbar_rounding"),
    ("active_ninety_ninety_ir", "trunk_upright"): ("trunk_lean_back", "lumbar_rounding"),
    ("side_lying_leg_raise", "hips_stay_stacked"): ("pelvis_roll",),
    ("cossack_squat", "squat_deep"): ("incomplete_range",),
    ("seated_hip_opener", "sit_tall"): ("lumbar_rounding",),
    ("seated_hip_opener", "big_arc"): ("incomplete_range",),
    ("active_hamstring_stretch", "stretched_leg_straight"): ("knee_bend",),
}

#: The spec each synthetic exercise is checked with (hip_bridge_hold has no own script).
SPEC_FOR = {"ninety_ninety": "ninety_ninety_er", "bird_dog": "bird_dog", "bridge_leg_extension": "bridge_leg_extension",
            "bridge_knee_drive": "bridge_knee_drive", "ninety_ninety_er": "ninety_ninety_er",
            "lunge": "lunge", "fire_hydrant": "fire_hydrant",
            "active_ninety_ninety_ir": "active_ninety_ninety_ir",
            "cossack_squat": "cossack_squat", "side_lying_leg_raise": "side_lying_leg_raise",
            "seated_hip_opener": "seated_hip_opener", "glute_bridge": "glute_bridge",
            "hip_bridge_hold": "hip_bridge_hold", "ninety_ninety_ir": "ninety_ninety_ir",
            "active_ninety_ninety_er": "active_ninety_ninety_er", "squat": "squat",
            "active_hamstring_stretch": "active_hamstring_stretch"}

#: Further specs each synthetic exercise is also checked with (a bridge hold is a bridge).
EXTRA_SPECS = {"bridge_leg_extension": ("hip_bridge_hold",)}
#: Hold specs whose instances are the labelled reps (one bridge = one hold bout) rather than
#: the labelled hold intervals.
HOLD_UNITS_ARE_REPS = {"hip_bridge_hold"}

#: Camera view name -> the spec's view class (view_angle bands in docs/SPEC.md).
VIEW_CLASS = {"left": "side", "right": "side", "front": "front", "rear": "front",
              "front_left": "oblique", "front_right": "oblique", "rear_left": "oblique",
              "rear_right": "oblique"}


# ====================================================================== render (.venv-synth)
def focus_jobs(fps: float = 10.0, width: int = 640, height: int = 480, seed: int = SET_SEED):
    """The focused set's jobs (``posecheck.synth.validation.Job``) in render order."""
    import numpy as np

    from posecheck.synth.appearance import Appearance
    from posecheck.synth.clip import ClipSpec
    from posecheck.synth.exercises import EXERCISES
    from posecheck.synth.scene import Room
    from posecheck.synth.validation import BODIES, Job

    body_rng = np.random.default_rng([seed, 1])
    shapes = [Appearance.random(body_rng) for _ in range(BODIES)]
    jobs = []
    i = 0
    for exercise, variant, views in FOCUS:
        for view in views:
            rng = np.random.default_rng([seed, 2, i])
            body = i % BODIES
            look = replace(Appearance.random(rng), **shapes[body].phenotype())
            clip_seed = 1000 * seed + i
            default = EXERCISES[exercise](variant, np.random.default_rng(clip_seed)).camera
            camera = replace(default, view=view,
                             distance=round(default.distance * float(rng.uniform(0.9, 1.2)), 3),
                             height=round(max(0.15, default.height
                                              + float(rng.uniform(-0.15, 0.3))), 3))
            spec = ClipSpec(exercise=exercise, variant=variant, seed=clip_seed, width=width,
                            height=height, fps=fps, appearance=look, camera=camera,
                            room=Room.random(rng))
            jobs.append(Job(f"focus{i:03d}_{exercise}_{variant}_{view}", body, spec))
            i += 1
    return jobs



def write_index(out: Path, jobs: list) -> None:
    """``focus_index.json``: each job's clip, ground truth, exercise, variant, seed and camera,
    which ``evaluate`` reads."""
    index = [{"name": j.name, "video": f"{j.name}.mp4", "ground_truth": f"{j.name}.gt.npz",
              "exercise": j.spec.exercise, "variant": j.spec.variant, "seed": j.spec.seed,
              "fps": j.spec.fps, "view": j.spec.camera.view, "body": j.body,
              "camera_distance": j.spec.camera.distance, "camera_height": j.spec.camera.height}
             for j in jobs]
    (out / "focus_index.json").write_text(json.dumps(index, indent=1))

def cmd_render(args: argparse.Namespace) -> int:
    import multiprocessing as mp

    from posecheck.synth.validation import _init_worker, _is_done, _render

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = focus_jobs(fps=args.fps)
    if args.limit:
        jobs = jobs[:args.limit]
    write_index(out, jobs)
    todo = [j for j in jobs if not _is_done(out, j)]
    print(f"focus set: {len(jobs) - len(todo)} of {len(jobs)} cached, rendering {len(todo)}",
          file=sys.stderr, flush=True)
    start = time.perf_counter()
    frames = 0
    ctx = mp.get_context("spawn")
    with ctx.Pool(max(1, args.workers), initializer=_init_worker) as pool:
        # imap keeps the list order for starting jobs: most important clips first.
        for k, res in enumerate(pool.imap_unordered(_render, [(str(out), j) for j in todo],
                                                    chunksize=1)):
            frames += res["frames"]
            wall = time.perf_counter() - start
            print(f"[{k + 1}/{len(todo)}] {res['name']}: {res['frames']} frames in "
                  f"{res['seconds']} s ({frames / wall:.2f} frames/s overall)",
                  file=sys.stderr, flush=True)
    return 0


# ====================================================================== evaluate (.venv)
@dataclass
class ClipResult:
    name: str
    exercise: str
    spec: str
    variant: str
    view: str
    view_class: str
    measured_view: str | None     # view class from the median estimated view_angle
    body: int
    gt_reps: dict                 # side -> count
    counted: dict                 # side -> count
    matched: int                  # counted reps overlapping a GT rep of the same side
    phantom: int                  # counted reps overlapping no GT rep
    instances: list               # per rule instance dicts
    rep_outcomes: list            # per labelled rep: (fault kinds, outcome)
    ready: bool                   # the checker reached `ready`
    hold_s: float | None = None
    followed: float = 1.0         # fraction of frames the model followed the exerciser
    conditions: tuple = ()        # the world's hard conditions in this clip (world_conditions)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _view_class_of(angle: float) -> str | None:
    """The view class of a measured view_angle: the highest band (spec.VIEW_BANDS) it enters."""
    from posecheck.checking.spec import VIEW_BANDS

    if angle != angle:  # NaN
        return None
    return next(v for v in ("side", "oblique", "front") if angle >= VIEW_BANDS[v][0])


#: An instance (labelled rep or hold) is judged only when the model followed the exerciser in
#: at least this fraction of its frames: otherwise it measures the pose model (someone else
#: followed, nobody found), which the counting tables report per world condition instead.
FOLLOWED_MIN = 0.8
#: The phone world's dim rooms: a key light below this (Lighting.key_intensity, 0.6-3.6).
DIM_KEY = 1.5


def world_conditions(jobs: list) -> dict[str, tuple[str, ...]]:
    """Clip name -> the hard conditions its world drew (``posecheck.synth.validation`` jobs):
    a second person, furniture toward the camera, a dim room, portrait framing."""
    out = {}
    for job in jobs:
        spec = job.spec
        room, light = spec.room, getattr(spec, "light", None)
        tags = []
        if room is not None and room.second_person is not None:
            tags.append("second person")
        if room is not None and room.furniture and room.furniture[0][1] > 0.5:
            tags.append("furniture toward the camera")
        if light is not None and light.key_intensity < DIM_KEY:
            tags.append("dim")
        if spec.height > spec.width:
            tags.append("portrait")
        out[job.name] = tuple(tags)
    return out


def analyse_clip(video: Path, spec_id: str | None = None, model: str = "full",
                 refresh: bool = False):
    """(GroundTruth, Analysis) of one clip, re-using a saved track made after the video."""
    from posecheck.pipeline import analyze
    from posecheck.synth.groundtruth import GroundTruth, path_for

    gt = GroundTruth.load(path_for(video))
    spec_id = spec_id or SPEC_FOR[gt.labels["exercise"]]
    track_path = video.with_name(video.stem + ".track.npz")
    fresh = track_path.exists() and track_path.stat().st_mtime >= video.stat().st_mtime
    if fresh and not refresh:
        result = analyze(track_path, spec_id)
    else:
        result = analyze(video, spec_id, model=model)
        result.track.save(track_path)
    return gt, result


def judged_rep(result, unit: dict) -> dict | None:
    """The counted rep (a report ``rep_details`` entry) overlapping ``unit``, or None."""
    return next((d for d in result.report.get("rep_details", [])
                 if _overlap(d["start_s"], d["end_s"] + 1e-6, unit["start"], unit["end"]) > 0),
                None)


def rule_signal(result, rule, spec, gt, unit: dict) -> float | None:
    """The rule's metric at its worst (in the direction the rule forbids) over the unit's
    top (its labelled hold, else the whole unit), relative to the user's neutral when the rule
    is; for threshold sweeps and AUCs. None if never visible."""
    import numpy as np

    if rule.relative_to == "own_reps":        # what the checker judged (report rep_details)
        rep = judged_rep(result, unit)
        return None if rep is None else rep["own_reps"].get(rule.id)
    m = result.metrics
    side = unit.get("side")
    other = {"left": "right", "right": "left"}.get(side)
    cal = result.report.get("calibration") or {}

    def column(name: str):
        """The metric's values, relative to neutral when the rule is (None if no neutral);
        both sides' mean for a side-less exercise."""
        if rule.relative_to == "neutral" and cal.get(name) is None:
            return None
        values = m.column(name)
        return values - cal[name] if rule.relative_to == "neutral" else values

    from posecheck.measure.vocabulary import is_sided

    template = rule.metric
    if is_sided(template) and (side is None or spec.sides in ("both", "none")):
        cols = [column(template.replace("{side}", s).replace("{other}", s))
                for s in ("left", "right")]
        if any(c is None for c in cols):
            return None
        with np.errstate(all="ignore"):
            values = np.nanmean(np.stack(cols), axis=0)
    else:
        values = column(template.replace("{side}", side or "").replace("{other}", other or ""))
        if values is None:
            return None
    tops = [h for h in gt.intervals("hold") if h["start"] < unit["end"]
            and h["end"] > unit["start"]] if unit["kind"] != "hold" else []
    a, b = (tops[0]["start"], tops[0]["end"]) if tops else (unit["start"], unit["end"])
    sel = (m.times >= a) & (m.times <= b) & np.isfinite(values)
    if not sel.any():
        return None
    v = values[sel]
    if rule.comparison == "above":
        return float(v.min())
    if rule.comparison == "below":
        return float(v.max())
    lo, hi = rule.range
    mid = 0.5 * (lo + hi)
    return float(v[np.argmax(np.abs(v - mid))])


def badness(rule, signal: float | None) -> float | None:
    """How far the signal leans toward a fault (larger = worse), for AUCs."""
    if signal is None:
        return None
    if rule.comparison == "above":
        return -signal
    if rule.comparison == "below":
        return signal
    lo, hi = rule.range
    return abs(signal - 0.5 * (lo + hi))


def auc(fault: list, clean: list) -> float | None:
    """P(a fault instance is worse than a clean one); ties count half; unseen ones skipped."""
    f = [x for x in fault if x is not None]
    c = [x for x in clean if x is not None]
    if not f or not c:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in f for b in c)
    return wins / (len(f) * len(c))


def score_clip(video: Path, gt, result, info: dict) -> ClipResult:
    """Compare one analysis with its ground truth."""
    import numpy as np

    from posecheck.synth.evaluate import followed

    events = result.events
    spec = result.spec
    exercise = gt.labels["exercise"]
    seen_person = followed(result.track, gt)

    def followed_in(a0: float, a1: float) -> float:
        inside = (gt.times >= a0) & (gt.times <= a1)
        return float(seen_person[inside].mean()) if inside.any() else 0.0

    view = gt.labels["spec"]["camera"]["view"]
    sid = spec.id
    completed = [e for e in events if e.kind == "rep_completed"]
    faults = [e for e in events if e.kind == "fault_started"]
    gt_reps = gt.reps
    # A fault's span: its start_s to the end_s of its fault_ended (or the clip's end).
    closed = {(e.rule, e.side, e.data.get("start_s")): e.data.get("end_s")
              for e in events if e.kind == "fault_ended"}
    spans = []
    for f in faults:
        start = f.data.get("start_s")
        start = f.time if start is None else float(start)
        stop = closed.get((f.rule, f.side, f.data.get("start_s")))
        stop = float(gt.times[-1]) if stop is None else float(stop)
        spans.append((f.rule, f.side, start, max(stop, start)))

    counted = {"left": 0, "right": 0, "none": 0}
    counted_spans = [(float(e.data.get("start_s", e.time)), float(e.data.get("end_s", e.time)))
                     for e in completed]
    matched = phantom = 0
    for e in completed:
        side = e.side or "none"
        counted[side] = counted.get(side, 0) + 1
        d = e.data
        a0 = float(d.get("start", d.get("start_s", e.time)))
        a1 = float(d.get("end", d.get("end_s", e.time)))
        hits = [r for r in gt_reps if _overlap(a0, a1 + 1e-6, r["start"], r["end"]) > 0]
        if not hits:
            phantom += 1
        elif any((r["side"] or "none") == side or spec.sides in ("both", "none") for r in hits):
            matched += 1
    gt_count = {"left": 0, "right": 0, "none": 0}
    for r in gt_reps:
        gt_count[r["side"] or "none"] += 1
    if spec.kind == "hold":
        # Holds: bouts timed vs labelled hold intervals (sides = both: no side).
        holds = [h for h in result.report.get("holds", []) if isinstance(h, dict)]
        gt_holds = gt.reps if sid in HOLD_UNITS_ARE_REPS else gt.intervals("hold")
        gt_count = {"left": 0, "right": 0, "none": len(gt_holds)}
        counted = {"left": 0, "right": 0, "none": len(holds)}
        matched = sum(any(_overlap(h["start_s"], h["end_s"] or gt.times[-1], g["start"],
                                   g["end"]) > 0 for g in gt_holds) for h in holds)
        phantom = len(holds) - matched
        counted_spans = [(h["start_s"], h["end_s"] or float(gt.times[-1])) for h in holds]

    # Rule instances: each labelled rep (reps) or hold interval (holds).
    units = gt.intervals("hold") if spec.kind == "hold" and sid not in HOLD_UNITS_ARE_REPS \
        else gt.reps
    instances = []
    for rule in spec.rules:
        if not judged_from(rule.views or spec.views, VIEW_CLASS[view]):
            continue    # the rule does not claim this camera view (it stays silent there)
        targets = TARGETS.get((sid, rule.id), ())
        for u in units:
            u_faults = [f for f in gt.faults if _overlap(f["start"], f["end"], u["start"],
                                                         u["end"]) > 0.2]
            target_faults = [f for f in u_faults if f["kind"] in targets]
            if target_faults:
                label = "fault"
                win = (min(f["start"] for f in target_faults),
                       max(f["end"] for f in target_faults))
                kinds = sorted({f["kind"] for f in target_faults})
                size = min(float(f["size_deg"]) for f in target_faults)
            elif not u_faults:
                label = "clean"
                win = (u["start"], u["end"])
                kinds = []
                size = None
            else:
                continue        # a rep with another fault: neither a target nor clean
            fired = [s for s in spans if s[0] == rule.id
                     and _overlap(s[2], s[3] + 1e-6, win[0], win[1]) > 0]
            signal = rule_signal(result, rule, spec, gt, u)
            seen = any(_overlap(a0, a1 + 1e-6, u["start"], u["end"]) > 0
                       for a0, a1 in counted_spans)
            rep = judged_rep(result, u) if rule.relative_to == "own_reps" else None
            if label == "clean" and rep is not None and rule.id not in rep["own_reps"]:
                continue        # counted but not judged (a first rep, only remembered)
            instances.append({"rule": rule.id, "status": rule.status, "label": label,
                              "rep_counted": seen, "signal": signal,
                              "badness": badness(rule, signal),
                              "kinds": kinds, "size": size, "fired": bool(fired),
                              "side": u["side"], "followed": followed_in(*win),
                              "start": u["start"], "end": u["end"]})
    # What became of each labelled rep: counted, rejected (reason) or missed.
    rejected = [(float(e.data.get("start_s", e.time)), e.time, e.data.get("reason"))
                for e in events if e.kind == "rep_rejected"]
    rep_outcomes = []
    if spec.kind == "reps":
        for u in gt.reps:
            kinds = sorted({f["kind"] for f in gt.faults
                            if _overlap(f["start"], f["end"], u["start"], u["end"]) > 0.2})
            if any(_overlap(a0, a1 + 1e-6, u["start"], u["end"]) > 0 for a0, a1 in counted_spans):
                outcome = "counted"
            else:
                why = [w for a0, a1, w in rejected if _overlap(a0, a1 + 1e-6, u["start"],
                                                               u["end"]) > 0]
                outcome = f"rejected:{why[0]}" if why else "missed"
            rep_outcomes.append((kinds, outcome))
    va = result.metrics.column("view_angle")
    measured = _view_class_of(float(np.nanmedian(va))) if np.isfinite(va).any() else None
    hold_s = None
    if spec.kind == "hold":
        hold_s = float(sum(h.get("seconds", 0.0) for h in result.report.get("holds", [])
                           if isinstance(h, dict)))
    return ClipResult(name=video.stem, exercise=exercise, spec=spec.id, variant=gt.labels["variant"],
                      view=view, view_class=VIEW_CLASS[view], measured_view=measured,
                      body=int(info.get("body", -1)), gt_reps=gt_count, counted=counted,
                      matched=matched, phantom=phantom, instances=instances,
                      rep_outcomes=rep_outcomes,
                      ready=any(e.kind == "ready" for e in events), hold_s=hold_s,
                      followed=float(seen_person.mean()),
                      conditions=tuple(info.get("conditions", ())))


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def summarise(results: list[ClipResult]) -> dict:
    """rule table rows keyed (exercise, rule, view_class)."""
    table: dict = {}
    for r in results:
        for inst in r.instances:
            key = (r.spec, inst["rule"], r.view_class)
            row = table.setdefault(key, {"status": inst["status"], "tp": 0, "fn": 0, "fp": 0,
                                         "tn": 0, "rep_seen": 0, "clean_seen": 0,
                                         "sig_fault": [], "sig_clean": [],
                                         "kinds": defaultdict(lambda: [0, 0]),
                                         "sizes": defaultdict(lambda: [0, 0]),
                                         "lost": 0})
            if inst.get("followed", 1.0) < FOLLOWED_MIN:
                row["lost"] += 1
                continue
            if inst["label"] == "fault":
                primary = TARGETS[(r.spec, inst["rule"])][0]
                if primary in inst["kinds"]:
                    row["tp" if inst["fired"] else "fn"] += 1
                    row["rep_seen"] += int(inst["rep_counted"])
                    row["sig_fault"].append(inst["badness"])
                    if inst.get("size") is not None:
                        row["sizes"][inst["size"]][0] += int(inst["fired"])
                        row["sizes"][inst["size"]][1] += 1
                for k in inst["kinds"]:
                    row["kinds"][k][0] += int(inst["fired"])
                    row["kinds"][k][1] += 1
            else:
                row["fp" if inst["fired"] else "tn"] += 1
                row["clean_seen"] += int(inst["rep_counted"])
                row["sig_clean"].append(inst["badness"])
    return table


def refused(result: ClipResult) -> int:
    """Labelled reps of ``result`` with an incomplete-range fault rejected as too shallow."""
    return sum("incomplete_range" in kinds and what == "rejected:too_shallow"
               for kinds, what in result.rep_outcomes)


def markdown(results: list[ClipResult], table: dict, criterion: dict) -> str:
    lines = []
    lines.append("### Rep counts (per clip)\n")
    lines.append("Holds (`ninety_ninety_er`, `hip_bridge_hold`): timed bouts vs labelled "
                 "holds (bridge: labelled reps), in the L/R columns as their total.\n")
    lines.append("| clip | spec | view (measured) | GT L/R | counted L/R | matched | phantom |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in results:
        if r.gt_reps.get("none") or r.counted.get("none"):
            gtxt = f"{r.gt_reps['none']} (holds)"
            ctxt = f"{r.counted['none']} (holds)"
        else:
            gtxt = f"{r.gt_reps['left']}/{r.gt_reps['right']}"
            ctxt = f"{r.counted['left']}/{r.counted['right']}"
        lines.append(f"| {r.name} | {r.spec} | {r.view} ({r.measured_view}) | {gtxt} | "
                     f"{ctxt} | {r.matched} | {r.phantom} |")
    lines.append("")
    lines.append("### Rep-count accuracy (per exercise and view class)\n")
    lines.append("| spec | view | clips | GT reps | counted | matched | phantom | "
                 "clips exact per side |")
    lines.append("|---|---|---|---|---|---|---|---|")
    agg = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for r in results:
        a = agg[(r.spec, r.view_class)]
        a[0] += 1
        a[1] += sum(r.gt_reps.values())
        a[2] += sum(r.counted.values())
        a[3] += r.matched
        a[4] += r.phantom
        a[5] += int(all(r.counted.get(s, 0) == r.gt_reps.get(s, 0)
                        for s in ("left", "right", "none")))
    for (ex, vc), a in sorted(agg.items()):
        lines.append(f"| {ex} | {vc} | {a[0]} | {a[1]} | {a[2]} | {a[3]} | {a[4]} | "
                     f"{a[5]}/{a[0]} |")
    lines.append("")
    lines.append("### Counting by world condition\n")
    lines.append(f"Followed: the share of frames in which the model's joints lay within "
                 f"half a torso of the exerciser's (a second person or nobody otherwise). "
                 f"Rules are judged only on reps and holds followed in at least "
                 f"{FOLLOWED_MIN:.0%} of their frames.\n")
    lines.append("Refused: labelled reps with an incomplete-range fault that the counter "
                 "rejected as too shallow, which is what it is for (not a miss).\n")
    lines.append("| clips | n | labelled | matched | refused | phantom | clips exact | "
                 "model followed |")
    lines.append("|---|---|---|---|---|---|---|---|")
    groups: dict[str, list[ClipResult]] = defaultdict(list)
    for r in results:
        groups["all"].append(r)
        groups["model followed >= 80 % of frames" if r.followed >= FOLLOWED_MIN
               else "model followed < 80 % of frames"].append(r)
        for tag in r.conditions or ("none of the hard conditions",):
            groups[f"with {tag}" if r.conditions else tag].append(r)
    for name, rs in groups.items():
        exact = sum(all(r.counted.get(s, 0) == r.gt_reps.get(s, 0) for s in ("left", "right",
                                                                          "none")) for r in rs)
        lines.append(f"| {name} | {len(rs)} | {sum(sum(r.gt_reps.values()) for r in rs)} | "
                     f"{sum(r.matched for r in rs)} | {sum(refused(r) for r in rs)} | "
                     f"{sum(r.phantom for r in rs)} | "
                     f"{exact}/{len(rs)} | {sum(r.followed for r in rs) / len(rs):.2f} |")
    lines.append("")
    lines.append("### What became of each labelled rep\n")
    lines.append("| spec | view | rep label | n | counted | rejected (reason) | missed |")
    lines.append("|---|---|---|---|---|---|---|")
    outcome = defaultdict(lambda: defaultdict(int))
    for r in results:
        for kinds, what in r.rep_outcomes:
            label = "+".join(kinds) or "clean"
            outcome[(r.spec, r.view_class, label)][what] += 1
    for (sp, vc, label), o in sorted(outcome.items()):
        n = sum(o.values())
        rej = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(o.items())
                        if k.startswith("rejected"))
        lines.append(f"| {sp} | {vc} | {label} | {n} | {o.get('counted', 0)} | {rej or 0} | "
                     f"{o.get('missed', 0)} |")
    lines.append("")
    lines.append("### Fault detection per rule and view class\n")
    lines.append("Sensitivity = fault instances with an overlapping fault event of the rule / "
                 "fault instances; FPR = clean reps (holds) with an event of the rule / clean "
                 "reps (holds).\n")
    lines.append("| spec | rule | view | primary fault (others) | n fault | TP | "
                 "sensitivity (Wilson 95 %) | of which counted | n clean | FP | FPR (Wilson 95 %) | "
                 "signal AUC | per kind (hit/n) | per size (hit/n) | not judged (person lost) | "
                 "passes |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (ex, rule, vc), row in sorted(table.items()):
        nf, nc = row["tp"] + row["fn"], row["fp"] + row["tn"]
        kinds = ", ".join(f"{k} {h}/{n}" for k, (h, n) in sorted(row["kinds"].items()))
        sizes = ", ".join(f"{k:g}: {h}/{n}" for k, (h, n) in sorted(row["sizes"].items()))
        ok = passes(row, criterion)
        tg = TARGETS.get((ex, rule), ())
        target = (tg[0] + (f" ({', '.join(tg[1:])})" if tg[1:] else "")) if tg else "none"
        lines.append(f"| {ex} | `{rule}` | {vc} | {target} | {nf} | {row['tp']} | "
                     f"{_rate(row['tp'], nf)} | {row['rep_seen']}/{nf} | {nc} | {row['fp']} | "
                     f"{_rate(row['fp'], nc)} | {_fmt(auc(row['sig_fault'], row['sig_clean']))} | "
                     f"{kinds or '–'} | {sizes or '–'} | {row['lost']} | "
                     f"{'yes' if ok else 'no'} |")
    return "\n".join(lines) + "\n"


def _rate(hits: int, n: int) -> str:
    """ "0.90 (0.74-0.97)": a proportion with its Wilson 95 % interval."""
    if not n:
        return "–"
    low, high = wilson(hits, n)
    return f"{hits / n:.2f} ({low:.2f}-{high:.2f})"


def passes(row: dict, c: dict) -> bool:
    """The synthetic part of the criterion (benchmarks/VALIDATION.md): enough instances,
    sensitivity and its Wilson lower bound, false-alarm rate."""
    nf, nc = row["tp"] + row["fn"], row["fp"] + row["tn"]
    if nf < c["min_fault"] or nc < c["min_clean"]:
        return False
    return (row["tp"] / nf >= c["min_sensitivity"]
            and wilson(row["tp"], nf)[0] >= c["min_lower"]
            and row["fp"] / nc <= c["max_fpr"])


def judged_from(views: tuple[str, ...] | list[str], view_class: str) -> bool:
    """Whether a rule with these views judges a clip filmed from ``view_class`` (front and
    rear share a class: view_angle cannot tell them apart)."""
    return view_class in views or (view_class == "front" and "rear" in views)


def clip_number(name: str) -> int:
    """The number a clip's name starts with (``0042_lunge_clean_left`` -> 42; 0 if none)."""
    digits = "".join(ch for ch in name.split("_")[0] if ch.isdigit())
    return int(digits) if digits else 0


def in_part(info: dict, name: str, part: str) -> bool:
    """Whether a clip belongs to ``part``: thresholds are chosen on the clips of even body
    shapes and reported on the odd ones, so no reported person was ever seen while choosing
    (clips without a body index split on their number instead)."""
    if part == "all":
        return True
    key = info.get("body", -1)
    if key is None or int(key) < 0:
        key = clip_number(name)
    return (int(key) % 2 == 0) == (part == "choose")


def suggest(row: dict, comparison: str, max_fpr: float) -> dict | None:
    """The loosest threshold at which at most ``max_fpr`` of the clean instances' signals
    would fire, and the sensitivity it gives, from a row of ``evaluate --json`` (signals are
    ``badness``: larger = worse). None for range rules or without clean signals."""
    clean = sorted(x for x in row["sig_clean"] if x is not None)
    fault = [x for x in row["sig_fault"] if x is not None]
    if comparison not in ("above", "below") or not clean:
        return None
    allowed = int(max_fpr * len(clean))
    cut = clean[len(clean) - 1 - allowed]
    hits = sum(x > cut for x in fault)
    value = cut if comparison == "below" else -cut
    return {"value": float(f"{value:.3g}"), "clean_n": len(clean), "fault_n": len(fault),
            "fault_hits": hits, "sensitivity": hits / len(fault) if fault else None}


def cmd_choose(args: argparse.Namespace) -> int:
    """Thresholds chosen on the 'choose' half (an ``evaluate --part choose --json`` file)."""
    from posecheck.checking.spec import load_spec

    rows = json.loads(Path(args.results).read_text())["rules"]
    print("| spec | rule | view | now | suggested | fault hit/n at it | clean n |")
    print("|---|---|---|---|---|---|---|")
    for row in sorted(rows, key=lambda r: (r["spec"], r["rule"], r["view"])):
        rule = next(r for r in load_spec(row["spec"]).rules if r.id == row["rule"])
        got = suggest(row, rule.comparison, args.max_fpr)
        if got is None or not got["fault_n"]:
            continue
        print(f"| {row['spec']} | `{row['rule']}` | {row['view']} | {rule.value} | "
              f"{got['value']} | {got['fault_hits']}/{got['fault_n']} | {got['clean_n']} |")
    return 0


def smallest_caught(sizes: dict) -> str | None:
    """ "10 degrees (9/10)": the smallest fault size caught at the criterion's sensitivity
    (sizes: size -> [hits, n]), or None."""
    for size, (hits, n) in sorted((float(k), v) for k, v in sizes.items()):
        if n and hits / n >= 0.85:
            return f"{size:g} degrees ({hits}/{n})"
    return None


def cmd_record(args: argparse.Namespace) -> int:
    """Write an ``evaluate --json`` file's counts into ``benchmarks/rule_measurements.json`` as
    the rows of one set (replacing that set's earlier rows); ``rule_cards.py`` then derives
    rates, intervals and verdicts."""
    path = ROOT / "benchmarks" / "rule_measurements.json"
    data = json.loads(path.read_text())
    for row in json.loads(Path(args.results).read_text())["rules"]:
        key = f"{row['spec']}.{row['rule']}"
        measured = data["rules"].setdefault(key, {"synthetic": [], "real": None})
        measured["date"] = datetime.date.today().isoformat()
        measured["synthetic"] = [r for r in measured.get("synthetic", [])
                                 if not (r["set"] == args.set and r["view"] == row["view"])]
        counts = {"set": args.set, "world": args.world, "view": row["view"],
                  "clean_n": row["fp"] + row["tn"], "clean_alarms": row["fp"]}
        if row["tp"] + row["fn"]:
            counts.update(fault_n=row["tp"] + row["fn"], fault_hits=row["tp"])
            caught = smallest_caught(row.get("sizes", {}))
            if caught:
                counts["smallest_fault"] = caught
        measured["synthetic"].append(counts)
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{path}: rows of {args.set!r} written; now run benchmarks/rule_cards.py")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    index = {}
    for idx in ("focus_index.json", "index.json"):
        if (folder / idx).exists():
            for e in json.loads((folder / idx).read_text()):
                index[e["name"]] = e
    if (folder / "index.json").exists():
        from posecheck.synth.validation import plan

        # A clip's seed is its set's seed plus its number; a focused top-up keeps some clips.
        last: dict[int, int] = {}
        for name, entry in index.items():
            k = clip_number(name)
            set_seed = entry["seed"] - k
            last[set_seed] = max(last.get(set_seed, 0), k)
        tags = {name: t for set_seed, k in last.items()
                for name, t in world_conditions(plan(k + 1, set_seed)).items()}
        for name, entry in index.items():
            entry.setdefault("conditions", tags.get(name, ()))
    videos = sorted(p for p in folder.glob(args.glob)
                    if p.suffix == ".mp4" and ".part" not in p.name
                    and p.with_name(p.stem + ".gt.npz").exists())
    videos = [v for v in videos if in_part(index.get(v.stem, {}), v.stem, args.part)
              and clip_number(v.stem) >= args.from_clip]
    results = []
    for video in videos:
        t0 = time.perf_counter()
        try:
            gt, analysis = analyse_clip(video, None, args.model, args.refresh)
            runs = [analysis] + [analyse_clip(video, extra)[1] for extra in
                                 EXTRA_SPECS.get(gt.labels["exercise"], ())]
        except Exception as exc:  # a broken clip must not stop the study
            print(f"{video.name}: FAILED {exc!r}", file=sys.stderr)
            continue
        for analysis in runs:
            r = score_clip(video, gt, analysis, index.get(video.stem, {}))
            results.append(r)
            fired = sorted({i["rule"] for i in r.instances if i["fired"]})
            print(f"{video.stem} [{r.spec}]: GT {r.gt_reps} counted {r.counted} phantom "
                  f"{r.phantom} view {r.view}->{r.measured_view} fired {fired} "
                  f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
    table = summarise(results)
    criterion = {"min_sensitivity": args.min_sensitivity, "max_fpr": args.max_fpr,
                 "min_lower": args.min_lower, "min_fault": args.min_n, "min_clean": args.min_n}
    md = markdown(results, table, criterion)
    print(md)
    if args.markdown:
        Path(args.markdown).write_text(md)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"clips": [r.__dict__ for r in results],
             "rules": [{"spec": k[0], "rule": k[1], "view": k[2],
                        **{x: v for x, v in row.items() if x not in ("kinds", "sizes")},
                        "auc": auc(row["sig_fault"], row["sig_clean"]),
                        "kinds": {a: b for a, b in row["kinds"].items()},
                        "sizes": {a: b for a, b in row["sizes"].items()},
                        "passes": passes(row, criterion)} for k, row in table.items()]},
            indent=1, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="render the focused set (.venv-synth)")
    r.add_argument("--out", default=".cache/validation")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--fps", type=float, default=10.0)
    r.add_argument("--limit", type=int, default=0, help="only the first N clips")
    r.set_defaults(func=cmd_render)
    e = sub.add_parser("evaluate", help="pipeline vs ground truth (.venv)")
    e.add_argument("folder", nargs="?", default=".cache/validation")
    e.add_argument("--glob", default="*.mp4")
    e.add_argument("--from-clip", type=int, default=0,
                   help="leave out clips numbered below this (seen before: a pilot)")
    e.add_argument("--model", default="full")
    e.add_argument("--refresh", action="store_true", help="re-run the model, ignore tracks")
    e.add_argument("--markdown", help="write the tables here")
    e.add_argument("--json", help="write all per-clip results here")
    # The criterion of issue 9, written before measuring (benchmarks/VALIDATION.md).
    e.add_argument("--min-sensitivity", type=float, default=0.85)
    e.add_argument("--min-lower", type=float, default=0.70,
                   help="smallest Wilson 95 %% lower bound of the sensitivity")
    e.add_argument("--max-fpr", type=float, default=0.05)
    e.add_argument("--min-n", type=int, default=20)
    e.add_argument("--part", choices=("all", "choose", "report"), default="all",
                   help="the half of the set to score: thresholds are chosen on 'choose' "
                        "(even body shapes) and reported on 'report' (odd ones)")
    e.set_defaults(func=cmd_evaluate)
    c = sub.add_parser("choose", help="thresholds from an `evaluate --part choose --json` file")
    c.add_argument("results")
    c.add_argument("--max-fpr", type=float, default=0.05)
    c.set_defaults(func=cmd_choose)
    w = sub.add_parser("record", help="write an `evaluate --json` file's counts into "
                                      "benchmarks/rule_measurements.json")
    w.add_argument("results")
    w.add_argument("--set", required=True, help="the set's name; 'held-out ...' for a set "
                                                "no threshold was chosen on")
    w.add_argument("--world", default="phone", choices=("clean_room", "phone"),
                   help="the synthetic world the set was rendered in: a rule's verdict uses "
                        "the hardest world it was measured in (benchmarks/rule_cards.py)")
    w.set_defaults(func=cmd_record)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
