"""Engines for many inputs: a pool of local workers and a dask cluster give the same reports as
this process, in the input order; the analysis rate keeps real times."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.cli import main
from posecheck.engines import ClipOptions, FuturesRun, LocalPool, Serial, largest_first
from posecheck.pose.sampling import at_rate
from posecheck.io.sources import Frame
from posecheck.checking.spec import load_spec

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
CUTS = {"a_bird_dog": ("bird_dog_clean", 2.0, 5.0), "b_lunge": ("lunge", 3.0, 5.5),
        "c_bird_dog": ("bird_dog_faults", 6.0, 8.0)}


def cut_clip(sample: str, start_s: float, end_s: float, out: Path) -> Path:
    """Frames of a sample between two times, at 320x240 (quick to analyse)."""
    capture = cv2.VideoCapture(str(SAMPLES / f"{sample}.mp4"))
    fps = capture.get(cv2.CAP_PROP_FPS)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 240))
    index = 0
    while (grabbed := capture.read())[0]:
        if start_s <= index / fps < end_s:
            writer.write(cv2.resize(grabbed[1], (320, 240)))
        index += 1
    writer.release()
    return out


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    return [cut_clip(sample, a, b, folder / f"{name}.mp4")
            for name, (sample, a, b) in CUTS.items()]


def reports(engine, clips: list[Path]) -> dict[str, dict]:
    with engine.start(clips, load_spec("bird_dog"), ClipOptions(model="lite")) as run:
        return {clips[i].name: outcome.report for i, outcome in run.results()}


@pytest.fixture(scope="module")
def serial_reports(clips) -> dict[str, dict]:
    return reports(Serial(progress=False), clips)


def test_pool_of_workers_gives_the_same_reports_as_one_process(clips, serial_reports):
    assert reports(LocalPool(2, progress=False), clips) == serial_reports


def test_dask_cluster_gives_the_same_reports_as_the_local_run(clips, serial_reports):
    pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                              "(pip install posecheck[cluster])")
    from distributed import LocalCluster

    from posecheck.dask_engine import DaskCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        assert reports(DaskCluster(cluster.scheduler_address, progress=False),
                       clips) == serial_reports


def test_folder_summary_lists_inputs_in_order(clips, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["analyze", str(clips[0].parent), "-e", "bird_dog", "--model", "lite",
                   "--workers", "2", "--no-progress", "--out", str(out)])
    assert status == 0
    rows = [line.split(" | ")[0].strip("| ") for line in
            (out / "summary.md").read_text().splitlines()[2:]]
    assert rows == [clip.name for clip in clips]
    assert all((out / f"{clip.stem}.report.json").exists() for clip in clips)


def test_a_stopped_run_gives_what_finishes_and_drops_what_it_cancelled():
    from concurrent.futures import Future, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from tqdm import tqdm

    from posecheck.errors import PosecheckError

    done, failed, running, killed, waiting = (Future() for _ in range(5))
    done.set_result("report a")
    failed.set_exception(PosecheckError("b.mp4: cannot be opened"))
    for future in (running, killed):
        future.set_running_or_notify_cancel()
    run = FuturesRun({done: 0, failed: 1, running: 2, killed: 3, waiting: 4},
                     tqdm(disable=True), as_completed, lambda fs: [f.cancel() for f in fs])
    results = run.results()
    first = dict(next(results) for _ in range(2))
    assert first[0] == "report a" and str(first[1]) == "b.mp4: cannot be opened"
    run.stop()                    # Ctrl-C: the waiting input is dropped, the running go on
    assert not waiting.set_running_or_notify_cancel()   # what the pool then does with it
    running.set_result("report c (interrupted)")
    killed.set_exception(BrokenProcessPool())   # a worker killed by the same signal
    assert list(results) == [(2, "report c (interrupted)")] and waiting.cancelled()


def test_largest_input_goes_first(tmp_path):
    sizes = {"small": 10, "big": 1000, "middle": 100}
    paths = []
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
        paths.append(tmp_path / name)
    paths.append(tmp_path / "gone")
    assert [paths[i].name for i in largest_first(paths)] == ["big", "middle", "small", "gone"]


def frames_at(fps: float, seconds: float) -> list[Frame]:
    image = np.zeros((4, 4, 3), np.uint8)
    return [Frame(i, i / fps, image) for i in range(int(seconds * fps))]


@pytest.mark.parametrize("video_fps, rate, kept_every", [(30, 15, 2), (30, 10, 3), (60, 30, 2),
                                                         (15, 30, 1)])
def test_analysis_rate_keeps_one_frame_per_slot(video_fps, rate, kept_every):
    kept = [f.index for f in at_rate(frames_at(video_fps, 2.0), rate)]
    assert kept == list(range(0, int(2.0 * video_fps), kept_every))


def test_analysis_rate_keeps_real_times_and_says_so(clips, tmp_path):
    out = tmp_path / "out"
    status = main(["analyze", str(clips[0]), "-e", "bird_dog", "--model", "lite",
                   "--analysis-fps", "5", "--no-progress", "--out", str(out)])
    assert status == 0
    report = json.loads((out / f"{clips[0].stem}.report.json").read_text())
    assert report["video"]["fps"] == 5.0 and report["video"]["frames"] == 15
    assert any("--analysis-fps" in note for note in report["notes"])
    times = np.load(out / f"{clips[0].stem}.track.npz")["times"]
    assert np.allclose(np.diff(times), 0.2, atol=1e-3)


def test_ctrl_c_on_a_folder_keeps_the_reports_done_and_exits_130(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        cut_clip("bird_dog_clean", 0.0, 14.0, folder / f"clip{i}.mp4")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck.cli", "analyze", str(folder), "-e", "bird_dog",
         "--model", "lite", "--workers", "2", "--no-progress", "--out", str(out)],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(out.glob("*.report.json")):   # one clip done: the others are under way
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)        # as a terminal's Ctrl-C
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and b"Traceback" not in err, err.decode()
    written = sorted(p.name.removesuffix(".report.json") for p in out.glob("*.report.json"))
    rows = [line.split(" | ")[0].strip("| ")
            for line in (out / "summary.md").read_text().splitlines()[2:]]
    assert rows == [f"{stem}.mp4" for stem in written]
    assert not list(out.glob("*.part*"))
    assert all("reps" in json.loads((out / f"{stem}.report.json").read_text())
               for stem in written)


def test_a_stop_while_outputs_are_written_waits_for_them():
    """Ctrl-C (or SIGTERM) in the middle of writing one input's outputs does not interrupt the
    writing: the block ends and says which stops came, for the run to stop then."""
    import os
    import signal

    from posecheck.analyze_run import stops_deferred

    with stops_deferred() as stops:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        written = True
    assert written and stops == [signal.SIGINT, signal.SIGTERM]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with stops_deferred() as stops:
        pass
    assert stops == []


def test_dask_engine_without_a_scheduler_is_a_one_line_error(clips, tmp_path, capsys):
    status = main(["analyze", str(clips[0]), str(clips[1]), "-e", "bird_dog", "--engine",
                   "dask", "--no-progress", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and err.count("\n") == 0 and "--scheduler" in err
