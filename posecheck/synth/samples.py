"""The committed sample clips (``sample_videos/``): name -> how each is made.

``python -m posecheck.synth samples --out sample_videos`` (``make samples``) renders them all;
each is also one ``render`` command (see ``sample_videos/README.md``).
"""
from __future__ import annotations

from pathlib import Path

from posecheck.synth.clip import ClipSpec, RenderStats, render_clip

#: Sample name -> spec (640x480, 15 fps, default person and each exercise's default camera).
SAMPLES: dict[str, ClipSpec] = {
    "bird_dog_clean": ClipSpec("bird_dog", "clean", seed=0),
    "bird_dog_faults": ClipSpec("bird_dog", "faults", seed=0),
    "hip_bridge": ClipSpec("bridge_leg_extension", "faults", seed=0),
    "ninety_ninety": ClipSpec("ninety_ninety_er", "faults", seed=0),
    "lunge": ClipSpec("lunge", "clean", seed=0),
    "squat": ClipSpec("squat", "faults", seed=0, reps=6),
}


def render_samples(out: str | Path, names: list[str] | None = None,
                   progress: bool = True) -> dict[str, RenderStats]:
    """Render the samples ``names`` (default: all) into ``out``."""
    stats = {}
    for name in names or list(SAMPLES):
        gt, stats[name] = render_clip(SAMPLES[name], Path(out) / f"{name}.mp4", progress=progress)
        if progress:
            s = stats[name]
            print(f"{name}: {s.frames} frames, {len(gt.reps)} reps, {s.fps:.2f} frames/s")
    return stats
