"""The stages after the estimator read a block at a time give what the whole-track functions
give, value for value, wherever the blocks are cut."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck.blockwise import SideFixer, switch_times_by_block, track_metrics
from posecheck.checking.recorded import neutral_from_clip
from posecheck.checking.spec import load_spec
from posecheck.measure.filters import one_euro_metrics
from posecheck.measure.kinematics import compute_metrics
from posecheck.pipeline import check
from posecheck.pose.people import switch_times
from posecheck.pose.side_identity import consistent_sides, swap_sides
from posecheck.pose.track import PoseTrack
from posecheck.synth.groundtruth import GroundTruth

from conftest import SAMPLES

BLOCKS = (1, 7, 64, 100_000)


def hurt(track: PoseTrack) -> PoseTrack:
    """``track`` with leg and arm flickers (some across block edges), frames with nobody, a
    gap in time and, from two thirds on, someone else in view (far to the right)."""
    image, world = track.image.copy(), track.world.copy()
    swap_sides(image, world, np.array([20, 21, 63, 64, 65, 110]), "legs")
    swap_sides(image, world, np.array([6, 7, 128]), "arms")
    image[[30, 31, 96]] = np.nan
    later = 2 * len(track) // 3
    image[later:, :, 0] += 300.0
    times = track.times.copy()
    times[140:] += 1.0                               # a gap longer than side identity's limit
    return replace(track, image=image, world=world, times=times)


@pytest.fixture(scope="module", params=["lunge", "bird_dog_clean"])
def track(request: pytest.FixtureRequest) -> PoseTrack:
    return hurt(GroundTruth.load(SAMPLES / f"{request.param}.gt.npz").to_track())


@pytest.mark.parametrize("frames", BLOCKS)
def test_metrics_by_block_are_the_whole_track_metrics(track: PoseTrack, frames: int) -> None:
    fixed, counts = consistent_sides(track)
    assert sum(counts.values()) >= 2                # flickers are there to undo
    whole = one_euro_metrics(compute_metrics(fixed))
    blocks = track_metrics(track, frames)
    assert blocks.names == whole.names
    np.testing.assert_array_equal(blocks.values, whole.values)
    np.testing.assert_array_equal(blocks.times, whole.times)
    sides = SideFixer(track.fps)
    joined = PoseTrack.concatenate([sides(block) for block in track.blocks(frames)])
    np.testing.assert_array_equal(joined.image, fixed.image)


@pytest.mark.parametrize("frames", BLOCKS)
def test_switches_by_block_are_the_whole_track_switches(track: PoseTrack, frames: int) -> None:
    expected = switch_times(track)
    assert expected == [float(track.times[2 * len(track) // 3])]
    assert switch_times_by_block(track, frames) == expected


@pytest.mark.parametrize("frames", (1, 7, 64))
def test_neutral_and_checker_by_block_are_those_of_the_whole_clip(frames: int) -> None:
    spec = load_spec("bird_dog")
    track = GroundTruth.load(SAMPLES / "bird_dog_clean.gt.npz").to_track()
    metrics, events, summary = check(track, spec, frames=100_000)
    assert summary["reps"]["total"] > 0
    neutral = neutral_from_clip(spec, metrics, 100_000)
    assert neutral is not None
    assert neutral_from_clip(spec, metrics, frames) == neutral
    again = check(track, spec, frames=frames)
    assert again[1] == events and again[2] == summary
    assert check(track, spec, mode="live", frames=frames)[1:] == \
        check(track, spec, mode="live", frames=100_000)[1:]
