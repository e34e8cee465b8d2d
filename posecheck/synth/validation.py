"""The validation set: many varied clips with ground truth, rendered on demand and cached.

Clip ``i`` of a set is fully determined by (set seed, i): exercise and variant cycle, the view
cycles through the exercise's views, the body is one of ``BODIES`` shapes, and clothing,
skin, room colours and camera distance and height vary. Already rendered clips whose stored
spec matches are skipped, so an interrupted run resumes. Workers are separate processes
(spawned: each owns one GL context) and keep their body between clips of the same shape.

Output: ``<out>/<name>.mp4`` + ``<name>.gt.npz`` and ``<out>/index.json`` (one entry per clip).
"""
from __future__ import annotations

import itertools
import json
import multiprocessing as mp
import os
import sys
import time
import zlib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from posecheck.synth.appearance import Appearance
from posecheck.synth.clip import ClipSpec
from posecheck.synth.cues import Clip
from posecheck.synth.exercises import script
from posecheck.synth.faults import FAULT_SIZES
from posecheck.synth.world import draw as draw_world

#: Distinct body shapes in a set (a worker reloads the model when the shape changes).
BODIES = 8
#: Exercise -> camera views it is rendered from, in turn (a view listed twice comes twice as
#: often): the views its key cues are judged from (``cues.KEY_CUES``) and some others, where
#: the rules must stay silent, for counting false alarms. Lying exercises whose forward is
#: the head: ``rear*`` looks from the feet.
VIEWS_BY_EXERCISE = {
    "bird_dog": ("left", "right", "front_left", "left", "right", "front_right", "rear_left"),
    "fire_hydrant": ("rear_left", "rear_right", "rear", "front_left", "left", "front_right"),
    "glute_bridge": ("rear_left", "left", "rear_right", "right", "rear_left", "rear_right",
                     "rear"),
    "hip_bridge_hold": ("rear_left", "rear_right", "left", "rear_left", "rear_right", "right"),
    "bridge_leg_extension": ("rear_left", "left", "rear_right", "right", "front_left"),
    "bridge_knee_drive": ("rear_left", "left", "rear_right", "right", "front_right"),
    "ninety_ninety_er": ("left", "right", "front_left", "right", "left", "front_right"),
    "ninety_ninety_ir": ("front_left", "front_right", "front", "left"),
    "active_ninety_ninety_er": ("left", "front_left", "right", "front_right"),
    "active_ninety_ninety_ir": ("left", "right", "rear", "rear_left", "rear_right"),
    "lunge": ("left", "right", "front_left", "left", "right", "front_right"),
    "squat": ("left", "right", "front_left", "left", "right", "front_right", "front"),
    "cossack_squat": ("front", "front_left", "front_right", "left", "rear"),
    "side_lying_leg_raise": ("front", "front_left", "front_right", "rear"),
    "seated_hip_opener": ("front", "front_left", "front_right", "left", "right"),
    "active_hamstring_stretch": ("left", "right", "rear_left", "rear_right"),
}
#: Exercise -> (fault clips, clean clips, reps or holds per clip) in every 200 clips. Key-cue
#: exercises come often and with many reps, so that each key cue has at least 20 fault and 20
#: clean instances in its primary view class in a 200-clip set
#: (``cues.table(clips(plan(200)))``).
MIX: dict[str, tuple[int, int, int]] = {
    "bird_dog": (19, 5, 6),
    "fire_hydrant": (13, 4, 8),
    "glute_bridge": (14, 5, 8),
    "hip_bridge_hold": (17, 5, 4),
    "bridge_leg_extension": (5, 2, 4),
    "bridge_knee_drive": (5, 2, 4),
    "ninety_ninety_er": (11, 5, 5),
    "ninety_ninety_ir": (5, 2, 3),
    "active_ninety_ninety_er": (5, 2, 4),
    "active_ninety_ninety_ir": (5, 2, 4),
    "lunge": (17, 4, 7),
    "squat": (17, 4, 10),
    "cossack_squat": (4, 2, 4),
    "side_lying_leg_raise": (5, 2, 4),
    "seated_hip_opener": (4, 2, 4),
    "active_hamstring_stretch": (4, 2, 5),
}
VARIANTS = ("clean", "faults")


def mix_order() -> list[tuple[str, str, int]]:
    """One cycle of the set's (exercise, variant, reps): every entry of ``MIX`` as often as
    it says, each spread evenly over the cycle."""
    slots = []
    for exercise in sorted(MIX):
        faulty, clean, reps = MIX[exercise]
        for variant, count in (("faults", faulty), ("clean", clean)):
            slots += [((k + 0.5) / count, exercise, variant, reps) for k in range(count)]
    return [(e, v, r) for _, e, v, r in sorted(slots)]


def fault_size(seed: int, exercise: str, k: int) -> float:
    """The fault size of the ``k``-th fault clip of ``exercise`` in the set with ``seed``: one
    of ``FAULT_SIZES``, drawn without replacement in blocks of three, so every size comes
    equally often and independently of the view turn (from its own random stream: the
    world's draws do not move)."""
    rng = np.random.default_rng([seed, 3, zlib.crc32(exercise.encode()), k // 3])
    return FAULT_SIZES[int(rng.permutation(len(FAULT_SIZES))[k % len(FAULT_SIZES)])]


def clips(jobs: list["Job"]) -> list[Clip]:
    """What ``cues.counts`` needs of each job."""
    return [Clip(j.spec.exercise, j.spec.variant, j.spec.seed, j.spec.fault_size, j.spec.reps,
                 j.spec.camera.view) for j in jobs]


@dataclass(frozen=True)
class Job:
    """One clip of the set."""

    name: str
    body: int
    spec: ClipSpec


def plan(n: int, seed: int = 0, fps: float | None = None, width: int | None = None,
         height: int | None = None, world: str = "phone") -> list[Job]:
    """The first ``n`` clips of the set with this ``seed`` in ``world``
    (``posecheck.synth.world``: ``clean_room`` re-draws the sets of 2026-11 exactly; fps and
    size default to the world's)."""
    body_rng = np.random.default_rng([seed, 1])
    shapes = [Appearance.random(body_rng) for _ in range(BODIES)]
    # Exercises interleave in MIX proportions, so even a small set covers every exercise.
    combos = itertools.cycle(mix_order())
    # Views turn per (exercise, variant): keyed by exercise alone, an even number of views
    # would give the clean clips only left-hand views and the fault clips only right-hand ones.
    view_turn: dict[tuple[str, str], int] = {}
    sized: Counter[str] = Counter()
    jobs = []
    for i in range(n):
        exercise, variant, reps = next(combos)
        views = VIEWS_BY_EXERCISE.get(exercise, ("left", "right"))
        turn = view_turn.get((exercise, variant), 0)
        view = views[turn % len(views)]
        view_turn[exercise, variant] = turn + 1
        rng = np.random.default_rng([seed, 2, i])
        # Appearance, room, light, camera and capture: drawn by the world (world.py).
        body = int(rng.integers(BODIES)) if world == "clean_room" else i
        size = None
        if variant == "faults":
            size = fault_size(seed, exercise, sized[exercise])
            sized[exercise] += 1
        scripted = script(exercise, variant, seed + i, size, reps)
        drawn = draw_world(world, rng, scripted.camera, view, scripted.motion.family,
                           shapes[body] if world == "clean_room" else None, fps,
                           (width, height) if width and height else None)
        spec = ClipSpec(exercise=exercise, variant=variant, seed=seed + i, fault_size=size,
                        reps=reps, **drawn)
        jobs.append(Job(f"{i:04d}_{exercise}_{variant}_{view}", body, spec))
    return jobs


def _is_done(out: Path, job: Job) -> bool:
    """The clip exists and was rendered from this exact spec."""
    from posecheck.synth.groundtruth import GroundTruth

    gt_path = out / f"{job.name}.gt.npz"
    if not gt_path.exists() or not (out / f"{job.name}.mp4").exists():
        return False
    try:
        stored = GroundTruth.load(gt_path).labels.get("spec", {})
    except ValueError:
        return False
    wanted = json.loads(json.dumps(job.spec.to_dict()))
    return all(stored.get(k) == v for k, v in wanted.items() if v is not None)


def _init_worker() -> None:
    """One thread each for llvmpipe and torch: the workers share the machine's cores."""
    os.environ.setdefault("LP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def _render(args: tuple[str, Job]) -> dict:
    from posecheck.synth.clip import render_clip

    out, job = args
    start = time.perf_counter()
    gt, stats = render_clip(job.spec, Path(out) / f"{job.name}.mp4")
    return {"name": job.name, "frames": stats.frames, "reps": len(gt.reps),
            "seconds": round(time.perf_counter() - start, 2)}


def generate(out: str | Path, n: int = 200, workers: int = 2, seed: int = 0,
             fps: float | None = None, width: int | None = None, height: int | None = None,
             progress: bool = True, world: str = "phone",
             exercises: tuple[str, ...] = (), views: tuple[str, ...] = ()) -> list[dict]:
    """Render the missing clips of the first ``n`` of the set into ``out``; write index.json.

    ``exercises``, ``views``: keep only clips of these exercises and camera views (a focused
    top-up of the same set: each kept clip is exactly clip ``i`` of the whole set). Returns
    one summary dict per clip rendered now.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [j for j in plan(n, seed, fps, width, height, world)
            if (not exercises or j.spec.exercise in exercises)
            and (not views or j.spec.camera.view in views)]
    todo = sorted((j for j in jobs if not _is_done(out, j)), key=lambda j: (j.body, j.name))
    if progress:
        print(f"validation set: {len(jobs) - len(todo)} of {len(jobs)} clips cached, "
              f"rendering {len(todo)} with {workers} workers", file=sys.stderr, flush=True)
    done: list[dict] = []
    start = time.perf_counter()
    if todo:
        ctx = mp.get_context("spawn")
        with ctx.Pool(max(1, workers), initializer=_init_worker, maxtasksperchild=None) as pool:
            for result in pool.imap_unordered(_render, [(str(out), j) for j in todo]):
                done.append(result)
                if progress:
                    print(f"[{len(done)}/{len(todo)}] {result['name']}: {result['frames']} "
                          f"frames in {result['seconds']} s", file=sys.stderr, flush=True)
    index = [{"name": j.name, "video": f"{j.name}.mp4", "ground_truth": f"{j.name}.gt.npz",
              "body": j.body, **{k: v for k, v in asdict(j.spec).items()
                                 if k in ("exercise", "variant", "seed", "fps")},
              "view": j.spec.camera.view} for j in jobs]
    (out / "index.json").write_text(json.dumps(index, indent=1))
    if progress and done:
        frames = sum(d["frames"] for d in done)
        wall = time.perf_counter() - start
        print(f"rendered {len(done)} clips, {frames} frames in {wall:.0f} s "
              f"({frames / wall:.2f} frames/s with {workers} workers)", file=sys.stderr)
    return done
