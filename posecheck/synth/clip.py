"""Render one exercise clip to MP4 and write its ground truth beside it.

Deterministic: the same :class:`ClipSpec` (seed included) gives the same frames and the same
ground truth. One :class:`~posecheck.synth.scene.Scene` and one body are kept per process.
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from posecheck.io.atomic import atomic_path
from posecheck.synth.appearance import Appearance, vertex_colors
from posecheck.synth.body import Body, Posed
from posecheck.synth.exercises import EXERCISES
from posecheck.synth.faults import apply_faults
from posecheck.synth.groundtruth import (
    TRUTH_NAMES, GroundTruth, derived_truth, landmark_sources, occlusion, path_for,
    to_mediapipe)
from posecheck.synth.poses import NEUTRAL, build, placement
from posecheck.synth.scene import CameraSpec, Room, Scene, wall_behind

FOURCC = "mp4v"


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a clip.

    appearance / camera : None takes the default person / the exercise's default camera.
    max_frames : render only the first frames (tests).
    """

    exercise: str
    variant: str = "clean"
    seed: int = 0
    width: int = 640
    height: int = 480
    fps: float = 15.0
    appearance: Appearance | None = None
    camera: CameraSpec | None = None
    room: Room = field(default_factory=Room)
    max_frames: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RenderStats:
    """Wall-clock cost of a render, seconds per frame."""

    frames: int
    pose_s: float
    render_s: float

    @property
    def fps(self) -> float:
        return self.frames / max(self.pose_s + self.render_s, 1e-9)


class Renderer:
    """Per-process state: the scene (one offscreen renderer) and the last body loaded."""

    def __init__(self) -> None:
        self._scene: Scene | None = None
        self._body: tuple[dict, Body] | None = None

    def scene(self, width: int, height: int, room: Room) -> Scene:
        if self._scene is None or (self._scene.width, self._scene.height) != (width, height):
            if self._scene is not None:
                raise RuntimeError("one frame size per process (one OffscreenRenderer)")
            self._scene = Scene(width, height, room)
        return self._scene

    def close(self) -> None:
        """Release the GL context (avoids PyOpenGL noise at interpreter shutdown)."""
        if self._scene is not None:
            self._scene.renderer.delete()
            self._scene = None

    def body(self, look: Appearance) -> Body:
        phenotype = look.phenotype()
        if self._body is None or self._body[0] != phenotype:
            self._body = (phenotype, Body(phenotype))
        return self._body[1]


#: The process's renderer (the CLI closes it before exiting).
RENDERER = Renderer()


class Take:
    """A clip being made: the scripted exercise set up in the scene, posed frame by frame."""

    def __init__(self, spec: ClipSpec, renderer: Renderer = RENDERER) -> None:
        self.spec = spec
        self.exercise = EXERCISES[spec.exercise](spec.variant, np.random.default_rng(spec.seed))
        self.look = spec.appearance or Appearance()
        self.camera = spec.camera or self.exercise.camera
        self.family = self.exercise.motion.family
        self.body = renderer.body(self.look)
        self.scene = renderer.scene(spec.width, spec.height, spec.room)
        ex = self.exercise
        cam_pose = self.camera.pose(ex.forward, ex.left, ex.centre)
        self.scene.set_room(spec.room, ex.forward, ex.centre, wall_behind(cam_pose, ex.centre))
        self.scene.set_camera(cam_pose, self.camera.yfov_deg)
        self.root = placement(self.body, self.family)
        self.colors = vertex_colors(self.body, self.look)

    def params(self, t: float) -> dict[str, float]:
        """Pose parameters at ``t`` seconds, faults included."""
        return apply_faults(self.family, self.exercise.motion.params(t), self.exercise.faults, t)

    def pose(self, t: float) -> Posed:
        return build(self.body, self.family, self.params(t), self.root)

    def render(self, posed: Posed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """color (H, W, 3) uint8 RGB, depth (H, W) metres, person mask (H, W) bool."""
        self.scene.set_body(posed.verts, self.body.faces, self.colors)
        return self.scene.render()


@dataclass
class FrameTruth:
    """Ground truth of one rendered frame (33 MediaPipe landmarks; see GroundTruth)."""

    world: np.ndarray         # (33, 3) scene metres, NaN where unknown
    image: np.ndarray         # (33, 3) pixels x, y and camera depth
    in_frame: np.ndarray      # (33,) bool
    occluded: np.ndarray      # (33,) bool
    back_contour: np.ndarray  # (CONTOUR_SAMPLES,) of the exact silhouette

    @classmethod
    def of(cls, take: Take, posed: Posed, depth: np.ndarray, mask: np.ndarray) -> "FrameTruth":
        """From the posed body and the renderer's depth (H, W) and person mask (H, W)."""
        from posecheck.pose.contour import back_contour_profile

        body = take.body
        world = to_mediapipe(posed.keypoints, body.keypoint_labels, posed.heads,
                             body.bone_labels)
        known = np.isfinite(world[:, 0])
        pixels, z = take.scene.project(np.nan_to_num(world))
        image = np.concatenate([pixels, z[:, None]], axis=1)
        image[~known] = np.nan
        in_frame, occluded = occlusion(image[:, :2], z, depth)
        return cls(world, image, in_frame, occluded, back_contour_profile(mask, image))


def render_clip(spec: ClipSpec, out: str | Path, renderer: Renderer = RENDERER,
                progress: bool = False) -> tuple[GroundTruth, RenderStats]:
    """Render ``spec`` to the video ``out`` (.mp4) and ``<out stem>.gt.npz`` beside it."""
    import cv2

    out = Path(out)
    take = Take(spec, renderer)
    motion, family, body, camera = take.exercise.motion, take.family, take.body, take.camera
    n = int(round(motion.duration * spec.fps)) + 1
    if spec.max_frames is not None:
        n = min(n, spec.max_frames)
    times = np.arange(n) / spec.fps
    names = tuple(sorted(NEUTRAL[family]))
    rows: list[FrameTruth] = []
    params = np.zeros((n, len(names)))
    with atomic_path(out, keep_suffix=True) as part:
        writer = cv2.VideoWriter(str(part), cv2.VideoWriter_fourcc(*FOURCC), spec.fps,
                                 (spec.width, spec.height))
        pose_s = render_s = 0.0
        try:
            for i, t in enumerate(times):
                t0 = time.perf_counter()
                p = take.params(float(t))
                posed = build(body, family, p, take.root)
                t1 = time.perf_counter()
                color, depth, mask = take.render(posed)
                render_s += time.perf_counter() - t1
                pose_s += t1 - t0
                writer.write(cv2.cvtColor(color, cv2.COLOR_RGB2BGR))
                rows.append(FrameTruth.of(take, posed, depth, mask))
                params[i] = [p[k] for k in names]
                if progress and (i % 25 == 0 or i == n - 1):
                    per_frame = (pose_s + render_s) / (i + 1)
                    print(f"{out.name}: frame {i + 1}/{n}, {per_frame:.2f} s/frame",
                          file=sys.stderr, flush=True)
        finally:
            writer.release()
    world = np.stack([r.world for r in rows])

    f = (spec.height / 2) / np.tan(np.deg2rad(camera.yfov_deg) / 2)
    intrinsics = np.array([[f, 0, spec.width / 2], [0, f, spec.height / 2], [0, 0, 1.0]])
    labels = {
        "exercise": spec.exercise, "variant": spec.variant, "family": family,
        "seed": spec.seed, "spec": spec.to_dict() | {"appearance": take.look.to_dict(),
                                                   "camera": camera.to_dict()},
        "forward": take.exercise.forward.tolist(), "left": take.exercise.left.tolist(),
        "intervals": [asdict(iv) for iv in motion.intervals],
        "faults": [asdict(fault) for fault in take.exercise.faults],
        "duration_s": float(n / spec.fps),
    }
    empty = np.zeros((n, 0))
    gt = GroundTruth(
        fps=float(spec.fps), frame_size=(spec.width, spec.height), times=times,
        world=world.astype(np.float32), image=np.stack([r.image for r in rows]).astype(np.float32),
        in_frame=np.stack([r.in_frame for r in rows]),
        occluded=np.stack([r.occluded for r in rows]), sources=landmark_sources(),
        back_contour=np.stack([r.back_contour for r in rows]).astype(np.float32),
        params=params.astype(np.float32),
        param_names=names, truth=derived_truth(world).astype(np.float32),
        truth_names=TRUTH_NAMES, metrics=empty, metric_names=(),
        camera_pose=take.scene.cam_pose,
        intrinsics=intrinsics, labels=labels)
    gt = gt.with_metrics()
    gt.save(path_for(out))
    return gt, RenderStats(n, pose_s, render_s)


def preview(spec: ClipSpec, times: list[float], renderer: Renderer = RENDERER) -> np.ndarray:
    """A contact sheet (rows of 3 half-size frames, RGB uint8) of ``spec`` at ``times``."""
    import cv2

    take = Take(spec, renderer)
    tiles = []
    for t in times:
        color = take.render(take.pose(t))[0].copy()
        cv2.putText(color, f"t={t:.1f}s", (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
        tiles.append(cv2.resize(color, (spec.width // 2, spec.height // 2)))
    while len(tiles) % 3:
        tiles.append(np.zeros_like(tiles[0]))
    return np.vstack([np.hstack(tiles[i:i + 3]) for i in range(0, len(tiles), 3)])
