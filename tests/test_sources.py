import numpy as np
import pytest

from conftest import write_video
from posecheck.sources import SourceError, open_source


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
