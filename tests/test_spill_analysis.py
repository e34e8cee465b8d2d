"""A recording analysed with its track and metrics spilled to disk gives the same report as
in memory, and leaves no spill folder behind, also when interrupted or failing."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from posecheck.analyze_run import save_outputs
from posecheck.io.spill import SPILL_PREFIX, is_mapped
from posecheck.pipeline import analyze, estimate_video
from posecheck.pose.track import PoseTrack

from conftest import SAMPLES

CLEAN = SAMPLES / "bird_dog_clean.mp4"
ARRAYS = ("image", "world", "visibility", "presence", "times", "back_contour")


def spill_folders(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(SPILL_PREFIX)]


@pytest.fixture(scope="module")
def in_memory():
    return analyze(CLEAN, "bird_dog", max_people=1)   # short: stays in memory by default


def test_the_spilled_analysis_reports_what_the_one_in_memory_reports(in_memory, tmp_path):
    spilled = analyze(CLEAN, "bird_dog", max_people=1, spill=True, spill_dir=tmp_path)
    assert not is_mapped(in_memory.track.image)
    assert is_mapped(spilled.track.image) and is_mapped(spilled.metrics.values)
    assert spill_folders(tmp_path) == []
    assert json.dumps(spilled.report, sort_keys=True) == json.dumps(in_memory.report,
                                                                    sort_keys=True)
    assert spilled.events == in_memory.events
    np.testing.assert_array_equal(spilled.metrics.values, in_memory.metrics.values)
    save_outputs(spilled, tmp_path / "spilled")
    save_outputs(in_memory, tmp_path / "memory")
    a = PoseTrack.load(tmp_path / "spilled" / "bird_dog_clean.track.npz")
    b = PoseTrack.load(tmp_path / "memory" / "bird_dog_clean.track.npz")
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.meta == b.meta
    assert (json.loads((tmp_path / "spilled" / "bird_dog_clean.report.json").read_text())
            .keys() == in_memory.report.keys() | {"track"})


def test_chunks_spilled_by_worker_processes_join_into_the_same_track(tmp_path):
    spilled = estimate_video(str(CLEAN), workers=2, min_frames_per_worker=30,
                             spill_dir=tmp_path, spill_min_frames=0)
    memory = estimate_video(str(CLEAN), workers=2, min_frames_per_worker=30,
                            spill_min_frames=None)
    assert is_mapped(spilled.times) and not is_mapped(memory.times)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(spilled, name), getattr(memory, name))
    assert spilled.meta == memory.meta
    assert spill_folders(tmp_path) == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_no_spill_folder_is_left_when_the_model_pass_stops(stop, tmp_path):
    done = 0

    def progress(frames: int) -> None:
        nonlocal done
        done += frames
        if done == 40:
            raise stop

    if stop is KeyboardInterrupt:   # Ctrl-C: the frames done get their report
        result = analyze(CLEAN, "bird_dog", max_people=1, workers=1, progress=progress,
                         spill=True, spill_dir=tmp_path)
        assert result.report["interrupted"] and len(result.track) == 40
        assert is_mapped(result.track.image)
    else:
        with pytest.raises(RuntimeError):
            analyze(CLEAN, "bird_dog", max_people=1, workers=1, progress=progress, spill=True,
                    spill_dir=tmp_path)
    assert spill_folders(tmp_path) == []
