"""The outputs meant for people and other programs: the annotated video browsers play (checked
in headless Chromium), embedded in the report page; a folder run's index page; the per-frame
CSV with units."""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import av
import numpy as np
import pytest

from conftest import ROOT, SAMPLES
from posecheck.cli import main
from posecheck.measure.kinematics import ALL_METRICS
from posecheck.measure.metrics import Metrics
from posecheck.outputs.report import CSV_UNIT_SUFFIXES, write_metrics_csv
from posecheck.pose.track import PoseTrack
from posecheck.outputs.video_writer import VideoWriter

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="/usr/bin/chromium is not installed (make system-deps)")
#: Irregular frame intervals: a phone's variable frame rate.
VFR_TIMES = np.cumsum([0.0] + [0.033, 0.05, 0.1, 0.033, 0.2, 0.04] * 8)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    """The clean bird dog sample analysed with every output; the output folder."""
    out = tmp_path_factory.mktemp("media")
    status = main(["analyze", str(SAMPLES / "bird_dog_clean.mp4"), "-e", "bird_dog", "--out",
                   str(out / "reports"), "--html", "--csv", "--no-progress",
                   "--annotate", str(out / "videos" / "clip.webm")])
    assert status == 0
    return out


def _report(out: Path) -> dict:
    return json.loads((out / "reports" / "bird_dog_clean.report.json").read_text())


def _frame_times(path: Path) -> tuple[str, list[float]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.name, [float(f.time) for f in container.decode(stream)]


def chromium_video_state(folder: Path, src: str) -> dict[str, float]:
    """readyState, duration and videoWidth of ``<video src=src>`` in a page in ``folder``, as
    headless Chromium reports them once the first frame has loaded (or the media error)."""
    probe = folder / "probe.html"
    probe.write_text(
        f'<!doctype html><video id="v" muted preload="auto" src="{src}"></video>'
        '<p id="out">pending</p><script>'
        'const v = document.getElementById("v"), out = document.getElementById("out");'
        'v.addEventListener("loadeddata", () => { out.textContent = JSON.stringify('
        '{readyState: v.readyState, duration: v.duration, width: v.videoWidth}); });'
        'v.addEventListener("error", () => { out.textContent = "error " + v.error.code; });'
        '</script>')
    profile = folder / "chromium-profile"
    try:
        dom = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=10000",
             "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        probe.unlink()
        shutil.rmtree(profile, ignore_errors=True)
    result = re.search(r'<p id="out">([^<]*)</p>', dom).group(1)
    assert result.startswith("{"), f"Chromium did not load {src}: {result}"
    return json.loads(unescape(result))


def test_annotated_video_is_vp9_webm_at_the_clips_own_frame_times(analysed):
    report = _report(analysed)
    video = analysed / "videos" / "clip.webm"
    assert report["annotated_video"] == str(video)
    codec, times = _frame_times(video)
    track = PoseTrack.load(analysed / "reports" / "bird_dog_clean.track.npz")
    assert codec == "vp9" and len(times) == report["video"]["frames"]
    np.testing.assert_allclose(times, track.times, atol=1e-3)
    assert not [p.name for p in video.parent.iterdir() if ".part" in p.name]


@needs_chromium
def test_report_page_embeds_the_annotated_video_and_chromium_plays_it(analysed):
    report = _report(analysed)
    page = (analysed / "reports" / "bird_dog_clean.report.html").read_text()
    src = unescape(re.search(r'<video controls[^>]* src="([^"]+)"', page).group(1))
    assert unquote(src) == "../videos/clip.webm"
    state = chromium_video_state(analysed / "reports", src)
    assert state["readyState"] >= 2 and state["width"] == report["video"]["width"]
    assert state["duration"] == pytest.approx(report["video"]["duration_s"], rel=0.05)


@pytest.mark.parametrize("suffix, codec", [(".webm", "vp9"), (".mp4", "h264")])
def test_variable_frame_rate_is_kept(tmp_path, suffix, codec):
    path = tmp_path / f"vfr{suffix}"
    with VideoWriter(path, (65, 49), fps=30.0) as writer:   # odd sizes lose a column and row
        for i, t in enumerate(VFR_TIMES):
            writer.write(np.full((49, 65, 3), 5 * i, np.uint8), float(t))
    found, times = _frame_times(path)
    assert found == codec
    np.testing.assert_allclose(times, VFR_TIMES, atol=1e-3)


@needs_chromium
def test_h264_mp4_plays_in_chromium_for_its_whole_duration(tmp_path):
    with VideoWriter(tmp_path / "clip.mp4", (320, 240), fps=30.0) as writer:
        for i, t in enumerate(VFR_TIMES):
            writer.write(np.full((240, 320, 3), 5 * i, np.uint8), float(t))
    state = chromium_video_state(tmp_path, "clip.mp4")
    assert state["readyState"] >= 2 and state["width"] == 320
    assert state["duration"] == pytest.approx(VFR_TIMES[-1] + 1 / 30, rel=0.05)


@pytest.mark.parametrize("name", ["clip.avi", "clip"])
def test_a_video_browsers_cannot_play_is_refused_before_any_work(tmp_path, capsys, name):
    status = main(["analyze", str(SAMPLES / "bird_dog_clean.mp4"), "-e", "bird_dog", "--out",
                   str(tmp_path / "reports"), "--no-progress", "--annotate",
                   str(tmp_path / name)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert str(tmp_path / name) in err[0] and ".webm" in err[0]
    assert list(tmp_path.iterdir()) == []


class _Rows(HTMLParser):
    """The index page's table: per row, the cells' text and the row's link."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append({"cells": [], "href": None})
        elif tag == "td":
            self._cell = []
        elif tag == "a":
            self.rows[-1]["href"] = dict(attrs)["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data + " ")


def test_folder_run_writes_an_index_page_linking_every_report(analysed, tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    track = analysed / "reports" / "bird_dog_clean.track.npz"
    odd = "<i>odd & \"clip\""
    for name in ("a_clip", odd):
        shutil.copy(track, folder / f"{name}.track.npz")
    (folder / "broken.track.npz").write_bytes(b"PK\x03\x04 not a track")
    out = tmp_path / "out"
    assert main(["analyze", str(folder), "-e", "bird_dog", "--out", str(out), "--html",
                 "--no-progress"]) == 2
    page = (out / "index.html").read_text()
    assert "<i>odd" not in page and "&lt;i&gt;odd &amp; &quot;clip&quot;" in page
    parser = _Rows()
    parser.feed(page)
    rows = [r for r in parser.rows if r["cells"]]
    assert [r["cells"][0] for r in rows] == [                 # summary.md's order
        f"{odd}.track.npz", "a_clip.track.npz", "broken.track.npz"]
    for row, name in zip(rows[:2], (odd, "a_clip")):
        report = json.loads((out / f"{name}.report.json").read_text())
        assert (out / unquote(unescape(row["href"]))).resolve() == \
            (out / f"{name}.report.html").resolve()
        reps = report["reps"]
        assert row["cells"][2] == (f"{reps['total']} reps (left {reps['left']}, "
                                   f"right {reps['right']})")
        assert row["cells"][3:5] == [str(report["fault_count"]), str(report["hint_count"])]
        assert all(note in row["cells"][5] for note in report["notes"])
    assert rows[2]["href"] is None and rows[2]["cells"][1] == "error"
    assert "broken.track.npz" in rows[2]["cells"][5]


def test_metrics_csv_names_each_columns_unit_and_csv_readers_parse_it(tmp_path):
    names = ("knee_flexion_left", "knee_rise_left", "body_height", "torso_length")
    values = np.array([[90.0, 0.07, 0.8, 120.0], [np.nan, -0.02, 0.75, 118.5]])
    path = tmp_path / "m.csv"
    write_metrics_csv(Metrics(names, values, np.array([0.0, 0.5])), np.array([True, False]),
                      path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["time_s", "detected", "knee_flexion_left_deg",
                             "knee_rise_left_torso_lengths", "body_height_frame_fraction",
                             "torso_length_px"]
    assert [float(r["time_s"]) for r in rows] == [0.0, 0.5]
    assert [r["detected"] for r in rows] == ["1", "0"]
    assert rows[1]["knee_flexion_left_deg"] == ""          # not measurable
    assert float(rows[0]["knee_rise_left_torso_lengths"]) == 0.07
    assert float(rows[1]["torso_length_px"]) == 118.5


def test_every_csv_unit_suffix_is_documented(analysed):
    with open(analysed / "reports" / "bird_dog_clean.metrics.csv", newline="") as fh:
        header = next(csv.reader(fh))
    documented = (ROOT / "docs" / "REPORT.md").read_text()
    suffixes = set(CSV_UNIT_SUFFIXES.values())
    assert all(f"`_{suffix}`" in documented for suffix in suffixes)
    assert all(any(column.endswith("_" + s) for s in suffixes) for column in header[2:])
    assert len(header) == 2 + len(ALL_METRICS)


def read_trc(path: Path) -> tuple[dict[str, str], list[str], np.ndarray, np.ndarray]:
    """An independent TRC reader from OpenSim's description: header fields by name, marker
    names, frame times and (frames, markers, 3) positions (NaN where a field is empty)."""
    lines = path.read_text().split("\n")
    assert lines[0].split("\t")[:3] == ["PathFileType", "4", "(X/Y/Z)"]
    header = dict(zip(lines[1].split("\t"), lines[2].split("\t")))
    names_row = lines[3].split("\t")
    assert names_row[:2] == ["Frame#", "Time"]
    markers = [n for n in names_row[2:] if n]
    coords = lines[4].split("\t")[2:]
    assert coords[:6] == ["X1", "Y1", "Z1", "X2", "Y2", "Z2"] and lines[5] == ""
    rows = [line.split("\t") for line in lines[6:] if line]
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))
    values = np.array([[float(v) if v else np.nan for v in r[2:]] for r in rows])
    return header, markers, np.array([float(r[1]) for r in rows]), \
        values.reshape(len(rows), len(markers), 3)


def read_mot(path: Path) -> tuple[dict[str, str], list[str], np.ndarray]:
    """An independent OpenSim storage (.mot) reader: header settings, column names, values."""
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    settings = dict(line.split("=", 1) for line in lines[1:end] if "=" in line)
    columns = lines[end + 1].split("\t")
    values = np.array([[float(v) for v in line.split("\t")] for line in lines[end + 2:]])
    return settings, columns, values


def test_export_trc_and_mot_read_back_with_opensims_conventions(analysed, tmp_path):
    track_path = analysed / "reports" / "bird_dog_clean.track.npz"
    out = tmp_path / "out"
    assert main(["analyze", str(track_path), "-e", "bird_dog", "--out", str(out),
                 "--export", "trc,mot", "--csv", "--no-progress"]) == 0
    report = json.loads((out / "bird_dog_clean.report.json").read_text())
    assert report["exports"] == [str(out / "bird_dog_clean.trc"), str(out / "bird_dog_clean.mot")]
    track = PoseTrack.load(track_path)

    header, markers, times, positions = read_trc(out / "bird_dog_clean.trc")
    assert header["Units"] == "m" and int(header["NumFrames"]) == len(track)
    assert int(header["NumMarkers"]) == 33 and markers[:3] == ["nose", "left_eye_inner",
                                                               "left_eye"]
    np.testing.assert_allclose(times, track.times, atol=1e-6)
    expected = track.world * [1, -1, -1]                       # OpenSim: Y up
    np.testing.assert_allclose(positions, expected, atol=1e-6, equal_nan=True)

    settings, columns, values = read_mot(out / "bird_dog_clean.mot")
    assert settings["inDegrees"] == "yes" and int(settings["nRows"]) == len(track)
    assert int(settings["nColumns"]) == len(columns) == values.shape[1]
    assert columns[0] == "time" and "knee_flexion_left" in columns
    assert "knee_rise_left" not in columns                     # not an angle
    with open(out / "bird_dog_clean.metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for name in ("time", "knee_flexion_left", "hip_flexion_right"):
        column = "time_s" if name == "time" else f"{name}_deg"
        csv_values = np.array([float(r[column]) if r[column] else np.nan for r in rows])
        np.testing.assert_allclose(values[:, columns.index(name)], csv_values, atol=1e-3,
                                   equal_nan=True)


def test_unknown_export_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", "x.mp4", "-e", "bird_dog", "--export", "trc,c3d"])
    assert exit_.value.code == 2 and "trc, mot" in capsys.readouterr().err
