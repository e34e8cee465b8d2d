"""HTML report: faults plotted against their rule's band in readable units relative to the
neutral pose, pictures from the video, hold pages without rep cards, rules with their notes."""
from __future__ import annotations

import base64
import re

import cv2
import numpy as np
import pytest

from posecheck.outputs.html_report import render_html
from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import load_spec
from posecheck.outputs.thumbnails import THUMB_HEIGHT
from posecheck.pose.track import FramePose, PoseTrack

FPS = 10.0


def _bird_dog_report() -> dict:
    return {
        "exercise": {"id": "bird_dog", "title": "Bird dog", "kind": "reps",
                     "sides": "alternating", "strictness": "standard"},
        "video": {"path": "clip.mp4", "fps": FPS, "frames": 40, "duration_s": 4.0,
                  "width": 64, "height": 48},
        "model": "full", "person_detected_ratio": 1.0, "notes": ["<b>careful</b>"],
        "calibration": {"back_sag": 0.08, "knee_rise_left": -0.9, "knee_rise_right": -0.9,
                        "trunk_from_vertical": 85.0},
        "reps": {"left": 2, "right": 1, "total": 3},
        "rep_details": [{"side": "left", "start_s": 0.5, "end_s": 1.5, "peak_s": 1.0,
                         "range": 0.81, "faults": [], "clean": True},
                        {"side": "right", "start_s": 2.0, "end_s": 3.0, "peak_s": 2.5,
                         "range": 0.6, "faults": [{"rule": "hips_stay_level"}], "clean": False}],
        "holds": [],
        "faults": [{"rule": "hips_stay_level", "side": None, "start_s": 2.2, "end_s": 2.8,
                    "worst": 0.135, "cue": "Keep your hips level", "status": "validated"}],
        "asymmetry": {"metric": "knee_rise_{side}", "left_range": 0.81, "right_range": 0.6,
                      "difference": 0.21, "percent": 29.8},
    }


def _metrics() -> Metrics:
    times = np.arange(40) / FPS
    sag = np.full(40, 0.085)
    sag[22:28] = [0.1, 0.12, 0.135, 0.13, 0.11, 0.1]
    return Metrics(("back_sag", "knee_rise_left"), np.column_stack([sag, np.full(40, -0.5)]),
                   times)


def test_a_fault_is_plotted_against_its_band_relative_to_neutral_in_readable_units():
    page = render_html(_bird_dog_report(), _metrics(), ("knee_rise_left",))
    assert "low-back sag: rule “hips stay level” (% torso from your start position)" in page
    assert "limit +1.5" in page                   # 0.015 torso lengths above neutral
    assert "+5.5 % torso from your start position" in page     # worst 0.135 - neutral 0.08
    assert "at most +1.5 % torso from the start position, checked peak" in page
    assert "&lt;b&gt;careful&lt;/b&gt;" in page and "<b>careful</b>" not in page


def test_rules_asymmetry_and_calibration_are_shown():
    page = render_html(_bird_dog_report(), _metrics(), ())
    assert "lumbar arch 9/10" in page             # what hips_stay_level covers, from its note
    status = load_spec("bird_dog").rule("hips_stay_level").status      # the spec's, as shipped
    assert re.search(rf"hips stay level</b><br><span class=\"badge {status}\">", page)
    assert "range of knee height per rep" in page and "81 % torso" in page
    assert "+30 % (left vs right)" in page
    assert "Start position (neutral)" in page and "-90 % torso" in page


def test_a_hold_page_has_no_rep_cards_and_shades_its_holds():
    report = _bird_dog_report()
    report["exercise"].update(id="hip_bridge_hold", title="Hip bridge (hold)", kind="hold",
                              sides="none")
    report.update(reps={"left": 0, "right": 0, "total": 0}, rep_details=[], faults=[],
                  calibration=None, asymmetry=None,
                  holds=[{"side": None, "start_s": 1.0, "end_s": 3.0, "seconds": 1.8,
                          "target_reached": False}])
    metrics = Metrics(("bridge_offset_left",), np.zeros((40, 1)), np.arange(40) / FPS)
    page = render_html(report, metrics, ("bridge_offset_left",))
    assert "reps" not in re.sub(r"<h2>Rules checked.*", "", page).lower().replace(
        "reps (blue", "")
    assert "1.8 of " in page and "hold 1: held in good form" in page
    assert "<title>hold : 1.8 s in form</title>" in page
    assert "target " in page


@pytest.fixture()
def clip(tmp_path):
    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (64, 48))
    for i in range(40):
        writer.write(np.full((48, 64, 3), 40 + i * 4, np.uint8))
    writer.release()
    rng = np.random.default_rng(0)
    poses = []
    for i in range(40):
        image = np.column_stack([rng.uniform(20, 44, 33), rng.uniform(14, 34, 33),
                                 np.zeros(33)]).astype(np.float32)
        pose = FramePose.missing(i / FPS)
        poses.append(FramePose(i / FPS, image, pose.world, np.ones(33, np.float32),
                               np.ones(33, np.float32), pose.back_contour))
    return path, PoseTrack.from_frames(poses, FPS, (64, 48))


def test_pictures_of_the_worst_fault_frame_and_each_rep_peak_come_from_the_video(clip):
    path, track = clip
    page = render_html(_bird_dog_report(), _metrics(), (), video=path, track=track)
    uris = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page)
    assert len(uris) == 3                         # one fault, two reps
    image = cv2.imdecode(np.frombuffer(base64.b64decode(uris[0]), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[0] == THUMB_HEIGHT
    assert "1. hips stay level at 2.4 s (+5.5 % torso)" in page   # the worst frame
    assert "rep 2 right at its peak, 2.5 s" in page
