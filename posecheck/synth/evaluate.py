"""Landmark accuracy of an estimated PoseTrack against a clip's ground truth.

Needs only NumPy (and the core estimator to make the track), not the ``synth`` extra, so it
runs in the main environment: ``python -m posecheck.synth evaluate sample_videos/*.mp4``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from posecheck.pose.landmarks import BODY_JOINT_INDICES, INDEX, MIRROR
from posecheck.synth.groundtruth import GroundTruth
from posecheck.pose.track import PoseTrack


@dataclass(frozen=True)
class Accuracy:
    """Agreement of estimated landmarks with ground truth over the 12 body joints.

    detection_rate : fraction of frames with a person found.
    mean_px, median_px, p95_px : per-joint pixel error over detected frames.
    mean_torso_pct : mean error in % of the true torso length (shoulder to hip midpoints).
    visible_px, occluded_px : mean error of joints the body does / does not hide.
    swapped_frames : fraction of detected frames where left and right fit better swapped.
    """

    frames: int
    detection_rate: float
    mean_px: float
    median_px: float
    p95_px: float
    mean_torso_pct: float
    visible_px: float
    occluded_px: float
    swapped_frames: float

    def to_dict(self) -> dict:
        return asdict(self)


def torso_length_px(gt: GroundTruth) -> np.ndarray:
    """(T,) true torso length in pixels (shoulder midpoint to hip midpoint)."""
    p = gt.image[..., :2].astype(np.float64)
    shoulders = p[:, [INDEX["left_shoulder"], INDEX["right_shoulder"]]].mean(1)
    hips = p[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(1)
    return np.linalg.norm(shoulders - hips, axis=1)


def accuracy(track: PoseTrack, gt: GroundTruth) -> Accuracy:
    """Compare ``track`` (same frames as the clip) with ``gt``."""
    n = min(len(track), len(gt))
    est = track.image[:n, :, :2].astype(np.float64)
    true = gt.image[:n, :, :2].astype(np.float64)
    detected = track.detected[:n]
    joints = BODY_JOINT_INDICES
    err = np.linalg.norm(est[:, joints] - true[:, joints], axis=2)              # (n, 12)
    err_swapped = np.linalg.norm(est[:, MIRROR[joints]] - true[:, joints], axis=2)
    torso = torso_length_px(gt)[:n]
    hidden = gt.occluded[:n][:, joints]
    d = detected
    if not d.any():
        nan = float("nan")
        return Accuracy(n, 0.0, nan, nan, nan, nan, nan, nan, nan)
    e = err[d]
    return Accuracy(
        frames=n, detection_rate=float(d.mean()), mean_px=float(e.mean()),
        median_px=float(np.median(e)), p95_px=float(np.percentile(e, 95)),
        mean_torso_pct=float((100.0 * e / torso[d, None]).mean()),
        visible_px=float(e[~hidden[d]].mean()) if (~hidden[d]).any() else float("nan"),
        occluded_px=float(e[hidden[d]].mean()) if hidden[d].any() else float("nan"),
        swapped_frames=float((err_swapped[d].mean(1) < e.mean(1)).mean()))


#: The model follows the exerciser in a frame when its body joints lie, at the median, within
#: this many true torso lengths of the true joints (either side assignment).
FOLLOW_TORSOS = 0.5


def followed(track: PoseTrack, gt: GroundTruth) -> np.ndarray:
    """(T,) bool over the clip's frames: the model found the exerciser, not nobody or someone
    else (a second person, a shape in the furniture). A left/right swap still follows."""
    n = min(len(track), len(gt))
    est = track.image[:n, BODY_JOINT_INDICES, :2].astype(np.float64)
    true = gt.image[:n, BODY_JOINT_INDICES, :2].astype(np.float64)
    swapped = track.image[:n, MIRROR[BODY_JOINT_INDICES], :2].astype(np.float64)
    err = np.fmin(np.median(np.linalg.norm(est - true, axis=2), axis=1),
                  np.median(np.linalg.norm(swapped - true, axis=2), axis=1))
    out = np.zeros(len(gt), dtype=bool)
    with np.errstate(invalid="ignore"):
        out[:n] = err < FOLLOW_TORSOS * torso_length_px(gt)[:n]
    return out
