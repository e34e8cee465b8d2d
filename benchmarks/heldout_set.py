"""A held-out synthetic set for the two validated rules, rendered with seeds and bodies that no
threshold or status was ever chosen on (issue 9, stricter criterion).

Built like ``validate_rules.focus_jobs`` (varied bodies, clothing, rooms, camera distance and
height) with its own seed and its own list of clips, bird dog side views first. Rendered with
one worker process, in list order, skipping clips already rendered from the same spec; the
index is written as ``focus_index.json`` so that ``validate_rules.py evaluate`` reads it.

    ANNY_CACHE_DIR=.cache/anny .venv-synth/bin/python benchmarks/heldout_set.py \\
        --out .cache/heldout --limit 16
    .venv/bin/python benchmarks/validate_rules.py evaluate .cache/heldout --min-n 20 \\
        --min-sensitivity 0.85 --max-fpr 0.05 --json /tmp/heldout.json
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from validate_rules import write_index

#: Seed of the held-out set (the 64-clip focused set used 7, the samples 0).
HELDOUT_SEED = 29

#: (exercise, variant, view) in render order: the bird dog in side views (each faults clip
#: has one pelvis-roll rep, one lumbar-arch rep and two clean reps), then 90/90 holds.
HELDOUT: list[tuple[str, str, str]] = [
    ("bird_dog", "faults", "left"), ("bird_dog", "faults", "right"),
    ("bird_dog", "clean", "left"),
    ("bird_dog", "faults", "right"), ("bird_dog", "faults", "left"),
    ("bird_dog", "faults", "right"), ("bird_dog", "faults", "left"),
    ("bird_dog", "clean", "right"),
    ("bird_dog", "faults", "left"), ("bird_dog", "faults", "right"),
    ("bird_dog", "faults", "left"), ("bird_dog", "faults", "right"),
    ("ninety_ninety_er", "faults", "left"), ("ninety_ninety_er", "faults", "front_right"),
    ("ninety_ninety_er", "faults", "right"), ("ninety_ninety_er", "faults", "front_left"),
]


def heldout_jobs(fps: float, seed: int = HELDOUT_SEED) -> list:
    """The held-out clips as ``posecheck.synth.validation.Job``s, in render order."""
    import numpy as np

    from posecheck.synth.appearance import Appearance
    from posecheck.synth.clip import ClipSpec
    from posecheck.synth.exercises import EXERCISES
    from posecheck.synth.scene import Room
    from posecheck.synth.validation import BODIES, Job

    shapes = [Appearance.random(np.random.default_rng([seed, 1])) for _ in range(BODIES)]
    jobs = []
    for i, (exercise, variant, view) in enumerate(HELDOUT):
        rng = np.random.default_rng([seed, 2, i])
        look = replace(Appearance.random(rng), **shapes[i % BODIES].phenotype())
        clip_seed = 1000 * seed + i
        default = EXERCISES[exercise](variant, np.random.default_rng(clip_seed)).camera
        camera = replace(default, view=view,
                         distance=round(default.distance * float(rng.uniform(0.9, 1.2)), 3),
                         height=round(max(0.15, default.height + float(rng.uniform(-0.15, 0.3))),
                                      3))
        spec = ClipSpec(exercise=exercise, variant=variant, seed=clip_seed, fps=fps,
                        appearance=look, camera=camera, room=Room.random(rng))
        jobs.append(Job(f"held{i:03d}_{exercise}_{variant}_{view}", i % BODIES, spec))
    return jobs


def main() -> int:
    from posecheck.synth.validation import _init_worker, _is_done, _render

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(".cache/heldout"))
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--limit", type=int, default=len(HELDOUT), help="only the first N")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = heldout_jobs(args.fps)[:args.limit]
    write_index(args.out, jobs)
    _init_worker()
    start = time.perf_counter()
    for k, job in enumerate(jobs):
        if _is_done(args.out, job):
            continue
        result = _render((str(args.out), job))
        print(f"[{k + 1}/{len(jobs)}] {result['name']}: {result['frames']} frames in "
              f"{result['seconds']} s ({time.perf_counter() - start:.0f} s so far)",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
