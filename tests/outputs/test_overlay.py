"""Overlay: boxes never overlap or leave the frame, drawing works with and without a person."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from posecheck.outputs.display import SessionView
from posecheck.checking.events import Event
from posecheck.pose.landmarks import INDEX
from posecheck.measure.readable import readable
from posecheck.checking.spec import load_spec
from posecheck.outputs.overlay import OverlayState, Rect, RuleState, TextBlock, draw_overlay, layout

SIZES = [(640, 480), (1280, 720), (480, 640)]


def _rect(item: TextBlock | Rect) -> Rect:
    return item.rect if isinstance(item, TextBlock) else item


def _busy_state(**changes) -> OverlayState:
    state = OverlayState(
        title="Bird dog with a very long exercise name that will not fit",
        reps={"left": 12, "right": 11}, target_reps=12, hold_seconds=7.5, hold_target=10.0,
        cue="Lift the raised leg up to hip height and keep the back still",
        setup="Turn side-on to the camera so it sees your whole body",
        metrics={"L arm reach": "12 deg", "R leg reach": "not seen",
                 "L knee height": "+4 % torso", "trunk from vertical": "3 deg"},
        goal="goal: 12 reps per side",
        rules={"leg": RuleState("fault", (INDEX["right_hip"], INDEX["right_knee"]), "leg height"),
               "arm": RuleState("ok", (INDEX["left_shoulder"], INDEX["left_wrist"])),
               "back": RuleState("hint", (INDEX["left_hip"],), "back flat (experimental)")},
        fps=29.7, latency_ms=41.0, status="rep 12: returning")
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def _landmarks(width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    pts = np.zeros((33, 3))
    pts[:, 0] = rng.uniform(0.2, 0.8, 33) * width
    pts[:, 1] = rng.uniform(0.2, 0.8, 33) * height
    return pts


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("variant", [{}, {"setup": ""}, {"cue": "", "hold_target": None},
                                     {"reps": {"total": 4}}, {"title": "", "fps": None}])
@pytest.mark.parametrize("person", [None, "left", "right"])
def test_boxes_do_not_intersect_and_stay_inside(size, variant, person):
    width, height = size
    avoid = {None: None, "left": Rect(0, 0, width // 2, height),
             "right": Rect(width // 2, 0, width, height)}[person]
    boxes = {k: _rect(v) for k, v in
             layout(_busy_state(**variant), width, height, avoid).items()}
    assert boxes
    for (ka, a), (kb, b) in itertools.combinations(boxes.items(), 2):
        assert not a.intersects(b), f"{ka} {a} overlaps {kb} {b} at {size}"
    for key, r in boxes.items():
        assert 0 <= r.x0 < r.x1 <= width and 0 <= r.y0 < r.y1 <= height, (key, r, size)


@pytest.mark.parametrize("size", SIZES)
def test_text_fits_its_box(size):
    import cv2
    from posecheck.outputs.overlay import FONT
    for key, block in layout(_busy_state(), *size).items():
        if isinstance(block, TextBlock):
            for line in block.lines:
                w = cv2.getTextSize(line, FONT, block.scale, block.thickness)[0][0]
                assert w <= block.rect.width - block.pad, (key, line)


def test_all_elements_shown_at_640x480():
    keys = set(layout(_busy_state(), 640, 480))
    assert {"title", "reps", "perf", "cue", "setup", "hold", "panel"} <= keys


def test_cue_type_scales_with_frame_height():
    small = layout(_busy_state(cue="Hips up"), 640, 480)["cue"]
    large = layout(_busy_state(cue="Hips up"), 1280, 960)["cue"]
    assert large.scale == pytest.approx(2 * small.scale, rel=0.05)


@pytest.mark.parametrize("landmarks", ["person", "nobody", "nan"])
def test_draw_changes_pixels_in_place(landmarks):
    frame = np.full((480, 640, 3), 100, np.uint8)
    lm = {"person": _landmarks(640, 480), "nobody": None,
          "nan": np.full((33, 3), np.nan)}[landmarks]
    out = draw_overlay(frame, lm, np.ones(33), _busy_state())
    assert out is frame and out.shape == (480, 640, 3) and out.dtype == np.uint8
    assert (out != 100).any()


def test_fault_colours_the_rule_landmarks_red():
    frame = np.zeros((480, 640, 3), np.uint8)
    lm = np.full((33, 3), np.nan)
    lm[INDEX["right_hip"], :2] = (300, 300)
    lm[INDEX["right_knee"], :2] = (400, 300)
    state = OverlayState(rules={"leg": RuleState("fault", (INDEX["right_hip"],
                                                           INDEX["right_knee"]))})
    draw_overlay(frame, lm, None, state)
    b, g, r = frame[300, 350].tolist()
    assert r > 150 and g < 120 and b < 120


def test_invisible_joints_are_not_drawn():
    frame = np.zeros((480, 640, 3), np.uint8)
    draw_overlay(frame, _landmarks(640, 480), np.zeros(33), OverlayState())
    assert not frame.any()


def test_panel_moves_away_from_the_person():
    state = _busy_state(setup="", cue="")
    on_left = Rect(0, 60, 300, 400)
    on_right = Rect(340, 60, 640, 400)
    left_panel = layout(state, 640, 480, avoid=on_right)["panel"].rect
    right_panel = layout(state, 640, 480, avoid=on_left)["panel"].rect
    assert left_panel.x0 < 100 and right_panel.x1 > 540
    for person, boxes in ((on_left, layout(state, 640, 480, avoid=on_left)),
                          (on_right, layout(state, 640, 480, avoid=on_right))):
        rects = [_rect(v) for v in boxes.values()]
        assert not any(a.intersects(b) for a, b in itertools.combinations(rects, 2))


def test_metrics_read_as_words_with_units():
    assert readable("knee_rise_left", -0.07) == ("L knee height", "-7 % torso")
    assert readable("trunk_from_vertical", 84.6) == ("trunk from vertical", "85 deg")
    assert readable("back_sag", 0.031, signed=True) == ("low-back sag", "+3 % torso")
    assert readable("hip_flexion_right", float("nan")) == ("R hip bend", "not seen")


def _view(exercise: str) -> SessionView:
    return SessionView.from_spec(load_spec(exercise))


def test_calibrated_metrics_show_as_a_change_from_the_start_position():
    view = _view("bird_dog")
    view.apply(Event("calibrated", 1.0, None, None, "Go", {"baseline": {"back_sag": 0.01}}))
    state = view.overlay_state(2.0, {"back_sag": 0.05, "knee_rise_left": -0.3})
    assert state.metrics == {"low-back sag": "+4 % torso",
                             "L knee height": "-30 % torso"}
    assert state.status == "go: start your reps"


def test_the_counter_explains_its_target_and_hides_fps_unless_asked():
    state = _view("bird_dog").overlay_state(0.0)
    boxes = layout(state, 640, 480)
    assert boxes["reps"].lines == ("L 0/8 R 0/8",)
    assert boxes["perf"].lines == ("goal: 8 reps per side",)
    state.fps, state.latency_ms = 29.6, 41.0
    assert layout(state, 640, 480)["perf"].lines == ("goal: 8 reps per side", "30 fps  41 ms")


def test_an_exercise_on_both_sides_at_once_has_one_counter_as_the_report_counts():
    view = _view("squat")
    for k in (1, 2):
        view.apply(Event("rep_completed", float(k), None, None, str(k), {"count": k}))
    boxes = layout(view.overlay_state(3.0), 640, 480)
    assert boxes["reps"].lines == (f"2/{view.target_reps}",)
    assert view.status == f"2 of {view.target_reps} done"


def test_a_hold_shows_its_seconds_as_the_counter():
    from posecheck.outputs.overlay import layout
    boxes = layout(OverlayState(title="Hip bridge", hold_seconds=12.4, hold_target=20.0),
                   640, 480)
    assert boxes["reps"].lines == ("12/20 s",) and "hold" in boxes
