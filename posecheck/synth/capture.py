"""What a phone does to the rendered frames: exposure, motion blur, sensor noise, hand shake,
resampling and H.264 compression.

A :class:`Capture` is data (it goes into the clip's ground truth). The default is the
clean-room capture of the first validation sets: no blur, no noise, no shake, OpenCV's
``mp4v`` encoder at the render size. Phone-like captures encode with libx264 (PyAV) at a
phone's bit rate, optionally after upscaling the render to the recorded size.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from posecheck.errors import PosecheckError


class CaptureError(PosecheckError):
    """A capture setting the writer cannot honour."""


@dataclass(frozen=True)
class Capture:
    """How the frames are exposed and recorded.

    codec : ``mp4v`` (OpenCV, the clean-room default) or ``h264`` (libx264 through PyAV).
    crf, max_kbps : libx264 constant rate factor and its rate cap (kbit/s at the recorded size).
    upscale : recorded size = render size x upscale (1 or 2; resampled bilinearly before noise
        would be smoothed, so noise is added after).
    exposure_s : shutter time; the body is rendered at its start and end and the two
        averaged (motion blur) where it moves more than ``BLUR_MIN_PX`` pixels in it.
    gain : brightness multiplier of the exposure (dim rooms get gain and so more noise).
    noise : sensor noise, standard deviation in 8-bit levels at gain 1 (scaled by sqrt(gain)).
    shake_deg : amplitude of the hand shake, a smooth random camera rotation (degrees).
    shadows : ``map`` (pyrender's shadow map, every frame, the clean room) or ``planar``
        (the room rendered once per clip with shadow maps, the body composited onto it each
        frame with a blurred planar shadow on the floor).
    pose_hz : the body is skinned at this rate and its vertices interpolated linearly in
        between (0: at every frame and sub-frame).
    """

    codec: str = "mp4v"
    crf: int = 23
    max_kbps: int = 0
    upscale: int = 1
    exposure_s: float = 0.0
    gain: float = 1.0
    noise: float = 0.0
    shake_deg: float = 0.0
    shadows: str = "map"
    pose_hz: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def composited(self) -> bool:
        return self.shadows == "planar"


#: Sub-frames are rendered only where a body point moves more pixels than this in the exposure.
BLUR_MIN_PX = 1.5


def exposure_offsets(capture: Capture, motion_px: float) -> np.ndarray:
    """(S,) seconds relative to the frame time at which the body is rendered and averaged:
    the frame time alone, or the exposure's start and end when the body moves more than
    ``BLUR_MIN_PX`` pixels (``motion_px``) during it (two samples: a cheap blur, a double
    image of at most a few pixels)."""
    if capture.exposure_s <= 0 or motion_px < BLUR_MIN_PX:
        return np.zeros(1)
    half = capture.exposure_s / 2
    return np.array([-half, half])


def shake_angles(n: int, fps: float, amplitude_deg: float, seed: int) -> np.ndarray:
    """(n, 3) smooth random camera rotations (pitch, yaw, roll; degrees) of a hand-held phone:
    per axis a sum of three sinusoids of 0.4-3 Hz, scaled to ``amplitude_deg`` at most."""
    if amplitude_deg <= 0:
        return np.zeros((n, 3))
    rng = np.random.default_rng([seed, 77])
    t = np.arange(n)[:, None, None] / fps
    freq = rng.uniform(0.4, 3.0, (1, 3, 3))
    phase = rng.uniform(0, 2 * np.pi, (1, 3, 3))
    weight = rng.uniform(0.3, 1.0, (1, 3, 3))
    wave = (weight * np.sin(2 * np.pi * freq * t + phase)).sum(axis=2) / weight.sum(axis=2)
    return amplitude_deg * wave * np.array([1.0, 1.0, 0.5])


def shake_homography(angles_deg: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """(3, 3) pixel homography of a pure camera rotation by ``angles_deg`` (3,) (pitch about
    the camera x axis, yaw about y, roll about the view axis) for pinhole ``intrinsics``."""
    import cv2

    rot = cv2.Rodrigues(np.deg2rad(np.asarray(angles_deg, float)))[0]
    return intrinsics @ rot @ np.linalg.inv(intrinsics)


def apply_homography(points: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Pixels (N, 2) mapped by the homography ``h`` (3, 3)."""
    p = np.concatenate([points, np.ones((len(points), 1))], axis=1) @ h.T
    return p[:, :2] / p[:, 2:3]


class Grain:
    """Sensor noise for frames of one size: a few noise fields drawn once, each frame a
    random window of one of them (drawing 3 normal deviates per pixel per frame would cost
    as much as rasterising the body)."""

    FIELDS, MARGIN = 4, 32

    def __init__(self, shape: tuple[int, int], sigma: float, rng: np.random.Generator) -> None:
        h, w = shape[0] + self.MARGIN, shape[1] + self.MARGIN
        luma = rng.standard_normal((self.FIELDS, h, w, 1), dtype=np.float32)
        chroma = rng.standard_normal((self.FIELDS, h, w, 3), dtype=np.float32)
        self.fields = sigma * (luma + 0.5 * chroma)
        self.shape, self.rng = shape, rng

    def sample(self) -> np.ndarray:
        """(H, W, 3) float32 noise."""
        k, dy, dx = (int(x) for x in self.rng.integers(0, [self.FIELDS, self.MARGIN,
                                                           self.MARGIN]))
        return self.fields[k, dy:dy + self.shape[0], dx:dx + self.shape[1]]


def expose(linear: np.ndarray, capture: Capture, grain: Grain | None) -> np.ndarray:
    """The recorded frame from the rendered one.

    linear : (H, W, 3) float32 RGB 0..255 (already blurred and warped). Returns (H', W', 3)
    uint8 with gain, sensor noise (``grain``, before resampling, so resampling softens it as
    a phone's processing does) and the ``upscale`` applied.
    """
    import cv2

    frame = linear * capture.gain if capture.gain != 1.0 else linear
    if grain is not None:
        frame = frame + grain.sample()
    out = np.clip(frame, 0, 255).astype(np.uint8)
    if capture.upscale != 1:
        out = cv2.resize(out, None, fx=capture.upscale, fy=capture.upscale,
                         interpolation=cv2.INTER_LINEAR)
    return out


def grain_for(capture: Capture, shape: tuple[int, int], seed: int) -> Grain | None:
    """The clip's sensor noise (None without noise): sigma = noise x sqrt(gain)."""
    if capture.noise <= 0:
        return None
    return Grain(shape, capture.noise * float(np.sqrt(capture.gain)),
                 np.random.default_rng([seed, 11]))


class VideoWriter:
    """Writes RGB frames to ``path``: ``mp4v`` through OpenCV or H.264 through PyAV."""

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int],
                 capture: Capture) -> None:
        self.path, self.size = Path(path), size
        if capture.codec == "mp4v":
            import cv2

            self._cv = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
            self._av = None
            return
        if capture.codec != "h264":
            raise CaptureError(f"{path}: unknown codec {capture.codec!r} (mp4v or h264)")
        if size[0] % 2 or size[1] % 2:
            raise CaptureError(f"{path}: H.264 (yuv420p) needs an even frame size, got {size}")
        import av

        self._cv = None
        self._av = av.open(str(path), mode="w")
        stream = self._av.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        options = {"crf": str(capture.crf), "preset": "veryfast", "g": str(int(round(fps))),
                   "threads": "1"}
        if capture.max_kbps:
            options |= {"maxrate": f"{capture.max_kbps}k", "bufsize": f"{2 * capture.max_kbps}k"}
        stream.options = options
        self._stream = stream
        self._frames = 0

    def write(self, rgb: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 RGB frame of the writer's size."""
        if self._cv is not None:
            self._cv.write(np.ascontiguousarray(rgb[..., ::-1]))
            return
        import av
        import cv2

        # Deterministic encoding: the same frames decoded to one of two or three different videos
        # (a 16-pixel block at the frame's corner differed) while libswscale converted RGB to
        # YUV (PyAV's default) or the frames carried no timestamps. OpenCV converts (decoded
        # colours match libswscale's to 0.01 levels on average) and each frame's pts is its index.
        yuv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = self._frames
        self._frames += 1
        for packet in self._stream.encode(frame):
            self._av.mux(packet)

    def close(self) -> None:
        if self._cv is not None:
            self._cv.release()
        elif self._av is not None:
            for packet in self._stream.encode():
                self._av.mux(packet)
            self._av.close()
        self._cv = self._av = None
