"""Named worlds: how a clip's person, room, light, camera and capture are drawn.

* ``clean_room`` — the world of the first validation sets (2026-11): tight painted clothes,
  8 body shapes, plain coloured rooms, one key light, 640x480 at 15 fps, mp4v. Its draws are
  the original ones, call for call, so its sets re-render identically.
* ``phone`` — closer to real home footage: loose garments, patterns and hair volume, a body
  shape per clip (age, build and height ranges wider), textured floors and walls with posters,
  furniture that may hide part of the mat, a second standing person in 15 % of the rooms,
  dim to bright and warm to cool light with a window in a third, portrait or landscape phone
  framing with a tilted, rolled, shaking camera, 30 fps with motion blur, sensor noise and
  H.264 at a phone's bit rate.

:func:`draw` returns the :class:`~posecheck.synth.clip.ClipSpec` keyword arguments of one clip.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from posecheck.errors import PosecheckError
from posecheck.synth.appearance import Appearance
from posecheck.synth.capture import Capture
from posecheck.synth.furniture import random_items
from posecheck.synth.lighting import Lighting
from posecheck.synth.scene import CameraSpec, Room

WORLDS = ("clean_room", "phone")
#: Pose families whose person stands (phone users film these in portrait more often).
STANDING = ("lunge", "wide", "squat", "stand")
#: The phone world's render size (16:9, landscape or portrait); the video is this or twice it
#: (960x540): MediaPipe looks at a 256x256 crop of the person, and rasterising, compositing
#: and encoding cost grows with the pixels (libx264 at 1280x720 alone costs about 30 ms a
#: frame on this machine, as much as rasterising).
RENDER_LONG, RENDER_SHORT = 480, 270
#: The clean room's frame: 4:3 with a 45 degree vertical field of view.
_CLEAN_TAN_H = np.tan(np.deg2rad(22.5)) * 4 / 3
_CLEAN_TAN_V = np.tan(np.deg2rad(22.5))
#: Camera distance as a multiple of the framed distance above. People on the floor were drawn
#: at 0.85-1.2 until 2026-12: their box then spanned 0.19-0.54 of the frame's long side
#: (median 0.31, 23 clips), while the 20 real floor-exercise clips in ../shared/videos span
#: 0.44-1.14 (median 0.73). Floor exercises are filmed closer; standing ones (0.36-0.70 drawn,
#: 0.34-0.86 real) keep their range.
_STANDING_DISTANCE = (0.85, 1.2)
_FLOOR_DISTANCE = (0.55, 0.8)


class WorldError(PosecheckError):
    """An unknown world name."""


def check(world: str) -> str:
    if world not in WORLDS:
        raise WorldError(f"unknown world {world!r}: one of {', '.join(WORLDS)}")
    return world


def _r(x: float, digits: int = 3) -> float:
    return round(float(x), digits)


def phone_room(rng: np.random.Generator) -> Room:
    """A home room: floor of wood, tiles, carpet or plain vinyl, a painted wall with 0-3
    posters 1.3-3 m behind the person, 0-3 pieces of furniture (the first between camera and
    mat in 30 % of rooms) and a standing second person near the wall in 15 %."""
    kind = str(rng.choice(["wood", "wood", "carpet", "carpet", "tiles", "plain"]))
    floor = {"wood": lambda: rng.uniform(0.35, 0.7) * np.array([1.0, 0.72, 0.5]) + rng.uniform(0, 0.1),
             "tiles": lambda: rng.uniform(0.55, 0.9) * np.array([1, 0.97, 0.92]),
             }.get(kind, lambda: rng.uniform(0.2, 0.7, 3))()
    wall_distance = _r(rng.uniform(1.3, 3.0))
    second = None
    if rng.random() < 0.15:            # near the wall, off to a side (see the docs)
        second = (_r(-max(0.6, wall_distance - rng.uniform(0.3, 0.6))),
                  _r(rng.uniform(1.0, 2.0) * rng.choice([-1, 1])), _r(rng.uniform(-40, 40), 1),
                  _r(rng.uniform(0.92, 1.06)))
    return Room(floor=tuple(_r(c) for c in floor), mat=tuple(_r(c) for c in rng.uniform(0.1, 0.7, 3)),
                wall=tuple(_r(c) for c in rng.uniform(0.55, 0.95) * rng.uniform(0.85, 1.0, 3)),
                mat_size=(_r(rng.uniform(0.6, 0.8)), _r(rng.uniform(1.7, 1.95))),
                floor_texture=kind, wall_texture="painted" if rng.random() < 0.85 else "plain",
                posters=int(rng.integers(0, 4)), wall_distance=wall_distance,
                furniture=random_items(rng, int(rng.integers(0, 4)), rng.random() < 0.3),
                second_person=second, texture_seed=int(rng.integers(2 ** 31)))


def phone_capture(rng: np.random.Generator, light_level: float, upscale: int) -> Capture:
    """30 fps phone video: exposure 1/120-1/30 s (longer in dim light), gain and noise up in
    dim light, a hand shake of 0.1-0.4 degrees (none in a quarter: a tripod), libx264 at CRF
    23-30 capped at 1-3 Mbit/s per 720p frame."""
    dim = float(np.clip(1.0 / light_level, 0.7, 2.9))
    pixels = (upscale ** 2) * RENDER_LONG * RENDER_SHORT / (1280 * 720)
    return Capture(codec="h264", crf=int(rng.integers(23, 31)),
                   max_kbps=int(rng.uniform(1000, 3000) * max(pixels, 0.25)), upscale=upscale,
                   exposure_s=_r(min(1 / 30, dim / 120 * rng.uniform(0.8, 1.6)), 5),
                   gain=_r(dim ** 0.6), noise=_r(rng.uniform(1.0, 2.5)),
                   shake_deg=_r(rng.uniform(0.1, 0.4) if rng.random() < 0.75 else 0.0),
                   shadows="planar", pose_hz=10.0)


def draw(world: str, rng: np.random.Generator, default_camera: CameraSpec, view: str,
         family: str, shape: Appearance | None = None, fps: float | None = None,
         size: tuple[int, int] | None = None) -> dict:
    """The ClipSpec fields (appearance, camera, room, light, capture, width, height, fps) of
    one clip of ``world``, drawn from ``rng``.

    default_camera : the exercise's; view : the camera view; family : the pose family;
    shape : the clean room's body shape (its phenotype is kept); fps, size (width, height):
    override the world's.
    """
    check(world)
    if world == "clean_room":          # the original draws, in their original order
        look = Appearance.random(rng)
        if shape is not None:
            look = replace(look, **shape.phenotype())
        camera = replace(default_camera, view=view,
                         distance=_r(default_camera.distance * float(rng.uniform(0.9, 1.25))),
                         height=_r(max(0.15, default_camera.height + float(rng.uniform(-0.2, 0.35)))))
        width, height = size or (640, 480)
        return dict(appearance=look, camera=camera, room=Room.random(rng), width=width,
                    height=height, fps=fps or 15.0)
    look = Appearance.random_phone(rng)
    light = Lighting.random(rng)
    portrait = rng.random() < (0.6 if family in STANDING else 0.25)
    width, height = size or ((RENDER_SHORT, RENDER_LONG) if portrait
                             else (RENDER_LONG, RENDER_SHORT))
    upscale = int(rng.choice([1, 2]))
    yfov = float(rng.uniform(58, 68) if height > width else rng.uniform(36, 42))
    tan_v = np.tan(np.deg2rad(yfov / 2))
    # Keep the clean room's coverage: vertical for a standing person, else the tighter of both.
    framing = _CLEAN_TAN_V / tan_v * 1.1 if family in STANDING else max(
        _CLEAN_TAN_H / (tan_v * width / height), _CLEAN_TAN_V / tan_v)
    closer = _STANDING_DISTANCE if family in STANDING else _FLOOR_DISTANCE
    camera = replace(
        default_camera, view=view, yfov_deg=_r(yfov, 2),
        distance=_r(default_camera.distance * framing * rng.uniform(*closer)),
        height=_r(max(0.15, default_camera.height + rng.uniform(-0.25, 0.45))),
        target_height=_r(max(0.05, default_camera.target_height + rng.uniform(-0.1, 0.15))),
        roll_deg=_r(rng.uniform(-3, 3), 2))
    # The phone meters all the light: with the window's counted too (until 2026-12 the key
    # alone), a dim bulb beside a bright window no longer gets gain that blows the frame out
    # (3 of 32 pilot clips had 19-60 % of their pixels white).
    level = (light.key_intensity + light.window_intensity) / 3.0
    return dict(appearance=look, camera=camera, room=phone_room(rng), light=light,
                capture=phone_capture(rng, level, upscale), width=width, height=height,
                fps=fps or 30.0)


def clip_spec(exercise: str, variant: str = "clean", seed: int = 0, world: str = "phone",
              view: str | None = None, max_frames: int | None = None):
    """A single clip of ``world`` (``render --world``): the draws seeded by ``seed`` alone."""
    from posecheck.synth.clip import ClipSpec
    from posecheck.synth.exercises import EXERCISES

    scripted = EXERCISES[exercise](variant, np.random.default_rng(seed))
    camera = scripted.camera
    drawn = draw(world, np.random.default_rng([seed, 3]), camera, view or camera.view,
                 scripted.motion.family)
    return ClipSpec(exercise=exercise, variant=variant, seed=seed, max_frames=max_frames,
                    **drawn)
