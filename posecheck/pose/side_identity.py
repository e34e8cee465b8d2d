"""Left/right identity that does not flicker.

Side-on, MediaPipe sometimes swaps the positions of the crossing legs (knee, ankle, heel, foot)
or arms for a few frames: the left knee is reported where the right knee was a moment ago, and
back again. Each limb group is checked on its own. In frame t its labelled positions (image
x, y and world x, y, each divided by the frame's torso length, which a swap does not change)
are compared with the last detected frame's: the jump cost is the mean distance each landmark
moved minus the mean distance to the *other* side's previous position. Depth, visibility and
the hips are left alone: MediaPipe keeps the far leg far (and less visible) while the positions
flicker, and side-on the hips coincide.

A jump cost above ``SWAP_MARGIN`` starts a suspected flicker, whose frames are swapped back
until the raw labels jump back (a cost above the smaller ``RETURN_MARGIN``) or ``MAX_FLICKER_S``
has passed, when the new labels are accepted (a person who really turns moves continuously and
makes no jump at all). The decision is causal, so :func:`consistent_sides` (a whole track) and
:class:`SideIdentityStream` (frame by frame, live) make identical decisions.

Example
-------
>>> track = PoseTrack.empty(fps=30.0, frame_size=(640, 480))
>>> consistent_sides(track)[1]
{'legs': 0, 'arms': 0}
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from posecheck.pose.landmarks import INDEX
from posecheck.pose.track import FramePose, PoseTrack

#: Limb groups whose left/right labels are decided together.
GROUPS: dict[str, tuple[str, ...]] = {
    "legs": ("knee", "ankle", "heel", "foot_index"),
    "arms": ("elbow", "wrist", "pinky", "index", "thumb"),
}
#: Swapped labels that revert within this time are a flicker (seconds). Longer swaps exist (the
#: heavy model held one 1.2 s in the lunge sample, the full model 0.5 s on a real lunge), but a
#: 0.6 or 1.5 s window also undid real side changes of a real split-squat clip (counts 11 -> 14).
MAX_FLICKER_S = 0.2
#: A jump: swapping is cheaper than keeping by this much (torso lengths, image plus world).
SWAP_MARGIN = 0.6
#: The jump back that ends a suspected flicker needs only this much.
RETURN_MARGIN = 0.1
#: Frames further apart than this are not compared (seconds).
MAX_GAP_S = 0.5

_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]


def group_indices(group: str) -> tuple[np.ndarray, np.ndarray]:
    """Landmark indices (J,), (J,) of a group's left and right joints."""
    joints = GROUPS[group]
    return (np.array([INDEX[f"left_{j}"] for j in joints]),
            np.array([INDEX[f"right_{j}"] for j in joints]))


def flicker_frames(fps: float) -> int:
    """Longest flicker in frames at ``fps``."""
    return max(1, int(round(MAX_FLICKER_S * fps)))


def normalised_positions(image: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(T, 33, 4): image x, y / image torso length and world x, y / world torso length.

    image, world : (T, 33, 3). The torso (shoulder midpoint to hip midpoint) is the same
    whichever way left and right are labelled.
    """
    def scaled(points: np.ndarray) -> np.ndarray:
        torso = np.linalg.norm(points[:, _SHOULDERS].mean(1) - points[:, _HIPS].mean(1), axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return points / np.where(torso > 0, torso, np.nan)[:, None, None]

    return np.concatenate([scaled(image[..., :2].astype(np.float64)),
                           scaled(world.astype(np.float64))[..., :2]], axis=-1)


def jump_cost(previous: np.ndarray, current: np.ndarray, group: str) -> NDArray[np.float64]:
    """(N,) how much cheaper swapping is than keeping a group's labels (torso lengths).

    previous, current : (N, 33, 4) from :func:`normalised_positions`. NaN where unknown.
    """
    left, right = group_indices(group)
    sides = np.concatenate([left, right])
    flipped = np.concatenate([right, left])
    keep: NDArray[np.float64] = np.linalg.norm(current[:, sides] - previous[:, sides],
                                               axis=-1).mean(1)
    swap: NDArray[np.float64] = np.linalg.norm(current[:, sides] - previous[:, flipped],
                                               axis=-1).mean(1)
    return keep - swap


def jump_costs(track: PoseTrack, group: str) -> np.ndarray:
    """(T,) :func:`jump_cost` of each frame against the last detected frame before it; NaN for
    frames without a person, the first detection and after a gap longer than ``MAX_GAP_S``."""
    detected = track.detected
    index = np.where(detected, np.arange(len(track)), -1)
    previous = np.maximum.accumulate(np.concatenate([[-1], index[:-1]])) if len(track) else index
    valid = detected & (previous >= 0)
    valid[valid] &= track.times[valid] - track.times[previous[valid]] <= MAX_GAP_S
    costs = np.full(len(track), np.nan)
    if valid.any():
        positions = normalised_positions(track.image, track.world)
        costs[valid] = jump_cost(positions[previous[valid]], positions[valid], group)
    return costs


class FlickerState:
    """The decision for one limb group, one detected frame at a time.

    A frame whose labels jump (cost > ``SWAP_MARGIN``) starts a suspected flicker: its labels
    and those of the following frames are swapped back until the raw labels jump back (cost >
    ``RETURN_MARGIN``: returning to the labels held before is the likelier event, so it needs
    less evidence) or the flicker has lasted ``max_frames``, when the new labels are accepted.
    """

    def __init__(self, max_frames: int) -> None:
        self.max_frames = max_frames
        self.undoing = 0            # frames of the current suspected flicker so far

    def step(self, cost: float) -> bool:
        """cost : the frame's jump cost (NaN: not comparable). Returns: swap this frame back."""
        if np.isnan(cost) or (self.undoing and (cost > RETURN_MARGIN
                                                or self.undoing >= self.max_frames)):
            self.undoing = 0
            return False
        if self.undoing or cost > SWAP_MARGIN:
            self.undoing += 1
            return True
        return False


def undo_flickers(costs: np.ndarray, detected: np.ndarray, max_frames: int) -> np.ndarray:
    """(T,) bool: frames whose labels are to be swapped back.

    costs : (T,) jump costs (NaN where not comparable); detected : (T,) bool, frames without a
    person are skipped.
    """
    state = FlickerState(max_frames)
    undo = np.zeros(len(costs), bool)
    frames = np.flatnonzero(detected)
    undo[frames] = [state.step(float(cost)) for cost in costs[frames]]
    return undo


def swap_sides(image: np.ndarray, world: np.ndarray, frames: np.ndarray, group: str) -> None:
    """Swap a group's left and right x, y positions in place in the selected frames.

    image, world : (T, 33, 3); frames : (T,) bool or indices. Depth (z) and visibility stay:
    MediaPipe keeps those with the right side when the positions flicker (the far leg stays far
    and less visible).
    """
    left, right = group_indices(group)
    rows = np.flatnonzero(frames) if frames.dtype == bool else frames
    cols_from = np.concatenate([left, right])
    cols_to = np.concatenate([right, left])
    for array in (image, world):
        array[rows[:, None], cols_to, :2] = array[rows[:, None], cols_from, :2]


def consistent_sides(track: PoseTrack) -> tuple[PoseTrack, dict[str, int]]:
    """The track with left/right flickers undone, and the flickers undone per group.

    Also records the counts in the returned track's ``meta["side_flickers"]``.
    """
    image, world = track.image.copy(), track.world.copy()
    counts: dict[str, int] = {}
    max_frames = flicker_frames(track.fps)
    for group in GROUPS:
        undo = undo_flickers(jump_costs(track, group), track.detected, max_frames)
        counts[group] = int(np.count_nonzero(np.diff(undo.astype(np.int8), prepend=0) == 1))
        swap_sides(image, world, undo, group)
    fixed = replace(track, image=image, world=world, meta={**track.meta, "side_flickers": counts})
    return fixed, counts


class SideIdentityStream:
    """Frame by frame: ``stream(pose) -> pose`` with left/right flickers undone, making the
    same decisions as :func:`consistent_sides` over the whole track.

    fps : the source's nominal frame rate (sets the longest flicker in frames).
    """

    def __init__(self, fps: float) -> None:
        self._states = {group: FlickerState(flicker_frames(fps)) for group in GROUPS}
        self._previous: tuple[float, np.ndarray] | None = None   # time, raw (1, 33, 4)

    def __call__(self, pose: FramePose) -> FramePose:
        if np.isnan(pose.image[0, 0]):
            return pose
        positions = normalised_positions(pose.image[None], pose.world[None])
        previous, self._previous = self._previous, (pose.time, positions)
        recent = (previous[1] if previous is not None and pose.time - previous[0] <= MAX_GAP_S
                  else None)
        image, world = pose.image[None].copy(), pose.world[None].copy()
        for group, state in self._states.items():
            cost = jump_cost(recent, positions, group)[0] if recent is not None else np.nan
            if state.step(float(cost)):
                swap_sides(image, world, np.array([0]), group)
        return replace(pose, image=image[0], world=world[0])
