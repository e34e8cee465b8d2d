"""Tightly cut clips with exact ground truth: the committed synthetic samples' landmark tracks
(MediaPipe on the rendered video), cut and re-timed the way real clips found online are, and
counted in recorded and live mode against the ground truth's rep intervals.

Families (per sample, per rep where it applies):
- ``lead-in L``: one rep, from L seconds before it starts to 0.3 s after it ends;
- ``starts mid-rep``: from a rep's middle to 0.3 s after the next rep ends (2 reps);
- ``ends mid-rep``: from 0.3 s before a rep to the middle of the next one (2 reps);
- ``fast x2``: the whole clip played twice as fast (reps of 0.6-1 s);
- ``uneven frames``: every third frame dropped at random (variable frame rate);
- ``fidget only``: each labelled fidget (arm swing, foot shuffle) with 1 s around it: 0 reps.

    .venv/bin/python benchmarks/cut_clips.py [--tracks .cache/samples]
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Iterator

import numpy as np

from posecheck.pipeline import check, estimate_video
from posecheck.checking.spec import load_spec
from posecheck.pose.track import PoseTrack
from track_cache import cached_track

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
SPEC_OF = {"bird_dog_clean": "bird_dog", "bird_dog_faults": "bird_dog", "lunge": "lunge",
           "hip_bridge": "bridge_leg_extension"}
LEAD_INS = (0.2, 0.4, 0.6)

Case = tuple[str, PoseTrack, int]  # family, clip, reps expected


def sample_track(name: str, cache: Path) -> PoseTrack:
    """The sample's landmark track (MediaPipe full), cached until the sample is re-rendered."""
    video = SAMPLES / f"{name}.mp4"
    return cached_track(cache / f"{name}.track.npz", video,
                        lambda: estimate_video(str(video), workers=1))


def labelled(name: str, kind: str) -> list[dict]:
    """Ground-truth intervals of one kind (rep, fidget, ...) of a sample."""
    with np.load(SAMPLES / f"{name}.gt.npz", allow_pickle=False) as gt:
        labels = json.loads(str(gt["labels"]))
    return [iv for iv in labels["intervals"] if iv["kind"] == kind]


def cut(track: PoseTrack, start: float, end: float) -> PoseTrack:
    """Frames in [start, end], re-timed to begin at 0."""
    keep = (track.times >= start) & (track.times <= end)
    clip = track[np.flatnonzero(keep)]
    clip.times = clip.times - clip.times[0]
    return clip


def cases(name: str, track: PoseTrack, rng: np.random.Generator) -> Iterator[Case]:
    reps = labelled(name, "rep")
    for rep in reps:
        for lead in LEAD_INS:
            yield f"lead-in {lead:.1f} s", cut(track, rep["start"] - lead, rep["end"] + 0.3), 1
    for first, second in zip(reps, reps[1:]):
        middle = (first["start"] + first["end"]) / 2
        yield "starts mid-rep", cut(track, middle, second["end"] + 0.3), 2
        yield "ends mid-rep", cut(track, first["start"] - 0.3,
                                  (second["start"] + second["end"]) / 2), 2
    fast = track[np.arange(len(track))]
    fast.times = track.times / 2.0
    yield "fast x2", fast, len(reps)
    kept = np.flatnonzero((np.arange(len(track)) % 3 != 0) | (rng.random(len(track)) < 0.5))
    yield "uneven frames", track[kept], len(reps)
    for fidget in labelled(name, "fidget"):
        yield "fidget only", cut(track, fidget["start"] - 1.0, fidget["end"] + 1.0), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=Path, default=Path(".cache/samples"))
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    right: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    phantom: dict[str, int] = defaultdict(int)
    for name, spec_id in SPEC_OF.items():
        spec = load_spec(spec_id)
        for family, clip, expected in cases(name, sample_track(name, args.tracks), rng):
            for mode in ("recorded", "live"):
                total = check(clip, spec, mode=mode)[2]["reps"]["total"]
                tally = right[(family, mode)]
                tally[0] += total == expected
                tally[1] += 1
                phantom[mode] += max(0, total - expected)
    print("| family | clips | recorded: count right | live: count right |")
    print("|---|---|---|---|")
    for family in dict.fromkeys(f for f, _ in right):
        rec, live = right[(family, "recorded")], right[(family, "live")]
        print(f"| {family} | {rec[1]} | {rec[0]} ({rec[0] / rec[1]:.0%}) "
              f"| {live[0]} ({live[0] / live[1]:.0%}) |")
    print(f"\nreps counted beyond the ground truth: recorded {phantom['recorded']}, "
          f"live {phantom['live']}")


if __name__ == "__main__":
    main()
