"""A track spilled to disk as it grows is the track built in memory, value for value."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from posecheck.io.spill import is_mapped, spill_folder
from posecheck.pose.track import PoseTrack
from posecheck.pose.track_spill import TrackSpill
from posecheck.synth.groundtruth import GroundTruth

from conftest import SAMPLES

FIELDS = ("image", "world", "visibility", "presence", "times", "back_contour")


def poses_of(track: PoseTrack) -> list:
    from posecheck.pose.track import FramePose

    return [FramePose(float(track.times[t]), track.image[t], track.world[t].astype(np.float64),
                      track.visibility[t], track.presence[t], track.back_contour[t])
            for t in range(len(track))]


def sample_track() -> PoseTrack:
    track = GroundTruth.load(SAMPLES / "bird_dog_clean.gt.npz").to_track()
    image = track.image.copy()
    image[[5, 6, 50]] = np.nan                     # frames where nobody was found
    return PoseTrack(image, track.world, track.visibility, track.presence, track.times,
                     track.back_contour, track.fps, track.frame_size, "clip.mp4", "full")


def assert_same_track(spilled: PoseTrack, memory: PoseTrack) -> None:
    for name in FIELDS:
        a, b = getattr(spilled, name), getattr(memory, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert (spilled.fps, spilled.frame_size, spilled.source, spilled.model) == \
        (memory.fps, memory.frame_size, memory.source, memory.model)


def test_spilled_frames_make_the_track_from_frames_makes(tmp_path: Path) -> None:
    poses = poses_of(sample_track())
    memory = PoseTrack.from_frames(poses, 15.0, (640, 480), "clip.mp4", "full")
    with spill_folder(tmp_path) as folder:
        spill = TrackSpill(folder / "track", block_frames=7)
        for pose in poses:
            spill.append(pose)
        spilled = spill.track(15.0, (640, 480), "clip.mp4", "full")
    assert is_mapped(spilled.image) and list(tmp_path.iterdir()) == []
    assert_same_track(spilled, memory)
    assert spilled.detected.tolist() == memory.detected.tolist()
    pieces = list(spilled.blocks(50))
    assert [len(p) for p in pieces] == [50] * (len(memory) // 50) + [len(memory) % 50]
    assert not any(is_mapped(p.image) for p in pieces)


def test_a_spilled_track_saves_and_joins_as_one_in_memory(tmp_path: Path) -> None:
    memory = sample_track()
    with spill_folder(tmp_path) as folder:
        spill = TrackSpill(folder / "joined", block_frames=16)
        spill.extend(memory[:100])
        spill.extend(memory[100:])
        spilled = spill.track(memory.fps, memory.frame_size, memory.source, memory.model)
    spilled.save(tmp_path / "s.npz")
    memory.save(tmp_path / "m.npz")
    assert_same_track(PoseTrack.load(tmp_path / "s.npz"), PoseTrack.load(tmp_path / "m.npz"))


def test_a_worker_sends_back_its_sealed_track_and_a_half_appended_frame_is_dropped(
        tmp_path: Path) -> None:
    memory = sample_track()[:30]
    spill = TrackSpill(tmp_path / "chunk", block_frames=8)
    for pose in poses_of(memory):
        spill.append(pose)
    spill._arrays["image"].append(memory.image[0])     # Ctrl-C after the first field
    sealed = pickle.loads(pickle.dumps(spill.sealed(memory.fps, memory.frame_size, "clip.mp4",
                                                    "full", {"interrupted": True})))
    track = sealed.open()
    assert len(track) == 30 and track.meta == {"interrupted": True}
    assert_same_track(track, memory)
    assert list((tmp_path / "chunk").iterdir()) == []
