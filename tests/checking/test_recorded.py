"""Recorded-clip checking (posecheck.checking.recorded, Checker(edge_reps=True)) on synthetic
metric streams: tightly cut clips keep their reps, phantoms stay out, and a clip with a proper
setup gives the live count."""
from __future__ import annotations

import numpy as np
import pytest

from posecheck.checking.checker import Checker
from posecheck.checking.recorded import RECORDED_SETUP_HOLD, neutral_from_clip
from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import load_spec
from test_checker import QUADRUPED, STANDING, Stream, bird_dog_session, squats


def recorded(spec_name: str, metrics: Metrics) -> Checker:
    """A recorded-clip checker fed the whole clip, as ``pipeline.check`` does."""
    spec = load_spec(spec_name)
    checker = Checker(spec, neutral=neutral_from_clip(spec, metrics),
                      setup_hold=RECORDED_SETUP_HOLD, edge_reps=True)
    checker.feed_batch(metrics)
    checker.finish(float(metrics.times[-1]))
    return checker


def live(spec_name: str, metrics: Metrics) -> Checker:
    checker = Checker(load_spec(spec_name))
    checker.feed_batch(metrics)
    return checker


def cut(stream: Stream, start: float, end: float | None = None) -> Metrics:
    """The stream's frames in [start, end), re-timed to begin at 0 (a trimmed clip)."""
    metrics = stream.metrics()
    keep = (metrics.times >= start - 1e-9) & (metrics.times < (end or np.inf) - 1e-9)
    return Metrics(metrics.names, metrics.values[keep], metrics.times[keep] - start)


def test_short_lead_in_keeps_the_first_rep() -> None:
    clip = cut(squats(3, start=3.0), 2.7)              # 0.3 s of standing, then the descent
    assert live("squat", clip).summary()["reps"]["total"] == 2
    assert recorded("squat", clip).summary()["reps"]["total"] == 3


def test_clip_cut_at_the_bottom_counts_both_cut_reps() -> None:
    # reps at 3, 6, 9 s lasting 2.4 s; cut from the first rep's bottom to the last one's
    clip = cut(squats(3, start=3.0), 4.2, 10.2)
    summary = recorded("squat", clip).summary()
    assert summary["reps"]["total"] == 3
    assert [d["partial"] for d in summary["rep_details"]] == ["start", None, "end"]
    assert live("squat", clip).summary()["reps"]["total"] < 3


def test_a_rep_cut_before_its_peak_is_not_counted() -> None:
    clip = cut(squats(2, start=3.0), 0.0, 6.4)         # the second rep has barely begun
    summary = recorded("squat", clip).summary()
    assert summary["reps"]["total"] == 1
    assert summary["rep_details"][0]["partial"] is None


def test_phantoms_stay_out_of_recorded_clips() -> None:
    still = Stream(4.0, STANDING)
    assert recorded("squat", still.metrics()).summary()["reps"]["total"] == 0
    fidgets = Stream(8.0, STANDING)
    for side in ("left", "right"):
        fidgets.bump(f"knee_flexion_{side}", 1.0, 1.5, 25.0)   # never reaches start
        fidgets.bump(f"knee_flexion_{side}", 3.0, 0.4, 95.0)   # a 0.4 s spike
        fidgets.bump(f"knee_flexion_{side}", 5.0, 2.5, 50.0)   # too shallow
    assert recorded("squat", fidgets.metrics()).summary()["reps"]["total"] == 0
    lying = Stream(6.0, {**STANDING, "trunk_from_vertical": 85.0})  # push-ups, not squats
    for side in ("left", "right"):
        lying.bump(f"knee_flexion_{side}", 2.0, 2.0, 95.0)
    assert recorded("squat", lying.metrics()).summary()["reps"]["total"] == 0


def test_a_clip_starting_out_of_position_gets_no_edge_rep() -> None:
    """Only a clip that starts in position may begin mid-rep: someone walking in and already
    crouched is not a rep whose start was cut off."""
    stream = squats(2, start=3.0)
    stream.set("body_in_frame", 0.0, 3.6, 0.3)         # out of view until mid-descent
    assert recorded("squat", stream.metrics()).summary()["reps"]["total"] == 1


def test_proper_setup_gives_the_live_count() -> None:
    for name, stream in (("squat", squats(5)), ("bird_dog", bird_dog_session())):
        metrics = stream.metrics()
        assert recorded(name, metrics).summary()["reps"] == live(name, metrics).summary()["reps"]


def test_neutral_comes_from_rest_frames_not_reps() -> None:
    stream = Stream(8.0, QUADRUPED)
    for start in (0.5, 2.5, 4.5):          # reps fill most of the clip
        stream.bump("knee_rise_left", start, 1.8, 0.85).bump("knee_rise_right", start, 1.8, 0.85)
    neutral = neutral_from_clip(load_spec("bird_dog"), stream.metrics())
    assert neutral["knee_rise_left"] == pytest.approx(-0.85, abs=0.02)
    assert neutral["back_sag"] == pytest.approx(0.01)
    assert neutral_from_clip(load_spec("squat"), stream.metrics()) is None  # no calibration


def test_bird_dog_without_a_still_start_is_calibrated_from_the_clip() -> None:
    stream = Stream(9.0, QUADRUPED)                    # the first extension begins at 0.1 s
    stream.bump("knee_rise_left", 0.1, 3.0, 0.85).bump("knee_rise_right", 4.5, 3.0, 0.85)
    checker = recorded("bird_dog", stream.metrics())
    assert checker.summary()["reps"] == {"left": 1, "right": 1, "total": 2}
    assert live("bird_dog", stream.metrics()).summary()["reps"]["total"] < 2


def test_an_alternating_exercise_cut_on_both_sides_at_once_is_its_start_position() -> None:
    """A knee-drive bridge clip that begins lying with both knees bent and ends lowering out of
    the bridge: both hips are flexed beyond the rep's start at the clip's edges, which is the
    start position, not two reps (rear-oblique phone renders counted them: 8 phantoms)."""
    lying = {"body_in_frame": 1.0, "body_height": 0.5, "view_angle": 45.0,
             "trunk_from_vertical": 85.0, "bridge_offset_left": -0.7,
             "bridge_offset_right": -0.7, "hip_flexion_left": 90.0, "hip_flexion_right": 90.0}
    stream = Stream(12.0, lying)
    stream.set("bridge_offset_left", 1.0, 11.0, 0.0).set("bridge_offset_right", 1.0, 11.0, 0.0)
    for side in ("left", "right"):             # bridge up at 1 s, down at 11 s
        stream.set(f"hip_flexion_{side}", 1.0, 11.0, 0.0)
    stream.bump("hip_flexion_left", 3.0, 1.6, 95.0).bump("hip_flexion_right", 6.0, 1.6, 95.0)
    summary = recorded("bridge_knee_drive", stream.metrics()).summary()
    assert summary["reps"] == {"left": 1, "right": 1, "total": 2}
    assert summary["rejected_reps"].get("both_sides") == 4
    # Cut mid-drive on one side only, the drive under way still counts.
    one_sided = cut(stream, 3.8)
    assert recorded("bridge_knee_drive", one_sided).summary()["reps"]["left"] == 1
