"""The recorded-video pipeline end to end, with the real model on committed synthetic clips."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from conftest import ROOT, SAMPLES
from posecheck.cli import main
from posecheck.pipeline import analyze, check, estimate_video
from posecheck.checking.spec import load_spec

CLEAN = SAMPLES / "bird_dog_clean.mp4"


@pytest.fixture(scope="module")
def clean_analysis():
    return analyze(CLEAN, "bird_dog", workers=1)


@pytest.mark.parametrize("content, problem", [
    (None, "no such file"), (b"", "file is empty"), (bytes(range(256)) * 64, "cannot be opened"),
    (b"just some text\n" * 50, "cannot be opened"),
])
def test_bad_video_gives_one_line_error_exit_2_and_no_report(tmp_path, capsys, content, problem):
    video = tmp_path / "broken.mp4"
    if content is not None:
        video.write_bytes(content)
    out = tmp_path / "reports"
    status = main(["analyze", str(video), "-e", "bird_dog", "--out", str(out), "--csv",
                   "--annotate", str(tmp_path / "a.mp4"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and str(video) in err[0] and problem in err[0]
    assert not out.exists() and not (tmp_path / "a.mp4").exists()


def test_unknown_exercise_is_a_one_line_error(tmp_path, capsys):
    status = main(["analyze", str(CLEAN), "-e", "no_such_exercise", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "no_such_exercise" in err[0]


def test_clip_with_nobody_reports_so(empty_room_video, tmp_path, capsys):
    status = main(["analyze", str(empty_room_video), "-e", "bird_dog", "--out", str(tmp_path),
                   "--no-progress"])
    assert status == 0
    report = json.loads((tmp_path / "empty_room.report.json").read_text())
    assert report["person_detected_ratio"] == 0.0
    assert report["reps"]["total"] == 0 and report["faults"] == []
    assert any("no person" in note for note in report["notes"])
    assert "no person" in capsys.readouterr().out


def test_report_has_the_documented_schema(clean_analysis):
    report = clean_analysis.report
    for key in ("schema_version", "exercise", "video", "person_detected_ratio", "reps",
                "rep_details", "holds", "faults", "events", "notes"):
        assert key in report
    assert set(report["reps"]) >= {"left", "right", "total"}
    assert report["video"]["frames"] == len(clean_analysis.track) > 0
    json.dumps(report, allow_nan=False)


def test_saved_track_reanalyses_to_the_same_report(clean_analysis, tmp_path):
    path = tmp_path / "clean.track.npz"
    clean_analysis.track.save(path)
    again = analyze(path, "bird_dog")
    assert again.report["reps"] == clean_analysis.report["reps"]
    assert [e.kind for e in again.events] == [e.kind for e in clean_analysis.events]


def test_two_workers_give_the_same_reps_as_one(clean_analysis):
    track = estimate_video(str(CLEAN), workers=2, min_frames_per_worker=30)
    assert len(track) == len(clean_analysis.track)
    np.testing.assert_allclose(track.times, clean_analysis.track.times)
    _, events, summary = check(track, load_spec("bird_dog"))
    assert summary["reps"] == clean_analysis.report["reps"]
    starts = [e.time for e in events if e.kind == "rep_completed"]
    expected = [e.time for e in clean_analysis.events if e.kind == "rep_completed"]
    np.testing.assert_allclose(starts, expected, atol=2.5 / track.fps)


def test_cli_writes_report_csv_and_annotated_video(tmp_path, capsys):
    out = tmp_path / "r"
    status = main(["analyze", str(CLEAN), "-e", "bird_dog", "--out", str(out), "--csv",
                   "--annotate", str(out / "a.mp4"), "--no-progress", "--workers", "1"])
    assert status == 0
    report = json.loads((out / "bird_dog_clean.report.json").read_text())
    lines = (out / "bird_dog_clean.metrics.csv").read_text().splitlines()
    assert len(lines) == report["video"]["frames"] + 1 and lines[0].startswith("time_s,detected")
    video = cv2.VideoCapture(str(out / "a.mp4"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == report["video"]["frames"]
    assert not list(out.glob("*.part*"))
    assert "reps:" in capsys.readouterr().out


def test_folder_analysis_writes_one_report_each_and_a_summary(tmp_path, empty_room_video):
    folder = empty_room_video.parent
    (folder / "broken.mp4").write_bytes(b"\x00" * 100)
    out = tmp_path / "out"
    status = main(["analyze", str(folder), "-e", "bird_dog", "--out", str(out), "--no-progress"])
    assert status == 2  # one input failed, the other was still analysed
    assert (out / "empty_room.report.json").exists()
    summary = (out / "summary.md").read_text()
    assert "broken.mp4 | error" in summary and "empty_room.mp4 | ok" in summary


def test_real_model_landmarks_match_the_ground_truth(clean_analysis):
    from posecheck.synth.evaluate import accuracy
    from posecheck.synth.groundtruth import GroundTruth, path_for

    truth = GroundTruth.load(path_for(CLEAN))
    result = accuracy(clean_analysis.track, truth)
    assert result.detection_rate >= 0.98
    assert result.median_px / np.nanmedian(_torso_px(truth)) < 0.08
    assert result.swapped_frames < 0.05


def test_the_model_follows_the_exerciser_and_not_someone_elsewhere(clean_analysis):
    from dataclasses import replace

    from posecheck.synth.evaluate import followed
    from posecheck.synth.groundtruth import GroundTruth, path_for

    truth = GroundTruth.load(path_for(CLEAN))
    assert followed(clean_analysis.track, truth).mean() >= 0.98
    elsewhere = clean_analysis.track.image.copy()
    elsewhere[:, :, 0] += 0.6 * clean_analysis.track.frame_size[0]  # a person beside them
    moved = followed(replace(clean_analysis.track, image=elsewhere), truth)
    assert moved.mean() < 0.02


def _torso_px(truth) -> np.ndarray:
    from posecheck.synth.evaluate import torso_length_px

    return torso_length_px(truth)


def test_counts_on_committed_samples_equal_the_ground_truth():
    from posecheck.synth.groundtruth import GroundTruth, path_for

    for clip, exercise in (("bird_dog_clean.mp4", "bird_dog"), ("bird_dog_faults.mp4", "bird_dog"),
                           ("lunge.mp4", "lunge"), ("hip_bridge.mp4", "bridge_leg_extension")):
        truth = GroundTruth.load(path_for(SAMPLES / clip))
        expected = {side: len([r for r in truth.reps if r["side"] == side])
                    for side in ("left", "right")}
        result = analyze(SAMPLES / clip, exercise)
        reps = result.report["reps"]
        assert (reps["left"], reps["right"]) == (expected["left"], expected["right"]), clip
        if exercise == "bridge_leg_extension":  # every rep is a bridge: glute_bridge counts them
            bridges = check(result.track, load_spec("glute_bridge"))[2]["reps"]["total"]
            assert bridges == len(truth.reps)


@pytest.mark.parametrize("clip, exercise, rules, targets", [
    ("bird_dog_faults.mp4", "bird_dog", ("hips_stay_level", "back_does_not_arch"),
     ("pelvis_roll", "lumbar_arch")),
    ("hip_bridge.mp4", "bridge_leg_extension", ("hips_stay_up",), ("bridge_hip_drop",)),
    ("ninety_ninety.mp4", "ninety_ninety_er", ("back_stays_long",), ("lumbar_rounding",)),
])
def test_injected_faults_are_flagged_inside_their_windows(clip, exercise, rules, targets):
    """Each injected fault of a kind the rules check (``targets``) is flagged inside its
    window, and nothing is flagged away from every injected fault."""
    from posecheck.synth.groundtruth import GroundTruth, path_for

    truth = GroundTruth.load(path_for(SAMPLES / clip))
    flagged = [f for f in analyze(SAMPLES / clip, exercise).report["faults"]
               if f["rule"] in rules]
    assert any(fault["kind"] in targets for fault in truth.faults)
    for fault in (f for f in truth.faults if f["kind"] in targets):
        hits = [f for f in flagged
                if f["start_s"] < fault["end"] and (f["end_s"] or 1e9) > fault["start"]]
        assert hits, f"{fault['kind']} at {fault['start']:.1f}-{fault['end']:.1f} s not flagged"
    outside = [f for f in flagged if not any(
        f["start_s"] < t["end"] + 1.0 and (f["end_s"] or 1e9) > t["start"] - 1.0
        for t in truth.faults)]
    assert not outside, f"flagged outside any injected fault: {outside}"


def test_squat_sample_each_fault_breaks_from_the_earlier_squats_and_only_the_chest_counts():
    """The rules judged against the person's own earlier squats, end to end on the real model:
    each injected fault is flagged by its rule inside its window and nowhere else; chest_kept,
    the validated one, is the report's only fault."""
    from posecheck.synth.groundtruth import GroundTruth, path_for

    truth = GroundTruth.load(path_for(SAMPLES / "squat.mp4"))
    report = analyze(SAMPLES / "squat.mp4", "squat").report
    assert report["reps"]["total"] == len(truth.reps) == 6
    rule_of = {"incomplete_range": "depth_kept", "trunk_lean": "chest_kept",
               "heel_rise": "heels_kept"}
    for kind, rule in rule_of.items():
        window = next(f for f in truth.faults if f["kind"] == kind)
        flagged = [f for f in report["faults"] if f["rule"] == rule]
        assert len(flagged) == 1, (rule, flagged)
        assert flagged[0]["start_s"] < window["end"] and flagged[0]["end_s"] > window["start"]
    assert [f["rule"] for f in report["faults"] if f["status"] == "validated"] == ["chest_kept"]
    assert report["fault_count"] == 1


def test_clean_bird_dog_raises_no_back_fault(clean_analysis):
    assert not [f for f in clean_analysis.report["faults"]
                if f["rule"] in ("hips_stay_level", "back_does_not_arch")]


def test_ctrl_c_keeps_the_work_done_so_far(tmp_path, monkeypatch, capsys):
    from posecheck.pose import estimator

    real_process = estimator.PoseEstimator.process
    calls = {"n": 0}

    def process_then_interrupt(self, image, time_s):
        calls["n"] += 1
        if calls["n"] > 60:
            raise KeyboardInterrupt
        return real_process(self, image, time_s)

    monkeypatch.setattr(estimator.PoseEstimator, "process", process_then_interrupt)
    status = main(["analyze", str(CLEAN), "-e", "bird_dog", "--out", str(tmp_path),
                   "--no-progress", "--workers", "1"])
    assert status == 130
    report = json.loads((tmp_path / "bird_dog_clean.report.json").read_text())
    assert report["interrupted"] and report["video"]["frames"] == 60
    assert any("interrupted by the user" in note for note in report["notes"])


#: Report keys present only when that output was written (docs/REPORT.md says "when written").
OPTIONAL_OUTPUT_KEYS = {"track", "metrics_csv", "annotated_video", "html_report", "exports"}


def _report_md_table() -> dict[str, str]:
    """docs/REPORT.md's top-level key table: each key named in a row's first cell -> the row."""
    import re

    table = {}
    for line in (ROOT / "docs" / "REPORT.md").read_text().splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 3:
            for key in re.findall(r"`(\w+)`", cells[0]):
                table[key] = line
    return table


def test_report_md_documents_every_key(clean_analysis):
    """docs/REPORT.md's key table names every key a report has, and every field of a rep and
    of an event (the documented format cannot drift from the real one)."""
    import re

    table = _report_md_table()
    report = clean_analysis.report
    optional = OPTIONAL_OUTPUT_KEYS
    assert set(report) <= set(table) and optional <= set(table)
    for key, record in (("rep_details", report["rep_details"][0]),
                        ("events", report["events"][0])):
        documented = set(re.findall(r"`(\w+)`", table[key]))
        assert set(record) <= documented, (key, set(record) - documented)


def test_every_key_report_md_documents_is_in_a_real_report(clean_analysis):
    """The other direction: no documented top-level key is missing from a report, except the
    paths of outputs that were not written (this report was made without any)."""
    documented = set(_report_md_table())
    missing = documented - set(clean_analysis.report) - OPTIONAL_OUTPUT_KEYS
    assert not missing, f"documented in docs/REPORT.md but not in a report: {sorted(missing)}"


def test_the_library_writes_what_the_command_writes(clean_analysis, tmp_path, capsys):
    """A notebook needs no argparse: ``save_outputs`` writes the files ``analyze`` writes."""
    from posecheck import save_outputs

    targets = save_outputs(clean_analysis, tmp_path / "lib", csv=True, html=True)
    assert main(["analyze", str(CLEAN), "-e", "bird_dog", "--out", str(tmp_path / "cli"),
                 "--csv", "--html", "--workers", "1", "--no-progress"]) == 0
    names = sorted(p.name for p in (tmp_path / "lib").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert targets.html == tmp_path / "lib" / "bird_dog_clean.report.html"
    library = json.loads(targets.report.read_text())
    command = json.loads((tmp_path / "cli" / "bird_dog_clean.report.json").read_text())
    assert library["reps"] == command["reps"] and library["events"] == command["events"]
