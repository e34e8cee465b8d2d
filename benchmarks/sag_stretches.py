"""Which stretch of the back outline separates a bird dog's faults from clean reps, on the
held-out renders and on real clean reps (benchmarks/VALIDATION.md, "Where on the back the real
excess sits"). Needs the held-out set (`benchmarks/heldout_set.py`, tracks in .cache/heldout)
and the real clips' tracks (`benchmarks/real_clips.py`, .cache/real-tracks).

    .venv/bin/python benchmarks/sag_stretches.py
"""
from __future__ import annotations

import glob
import json
from itertools import product
from pathlib import Path

import numpy as np

from posecheck.checking.columns import ColumnLayout
from posecheck.checking.recorded import rest_mask, start_position_mask
from posecheck.measure.kinematics import compute_metrics
from posecheck.pipeline import check, exercise_metrics
from posecheck.checking.spec import load_spec
from posecheck.pose.track import PoseTrack

SPEC = load_spec("bird_dog")
REAL = ("bird_dog__HonzaCzSk_polybag__bird_dog", "bird_dog__Goondoc08_Chloe-Workout__bird-dog")
#: name → (first, last) sample of the 24-sample outline (shoulder end 0, pelvis end 24).
STRETCHES = {"whole": (0, 24), "mid-back": (6, 21), "lumbar": (8, 20), "upper": (0, 16)}


def sags(track: PoseTrack) -> dict[str, np.ndarray]:
    """(T,) dip below the chord over each stretch, in torso lengths."""
    contour = track.back_contour.astype(float)
    torso = compute_metrics(track, ("torso_length",)).values[:, 0]
    out = {}
    for name, (lo, hi) in STRETCHES.items():
        seg = contour[:, lo:hi]
        chord = seg[:, :1] + (seg[:, -1:] - seg[:, :1]) * np.linspace(0, 1, seg.shape[1])
        out[name] = (chord - seg).max(1) / torso
    return out


def relative_to_rest(track: PoseTrack) -> dict[str, np.ndarray]:
    """Each stretch's sag minus its median over the clip's rest frames."""
    layout = ColumnLayout(SPEC)
    table = layout.table(exercise_metrics(track))
    rest = rest_mask(SPEC, layout, table, start_position_mask(SPEC, layout, table))
    return {k: v - np.nanmedian(v[rest]) for k, v in sags(track).items()}


def instances(cache: Path) -> list[tuple[str, dict[str, float]]]:
    """(kind, worst sag per stretch) per synthetic hold and real counted rep."""
    rows = []
    for gt_path in sorted(glob.glob(str(cache / "heldout" / "held*_bird_dog_*.gt.npz"))):
        track = PoseTrack.load(gt_path.replace(".gt.npz", ".track.npz"))
        with np.load(gt_path, allow_pickle=False) as gt:
            labels = json.loads(str(gt["labels"]))
        values = relative_to_rest(track)
        for hold in (i for i in labels["intervals"] if i["kind"] == "hold"):
            top = (track.times >= hold["start"]) & (track.times <= hold["end"])
            kinds = [f["kind"] for f in labels["faults"] if f["start"] <= hold["start"] <= f["end"]]
            rows.append((kinds[0] if kinds else "clean", {k: float(np.nanmax(v[top]))
                                                           for k, v in values.items()}))
    for clip in REAL:
        track = PoseTrack.load(cache / "real-tracks" / f"{clip}.track.npz")
        values = relative_to_rest(track)
        for rep in check(track, SPEC)[2]["rep_details"]:
            top = np.abs(track.times - rep["peak_s"]) <= 0.5
            rows.append(("real clean", {k: float(np.nanmax(v[top])) for k, v in values.items()}))
    return rows


def main() -> None:
    rows = instances(Path(".cache"))
    print("| stretch | synthetic clean max | pelvis roll (AUC) | lumbar arch (AUC) | real clean |")
    print("|---|---|---|---|---|")
    for name in STRETCHES:
        by = {kind: np.array([r[name] for k, r in rows if k == kind])
              for kind in ("clean", "pelvis_roll", "lumbar_arch", "real clean")}
        auc = {kind: np.mean([a > b for a, b in product(by[kind], by["clean"])])
               for kind in ("pelvis_roll", "lumbar_arch")}
        print(f"| {name} | {by['clean'].max():.3f} | {by['pelvis_roll'].min():.3f}-"
              f"{by['pelvis_roll'].max():.3f} ({auc['pelvis_roll']:.2f}) | "
              f"{by['lumbar_arch'].min():.3f}-{by['lumbar_arch'].max():.3f} "
              f"({auc['lumbar_arch']:.2f}) | {', '.join(f'{x:.3f}' for x in by['real clean'])} |")


if __name__ == "__main__":
    main()
