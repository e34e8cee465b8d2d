"""The pose estimator: MediaPipe PoseLandmarker (Tasks API) producing FramePose / PoseTrack.

Example
-------
>>> with PoseEstimator("full") as estimator:                 # doctest: +SKIP
...     track = estimate_track(open_source("clip.mp4"), estimator)
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from posecheck.pose.contour import back_contour_profile
from posecheck.io.sources import Frame, FrameSource
from posecheck.pose.track import FramePose, PoseTrack

RUNNING_MODES = ("video", "image")
#: Milliseconds between the last frame of one clip and the first of the next (restart).
CLIP_GAP_MS = 1000


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence the native library's start-up log lines (written straight to file descriptor 2)
    unless POSECHECK_DEBUG is set."""
    if os.environ.get("POSECHECK_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def to_mp_image(image_bgr: np.ndarray) -> Any:   # a mediapipe.Image (MediaPipe is untyped)
    """A MediaPipe RGB image of an OpenCV frame. image_bgr : (H, W, 3) uint8."""
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB,
                    data=np.ascontiguousarray(image_bgr[:, :, ::-1]))


class PoseEstimator:
    """One PoseLandmarker for a stream of frames.

    model : "lite" | "full" | "heavy" (provisioned on first use) or a path to a ``.task`` file.
    running_mode : "video" (tracking between frames; timestamps must increase) or "image"
        (the detector runs on every frame).
    segmentation : also compute the back-contour profile from the segmentation mask.
    max_people : how many people to look for (MediaPipe's ``num_poses``); :meth:`detect` returns
        them all, :meth:`process` the first.
    """

    def __init__(self, model: str | Path = "full", running_mode: str = "video",
                 segmentation: bool = True, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, max_people: int = 1) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        from posecheck.pose.models import ModelError, ensure_model

        if running_mode not in RUNNING_MODES:
            raise ValueError(f"running_mode must be one of {RUNNING_MODES}")
        path = Path(model) if str(model).endswith(".task") else ensure_model(str(model))
        self.model_name = str(model)
        self.running_mode = running_mode
        self.segmentation = segmentation
        self.max_people = max_people
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=(vision.RunningMode.VIDEO if running_mode == "video"
                          else vision.RunningMode.IMAGE),
            num_poses=max_people,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=segmentation,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:  # MediaPipe's words for a damaged model
            raise ModelError(f"{path}: cannot be loaded as a pose model ({e})") from None
        self._last_ms = -1
        self._offset_ms = 0
        self._warm = False   # a real frame went through (the native start-up log is over)

    def restart(self) -> None:
        """Get ready for a new clip: one blank frame makes MediaPipe lose its track, and the
        next clip's timestamps continue after this one's instead of being squeezed 1 ms apart.
        A restarted estimator gives the same landmarks whatever clip came before (measured:
        identical); against a new estimator they differ by at most 1.3 px in the first 1.5 s.
        """
        warm = self._warm
        self.detect(np.zeros((64, 64, 3), np.uint8), max(self._last_ms - self._offset_ms, 0) / 1e3)
        self._offset_ms, self._warm = self._last_ms + CLIP_GAP_MS, warm

    def process(self, image_bgr: np.ndarray, time_s: float) -> FramePose:
        """Landmarks of the (first) person in one frame (``FramePose.missing`` if nobody is
        found). image_bgr : (H, W, 3) uint8."""
        people = self.detect(image_bgr, time_s)
        return people[0] if people else FramePose.missing(time_s)

    def detect(self, image_bgr: np.ndarray, time_s: float) -> list[FramePose]:
        """Landmarks of everyone found in one frame (up to ``max_people``; may be empty).

        image_bgr : (H, W, 3) uint8.
        """
        height, width = image_bgr.shape[:2]
        image = to_mp_image(image_bgr)
        with quiet_native_stderr() if not self._warm else contextlib.nullcontext():
            if self.running_mode == "video":
                stamp = max(int(round(time_s * 1000.0)) + self._offset_ms, self._last_ms + 1)
                result = self._landmarker.detect_for_video(image, stamp)
            else:
                stamp = self._last_ms + 1
                result = self._landmarker.detect(image)
        self._last_ms, self._warm = stamp, True
        masks = result.segmentation_masks if self.segmentation else None
        return [self._pose(time_s, landmarks, world, masks[i] if masks else None, width, height)
                for i, (landmarks, world) in enumerate(zip(result.pose_landmarks,
                                                           result.pose_world_landmarks))]

    @staticmethod
    def _pose(time_s: float, landmarks: Sequence[Any], world_landmarks: Sequence[Any],
              mask: Any, width: int, height: int) -> FramePose:
        """One person's FramePose from MediaPipe's landmark lists (and segmentation mask)."""
        raw = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0)
                        for p in landmarks], np.float32)
        pixels = raw[:, :3] * np.array([width, height, width], np.float32)
        world = np.array([(p.x, p.y, p.z) for p in world_landmarks], np.float32)
        contour = FramePose.missing(time_s).back_contour
        if mask is not None:
            contour = back_contour_profile(mask.numpy_view(), pixels)
        return FramePose(time_s, pixels, world, raw[:, 3], raw[:, 4], contour)

    def close(self) -> None:
        with quiet_native_stderr():  # MediaPipe logs each accelerator it destroys
            self._landmarker.close()

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PoseSink(Protocol):
    """Where :func:`estimate_frames` puts each frame's result: a list, or a
    :class:`~posecheck.pose.track_spill.TrackSpill` writing them to disk."""

    def append(self, pose: FramePose, /) -> None: ...


def estimate_frames(frames: Iterable[Frame], estimator: PoseEstimator, into: PoseSink,
                    on_frame: Callable[[Frame, FramePose], None] | None = None) -> None:
    """Run the estimator over frames, appending each result to ``into`` (which keeps them if
    the loop is interrupted); ``on_frame`` sees each frame and its result."""
    for frame in frames:
        pose = estimator.process(frame.image, frame.time)
        into.append(pose)
        if on_frame is not None:
            on_frame(frame, pose)


def estimate_track(source: FrameSource, estimator: PoseEstimator,
                   on_frame: Callable[[Frame, FramePose], None] | None = None) -> PoseTrack:
    """The PoseTrack of a whole source."""
    poses: list[FramePose] = []
    estimate_frames(source, estimator, poses, on_frame)
    return PoseTrack.from_frames(poses, source.fps, source.frame_size, source.name,
                                 estimator.model_name)
