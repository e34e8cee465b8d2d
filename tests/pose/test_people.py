"""Several people in view: identities across frames, the choice of the exerciser, the notes."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.pose.people import follow_exerciser, identities
from posecheck.synth.groundtruth import GroundTruth
from posecheck.pose.track import FramePose, PoseTrack

from conftest import SAMPLES, write_video


def poses_of(track: PoseTrack, times: np.ndarray, shift_x: float = 0.0) -> list[FramePose]:
    """One FramePose per frame of ``track`` at ``times``, moved ``shift_x`` pixels right."""
    image = track.image.copy()
    image[..., 0] += shift_x
    return [FramePose(float(times[t]), image[t], track.world[t], track.visibility[t],
                      track.presence[t], track.back_contour[t]) for t in range(len(track))]


def test_identities_survive_order_changes_and_the_leaver_is_noted() -> None:
    lunge = GroundTruth.load(SAMPLES / "lunge.gt.npz").to_track()[:60]
    still = lunge[np.zeros(60, int)]                     # a second person standing still
    mover, stander = poses_of(lunge, lunge.times), poses_of(still, lunge.times, 300.0)
    # MediaPipe's order of people changes from frame to frame; the stander leaves at frame 40
    frames = [[mover[t], stander[t]][:: 1 if t % 3 else -1] if t < 40 else [mover[t]]
              for t in range(60)]
    index = identities(frames)
    assert index.shape[1] == 2
    track = follow_exerciser(frames, lunge.times, lunge.fps, (960, 480))
    np.testing.assert_allclose(track.image, lunge.image, equal_nan=True)   # the mover
    notes = " ".join(track.meta["people_notes"])
    assert track.meta["people_seen"] == 2 and "2 people" in notes
    assert f"another person left at {lunge.times[39]:.1f} s" in notes


def _frames(name: str) -> np.ndarray:
    """Every frame of a sample, (T, H, W, 3)."""
    capture = cv2.VideoCapture(str(SAMPLES / name))
    frames = []
    while (frame := capture.read()[1]) is not None:
        frames.append(frame)
    capture.release()
    return np.stack(frames)


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lunge sample (left) beside the bird dog sample (right, its last frame held), as
    long as the lunge sample."""
    lunge = _frames("lunge.mp4")
    bird = _frames("bird_dog_clean.mp4")
    bird = np.concatenate([bird, np.repeat(bird[-1:], len(lunge) - len(bird), 0)])
    return write_video(tmp_path_factory.mktemp("two") / "two.mp4",
                       np.concatenate([lunge, bird], axis=2))


@pytest.mark.parametrize("exercise, where, max_people", [("lunge", "on the left", None),
                                                         ("bird_dog", "on the right", 2)])
def test_the_exerciser_is_followed(side_by_side: Path, exercise: str, where: str,
                                   max_people: int | None) -> None:
    """Asked for two people, or by default (the probe sees two and asks for them)."""
    from posecheck.pipeline import analyze

    result = analyze(side_by_side, exercise, max_people=max_people)
    assert result.report["reps"]["total"] == 4
    assert f"2 people were in view; posecheck follows the person {where}" in \
        result.report["notes"][0]


def test_the_probe_counts_people_in_view(side_by_side: Path) -> None:
    from posecheck.pose.people import people_in_view

    assert people_in_view(str(side_by_side)) == 2
    assert people_in_view(str(SAMPLES / "bird_dog_clean.mp4")) == 1



def test_a_one_person_track_that_jumps_to_someone_else_is_noted() -> None:
    from posecheck.pose.people import SwitchWatch, switch_notes, switch_times

    lunge = GroundTruth.load(SAMPLES / "lunge.gt.npz").to_track()
    assert switch_times(lunge) == []                       # a person moving is no switch
    other = lunge[np.arange(len(lunge))]
    other.image = other.image.copy()
    other.image[120:, :, 0] += 300.0                        # from frame 120: someone else
    assert switch_times(other) == [float(lunge.times[120])]
    assert f"at {lunge.times[120]:.1f} s" in switch_notes(switch_times(other))[0]
    watch = SwitchWatch()                                   # live: the same, frame by frame
    live = [watch.step(pose) for pose in poses_of(other, other.times)]
    assert [t for t in live if t is not None] == [float(lunge.times[120])]
