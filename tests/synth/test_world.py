"""The phone world (issue 9): clothes, rooms, light, camera and capture of synthetic clips.

Rendering tests need the optional ``synth`` extra; run them with
``.venv-synth/bin/python -m pytest -q tests/synth``. Frames are small (at most 160 px) to
keep the suite fast.
"""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.pose.landmarks import INDEX
from posecheck.synth.capture import (
    Capture, CaptureError, Grain, VideoWriter, apply_homography, exposure_offsets, shake_angles,
    shake_homography)
from posecheck.synth.lighting import Lighting, kelvin_rgb
from posecheck.synth.room_textures import floor_texture, wall_texture
from posecheck.synth.world import WorldError, draw

HAVE_SYNTH = all(importlib.util.find_spec(m) for m in ("torch", "anny", "pyrender"))
needs_synth = pytest.mark.skipif(
    not HAVE_SYNTH, reason="synth extra not installed (torch, anny, pyrender): "
                           "run scripts/setup_synth.sh and use .venv-synth")
TORSO = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


@pytest.fixture(scope="module", autouse=True)
def _close_renderer():
    yield
    if "posecheck.synth.clip" in sys.modules:
        sys.modules["posecheck.synth.clip"].RENDERER.close()


def _decode(path: Path) -> np.ndarray:
    """(T, H, W, 3) uint8 BGR frames of a video."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            cap.release()
            return np.array(frames)
        frames.append(frame)


# ------------------------------------------------------------------ no rendering needed
def test_shake_is_smooth_small_and_seeded() -> None:
    a = shake_angles(90, 30.0, 0.3, seed=4)
    assert np.abs(a).max() <= 0.3 + 1e-9 and np.abs(a).max() > 0.05
    assert np.abs(np.diff(a, axis=0)).max() < 0.3 * 2 * np.pi * 3.0 / 30.0   # no jumps
    np.testing.assert_array_equal(a, shake_angles(90, 30.0, 0.3, seed=4))
    assert not np.array_equal(a, shake_angles(90, 30.0, 0.3, seed=5))
    assert not shake_angles(5, 30.0, 0.0, seed=4).any()


def test_shake_homography_turns_about_the_principal_point() -> None:
    k = np.array([[300.0, 0, 160], [0, 300.0, 120], [0, 0, 1]])
    h = shake_homography(np.array([0.0, 0.0, 1.0]), k)        # 1 degree of roll
    centre, edge = apply_homography(np.array([[160.0, 120.0], [260.0, 120.0]]), h)
    np.testing.assert_allclose(centre, [160, 120], atol=1e-9)
    assert abs(edge[1] - 120) == pytest.approx(100 * np.sin(np.deg2rad(1)), rel=1e-3)


def test_motion_blur_only_when_the_body_moves() -> None:
    capture = Capture(exposure_s=1 / 60)
    assert len(exposure_offsets(capture, 0.5)) == 1
    offsets = exposure_offsets(capture, 6.0)
    np.testing.assert_allclose(offsets, [-1 / 120, 1 / 120])
    assert len(exposure_offsets(Capture(), 50.0)) == 1


def test_grain_has_the_asked_level() -> None:
    grain = Grain((60, 80), 2.0, np.random.default_rng(0))
    sample = grain.sample()
    assert sample.shape == (60, 80, 3)
    assert 1.8 < sample.std() < 2.8              # luma sigma plus half as much per channel


def test_h264_writer_round_trip(tmp_path: Path) -> None:
    capture = Capture(codec="h264", crf=28, max_kbps=500)
    writer = VideoWriter(tmp_path / "x.mp4", 30.0, (96, 64), capture)
    for i in range(7):
        frame = np.zeros((64, 96, 3), np.uint8)
        frame[:, i * 10:i * 10 + 20] = (200, 60, 30)
        writer.write(frame)
    writer.close()
    frames = _decode(tmp_path / "x.mp4")
    assert frames.shape == (7, 64, 96, 3)
    # The red bar is where it was drawn (BGR after decoding).
    assert frames[3, 32, 35, 2] > 150 and frames[3, 32, 80, 2] < 60
    with pytest.raises(CaptureError, match="even"):
        VideoWriter(tmp_path / "y.mp4", 30.0, (95, 64), capture)


def test_textures_are_seeded_and_differ_by_kind() -> None:
    rng = lambda: np.random.default_rng(1)  # noqa: E731
    wood = floor_texture("wood", (0.6, 0.4, 0.25), rng())
    np.testing.assert_array_equal(wood, floor_texture("wood", (0.6, 0.4, 0.25), rng()))
    plain = floor_texture("plain", (0.6, 0.4, 0.25), rng())
    assert plain.std(axis=(0, 1)).max() == 0 and wood.std() > 5
    bare = wall_texture("painted", (0.8, 0.8, 0.8), 0, (4.0, 3.0), rng())
    posters = wall_texture("painted", (0.8, 0.8, 0.8), 3, (4.0, 3.0), rng())
    assert bare.shape == posters.shape and np.abs(posters.astype(int) - bare).max() > 50


def test_light_colour_and_level() -> None:
    warm, cool = kelvin_rgb(2700), kelvin_rgb(6500)
    assert warm[0] / warm[2] > 2 and cool[2] >= cool[0]
    lights = [Lighting.random(np.random.default_rng(s)) for s in range(40)]
    levels = [light.key_intensity for light in lights]
    assert max(levels) / min(levels) > 3                     # dim to bright
    assert any(light.window_intensity > 0 for light in lights)
    assert any(light.window_intensity == 0 for light in lights)


def test_worlds_draw_deterministically() -> None:
    from posecheck.synth.scene import CameraSpec

    cam = CameraSpec()
    a = draw("phone", np.random.default_rng(3), cam, "left", "quadruped")
    assert a == draw("phone", np.random.default_rng(3), cam, "left", "quadruped")
    assert a["fps"] == 30.0 and a["capture"].codec == "h264"
    assert {a["width"], a["height"]} == {480, 270}
    clean = draw("clean_room", np.random.default_rng(3), cam, "left", "quadruped")
    assert (clean["width"], clean["height"], clean["fps"]) == (640, 480, 15.0)
    assert "capture" not in clean             # the default capture: mp4v, no effects
    with pytest.raises(WorldError, match="unknown world"):
        draw("mars", np.random.default_rng(3), cam, "left", "quadruped")


def test_clean_room_plan_is_unchanged() -> None:
    """The clean-room plan draws what the 2026-11 sets drew: values recorded from the plan
    before the phone world existed (body shape, clothes, room; the camera depends on the
    exercise scripts, which change)."""
    from posecheck.synth.validation import plan

    jobs = plan(2, world="clean_room")
    first = jobs[0].spec
    assert jobs[0].body == 7 and (first.width, first.height, first.fps) == (640, 480, 15.0)
    assert first.appearance.shirt == "yellow" and first.room.floor == (0.592, 0.603, 0.333)
    assert first.room.floor_texture == "plain" and first.capture == Capture()
    assert first.light == Lighting()


# ------------------------------------------------------------------ rendering
def _small(spec, width: int = 160, height: int = 96, **changes):
    """``spec`` at a small frame size (portrait specs turned landscape)."""
    return replace(spec, width=width, height=height, **changes)


@needs_synth
def test_phone_clip_is_deterministic_and_decodes(tmp_path: Path) -> None:
    from posecheck.synth.clip import render_clip
    from posecheck.synth.groundtruth import GroundTruth
    from posecheck.synth.world import clip_spec

    spec = clip_spec("bird_dog", "faults", seed=5, max_frames=3)
    spec = _small(spec, capture=replace(spec.capture, upscale=2, shake_deg=0.3))
    gt, _ = render_clip(spec, tmp_path / "a.mp4")
    render_clip(spec, tmp_path / "b.mp4")
    a, b = _decode(tmp_path / "a.mp4"), _decode(tmp_path / "b.mp4")
    assert a.shape == (3, 192, 320, 3)
    np.testing.assert_array_equal(a, b)
    back = GroundTruth.load(tmp_path / "a.gt.npz")
    assert back.frame_size == (320, 192) and len(back) == 3
    assert back.labels["spec"]["capture"]["codec"] == "h264"
    assert len(back.labels["camera_shake_deg"]) == 3


@needs_synth
def test_truth_lands_on_the_rendered_person(tmp_path: Path) -> None:
    """Through shake, upscaling and H.264, the true torso landmarks fall on the person: the
    frame differs from the same frame without the person there."""
    import cv2

    from posecheck.synth.clip import Take, render_clip
    from posecheck.synth.world import clip_spec

    spec = clip_spec("lunge", "clean", seed=2, max_frames=2)
    spec = _small(spec, 128, 160, capture=replace(spec.capture, upscale=2, shake_deg=0.4,
                                                  noise=0.0, exposure_s=0.0),
                  room=replace(spec.room, second_person=None, furniture=()))
    gt, _ = render_clip(spec, tmp_path / "p.mp4")
    frame = _decode(tmp_path / "p.mp4")[1].astype(int)
    # The empty room, shaken and upscaled like the frame.
    room = Take(spec).scene.room_image()[0]
    shake = np.array(gt.labels["camera_shake_deg"][1])
    f = (spec.height / 2) / np.tan(np.deg2rad(spec.camera.yfov_deg) / 2)
    k = np.array([[f, 0, spec.width / 2], [0, f, spec.height / 2], [0, 0, 1.0]])
    h = shake_homography(shake, k)
    room = cv2.warpPerspective(room, h, (spec.width, spec.height), borderMode=cv2.BORDER_REFLECT)
    room = cv2.resize(np.clip(room * spec.capture.gain, 0, 255).astype(np.uint8), None,
                      fx=2, fy=2)[..., ::-1].astype(int)
    person = np.abs(frame - room).sum(axis=2) > 60
    person = cv2.dilate(person.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    for j in TORSO:
        if not gt.occluded[1, j]:
            x, y = gt.image[1, j, :2]
            assert person[int(y), int(x)], (j, x, y)


@needs_synth
def test_hoodie_is_wider_at_the_waist_than_a_tank_top() -> None:
    from posecheck.synth.appearance import Appearance
    from posecheck.synth.clip import ClipSpec, Take
    from posecheck.synth.scene import CameraSpec

    def waist_width(top: str) -> int:
        look = Appearance(top=top, bottom="leggings", hair_style="short", looseness=1.0)
        spec = ClipSpec("lunge", "clean", width=120, height=160, appearance=look,
                        camera=CameraSpec(view="front", distance=2.4, height=1.0,
                                          target_height=0.9),
                        capture=Capture(shadows="planar"))
        take = Take(spec)
        posed = take.pose(0.0)
        _, _, mask = take.render(posed)
        body = take.body
        kp = {n: take.scene.project(body.keypoint(posed, n)[None])[0][0]
              for n in ("left_hip", "right_hip", "left_shoulder", "right_shoulder")}
        hip_y = (kp["left_hip"][1] + kp["right_hip"][1]) / 2
        shoulder_y = (kp["left_shoulder"][1] + kp["right_shoulder"][1]) / 2
        row = int(hip_y + 0.35 * (shoulder_y - hip_y))
        return int(mask[row].sum())

    assert waist_width("hoodie") >= waist_width("tank") + 2


@needs_synth
def test_room_and_light_options_change_the_image() -> None:
    from posecheck.synth.clip import ClipSpec, Take
    from posecheck.synth.scene import Room

    base = ClipSpec("bird_dog", "clean", width=160, height=96, capture=Capture(shadows="planar"))

    def room_image(**changes) -> np.ndarray:
        spec = replace(base, **changes)
        return Take(spec).scene.room_image()[0].copy()

    plain = room_image()
    floor_rows = slice(80, 96)
    wood = room_image(room=Room(floor_texture="wood"))
    assert wood[floor_rows].std() > plain[floor_rows].std() + 2
    posters = room_image(room=Room(wall_texture="painted", posters=3, texture_seed=2))
    assert np.abs(posters - plain)[:40].max() > 40
    table = room_image(room=Room(furniture=(("coffee_table", 1.0, 0.0, 0.0, (0.5, 0.3, 0.2)),)))
    assert np.abs(table - plain).sum(axis=2).astype(bool).mean() > 0.05
    dim = room_image(light=Lighting(key_intensity=1.0, ambient=(0.1, 0.1, 0.1),
                                    fill_irradiance=0.4, rim_irradiance=0.2))
    assert dim.mean() < 0.75 * plain.mean()
    warm = room_image(light=replace(Lighting(), key_color=kelvin_rgb(2700),
                                    ambient=tuple(0.28 * c for c in kelvin_rgb(2700))))
    assert warm[..., 0].mean() / warm[..., 2].mean() > 1.2 * plain[..., 0].mean() / plain[
        ..., 2].mean()
    window = room_image(light=replace(Lighting(), window_intensity=4.0))
    assert window.mean() > plain.mean() + 3
    second = room_image(room=Room(second_person=(-1.0, 0.8, 0.0, 1.0)))
    assert np.abs(second - plain).sum(axis=2).astype(bool).mean() > 0.02


@needs_synth
def test_composited_person_has_a_shadow_and_blur() -> None:
    from posecheck.synth.clip import ClipSpec, Take, _frame
    from posecheck.synth.posestream import PoseStream

    spec = ClipSpec("bird_dog", "clean", width=160, height=96,
                    capture=Capture(shadows="planar", exposure_s=0.1, pose_hz=15.0))
    take = Take(spec)
    room = take.scene.room_image()[0]
    color, depth, mask = take.render_dressed(take.pose(1.0))
    outside = ~mask
    assert (color[outside] < room[outside] - 5).any()              # the body's shadow
    assert np.abs(color[outside] - room[outside]).max() < 255
    # While the limbs rise the exposure's sub-frames blur them; at the top of the rep (held
    # still) the frame is the single render at the frame time.
    rep = take.exercise.motion.of_kind("rep")[0]
    stream = PoseStream(take.pose, 15.0)
    for fraction, moving in ((0.2, True), (0.55, False)):
        t = rep.start + fraction * (rep.end - rep.start)
        blurred, posed, _, mask_t = _frame(take, stream, t)
        sharp, _, mask_sharp = take.render_dressed(stream.at(t))
        changed = np.abs(blurred - sharp).sum(axis=2) > 10
        assert changed.any() == moving
        assert changed.mean() < 0.1
        # The mean of the sub-frames' masks is the silhouette at t, up to the blur.
        assert np.mean((mask_t >= 0.5) != mask_sharp) < 0.02


@needs_synth
def test_body_forward_with_cached_rest_model_equals_annys() -> None:
    """Body.forward reuses the phenotype's rest model; the result is Anny's own forward."""
    import torch
    from scipy.spatial.transform import Rotation

    from posecheck.synth.appearance import Appearance
    from posecheck.synth.clip import RENDERER

    body = RENDERER.body(Appearance(weight=0.8, age=0.9))
    rng = np.random.default_rng(0)
    rots = {n: Rotation.from_rotvec(rng.normal(0, 0.3, 3)).as_matrix()
            for n in ("upperleg01.L", "spine02", "upperarm01.R", "lowerleg01.L")}
    posed = body.forward(rots, {}, np.array([0.1, 0.2, 0.3]))
    pose = torch.eye(4).repeat(1, body.bone_count, 1, 1)
    for name, rot in rots.items():
        pose[0, body.bone_index[name], :3, :3] = torch.as_tensor(rot, dtype=torch.float32)
    pose[0, 0, :3, 3] = torch.tensor([0.1, 0.2, 0.3])
    out = body.model(pose_parameters=pose, phenotype_kwargs=body.phenotype)
    np.testing.assert_allclose(posed.verts, out["vertices"][0].numpy(), atol=1e-6)
    np.testing.assert_allclose(posed.heads, out["bone_poses"][0, :, :3, 3].numpy(), atol=1e-6)
    np.testing.assert_allclose(posed.keypoints, body.regressor(out)[0].numpy(), atol=1e-6)
