import numpy as np
import pytest

from posecheck.pose.landmarks import INDEX, MIRROR, NUM_LANDMARKS
from posecheck.pose.track import CONTOUR_SAMPLES, FramePose, PoseTrack


def random_track(frames: int = 12, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    poses = []
    for t in range(frames):
        if t == 3:
            poses.append(FramePose.missing(t / 10))
            continue
        poses.append(FramePose(
            t / 10, rng.uniform(0, 300, (NUM_LANDMARKS, 3)), rng.normal(size=(NUM_LANDMARKS, 3)),
            rng.uniform(size=NUM_LANDMARKS), rng.uniform(size=NUM_LANDMARKS),
            rng.normal(size=CONTOUR_SAMPLES)))
    return PoseTrack.from_frames(poses, 10.0, (320, 240), "clip.mp4", "full")


def test_round_trip_keeps_every_array_and_field(tmp_path):
    track = random_track()
    track.save(tmp_path / "t.npz")
    loaded = PoseTrack.load(tmp_path / "t.npz")
    for name in ("image", "world", "visibility", "presence", "times", "back_contour"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(track, name))
    assert (loaded.fps, loaded.frame_size, loaded.source, loaded.model) == \
        (10.0, (320, 240), "clip.mp4", "full")
    assert not list(tmp_path.glob("*.part*"))


def test_missing_frames_are_nan_and_flagged():
    track = random_track()
    assert track.detected.tolist() == [t != 3 for t in range(12)]
    assert np.isnan(track.image[3]).all() and np.isnan(track.back_contour[3]).all()
    assert track.detected_ratio == pytest.approx(11 / 12)


def test_load_rejects_a_file_that_is_not_a_track(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError):
        PoseTrack.load(bad)
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a PoseTrack"):
        PoseTrack.load(tmp_path / "other.npz")


def test_mirroring_swaps_sides_and_flips_x():
    track = random_track()
    mirrored = track.mirrored()
    left, right = INDEX["left_knee"], INDEX["right_knee"]
    np.testing.assert_allclose(mirrored.image[:, left, 0], 320 - track.image[:, right, 0])
    np.testing.assert_allclose(mirrored.image[:, left, 1], track.image[:, right, 1])
    np.testing.assert_allclose(mirrored.mirrored().image, track.image, atol=1e-3)
    assert (MIRROR[MIRROR] == np.arange(NUM_LANDMARKS)).all()


def test_slicing_and_concatenation_restore_the_track():
    track = random_track()
    joined = PoseTrack.concatenate([track[:5], track[5:]])
    np.testing.assert_array_equal(joined.image, track.image)
    np.testing.assert_array_equal(joined.times, track.times)
    assert len(PoseTrack.empty(30.0, (640, 480))) == 0
