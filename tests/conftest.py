"""Shared fixtures: small synthetic videos written on the fly, and paths to committed samples."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


def write_video(path: Path, frames: np.ndarray, fps: float = 15.0) -> Path:
    """Write (N, H, W, 3) uint8 BGR frames as an mp4."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                             (frames.shape[2], frames.shape[1]))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def empty_room_video(tmp_path: Path) -> Path:
    """A 2 s clip of a plain wall and floor with nobody in it."""
    frames = np.zeros((30, 240, 320, 3), np.uint8)
    frames[:, :160] = (180, 190, 200)
    frames[:, 160:] = (90, 110, 130)
    frames += np.arange(30, dtype=np.uint8)[:, None, None, None] % 3
    return write_video(tmp_path / "empty_room.mp4", frames)
