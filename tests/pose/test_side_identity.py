"""Left/right flickers: injected swaps are undone exactly, a real turn is left alone, and the
live stream decides as the whole-track function does."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck.pose.side_identity import (SideIdentityStream, consistent_sides, flicker_frames,
                                     swap_sides)
from posecheck.synth.groundtruth import GroundTruth
from posecheck.pose.track import FramePose, PoseTrack

from conftest import SAMPLES


@pytest.fixture(scope="module")
def lunge() -> PoseTrack:
    """The lunge sample's true landmarks (a side view, the legs cross every rep)."""
    return GroundTruth.load(SAMPLES / "lunge.gt.npz").to_track()


def with_swaps(track: PoseTrack, frames: np.ndarray, group: str = "legs") -> PoseTrack:
    """The track with a group's left/right positions swapped in ``frames``."""
    image, world = track.image.copy(), track.world.copy()
    swap_sides(image, world, frames, group)
    return replace(track, image=image, world=world)


def stream_track(track: PoseTrack) -> PoseTrack:
    """The track fed frame by frame through :class:`SideIdentityStream`."""
    stream = SideIdentityStream(track.fps)
    poses = [stream(FramePose(float(track.times[t]), track.image[t], track.world[t],
                              track.visibility[t], track.presence[t], track.back_contour[t]))
             for t in range(len(track))]
    return PoseTrack.from_frames(poses, track.fps, track.frame_size)


def test_clean_track_is_unchanged(lunge: PoseTrack) -> None:
    fixed, counts = consistent_sides(lunge)
    assert counts == {"legs": 0, "arms": 0}
    np.testing.assert_array_equal(fixed.image, lunge.image)


def test_short_swaps_are_restored_exactly(lunge: PoseTrack) -> None:
    # one- and two-frame swaps while the front leg is forward (legs well apart)
    hurt = with_swaps(lunge, np.array([60, 100, 101, 160]))
    fixed, counts = consistent_sides(hurt)
    assert counts == {"legs": 3, "arms": 0}
    np.testing.assert_allclose(fixed.image, lunge.image, equal_nan=True)
    np.testing.assert_allclose(fixed.world, lunge.world, equal_nan=True)
    np.testing.assert_allclose(stream_track(hurt).image, fixed.image, equal_nan=True)


def test_short_arm_swaps_are_restored() -> None:
    bird_dog = GroundTruth.load(SAMPLES / "bird_dog_clean.gt.npz").to_track()
    hurt = with_swaps(bird_dog, np.array([70, 71]), "arms")       # right arm reaching forward
    fixed, counts = consistent_sides(hurt)
    assert counts == {"legs": 0, "arms": 1}
    np.testing.assert_allclose(fixed.image, bird_dog.image, equal_nan=True)


def test_a_real_turn_is_not_undone(lunge: PoseTrack) -> None:
    # the mirror-image person from frame 100 on, reached continuously: the legs' positions
    # cross over 10 frames (as when someone turns round) without a jump
    turned = lunge.mirrored()
    blend = np.clip((np.arange(len(lunge)) - 90) / 10.0, 0.0, 1.0)[:, None, None]
    image = (1 - blend) * lunge.image + blend * turned.image
    world = (1 - blend) * lunge.world + blend * turned.world
    track = replace(lunge, image=image.astype(np.float32), world=world.astype(np.float32))
    fixed, counts = consistent_sides(track)
    assert counts == {"legs": 0, "arms": 0}
    np.testing.assert_array_equal(fixed.image, track.image)


def test_a_sustained_swap_is_accepted_after_the_flicker_window(lunge: PoseTrack) -> None:
    hurt = with_swaps(lunge, np.arange(100, len(lunge)))
    fixed, _ = consistent_sides(hurt)
    window = flicker_frames(lunge.fps)
    np.testing.assert_allclose(fixed.image[100:100 + window], lunge.image[100:100 + window])
    np.testing.assert_array_equal(fixed.image[100 + window:], hurt.image[100 + window:])
    np.testing.assert_allclose(stream_track(hurt).image, fixed.image, equal_nan=True)
