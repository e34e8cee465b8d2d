"""The bad-input corpus (issue 10): damaged and hostile tracks, specs, routines, output paths and
signals, generated at test time from the samples. Every case must end with exit status 2 (or
130 for a signal), one line on stderr naming the file, and no stray file; no traceback, and no
result that is silently wrong. Property tests throw random bytes and random TOML at the loaders:
only posecheck's own errors may come out. The promises are listed in docs/BAD_INPUT.md."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLES
from posecheck.analyze_run import output_stems, termination_as_interrupt
from posecheck.cli import main
from posecheck.errors import PosecheckError, TrackError
from posecheck.live.routine import load_routine
from posecheck.outputs.publish import OutputSet
from posecheck.checking.spec import SpecError, load_spec, parse_spec, read_spec
from posecheck.pose.track import PoseTrack

BIRD_DOG = ROOT / "exercise_specs" / "bird_dog.toml"
GROUND_TRUTH = SAMPLES / "bird_dog_clean.gt.npz"
POSECHECK = [sys.executable, "-m", "posecheck.cli"]


# ------------------------------------------------------------------------------ helpers

def track_fields() -> dict[str, np.ndarray]:
    """The fields of a PoseTrack built from the clean bird dog's ground truth (no model)."""
    with np.load(GROUND_TRUTH) as gt:
        seen = (gt["in_frame"] & ~gt["occluded"]).astype(np.float32)
        return {"schema": np.array(1), "image": gt["image"], "world": gt["world"],
                "visibility": seen, "presence": np.ones_like(seen), "times": gt["times"],
                "back_contour": gt["back_contour"], "fps": gt["fps"],
                "frame_size": gt["frame_size"], "source": np.array("bird_dog_clean.mp4"),
                "model": np.array("truth")}


def write_track(path: Path, **changes: object) -> Path:
    """A track file with some fields changed (None removes a field)."""
    fields = {**track_fields(), **changes}
    np.savez(path, **{k: v for k, v in fields.items() if v is not None})
    return path


@pytest.fixture(scope="module")
def track(tmp_path_factory) -> Path:
    return write_track(tmp_path_factory.mktemp("track") / "clip.track.npz")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """``posecheck argv`` in this process: any exception but the CLI's own handling escapes
    and fails the test with its traceback."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(err: str, *names: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("posecheck: error: "), err
    for name in names:
        assert name in lines[0], (name, err)
    assert "allow_pickle" not in err and "Traceback" not in err and "\x1b" not in err


def assert_rejected(argv: list[str], capsys, tmp_path: Path, *names: str) -> None:
    """Exit status 2, one line naming ``names``, and nothing new under ``tmp_path``."""
    before = files_under(tmp_path)
    status, _, err = run_cli(argv, capsys)
    assert status == 2, err
    assert_one_line_error(err, *names)
    assert files_under(tmp_path) == before


def analyze_argv(target: Path, out: Path, *extra: str) -> list[str]:
    return ["analyze", str(target), "-e", "bird_dog", "--out", str(out), "--csv", "--html",
            "--no-progress", *extra]


# ------------------------------------------------------------------------ damaged tracks

def _truncated(track: Path, dest: Path, fraction: float) -> None:
    data = track.read_bytes()
    dest.write_bytes(data[:int(len(data) * fraction)])


def _bit_flipped(track: Path, dest: Path, seed: int) -> None:
    data = bytearray(track.read_bytes())
    rng = np.random.default_rng(seed)
    for at in rng.integers(100, len(data) - 100, 8):
        data[at] ^= 1 << int(rng.integers(8))
    dest.write_bytes(bytes(data))


def _huge_header(track: Path, dest: Path) -> None:
    """A zip whose image.npy header claims a (10**9, 33, 3) float64 array."""
    import zipfile

    header = {"descr": "<f8", "fortran_order": False, "shape": (10 ** 9, 33, 3)}
    with zipfile.ZipFile(track) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "image.npy":
                with out.open("image.npy", "w") as fh:
                    np.lib.format.write_array_header_1_0(fh, header)
                    fh.write(b"\0" * 64)
                continue
            out.writestr(info, data)


DAMAGED: dict[str, Callable[[Path, Path], None]] = {
    "truncated to half": lambda t, d: _truncated(t, d, 0.5),
    "truncated to its first bytes": lambda t, d: _truncated(t, d, 0.001),
    "empty": lambda t, d: d.write_bytes(b""),
    "junk bytes": lambda t, d: d.write_bytes(bytes(range(256)) * 40),
    "bit flips 1": lambda t, d: _bit_flipped(t, d, 1),
    "bit flips 2": lambda t, d: _bit_flipped(t, d, 2),
    "bit flips 3": lambda t, d: _bit_flipped(t, d, 3),
    "header claiming a huge array": _huge_header,
    "pickled objects": lambda t, d: np.savez(d, **{**track_fields(),
                                                  "source": np.array([{"x": 1}], object)}),
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_damaged_track_is_one_line_error(damage, track, tmp_path, capsys):
    bad = tmp_path / "bad.track.npz"
    DAMAGED[damage](track, bad)
    assert_rejected(analyze_argv(bad, tmp_path / "out"), capsys, tmp_path, str(bad))


T = len(track_fields()["times"])
BAD_FIELDS: dict[str, tuple[dict[str, object], str]] = {
    "missing fields (ground truth)": ({"visibility": None, "presence": None}, "missing"),
    "lengths differ": ({"times": track_fields()["times"][:-5]}, "image"),
    "unsupported schema": ({"schema": np.array(7)}, "schema 7"),
    "fps zero": ({"fps": np.array(0.0)}, "fps"),
    "fps NaN": ({"fps": np.array(np.nan)}, "fps"),
    "fps negative": ({"fps": np.array(-30.0)}, "fps"),
    "fps as text": ({"fps": np.array("30")}, "fps"),
    "NaN times": ({"times": np.where(np.arange(T) == 7, np.nan, track_fields()["times"])},
                  "times"),
    "times running backwards": ({"times": track_fields()["times"][::-1].copy()}, "times"),
    "times repeated": ({"times": np.zeros(T)}, "times"),
    "times 1e-300 s apart": ({"times": np.arange(T) * 1e-300}, "times"),
    "times beyond a million seconds": ({"times": 1e300 + np.arange(T) * 1e290}, "times"),
    "wrong landmark count": ({"image": np.zeros((T, 17, 3), np.float32)}, "image"),
    "landmarks as text": ({"image": np.full((T, 33, 3), "x")}, "image"),
    "infinite landmarks": ({"world": np.full((T, 33, 3), np.inf, np.float32)}, "world"),
    "visibility above 1": ({"visibility": np.full((T, 33), 7.0, np.float32)}, "visibility"),
    "negative frame size": ({"frame_size": np.array([-640, 480])}, "frame_size"),
    "frame size as floats": ({"frame_size": np.array([640.5, 480.0])}, "frame_size"),
    "source not a string": ({"source": np.arange(3)}, "source"),
    "meta not JSON": ({"meta": np.array("{oops")}, "meta"),
    "meta nested 100,000 levels": ({"meta": np.array("[" * 100_000 + "]" * 100_000)}, "meta"),
    "meta with a 5000-digit number": ({"meta": np.array('{"fps": ' + "9" * 5000 + "}")},
                                      "meta"),
    "meta with an fps of 400 digits": ({"meta": np.array('{"fps": ' + "9" * 400 + "}")},
                                       "fps"),
    "meta with damaged-frame times as text": (
        {"meta": np.array('{"unreadable_times": ["x", 1]}')}, "unreadable_times"),
    "meta with a header rate as text": ({"meta": np.array(
        '{"fps_from": "timestamps", "header_fps": "abc"}')}, "header_fps"),
    "meta with notes that are not text": ({"meta": np.array('{"people_notes": [1]}')},
                                          "people_notes"),
}


@pytest.mark.parametrize("case", BAD_FIELDS)
def test_track_with_bad_fields_is_one_line_error(case, tmp_path, capsys):
    changes, problem = BAD_FIELDS[case]
    bad = write_track(tmp_path / "odd.track.npz", **changes)
    assert_rejected(analyze_argv(bad, tmp_path / "out"), capsys, tmp_path, str(bad), problem)


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: None], ids=["folder", "missing"])
def test_track_path_that_is_no_file(make, tmp_path, capsys):
    path = tmp_path / "gone.track.npz"
    make(path)
    assert_rejected(analyze_argv(path, tmp_path / "out"), capsys, tmp_path, str(path))


def test_a_good_track_still_analyses_and_its_text_is_made_safe(tmp_path, capsys):
    meta = json.dumps({"people_notes": ["\x1b]0;pwned\x07followed one person"]})
    good = write_track(tmp_path / "ok.track.npz", source=np.array("clip\x1b[2J.mp4"),
                       meta=np.array(meta))
    status, out, err = run_cli(analyze_argv(good, tmp_path / "out"), capsys)
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out and "clip[2J.mp4" in out
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "ok.report.json", "ok.metrics.csv", "ok.report.html"}


def test_reanalysing_the_track_of_an_interrupted_run_is_no_interruption(tmp_path, capsys):
    partial = write_track(tmp_path / "partial.track.npz",
                          meta=np.array(json.dumps({"interrupted": True})))
    status, out, err = run_cli(["analyze", str(partial), str(partial.with_name("x.track.npz")),
                                "-e", "bird_dog", "--out", str(tmp_path / "out")], capsys)
    assert status == 2, err   # not 130: both inputs were tried, the missing one failed
    assert "| partial.track.npz | ok |" in out and "| x.track.npz | error |" in out


# ------------------------------------------------------------------------- hostile specs

def _spec_text(**replace: str) -> str:
    text = BIRD_DOG.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


BIRD_DOG_TEXT = BIRD_DOG.read_text()
HOSTILE_SPECS: dict[str, tuple[Callable[[Path], None], str]] = {
    "a number of 400 digits": (lambda p: p.write_text(
        _spec_text(**{"hold_seconds = ": "hold_seconds = " + "9" * 400 + " #"})), "finite"),
    "a number of 5000 digits": (lambda p: p.write_text(
        BIRD_DOG_TEXT + "\nx = " + "9" * 5000 + "\n"), "too long"),
    "nested 100,000 levels": (lambda p: p.write_text(
        "x = " + "[" * 100_000 + "]" * 100_000 + "\n"), "nested too deeply"),
    "UTF-16": (lambda p: p.write_bytes(BIRD_DOG_TEXT.encode("utf-16")), "UTF-16"),
    "Latin-1": (lambda p: p.write_bytes(
        BIRD_DOG_TEXT.replace('title = "', 'title = "Caf\u00e9 ', 1).encode("latin-1")),
        "UTF-8"),
    "2 MB": (lambda p: p.write_text(BIRD_DOG_TEXT + "#" * 2_000_000 + "\n"), "larger than"),
    "a folder": (lambda p: p.mkdir(), "not a regular file"),
    "a named pipe": (lambda p: os.mkfifo(p), "not a regular file"),
    "missing": (lambda p: None, "No such file"),
    "strict tolerance inverting the range": (lambda p: p.write_text(
        _spec_text(**{"tolerance = { beginner = 4, strict = -3 }":
                      "tolerance = { beginner = 4, strict = -9 }"})), "inverts"),
    "a rule with views = []": (lambda p: p.write_text(
        _spec_text(**{"[[rules]]\n": "[[rules]]\nviews = []\n"})), "views: empty"),
    "a rule with levels = []": (lambda p: p.write_text(
        _spec_text(**{"[[rules]]\n": "[[rules]]\nlevels = []\n"})), "levels: empty"),
    "a rule with phases = []": (lambda p: p.write_text(
        _spec_text(**{'phases = ["out", "peak", "back"]': "phases = []"})), "phases: empty"),
    "sets of 400 digits": (lambda p: p.write_text(
        _spec_text(**{"sets = 2": "sets = " + "9" * 400})), "sets"),
}


@pytest.mark.parametrize("case", HOSTILE_SPECS)
def test_hostile_spec_is_one_line_error_everywhere(case, tmp_path, track, capsys):
    make, problem = HOSTILE_SPECS[case]
    spec = tmp_path / "spec" / "bird_dog.toml"
    spec.parent.mkdir()
    make(spec)
    status, _, err = run_cli(["specs", "validate", str(spec)], capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert str(spec) in err and problem in err
    argv = ["analyze", str(track), "-e", str(spec), "--out", str(tmp_path / "out")]
    assert_rejected(argv, capsys, tmp_path, str(spec), problem)


def test_validate_reports_every_bad_file_and_still_passes_good_ones(tmp_path, capsys):
    files = []
    for i, case in enumerate(HOSTILE_SPECS):
        spec = tmp_path / str(i) / "bird_dog.toml"
        spec.parent.mkdir()
        HOSTILE_SPECS[case][0](spec)
        files.append(spec)
    status, _, err = run_cli(["specs", "validate", str(BIRD_DOG), *map(str, files)], capsys)
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == len(files)
    assert [line.split(": ")[0] for line in lines] == [str(f) for f in files]


def test_dev_zero_as_exercise_is_refused_unread(tmp_path, track, capsys):
    argv = ["analyze", str(track), "-e", "/dev/zero", "--out", str(tmp_path / "out")]
    assert_rejected(argv, capsys, tmp_path, "/dev/zero", "not a regular file")


def test_escape_sequences_in_spec_text_never_reach_the_terminal(tmp_path, track, capsys):
    spec = tmp_path / "bird_dog.toml"
    spec.write_text(_spec_text(**{'title = "': 'title = "\\u001b]0;pwned\\u0007\\u001b[31m'}))
    assert "\x1b" not in load_spec(spec).title
    status, out, _ = run_cli(["analyze", str(track), "-e", str(spec), "--out",
                              str(tmp_path / "out")], capsys)
    assert status == 0 and "\x1b" not in out and "\x07" not in out


def test_routine_naming_a_hostile_spec_names_both_files(tmp_path):
    for name, target in (("zero", "/dev/zero"), ("deep", "deep.toml")):
        (tmp_path / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000)
        routine = tmp_path / f"{name}.toml"
        routine.write_text(f'[[exercises]]\nexercise = "{target}"\n')
        with pytest.raises(PosecheckError) as caught:
            load_routine(routine)
        message = str(caught.value)
        assert str(routine) in message and target.removesuffix(".toml") in message
        assert "\n" not in message


# ---------------------------------------------------------------------- outputs, folders

def test_out_under_a_regular_file_is_refused_before_work(tmp_path, track, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    argv = analyze_argv(track, blocker / "reports")
    assert_rejected(argv, capsys, tmp_path, str(blocker / "reports"), "not a folder")


def test_annotate_under_a_regular_file_is_refused_before_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    argv = analyze_argv(SAMPLES / "bird_dog_clean.mp4", tmp_path / "out", "--annotate",
                        str(blocker / "a.mp4"))
    assert_rejected(argv, capsys, tmp_path, str(blocker / "a.mp4"), "not a folder")


def test_report_path_taken_by_a_folder_is_refused_before_work(tmp_path, track, capsys):
    (tmp_path / "out" / "clip.report.json").mkdir(parents=True)
    argv = analyze_argv(track, tmp_path / "out")
    assert_rejected(argv, capsys, tmp_path, str(tmp_path / "out" / "clip.report.json"))


def test_report_that_cannot_be_written_takes_the_other_outputs_with_it(
        tmp_path, track, capsys, monkeypatch):
    def disk_full(report, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("posecheck.analyze_run.write_json_report", disk_full)
    argv = analyze_argv(track, tmp_path / "out")
    assert_rejected(argv, capsys, tmp_path, str(tmp_path / "out" / "clip.report.json"),
                    "No space left")


def test_a_failed_publish_restores_the_earlier_outputs(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    with pytest.raises(PosecheckError, match="b.txt"):
        with OutputSet() as outputs:
            outputs.write(tmp_path / "a.txt", lambda part: part.write_text("new a"))
            outputs.write(tmp_path / "b.txt", lambda part: part.write_text("new b"))
            (tmp_path / "b.txt").mkdir()  # appears between staging and publishing
            outputs.publish()
    assert (tmp_path / "a.txt").read_text() == "old a"
    assert {p.name for p in tmp_path.iterdir()} == {"a.txt", "b.txt"}


def test_same_stem_inputs_get_distinct_outputs(tmp_path, track, capsys):
    assert output_stems([Path("v/clip.mp4"), Path("v/clip.webm"), Path("v/other.mp4")]) == [
        "clip.mp4", "clip.webm", "other"]
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_track(tmp_path / folder / "clip.track.npz")
    status, _, err = run_cli(["analyze", str(tmp_path / "a" / "clip.track.npz"),
                              str(tmp_path / "b" / "clip.track.npz"), str(track), "-e",
                              "bird_dog", "--out", str(tmp_path / "out")], capsys)
    assert status == 0, err
    reports = sorted(p.name for p in (tmp_path / "out").glob("*.report.json"))
    assert len(reports) == 3 and len(set(reports)) == 3


def test_folder_takes_tracks_and_videos_not_ground_truth(tmp_path, track, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write_track(folder / "clip.track.npz")
    (folder / "clip.gt.npz").write_bytes(GROUND_TRUTH.read_bytes())
    (folder / "notes.txt").write_text("x")
    status, out, err = run_cli(["analyze", str(folder), str(folder / "clip.track.npz"), "-e",
                                "bird_dog", "--out", str(tmp_path / "out")], capsys)
    assert status == 0 and not err
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"clip.report.json"}


def test_file_names_that_are_not_utf8_are_analysed_and_shown_escaped(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write_track(folder / os.fsdecode(b"cl\xffip.track.npz"))
    write_track(folder / "other.track.npz")
    status, out, err = run_cli(["analyze", str(folder), "-e", "bird_dog", "--html", "--out",
                                str(tmp_path / "out")], capsys)
    assert status == 0, err
    assert "cl\\udcffip.track.npz" in (tmp_path / "out" / "summary.md").read_text()
    assert len(list((tmp_path / "out").glob("*.report.html"))) == 2


def test_a_bad_input_among_good_ones_is_reported_and_the_rest_analysed(tmp_path, track,
                                                                       capsys):
    bad = tmp_path / "bad.track.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    status, out, err = run_cli(["analyze", str(bad), str(track), "-e", "bird_dog", "--out",
                                str(tmp_path / "out")], capsys)
    assert status == 2
    assert_one_line_error(err, str(bad))
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"clip.report.json",
                                                             "summary.md"}
    assert "| bad.track.npz | error |" in out


# --------------------------------------------------------------------------------- models

def test_bit_rotted_model_is_not_listed_as_ok(tmp_path, monkeypatch, capsys):
    import hashlib

    from posecheck.pose.models import model_path

    monkeypatch.setenv("POSECHECK_MODELS_DIR", str(tmp_path))
    source = ROOT / "models" / "pose_landmarker_full.task"
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0x10
    model_path("full").write_bytes(bytes(data))
    record = tmp_path / ".build" / "installed.json"   # a record that agrees with the rot
    record.parent.mkdir()
    record.write_text(json.dumps({"pose_landmarker_full.task": {
        "route": "build", "sha256": hashlib.sha256(data).hexdigest()}}))
    status, out, _ = run_cli(["models", "list"], capsys)
    full = next(line for line in out.splitlines() if line.startswith("full"))
    assert status == 0 and "corrupt" in full and "CRC" in full


def test_model_with_intact_zip_but_damaged_network_is_one_line_error(tmp_path, monkeypatch,
                                                                    capsys):
    import zipfile

    source = ROOT / "models" / "pose_landmarker_full.task"
    monkeypatch.setenv("POSECHECK_MODELS_DIR", str(tmp_path / "models"))
    bundle = tmp_path / "models" / "pose_landmarker_full.task"
    bundle.parent.mkdir()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bundle, "w") as out:
        for name in src.namelist():   # magic kept, the flatbuffer after it overwritten
            data = src.read(name)
            out.writestr(name, data[:8] + b"\xff" * 4000 + data[4008:])
    status, _, err = run_cli(["analyze", str(SAMPLES / "bird_dog_clean.mp4"), "-e",
                              "bird_dog", "--model", "full", "--workers", "1", "--no-progress",
                              "--out", str(tmp_path / "out")], capsys)
    errors = [line for line in err.splitlines() if line.startswith("posecheck: error:")]
    assert status == 2 and len(errors) == 1 and str(bundle) in errors[0], err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


# ------------------------------------------------------------------------ property tests

@pytest.fixture(scope="module")
def track_bytes(track) -> bytes:
    return track.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bytes_only_ever_give_a_track_error(data, tmp_path, track_bytes):
    if data.draw(st.booleans()):
        blob = data.draw(st.binary(max_size=4096))
    else:  # the real file, damaged in a few places or cut short
        blob = bytearray(track_bytes)
        for at in data.draw(st.lists(st.integers(0, len(blob) - 1), max_size=6)):
            blob[at] = data.draw(st.integers(0, 255))
        blob = bytes(blob[:data.draw(st.integers(0, len(blob)))])
    path = tmp_path / "random.track.npz"
    path.write_bytes(blob)
    try:
        PoseTrack.load(path)
    except TrackError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        assert "allow_pickle" not in str(exc)


TOML_SCALARS = (st.integers(-10 ** 30, 10 ** 30) | st.floats() | st.booleans()
                | st.text(max_size=20) | st.sampled_from(["side", "front", "rising", "reps",
                                                          "knee_rise_{side}", "between"]))
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(changes=st.dictionaries(st.sampled_from([
    "id", "title", "kind", "sides", "views", "dosage", "setup", "calibration", "rep", "hold",
    "rules", "extra"]), TOML_VALUES, max_size=3))
def test_random_spec_data_only_ever_gives_a_spec_error(changes):
    import tomllib

    data = {**tomllib.loads(BIRD_DOG_TEXT), **changes}
    try:
        parse_spec(data, "random.toml")
    except SpecError as exc:
        assert str(exc).startswith("random.toml: ") and "\n" not in str(exc)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, BIRD_DOG_TEXT.count("\n")), text=st.text(max_size=40))
def test_random_spec_text_only_ever_gives_a_spec_error(line, text, tmp_path):
    lines = BIRD_DOG_TEXT.splitlines()
    lines[line:line + 1] = [text]
    path = tmp_path / "bird_dog.toml"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        read_spec(path)
    except SpecError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)


# ------------------------------------------------------------------------------- signals

LONG_FRAMES = 240  # two workers' worth (pipeline.MIN_FRAMES_PER_WORKER each)


def small_clip(path: Path, frames: int) -> Path:
    """The clean bird dog at 320x240, ``frames`` long (looping): quick to analyse."""
    capture = cv2.VideoCapture(str(SAMPLES / "bird_dog_clean.mp4"))
    fps = capture.get(cv2.CAP_PROP_FPS)
    images = []
    while (grabbed := capture.read())[0]:
        images.append(cv2.resize(grabbed[1], (320, 240)))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 240))
    for i in range(frames):
        writer.write(images[i % len(images)])
    writer.release()
    return path


@pytest.fixture(scope="module")
def long_video(tmp_path_factory) -> Path:
    return small_clip(tmp_path_factory.mktemp("long") / "long.mp4", LONG_FRAMES)


@pytest.fixture(scope="module")
def short_video(tmp_path_factory) -> Path:
    return small_clip(tmp_path_factory.mktemp("short") / "short.mp4", 100)


class Running:
    """A posecheck process in its own session (as a shell job), its stderr collected."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(POSECHECK + argv, cwd=ROOT, start_new_session=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while chunk := self.process.stderr.read1(4096):
            self.err += chunk

    def wait_until(self, ready: Callable[[], bool], timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while not ready():
            assert self.process.poll() is None, self.err.decode()
            assert time.monotonic() < end, "timed out"
            time.sleep(0.05)

    def signal(self, sig: int, group: bool) -> float:
        """Send ``sig`` (to the whole process group, as a terminal's Ctrl-C does, or to the
        main process only) and return the seconds until it exits."""
        start = time.monotonic()
        (os.killpg if group else os.kill)(self.process.pid, sig)
        self.process.wait(timeout=60)
        self._reader.join()
        return time.monotonic() - start


def frames_done(running: Running) -> int:
    counts = re.findall(rb"(\d+)/%d" % LONG_FRAMES, running.err)
    return int(counts[-1]) if counts else 0


@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c", "sigint-to-parent"])
def test_interrupting_two_workers_keeps_their_work(group, long_video, tmp_path):
    out = tmp_path / "out"
    running = Running(["analyze", str(long_video), "-e", "bird_dog", "--workers", "2",
                       "--out", str(out)])
    running.wait_until(lambda: frames_done(running) >= 60)
    seconds = running.signal(signal.SIGINT, group)
    assert running.process.returncode == 130, running.err.decode()
    assert seconds < 20 and b"Traceback" not in running.err
    report = json.loads((out / "long.report.json").read_text())
    assert report["interrupted"] and 0 < report["video"]["frames"] < LONG_FRAMES
    assert sorted(p.name for p in out.iterdir()) == ["long.report.json", "long.track.npz"]


@pytest.mark.parametrize("sig, group", [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c", "term"])
def test_signal_while_annotating_writes_the_report_and_no_part_file(sig, group, short_video,
                                                                    tmp_path):
    out = tmp_path / "out"
    running = Running(["analyze", str(short_video), "-e", "bird_dog", "--workers", "1",
                       "--no-progress", "--out", str(out), "--annotate",
                       str(out / "annotated.mp4")])
    running.wait_until(lambda: any(out.glob("*.part*")))
    running.signal(sig, group)
    assert running.process.returncode == 130, running.err.decode()
    assert b"Traceback" not in running.err
    assert sorted(p.name for p in out.iterdir()) == ["short.report.json", "short.track.npz"]
    report = json.loads((out / "short.report.json").read_text())
    assert report["interrupted"] and "annotated_video" not in report


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["term", "hup"])
def test_termination_signals_stop_an_analysis_like_ctrl_c(sig):
    before = signal.getsignal(sig)     # SIG_IGN for SIGHUP under nohup, else SIG_DFL
    with pytest.raises(KeyboardInterrupt), termination_as_interrupt():
        os.kill(os.getpid(), sig)
        time.sleep(5)
    assert signal.getsignal(sig) is before
