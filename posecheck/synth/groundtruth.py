"""Ground truth of a synthetic clip: the ``<clip>.gt.npz`` file beside each rendered video.

This module needs only NumPy (and posecheck's core for :meth:`GroundTruth.to_track`), so the
ground truth can be read where the ``synth`` extra is not installed. The format is documented
in ``docs/SYNTH_GROUND_TRUTH.md``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posecheck.io.atomic import atomic_path
from posecheck.pose.landmarks import INDEX, NUM_LANDMARKS
from posecheck.pose.track import PoseTrack

SCHEMA = 1
#: MediaPipe landmark -> Anny COCO regressor keypoint giving it exactly (same anatomy).
FROM_REGRESSOR = {
    "nose": "nose", "left_eye": "left_eye", "right_eye": "right_eye", "left_ear": "left_ear",
    "right_ear": "right_ear", "left_shoulder": "left_shoulder",
    "right_shoulder": "right_shoulder", "left_elbow": "left_elbow", "right_elbow": "right_elbow",
    "left_wrist": "left_wrist", "right_wrist": "right_wrist", "left_hip": "left_hip",
    "right_hip": "right_hip", "left_knee": "left_knee", "right_knee": "right_knee",
    "left_ankle": "left_ankle", "right_ankle": "right_ankle", "left_heel": "left_heel",
    "right_heel": "right_heel", "left_foot_index": "left_big_toe",
    "right_foot_index": "right_big_toe",
}
#: MediaPipe hand landmarks -> Anny bone whose head (joint centre) approximates them.
FROM_RIG = {
    "left_pinky": "finger5-1.L", "right_pinky": "finger5-1.R",
    "left_index": "finger2-1.L", "right_index": "finger2-1.R",
    "left_thumb": "finger1-2.L", "right_thumb": "finger1-2.R",
}
#: A joint counts as occluded when a body surface lies this far (m) in front of it.
OCCLUSION_MARGIN_M = 0.12


def landmark_sources() -> np.ndarray:
    """(33,) str: "regressor", "rig" or "none" for each MediaPipe landmark."""
    out = np.full(NUM_LANDMARKS, "none", dtype="<U9")
    out[[INDEX[n] for n in FROM_REGRESSOR]] = "regressor"
    out[[INDEX[n] for n in FROM_RIG]] = "rig"
    return out


def to_mediapipe(keypoints: np.ndarray, keypoint_labels: list[str], heads: np.ndarray,
                 bone_labels: list[str]) -> np.ndarray:
    """(33, 3) world points in MediaPipe order (NaN where nothing corresponds).

    keypoints : (K, 3) Anny COCO keypoints; heads : (B, 3) bone heads.
    """
    out = np.full((NUM_LANDMARKS, 3), np.nan, np.float64)
    for mp_name, kp_name in FROM_REGRESSOR.items():
        out[INDEX[mp_name]] = keypoints[keypoint_labels.index(kp_name)]
    for mp_name, bone in FROM_RIG.items():
        out[INDEX[mp_name]] = heads[bone_labels.index(bone)]
    return out


def occlusion(pixels: np.ndarray, depth: np.ndarray, depth_map: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Which landmarks are inside the frame, and which are hidden behind the body.

    pixels : (N, 2) x, y; depth : (N,) metres; depth_map : (H, W) rendered depth (0 = none).
    Returns in_frame (N,) bool and occluded (N,) bool (NaN landmarks: not in frame, occluded).
    """
    h, w = depth_map.shape
    finite = np.isfinite(pixels).all(1)
    col = np.floor(np.nan_to_num(pixels[:, 0], nan=-1.0)).astype(int)
    row = np.floor(np.nan_to_num(pixels[:, 1], nan=-1.0)).astype(int)
    in_frame = finite & (col >= 0) & (col < w) & (row >= 0) & (row < h)
    surface = np.zeros(len(pixels))
    surface[in_frame] = depth_map[row[in_frame], col[in_frame]]
    hidden = in_frame & (surface > 0) & (depth - surface > OCCLUSION_MARGIN_M)
    return in_frame, hidden | ~in_frame


@dataclass
class GroundTruth:
    """Everything known exactly about a synthetic clip (T frames).

    fps, frame_size (width, height), times (T,) seconds.
    world : (T, 33, 3) float32 scene coordinates, metres (+Z up, the person's left is +X
        for floor exercises); NaN for landmarks without ground truth.
    image : (T, 33, 3) float32 pixels x, y (x right, y down; pixel i spans [i, i+1)) and
        z = depth along the camera axis in metres.
    in_frame, occluded : (T, 33) bool.
    sources : (33,) str, see :func:`landmark_sources`.
    back_contour : (T, CONTOUR_SAMPLES) float32, ``posecheck.pose.contour.back_contour_profile`` of
        the exact rendered silhouette and the true landmarks.
    params : (T, P) float32 exact pose parameters per frame (faults included), ``param_names``.
    truth : (T, Q) float32 exact derived values (see :data:`TRUTH_NAMES`), ``truth_names``.
    metrics : (T, M) float64 ``posecheck.measure.kinematics`` metrics of the true landmarks,
        ``metric_names`` (empty if kinematics was unavailable).
    camera_pose : (4, 4) camera-to-world (OpenGL axes); intrinsics : (3, 3) pixels.
    labels : dict with "exercise", "intervals" (reps, holds, setup, fidget, calibration),
        "faults", "seed", "parameters" (everything needed to regenerate the clip).
    """

    fps: float
    frame_size: tuple[int, int]
    times: np.ndarray
    world: np.ndarray
    image: np.ndarray
    in_frame: np.ndarray
    occluded: np.ndarray
    sources: np.ndarray
    back_contour: np.ndarray
    params: np.ndarray
    param_names: tuple[str, ...]
    truth: np.ndarray
    truth_names: tuple[str, ...]
    metrics: np.ndarray
    metric_names: tuple[str, ...]
    camera_pose: np.ndarray
    intrinsics: np.ndarray
    labels: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.times.shape[0])

    # ------------------------------------------------------------- labels
    def intervals(self, kind: str, side: str | None = None) -> list[dict]:
        """Labelled intervals of ``kind`` ("rep", "hold", "setup", "fidget", "calibration"),
        optionally of one side; each a dict with kind, start, end, side, note."""
        return [iv for iv in self.labels.get("intervals", [])
                if iv["kind"] == kind and (side is None or iv["side"] == side)]

    @property
    def reps(self) -> list[dict]:
        return self.intervals("rep")

    @property
    def faults(self) -> list[dict]:
        """Fault intervals: dicts with kind, size_deg, start, end, side, ramp."""
        return list(self.labels.get("faults", []))

    def column(self, name: str) -> np.ndarray:
        """(T,) one exact value by name: a pose parameter, a truth value or a metric."""
        for names, values in ((self.param_names, self.params), (self.truth_names, self.truth),
                              (self.metric_names, self.metrics)):
            if name in names:
                return values[:, names.index(name)]
        raise KeyError(f"no ground-truth column {name!r}")

    # ------------------------------------------------------------- tracks
    def to_track(self) -> PoseTrack:
        """The true landmarks as a :class:`PoseTrack`, as a perfect estimator would give them.

        Image z and world coordinates follow MediaPipe's conventions: world is in camera axes
        (x right, y down, z away from the camera), metres, origin between the hips; image z is
        depth relative to the hip midpoint in the pixel scale of x. Visibility is 1 wherever
        ground truth exists (occluded joints included: their true position is known).
        """
        hips = [INDEX["left_hip"], INDEX["right_hip"]]
        inv = np.linalg.inv(self.camera_pose)
        cam = self.world.astype(np.float64) @ inv[:3, :3].T + inv[:3, 3]      # OpenGL axes
        mp_world = cam * np.array([1.0, -1.0, -1.0])
        mp_world -= mp_world[:, hips].mean(axis=1, keepdims=True)
        image = self.image.astype(np.float64).copy()
        focal = self.intrinsics[0, 0]
        image[..., 2] = (image[..., 2] - image[:, hips, 2].mean(axis=1, keepdims=True)) * focal \
            / np.maximum(image[:, hips, 2].mean(axis=1, keepdims=True), 1e-6)
        known = np.isfinite(self.world[..., 0]).astype(np.float32)
        return PoseTrack(image=image.astype(np.float32), world=mp_world.astype(np.float32),
                         visibility=known, presence=known.copy(), times=self.times.copy(),
                         back_contour=self.back_contour.astype(np.float32), fps=self.fps,
                         frame_size=self.frame_size, source="synth ground truth",
                         model="ground truth")

    def with_metrics(self) -> "GroundTruth":
        """A copy whose ``metrics`` are recomputed by the current ``posecheck.measure.kinematics``
        from the true landmarks (after the metric definitions change, no re-render needed)."""
        from dataclasses import replace

        from posecheck.measure.kinematics import compute_metrics

        metrics = compute_metrics(self.to_track())
        return replace(self, metrics=metrics.values, metric_names=tuple(metrics.names))

    # ------------------------------------------------------------- files
    def save(self, path: str | Path) -> None:
        """Write ``path`` (.gt.npz), compressed and atomically."""
        with atomic_path(path) as part, open(part, "wb") as fh:
            np.savez_compressed(
                fh, schema=SCHEMA, fps=self.fps, frame_size=np.array(self.frame_size),
                times=self.times, world=self.world.astype(np.float32),
                image=self.image.astype(np.float32), in_frame=self.in_frame,
                occluded=self.occluded, sources=self.sources,
                back_contour=self.back_contour.astype(np.float32),
                params=self.params.astype(np.float32), param_names=np.array(self.param_names),
                truth=self.truth.astype(np.float32), truth_names=np.array(self.truth_names),
                metrics=self.metrics, metric_names=np.array(self.metric_names),
                camera_pose=self.camera_pose, intrinsics=self.intrinsics,
                labels=json.dumps(self.labels, sort_keys=True))

    @classmethod
    def load(cls, path: str | Path) -> "GroundTruth":
        """Read a file written by :meth:`save`. Raises ValueError if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as d:
                if int(d["schema"]) != SCHEMA:
                    raise ValueError(f"unsupported ground-truth schema {int(d['schema'])}")
                names = lambda key: tuple(str(n) for n in d[key])  # noqa: E731
                return cls(
                    fps=float(d["fps"]), frame_size=tuple(int(v) for v in d["frame_size"]),
                    times=d["times"], world=d["world"], image=d["image"],
                    in_frame=d["in_frame"], occluded=d["occluded"], sources=d["sources"],
                    back_contour=d["back_contour"], params=d["params"],
                    param_names=names("param_names"), truth=d["truth"],
                    truth_names=names("truth_names"), metrics=d["metrics"],
                    metric_names=names("metric_names"), camera_pose=d["camera_pose"],
                    intrinsics=d["intrinsics"], labels=json.loads(str(d["labels"])))
        except (KeyError, OSError, EOFError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a synth ground-truth file ({exc})") from exc


#: Exact values derived from the true 3D joints (degrees), stored in ``GroundTruth.truth``.
TRUTH_NAMES = (
    "trunk_incline", "pelvis_roll_3d", "shoulder_roll_3d",
    "hip_angle_left", "hip_angle_right", "knee_angle_left", "knee_angle_right",
    "elbow_angle_left", "elbow_angle_right", "shoulder_angle_left", "shoulder_angle_right",
)


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(T,) angle a-b-c in degrees, 3D points (T, 3)."""
    u, v = a - b, c - b
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(u, v), axis=-1), (u * v).sum(-1)))


def _elevation(frm: np.ndarray, to: np.ndarray) -> np.ndarray:
    """(T,) elevation of the line frm -> to above the horizontal plane (+Z up), degrees."""
    d = to - frm
    return np.degrees(np.arctan2(d[:, 2], np.linalg.norm(d[:, :2], axis=1)))


def derived_truth(world: np.ndarray) -> np.ndarray:
    """(T, len(TRUTH_NAMES)) exact angles from true scene-frame landmarks ``world`` (T, 33, 3).

    trunk_incline: hip midpoint -> shoulder midpoint above horizontal (90 = upright).
    pelvis_roll_3d / shoulder_roll_3d: right -> left hip (shoulder) line above horizontal
    (+ = the left one higher). *_angle_{side}: the 3D joint angle (180 = straight):
    hip = shoulder-hip-knee, knee = hip-knee-ankle, elbow = shoulder-elbow-wrist,
    shoulder = hip-shoulder-elbow.
    """
    w = world.astype(np.float64)
    j = lambda name: w[:, INDEX[name]]  # noqa: E731
    shoulders = 0.5 * (j("left_shoulder") + j("right_shoulder"))
    hips = 0.5 * (j("left_hip") + j("right_hip"))
    cols = [_elevation(hips, shoulders), _elevation(j("right_hip"), j("left_hip")),
            _elevation(j("right_shoulder"), j("left_shoulder"))]
    for joint, (a, b, c) in (("hip", ("shoulder", "hip", "knee")),
                             ("knee", ("hip", "knee", "ankle")),
                             ("elbow", ("shoulder", "elbow", "wrist")),
                             ("shoulder", ("hip", "shoulder", "elbow"))):
        for side in ("left", "right"):
            cols.append(_angle(j(f"{side}_{a}"), j(f"{side}_{b}"), j(f"{side}_{c}")))
    return np.stack(cols, axis=1)


def path_for(video: str | Path) -> Path:
    """``clip.mp4`` -> ``clip.gt.npz``."""
    video = Path(video)
    return video.with_name(video.stem + ".gt.npz")
