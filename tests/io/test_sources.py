from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import SAMPLES, write_video
from posecheck.io.sources import NOMINAL_FPS, SourceError, open_source, source_notes
from posecheck.pose.track import PoseTrack


def test_video_file_frames_timestamps_and_reread(tmp_path):
    frames = np.zeros((20, 48, 64, 3), np.uint8)
    frames[:, :, :, 1] = np.arange(20, dtype=np.uint8)[:, None, None] * 10
    source = open_source(write_video(tmp_path / "v.mp4", frames, fps=10.0))
    assert (source.fps, source.frame_size, source.frame_count) == (10.0, (64, 48), 20)
    first = [(f.index, f.time) for f in source]
    assert first == [(i, i / 10.0) for i in range(20)]
    assert len(list(source)) == 20  # a file source can be read again


def test_sub_range_yields_exactly_those_frames(tmp_path):
    frames = np.zeros((20, 48, 64, 3), np.uint8)
    frames[..., 2] = np.arange(20, dtype=np.uint8)[:, None, None] * 12
    source = open_source(write_video(tmp_path / "v.mp4", frames), start=5, stop=9)
    got = list(source)
    assert [f.index for f in got] == [5, 6, 7, 8]
    assert abs(int(got[0].image[..., 2].mean()) - 60) <= 3


@pytest.mark.parametrize("content, problem", [
    (None, "no such file"), (b"", "file is empty"),
    (bytes(range(256)) * 40, "cannot be opened"), (b"hello, I am text\n" * 20, "cannot be opened"),
])
def test_bad_files_raise_one_line_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        open_source(path)
    message = str(err.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_image_folder_is_a_source(tmp_path):
    import cv2
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"f{i:02d}.png"), np.full((30, 40, 3), i * 50, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    source = open_source(tmp_path)
    assert source.frame_size == (40, 30)
    assert [int(f.image.mean()) for f in source] == [0, 50, 100]
    with pytest.raises(SourceError, match="holds no images"):
        open_source(tmp_path / "empty") if (tmp_path / "empty").mkdir() is None else None


# --- PyAV-decoded files: true time, damaged and cut files ------------------------------------

def write_timed(path: Path, times_ms: list[int], codec: str = "mpeg4", pix_fmt: str = "yuv420p",
                fmt: str | None = None) -> Path:
    """A 64x48 clip whose frame i (grey level 8 i) is presented at ``times_ms[i]`` ms."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=20)
        stream.width, stream.height, stream.pix_fmt = 64, 48, pix_fmt
        stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        for i, t in enumerate(times_ms):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 8 * i, np.uint8), "bgr24")
            frame.pts, frame.time_base = t, Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def times_of(source) -> list[float]:
    return [f.time for f in source]


def test_variable_frame_rate_times_are_the_timestamps(tmp_path):
    times = np.cumsum([0] + [33, 66] * 15)
    source = open_source(write_timed(tmp_path / "vfr.mp4", times.tolist()))
    assert times_of(source) == pytest.approx(times / 1000.0, abs=1e-9)
    assert source.fps == pytest.approx(1000 / 49.5, rel=1e-3)   # median of 33 and 66 ms
    assert source.frame_count == 31
    assert source_notes(source.meta()) == []


def test_gif_frame_delays_are_honoured(tmp_path):
    times = np.cumsum([0] + [60, 70] * 10)
    source = open_source(write_timed(tmp_path / "anim.gif", times.tolist(), "gif", "rgb8"))
    got = list(source)
    assert [f.time for f in got] == pytest.approx(times / 1000.0, abs=1e-9)
    assert got[0].image.shape == (48, 64, 3) and got[0].image.dtype == np.uint8
    assert source.frame_size == (64, 48)


def patch_default_duration(path: Path, nanoseconds: int) -> Path:
    """The Matroska header's frame duration (DefaultDuration), which gives its frame rate."""
    data = bytearray(path.read_bytes())
    at = data.index(b"\x23\xe3\x83")        # the element's id; then a one-byte size, the value
    size = data[at + 3] & 0x7F
    data[at + 4:at + 4 + size] = nanoseconds.to_bytes(size, "big")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("nanoseconds, header_note", [
    (0, False),              # FFmpeg itself then takes the rate from the timestamps
    (1, True),               # 1e9 fps claimed (FFmpeg caps it at 30000)
    (2**32 - 1, True),       # 0.23 fps claimed
])
def test_header_frame_rate_of_zero_or_absurd_is_taken_from_timestamps(tmp_path, nanoseconds,
                                                                       header_note):
    times = [50 * i for i in range(20)]            # 20 fps
    path = patch_default_duration(write_timed(tmp_path / "c.mkv", times), nanoseconds)
    source = open_source(path)
    assert source.fps == pytest.approx(20.0)
    assert times_of(source) == pytest.approx(np.array(times) / 1000.0, abs=1e-9)
    notes = source_notes(source.meta())
    assert bool(notes) == header_note
    assert not notes or "frame rate" in notes[0] and "timestamps (20 fps)" in notes[0]


def test_no_rate_and_no_timestamps_falls_back_to_a_nominal_rate_with_a_note(tmp_path):
    path = write_timed(tmp_path / "bare.mjpeg", list(range(10)), "mjpeg", "yuvj420p", "mjpeg")
    source = open_source(path)
    assert source.fps == NOMINAL_FPS
    assert times_of(source) == pytest.approx(np.arange(10) / NOMINAL_FPS)
    assert source.meta()["fps_from"] == "nominal"
    assert "nominal 30 fps" in source_notes(source.meta())[0]


def damaged_copy(tmp_path: Path, flips: int = 5000, seed: int = 3) -> Path:
    """bird_dog_clean.mp4 with ``flips`` random bits flipped in its middle 40 %."""
    data = bytearray((SAMPLES / "bird_dog_clean.mp4").read_bytes())
    rng = np.random.default_rng(seed)
    for at in rng.integers(int(len(data) * 0.3), int(len(data) * 0.7), flips):
        data[at] ^= 1 << int(rng.integers(8))
    path = tmp_path / "damaged.mp4"
    path.write_bytes(bytes(data))
    return path


def test_damaged_frames_are_skipped_counted_and_placed(tmp_path):
    source = open_source(damaged_copy(tmp_path))
    frames = list(source)
    unreadable = source.meta()["unreadable_times"]
    assert len(frames) >= 0.9 * 211 and len(frames) + len(unreadable) == 211
    assert 0 < len(unreadable) and [f.index for f in frames] == list(range(len(frames)))
    # every frame, read or not, sits on the clip's 15 fps grid, and none is missing or doubled
    grid = sorted([f.time for f in frames] + unreadable)
    assert grid == pytest.approx(np.arange(211) / 15.0, abs=2e-3)
    note = source_notes(source.meta())[0]
    assert note.startswith(f"{len(unreadable)} damaged frames could not be decoded")


def test_sub_ranges_of_a_damaged_file_split_its_frames_and_damage(tmp_path):
    path = damaged_copy(tmp_path)
    whole = open_source(path)
    full = [(f.index, f.time) for f in whole]
    parts, damage = [], []
    for start, stop in [(0, 80), (80, 130), (130, None)]:
        part = open_source(path, start, stop)
        parts += [(f.index, f.time) for f in part]
        damage += part.meta()["unreadable_times"]
    assert parts == full and damage == whole.meta()["unreadable_times"]


def test_tail_of_a_cut_mp4_is_a_one_line_error_naming_it(tmp_path):
    data = (SAMPLES / "bird_dog_clean.mp4").read_bytes()
    path = tmp_path / "tail.mp4"
    path.write_bytes(data[int(len(data) * 0.7):])
    with pytest.raises(SourceError) as err:
        open_source(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert "not a complete mp4 file" in str(err.value)


def test_head_of_a_cut_mp4_reads_what_is_there_and_says_it_is_cut(tmp_path):
    whole = tmp_path / "whole.mp4"
    with av.open(str(whole), "w", options={"movflags": "faststart"}) as container:  # index first
        stream = container.add_stream("mpeg4", rate=15)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(40):
            noise = np.random.default_rng(i).integers(0, 255, (48, 64, 3), np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(noise, "bgr24")))
        container.mux(stream.encode())
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:len(data) * 6 // 10])
    source = open_source(cut)
    read = len(list(source))
    assert 10 < read < 40 and source.meta()["missing_frames"] == 40 - read
    assert source_notes(source.meta()) == [
        f"the file is cut short: the last {40 - read} of the frames its index lists are missing"]


def test_notes_group_unreadable_times_into_spans():
    notes = source_notes({"unreadable_times": [1.0, 1.2, 1.4, 5.0], "fps_from": "header"})
    assert notes == ["4 damaged frames could not be decoded and were skipped, "
                     "at 1.0-1.4 s, 5.0 s"]


def test_source_meta_survives_save_load_and_concatenate(tmp_path):
    track = PoseTrack.empty(15.0, (64, 48))
    track.meta.update(fps=15.0, fps_from="timestamps", header_fps=None,
                      unreadable_times=[1.5, 2.0])
    track.save(tmp_path / "t.track.npz")
    loaded = PoseTrack.load(tmp_path / "t.track.npz")
    assert loaded.meta == track.meta
    assert PoseTrack.concatenate([loaded, loaded]).meta == track.meta


def test_source_notes_reach_the_report(tmp_path):
    from posecheck.pipeline import analyze
    from posecheck.pose.track import FramePose
    track = PoseTrack.from_frames([FramePose.missing(i / 15) for i in range(30)], 15.0, (64, 48))
    track.meta.update(fps=15.0, fps_from="nominal", header_fps=None, unreadable_times=[1.2])
    track.save(tmp_path / "t.track.npz")
    notes = analyze(tmp_path / "t.track.npz", "bird_dog").report["notes"]
    assert "1 damaged frame could not be decoded and was skipped, at 1.2 s" in notes
    assert any("nominal 15 fps" in note for note in notes)


def test_variable_frame_rate_clip_reps_are_placed_in_real_time(tmp_path):
    """The bird dog sample re-encoded as a phone might: all frames in the first half, every
    third in the second. Timed by frame index, its reps came out up to 2 s late."""
    from posecheck.pipeline import analyze
    from posecheck.synth.groundtruth import GroundTruth, path_for

    clean = SAMPLES / "bird_dog_clean.mp4"
    path = tmp_path / "vfr.mp4"
    with av.open(str(clean)) as src, av.open(str(path), "w") as dst:
        stream = dst.add_stream("mpeg4", rate=15)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.bit_rate = 1_500_000
        stream.time_base = stream.codec_context.time_base = Fraction(1, 15360)
        for i, frame in enumerate(src.decode(video=0)):
            if i < 105 or i % 3 == 0:
                out = av.VideoFrame.from_ndarray(frame.to_ndarray(format="bgr24"), "bgr24")
                out.pts, out.time_base = frame.pts, Fraction(1, 15360)
                dst.mux(stream.encode(out))
        dst.mux(stream.encode())
    report = analyze(path, "bird_dog").report
    truth = GroundTruth.load(path_for(clean)).reps
    assert report["reps"] == {"left": 2, "right": 2, "total": 4}
    assert report["video"]["duration_s"] == pytest.approx(211 / 15, abs=0.1)
    for rep in report["rep_details"]:
        middle = (rep["start_s"] + rep["end_s"]) / 2
        assert any(t["side"] == rep["side"] and t["start"] <= middle <= t["end"] for t in truth)
