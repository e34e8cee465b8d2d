"""MediaPipe Pose's 33 landmarks: names, indices, left/right pairs and groups.

"Left" and "right" are the person's own sides, as MediaPipe reports them.
"""
from __future__ import annotations

from typing import Literal

import numpy as np

NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
NUM_LANDMARKS = len(NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
#: The person's two sides.
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


def _mirror_name(name: str) -> str:
    for a, b in (("left", "right"), ("right", "left")):
        if a in name:
            return name.replace(a, b)
    return name


#: ``MIRROR[i]`` is the index of landmark ``i``'s counterpart on the other side (itself if central).
MIRROR: np.ndarray = np.array([INDEX[_mirror_name(n)] for n in NAMES], dtype=np.intp)


def side_index(joint: str, side: str) -> int:
    """Index of ``joint`` ("hip", "knee", ...) on ``side`` ("left" or "right")."""
    return INDEX[f"{side}_{joint}"]


#: Skeleton edges for drawing, as (index, index) pairs.
EDGES: tuple[tuple[int, int], ...] = tuple(
    (INDEX[a], INDEX[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
        ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
        ("left_ankle", "left_foot_index"),
        ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
        ("right_ankle", "right_foot_index"),
        ("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "left_ear"),
        ("right_eye", "right_ear"),
    )
)

#: The twelve body joints used to score landmark accuracy against ground truth.
BODY_JOINTS: tuple[str, ...] = (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
BODY_JOINT_INDICES: np.ndarray = np.array([INDEX[n] for n in BODY_JOINTS], dtype=np.intp)
