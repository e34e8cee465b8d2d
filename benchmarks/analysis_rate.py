"""What ``--analysis-fps`` changes: the model run on every frame, then on 15 and 10 frames a
second, of the synthetic samples (15 fps, exact ground truth) and of the real clips of
``../shared/videos/LABELS.tsv`` (mostly 30 fps; read in place, never copied).

Synthetic: reps counted against the ground truth, the counted reps' start and end against the
ground-truth rep they overlap most, and the injected faults flagged (any rule, overlapping the
fault's window) or flagged outside every fault window (+-1 s). Real: counts inside the human
range. The model runs at each rate (VIDEO-mode tracking sees the lower rate), full model.

    .venv/bin/python benchmarks/analysis_rate.py [--rates 30 15 10] [--model full]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from posecheck.pipeline import analyze
from real_clips import labelled_clips  # benchmarks/real_clips.py, beside this script

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
SHARED_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "videos"
SPEC_OF = {"bird_dog_clean": "bird_dog", "bird_dog_faults": "bird_dog", "lunge": "lunge",
           "hip_bridge": "bridge_leg_extension", "ninety_ninety": "ninety_ninety_er"}


def ground_truth(name: str) -> dict:
    with np.load(SAMPLES / f"{name}.gt.npz", allow_pickle=False) as gt:
        return json.loads(str(gt["labels"]))


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def synthetic(rate: float | None, model: str) -> dict:
    """Totals over the samples at one analysis rate."""
    tally = {"reps": 0, "truth": 0, "clips_right": 0, "start_err": [], "end_err": [],
             "faults_hit": 0, "faults": 0, "flagged_outside": 0, "frames": 0, "seconds": 0.0}
    for name, spec in SPEC_OF.items():
        labels = ground_truth(name)
        truth = [(iv["start"], iv["end"]) for iv in labels["intervals"] if iv["kind"] == "rep"]
        start = time.perf_counter()
        result = analyze(SAMPLES / f"{name}.mp4", spec, model=model, workers=1,
                         analysis_fps=rate)
        tally["seconds"] += time.perf_counter() - start
        tally["frames"] += len(result.track)
        report = result.report
        counted = [(r["start_s"], r["end_s"]) for r in report["rep_details"]]
        tally["reps"] += report["reps"]["total"]
        tally["truth"] += len(truth)
        tally["clips_right"] += report["reps"]["total"] == len(truth)
        for rep in counted:
            best = max(truth, key=lambda t: overlap(rep, t), default=None)
            if best is not None and overlap(rep, best) > 0:
                tally["start_err"].append(abs(rep[0] - best[0]))
                tally["end_err"].append(abs(rep[1] - best[1]))
        flagged = [(f["start_s"], f["end_s"] if f["end_s"] is not None else 1e9)
                   for f in report["faults"]]
        windows = [(f["start"], f["end"]) for f in labels["faults"]]
        tally["faults"] += len(windows)
        tally["faults_hit"] += sum(any(overlap(f, w) > 0 for f in flagged) for w in windows)
        tally["flagged_outside"] += sum(not any(overlap(f, (w[0] - 1, w[1] + 1)) > 0
                                                for w in windows) for f in flagged)
    return tally


def real(rate: float | None, model: str, videos: Path) -> dict:
    tally = {"inside": 0, "clips": 0, "phantom": 0, "frames": 0, "seconds": 0.0}
    for row in labelled_clips(videos):
        start = time.perf_counter()
        result = analyze(videos / row["file"], row["spec"], model=model, workers=1,
                         analysis_fps=rate)
        tally["seconds"] += time.perf_counter() - start
        tally["frames"] += len(result.track)
        total = result.report["reps"]["total"]
        tally["clips"] += 1
        tally["inside"] += int(row["reps_min"]) <= total <= int(row["reps_max"])
        tally["phantom"] += total if row["kind"] == "hold" else 0
        print(f"    {rate or 'all'} {row['file'][:50]}: {total} "
              f"(human {row['reps_min']}-{row['reps_max']})", flush=True)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", type=float, nargs="+", default=[30, 15, 10])
    parser.add_argument("--model", default="full")
    parser.add_argument("--videos", type=Path, default=SHARED_VIDEOS)
    args = parser.parse_args()
    print("| set | analysis fps | frames analysed | model s | reps / truth | clips counted "
          "right | rep start err (median s) | rep end err | faults flagged | flagged outside "
          "faults |")
    print("|---|---|---:|---:|---|---|---:|---:|---|---:|")
    for rate in args.rates:
        t = synthetic(rate, args.model)
        med = (lambda v: f"{statistics.median(v):.3f}" if v else "-")
        print(f"| synthetic (15 fps) | {rate:g} | {t['frames']} | {t['seconds']:.1f} | "
              f"{t['reps']}/{t['truth']} | {t['clips_right']}/{len(SPEC_OF)} | "
              f"{med(t['start_err'])} | {med(t['end_err'])} | {t['faults_hit']}/{t['faults']} | "
              f"{t['flagged_outside']} |", flush=True)
    if (args.videos / "LABELS.tsv").exists():
        print("\n| set | analysis fps | frames analysed | model s | counts inside human range "
              "| phantom reps on holds |\n|---|---|---:|---:|---|---:|")
        for rate in args.rates:
            t = real(rate, args.model, args.videos)
            print(f"| real clips | {rate:g} | {t['frames']} | {t['seconds']:.1f} | "
                  f"{t['inside']}/{t['clips']} | {t['phantom']} |", flush=True)


if __name__ == "__main__":
    main()
