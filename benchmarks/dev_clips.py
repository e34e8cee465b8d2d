"""Run posecheck on every development clip in ../shared/videos and print a markdown table of
reps and faults next to the manifest's counts by eye.

The clips are third-party footage: they are read in place and never copied into the project.

    .venv/bin/python benchmarks/dev_clips.py [--model full] [--out /tmp/dev-reports]
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from posecheck.pipeline import analyze
from posecheck.outputs.report import write_json_report

SHARED_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "videos"
#: Manifest exercise → the spec that checks it (None: no spec covers that movement).
SPEC_FOR = {
    "90_90": "ninety_ninety_er", "bird_dog": "bird_dog", "fire_hydrant": "fire_hydrant",
    "figure_four": "figure_four_stretch", "glute_bridge": "hip_bridge_hold",
    "hip_circles": "hip_circles", "hip_flexor_stretch": "hip_flexor_stretch", "lunge": "lunge",
    "lunge_rotation": "lunge", "pigeon": "pigeon", "plank": "plank_thoracic_rotation",
    "split_squat": "lunge", "squat": "squat", "clamshell": "side_lying_leg_raise",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=Path, default=SHARED_VIDEOS)
    parser.add_argument("--model", default="full")
    parser.add_argument("--out", type=Path, default=Path("/tmp/posecheck-dev-reports"))
    args = parser.parse_args()
    with open(args.videos / "MANIFEST.tsv", newline="") as fh:
        manifest = list(csv.DictReader(fh, delimiter="\t"))
    print("| clip | spec | by eye | reps L/R/total | holds (s) | faults | hints | detected |")
    print("|---|---|---|---|---|---|---|---|")
    for row in manifest:
        spec = SPEC_FOR.get(row["exercise"])
        if spec is None:
            print(f"| {row['file']} | (none) | {row['reps']} | | | | | |")
            continue
        result = analyze(args.videos / row["file"], spec, model=args.model, workers=1)
        report = result.report
        write_json_report(report, args.out / f"{Path(row['file']).stem}.report.json")
        faults = [f for f in report["faults"] if f.get("status") == "validated"]
        hints = [f for f in report["faults"] if f.get("status") != "validated"]
        holds = ", ".join(f"{h.get('seconds', 0):.1f}" for h in report.get("holds", []))
        reps = report["reps"]
        hint_text = "; ".join(f"{f['rule']} {f['start_s']:.1f}-{f['end_s'] or 'end'}s"
                              for f in hints[:4])
        print(f"| {row['file'][:48]} | {spec} | {row['reps'][:40]} | "
              f"{reps['left']}/{reps['right']}/{reps['total']} | {holds} | {len(faults)} | "
              f"{hint_text} | {report['person_detected_ratio']:.0%} |", flush=True)


if __name__ == "__main__":
    main()
