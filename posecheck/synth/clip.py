"""Render one exercise clip to MP4 and write its ground truth beside it.

Deterministic: the same :class:`ClipSpec` (seed included) gives the same frames and the same
ground truth. One :class:`~posecheck.synth.scene.Scene` and one body are kept per process.

Two render paths: the clean room (``Capture()``: every frame rendered whole with a shadow
map, written with mp4v) and the phone world (``Capture(shadows="planar", ...)``: the body
composited over a once-rendered room, motion blur, hand shake, noise, H.264; see
``capture.py`` and ``scene.py``).
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from posecheck.io.atomic import atomic_path
from posecheck.synth.appearance import Appearance
from posecheck.synth.body import Body, Posed
from posecheck.synth.capture import (
    Capture, VideoWriter, apply_homography, expose, exposure_offsets, grain_for, shake_angles,
    shake_homography)
from posecheck.synth.clothing import dress, vertex_normals
from posecheck.synth.exercises import script
from posecheck.synth.faults import apply_faults
from posecheck.synth.groundtruth import (
    TRUTH_NAMES, GroundTruth, derived_truth, landmark_sources, occlusion, path_for,
    to_mediapipe)
from posecheck.synth.poses import NEUTRAL, build, placement
from posecheck.synth.lighting import Lighting
from posecheck.synth.posestream import PoseStream
from posecheck.synth.scene import CameraSpec, Room, Scene, wall_behind


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a clip.

    appearance / camera : None takes the default person / the exercise's default camera.
    room, light, capture : the clean room's by default (see ``posecheck.synth.world``).
    fault_size, reps : the exercise's fault size (degrees) and reps or holds (None: its
        builder's defaults; ``posecheck.synth.exercises.script``).
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
    light: Lighting = field(default_factory=Lighting)
    capture: Capture = field(default_factory=Capture)
    fault_size: float | None = None
    reps: int | None = None
    max_frames: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RenderStats:
    """Wall-clock cost of a render, seconds: skinning the body (pose_s) and everything else
    (render_s: rasterising, compositing, capture effects, ground truth, encoding)."""

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
        if self._scene is None:
            self._scene = Scene(width, height, room)
        elif (self._scene.width, self._scene.height) != (width, height):
            self._scene.resize(width, height)
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
        self.exercise = script(spec.exercise, spec.variant, spec.seed, spec.fault_size,
                               spec.reps)
        self.look = spec.appearance or Appearance()
        self.camera = spec.camera or self.exercise.camera
        self.family = self.exercise.motion.family
        self.body = renderer.body(self.look)
        self.scene = renderer.scene(spec.width, spec.height, spec.room)
        ex = self.exercise
        cam_pose = self.camera.pose(ex.forward, ex.left, ex.centre)
        wall_dir = wall_behind(cam_pose, ex.centre)
        self.scene.set_room(spec.room, ex.forward, ex.centre, wall_dir, spec.light)
        self.scene.set_camera(cam_pose, self.camera.yfov_deg)
        self.root = placement(self.body, self.family)
        self.dressing = dress(self.body, self.look)
        self.colors = self.dressing.colors
        if spec.room.second_person is not None:
            self._add_second_person(spec.room.second_person, ex.centre, -wall_dir)

    def _add_second_person(self, where: tuple[float, float, float, float], centre: np.ndarray,
                           to_camera: np.ndarray) -> None:
        """A static standing person (this body, scaled and dressed differently) in the room,
        ``where`` = (along, across, yaw_deg, scale) relative to the camera-to-person line."""
        along, across, yaw_deg, scale = where
        posed = build(self.body, "lunge", NEUTRAL["lunge"], placement(self.body, "lunge"))
        look = Appearance.random_phone(np.random.default_rng([self.spec.seed, 9]))
        dressing = dress(self.body, look)
        verts = dressing.apply(posed.verts, vertex_normals(posed.verts, self.body.faces))
        fwd = np.array([to_camera[0], to_camera[1], 0.0]) / np.linalg.norm(to_camera[:2])
        right = np.array([-fwd[1], fwd[0], 0.0])
        yaw = np.arctan2(fwd[1], fwd[0]) + np.pi / 2 + np.deg2rad(yaw_deg)  # faces the camera
        c, s = np.cos(yaw), np.sin(yaw)
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        origin = np.array([centre[0], centre[1], 0.0]) + along * fwd + across * right
        verts = (verts - [0.0, 0.0, verts[:, 2].min()]) @ rot.T * scale + origin
        self.scene.add_to_room("person_2", verts, self.body.faces, dressing.colors)

    def params(self, t: float) -> dict[str, float]:
        """Pose parameters at ``t`` seconds, faults included."""
        return apply_faults(self.family, self.exercise.motion.params(t), self.exercise.faults, t)

    def pose(self, t: float) -> Posed:
        return build(self.body, self.family, self.params(t), self.root)

    def render(self, posed: Posed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """color (H, W, 3) uint8 RGB, depth (H, W) metres, person mask (H, W) bool."""
        if self.spec.capture.composited:
            color, depth, mask = self.render_dressed(posed)
            return np.clip(color, 0, 255).astype(np.uint8), depth, mask
        verts = posed.verts
        if self.dressing.thickness.any():
            verts = self.dressing.apply(verts, vertex_normals(verts, self.body.faces))
        self.scene.set_body(verts, self.body.faces, self.colors)
        return self.scene.render()

    def render_dressed(self, posed: Posed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The dressed body composited over the room: color (H, W, 3) float32 0..255, depth
        (H, W) metres, person mask (H, W) bool."""
        normals = vertex_normals(posed.verts, self.body.faces)
        return self.scene.render_composited(self.dressing.apply(posed.verts, normals),
                                            self.body.faces, self.colors, normals)


@dataclass
class FrameTruth:
    """Ground truth of one rendered frame (33 MediaPipe landmarks; see GroundTruth)."""

    world: np.ndarray         # (33, 3) scene metres, NaN where unknown
    image: np.ndarray         # (33, 3) pixels x, y and camera depth
    in_frame: np.ndarray      # (33,) bool
    occluded: np.ndarray      # (33,) bool
    back_contour: np.ndarray  # (CONTOUR_SAMPLES,) of the exact silhouette

    @classmethod
    def of(cls, take: Take, posed: Posed, depth: np.ndarray, mask: np.ndarray,
           shake: np.ndarray | None = None, scale: float = 1.0) -> "FrameTruth":
        """From the posed body and the renderer's depth (H, W) and person mask (H, W) (bool,
        or float: the silhouette is at 0.5);
        ``shake`` (3, 3): the homography the frame was warped by; ``scale``: the factor it was
        resized by after rendering."""
        import cv2

        from posecheck.pose.contour import back_contour_profile

        body = take.body
        world = to_mediapipe(posed.keypoints, body.keypoint_labels, posed.heads,
                             body.bone_labels)
        known = np.isfinite(world[:, 0])
        pixels, z = take.scene.project(np.nan_to_num(world))
        image = np.concatenate([pixels, z[:, None]], axis=1)
        image[~known] = np.nan
        in_frame, occluded = occlusion(image[:, :2], z, depth)
        if shake is not None:
            image[:, :2] = apply_homography(image[:, :2], shake)
            h, w = mask.shape
            mask = cv2.warpPerspective(mask.astype(np.float32), shake, (w, h),
                                       flags=cv2.INTER_LINEAR)
            in_frame = np.isfinite(image[:, 0]) & (image[:, 0] >= 0) & (image[:, 0] < w) & (
                image[:, 1] >= 0) & (image[:, 1] < h)
            occluded = occluded | ~in_frame
        contour = back_contour_profile(mask, image) * scale
        image[:, :2] *= scale
        return cls(world, image, in_frame, occluded, contour)


def _motion_px(take: Take, stream: PoseStream, t: float, exposure_s: float) -> float:
    """Largest image displacement (pixels) of a sample of body vertices during the exposure
    centred at ``t``."""
    a = stream.at(t - exposure_s / 2).verts[::40]
    b = stream.at(t + exposure_s / 2).verts[::40]
    return float(np.max(np.linalg.norm(take.scene.project(a)[0] - take.scene.project(b)[0],
                                       axis=1)))


def _frame(take: Take, stream: PoseStream, t: float, last: tuple | None = None
           ) -> tuple[np.ndarray, Posed, np.ndarray, np.ndarray]:
    """One frame at ``t``: color (H, W, 3) float32 0..255 (averaged over the exposure's
    sub-frames), the pose at ``t``, depth (H, W) (the nearest over the sub-frames) and the
    person mask (H, W) (the mean of the sub-frames': 0.5 is the silhouette at ``t``).
    ``last``: the previous frame's result, reused when the body has not moved (the same
    :class:`Posed` throughout the exposure)."""
    capture = take.spec.capture
    posed = stream.at(t)
    if not capture.composited:
        color, depth, mask = take.render(posed)
        return color.astype(np.float32), posed, depth, mask
    half = capture.exposure_s / 2
    still = stream.at(t - half) is posed and stream.at(t + half) is posed
    if still and last is not None and last[1] is posed:
        return last
    moved = 0.0 if still else _motion_px(take, stream, t, capture.exposure_s)
    offsets = exposure_offsets(capture, moved)
    if len(offsets) == 1:
        color, depth, mask = take.render_dressed(posed)
        return color, posed, depth, mask
    color, depth, mask = take.render_dressed(stream.at(t + offsets[0]))
    mask = mask.astype(np.float32)
    for dt in offsets[1:]:
        c, d, m = take.render_dressed(stream.at(t + dt))
        color, mask = color + c, mask + m
        depth = np.where((d > 0) & ((depth == 0) | (d < depth)), d, depth)
    return color / len(offsets), posed, depth, mask / len(offsets)


def render_clip(spec: ClipSpec, out: str | Path, renderer: Renderer = RENDERER,
                progress: bool = False) -> tuple[GroundTruth, RenderStats]:
    """Render ``spec`` to the video ``out`` (.mp4) and ``<out stem>.gt.npz`` beside it."""
    import cv2

    out = Path(out)
    take = Take(spec, renderer)
    motion, family, camera, capture = take.exercise.motion, take.family, take.camera, spec.capture
    n = int(round(motion.duration * spec.fps)) + 1
    if spec.max_frames is not None:
        n = min(n, spec.max_frames)
    times = np.arange(n) / spec.fps
    names = tuple(sorted(NEUTRAL[family]))
    rows: list[FrameTruth] = []
    params = np.zeros((n, len(names)))
    f = (spec.height / 2) / np.tan(np.deg2rad(camera.yfov_deg) / 2)
    intrinsics = np.array([[f, 0, spec.width / 2], [0, f, spec.height / 2], [0, 0, 1.0]])
    shakes = shake_angles(n, spec.fps, capture.shake_deg, spec.seed)
    grain = grain_for(capture, (spec.height, spec.width), spec.seed)
    pose_s = [0.0]

    def timed_pose(t: float) -> Posed:
        t0 = time.perf_counter()
        posed = take.pose(t)
        pose_s[0] += time.perf_counter() - t0
        return posed

    stream = PoseStream(timed_pose, capture.pose_hz, take.params)
    size = (spec.width * capture.upscale, spec.height * capture.upscale)
    with atomic_path(out, keep_suffix=True) as part:
        writer = VideoWriter(part, spec.fps, size, capture)
        start = time.perf_counter()
        try:
            last = None
            for i, t in enumerate(times):
                last = _frame(take, stream, float(t), last)
                color, posed, depth, mask = last
                homography = None
                if capture.shake_deg > 0:
                    homography = shake_homography(shakes[i], intrinsics)
                    color = cv2.warpPerspective(color, homography, (spec.width, spec.height),
                                                flags=cv2.INTER_LINEAR,
                                                borderMode=cv2.BORDER_REFLECT)
                if capture.codec == "mp4v" and capture.noise == 0 and capture.upscale == 1:
                    writer.write(color.astype(np.uint8))
                else:
                    writer.write(expose(color, capture, grain))
                rows.append(FrameTruth.of(take, posed, depth, mask, homography,
                                          float(capture.upscale)))
                params[i] = [take.params(float(t))[k] for k in names]
                if progress and (i % 25 == 0 or i == n - 1):
                    per_frame = (time.perf_counter() - start) / (i + 1)
                    print(f"{out.name}: frame {i + 1}/{n}, {per_frame:.2f} s/frame",
                          file=sys.stderr, flush=True)
        finally:
            writer.close()
    total_s = time.perf_counter() - start
    world = np.stack([r.world for r in rows])
    intrinsics[:2] *= capture.upscale
    labels = {
        "exercise": spec.exercise, "variant": spec.variant, "family": family,
        "seed": spec.seed, "spec": spec.to_dict() | {"appearance": take.look.to_dict(),
                                                   "camera": camera.to_dict()},
        "forward": take.exercise.forward.tolist(), "left": take.exercise.left.tolist(),
        "intervals": [asdict(iv) for iv in motion.intervals],
        "faults": [asdict(fault) for fault in take.exercise.faults],
        "duration_s": float(n / spec.fps),
    }
    if capture.shake_deg > 0:
        labels["camera_shake_deg"] = np.round(shakes, 4).tolist()
    empty = np.zeros((n, 0))
    gt = GroundTruth(
        fps=float(spec.fps), frame_size=size, times=times,
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
    return gt, RenderStats(n, pose_s[0], total_s - pose_s[0])


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
