"""Small pictures of chosen moments of a session, from the video itself, with the skeleton
drawn, as base64 JPEG for a self-contained HTML page.

Example
-------
>>> frames = FrameGrabber(Path("clip.mp4"), track)                    # doctest: +SKIP
>>> frames.thumbnail(7.2, ())[:23]                                     # doctest: +SKIP
'data:image/jpeg;base64,'
"""
from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np

from posecheck.outputs.overlay import RuleState, draw_skeleton, person_box
from posecheck.pose.track import PoseTrack

#: Thumbnail height in pixels and JPEG quality: small enough for a page of many.
THUMB_HEIGHT = 200
JPEG_QUALITY = 72
#: Room around the person, as a fraction of their box.
MARGIN = 0.25


class FrameGrabber:
    """Frames of ``video`` by time, with the pose of ``track`` at that time drawn on them.

    The track's frames are the video's frames (``analyze``, or a live session fed every frame
    of a file); a frame is found by its time, so a track with dropped frames works too.
    """

    def __init__(self, video: Path, track: PoseTrack) -> None:
        self.video, self.track = Path(video), track
        self._capture = cv2.VideoCapture(str(video))
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if np.isfinite(fps) and fps > 0 else track.fps

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> "FrameGrabber":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frame(self, time_s: float) -> np.ndarray | None:
        """The video frame at ``time_s`` (BGR), or None if it cannot be read."""
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, max(0, int(round(time_s * self.fps))))
        ok, image = self._capture.read()
        return image if ok else None

    def thumbnail(self, time_s: float, faulty: tuple[int, ...] = ()) -> str | None:
        """A data URI of :meth:`picture`; None if the frame cannot be read."""
        image = self.picture(time_s, faulty)
        return None if image is None else encode_jpeg(image)

    def picture(self, time_s: float, faulty: tuple[int, ...] = ()) -> np.ndarray | None:
        """The frame at ``time_s`` (BGR), skeleton drawn (``faulty`` landmarks in red),
        cropped to the person; None if the frame cannot be read."""
        image = self.frame(time_s)
        if image is None:
            return None
        landmarks = visibility = None
        if len(self.track):
            i = int(np.argmin(np.abs(self.track.times - time_s)))
            if abs(self.track.times[i] - time_s) <= 1.5 / self.fps:
                landmarks, visibility = self.track.image[i], self.track.visibility[i]
        if landmarks is not None and np.isfinite(landmarks[:, :2]).any():
            rules = {"fault": RuleState("fault", faulty)} if faulty else {}
            draw_skeleton(image, landmarks, visibility, rules)
            image = _crop(image, person_box(landmarks, visibility))
        return image


def _crop(image: np.ndarray, box: object) -> np.ndarray:
    """``image`` cut to ``box`` (a :class:`~posecheck.outputs.overlay.Rect`) plus a margin."""
    if box is None:
        return image
    h, w = image.shape[:2]
    mx, my = int(box.width * MARGIN) + 8, int(box.height * MARGIN) + 8  # type: ignore[attr-defined]
    x0, y0 = max(0, box.x0 - mx), max(0, box.y0 - my)                    # type: ignore[attr-defined]
    x1, y1 = min(w, box.x1 + mx), min(h, box.y1 + my)                    # type: ignore[attr-defined]
    return image[y0:y1, x0:x1] if x1 > x0 and y1 > y0 else image


def encode_jpeg(image: np.ndarray, height: int = THUMB_HEIGHT) -> str:
    """``image`` scaled to ``height`` lines as a ``data:image/jpeg;base64,...`` URI."""
    scale = height / image.shape[0]
    small = cv2.resize(image, (max(1, int(round(image.shape[1] * scale))), height),
                       interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("could not encode a thumbnail")
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii")
