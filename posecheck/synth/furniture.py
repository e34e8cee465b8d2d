"""Furniture made of boxes: sofa, armchair, coffee table, chair, shelf, ottoman, plant.

An item is data: ``(kind, along, across, yaw_deg, (r, g, b))``, placed relative to the line
from the person's centre to the camera (``along`` metres toward the camera, ``across`` metres
to the camera's right), so a room can put a coffee table between the camera and the mat.
:func:`boxes` turns it into boxes in the scene frame.
"""
from __future__ import annotations

import numpy as np

#: kind -> boxes (extents (dx, dy, dz), centre (x, y, z), colour scale) in the item's frame:
#: x to its right, y to its back, z up, origin on the floor at its centre.
SHAPES: dict[str, list[tuple[tuple[float, float, float], tuple[float, float, float], float]]] = {
    "sofa": [((1.9, 0.85, 0.42), (0, 0, 0.21), 1.0), ((1.9, 0.22, 0.45), (0, 0.32, 0.64), 0.9),
             ((0.2, 0.85, 0.22), (-0.85, 0, 0.53), 0.9), ((0.2, 0.85, 0.22), (0.85, 0, 0.53), 0.9)],
    "armchair": [((0.85, 0.8, 0.42), (0, 0, 0.21), 1.0), ((0.85, 0.2, 0.5), (0, 0.3, 0.67), 0.9)],
    "coffee_table": [((1.0, 0.55, 0.04), (0, 0, 0.43), 1.0)] + [
        ((0.05, 0.05, 0.41), (sx * 0.45, sy * 0.22, 0.205), 0.7)
        for sx in (-1, 1) for sy in (-1, 1)],
    "chair": [((0.45, 0.45, 0.04), (0, 0, 0.45), 1.0), ((0.45, 0.04, 0.45), (0, 0.21, 0.7), 1.0)]
    + [((0.04, 0.04, 0.43), (sx * 0.2, sy * 0.2, 0.215), 0.8) for sx in (-1, 1) for sy in (-1, 1)],
    "shelf": [((0.8, 0.35, 1.8), (0, 0, 0.9), 1.0)],
    "ottoman": [((0.55, 0.55, 0.4), (0, 0, 0.2), 1.0)],
    "plant": [((0.3, 0.3, 0.35), (0, 0, 0.175), 0.6), ((0.5, 0.5, 0.7), (0, 0, 0.7), -1.0)],
}
#: Where an item may stand, (along range, |across| range): behind or beside the person, or
#: (low items only) toward the camera, off to one side, where it hides an end of the mat or a
#: corner of the frame. Until 2026-12 "front" items stood 0.2-0.9 m across, straight between
#: the camera and the person: a coffee table then hid a lying person's whole body or a kneeling
#: person's knees and hands (3 of 32 pilot clips), which no user filming themselves would keep.
PLACES = {"back": (-2.2, -0.9, 0.0, 2.0), "side": (-0.6, 0.6, 1.4, 2.4),
          "front": (0.7, 1.3, 1.0, 1.5)}
_LEAF = np.array([0.2, 0.42, 0.18])


def random_items(rng: np.random.Generator, count: int, in_front: bool) -> tuple:
    """``count`` random items (the first in front of the person when ``in_front``)."""
    items = []
    for k in range(count):
        place = "front" if in_front and k == 0 else str(rng.choice(["back", "side"]))
        kind = str(rng.choice(["coffee_table", "ottoman"] if place == "front"
                              else ["sofa", "armchair", "shelf", "plant", "chair"]))
        a0, a1, c0, c1 = PLACES[place]
        across = float(rng.uniform(c0, c1)) * float(rng.choice([-1, 1]))
        color = tuple(round(float(c), 3) for c in rng.uniform(0.15, 0.75, 3))
        items.append((kind, round(float(rng.uniform(a0, a1)), 3), round(across, 3),
                      round(float(rng.uniform(-30, 30)), 1), color))
    return tuple(items)


def boxes(item: tuple, centre: np.ndarray, to_camera: np.ndarray
          ) -> list[tuple[list[float], np.ndarray, tuple[float, float, float], float]]:
    """Boxes (extents (3,), centre (3,), colour RGB, yaw radians about +Z) of ``item`` placed
    around ``centre`` (3,); ``to_camera`` (3,) is the horizontal direction to the camera."""
    kind, along, across, yaw_deg, color = item
    fwd = np.array([to_camera[0], to_camera[1], 0.0]) / np.linalg.norm(to_camera[:2])
    right = np.array([-fwd[1], fwd[0], 0.0])
    origin = np.array([centre[0], centre[1], 0.0]) + along * fwd + across * right
    # The item faces the person: its back (+y) points away from the centre.
    away = origin - np.array([centre[0], centre[1], 0.0])
    yaw = float(np.arctan2(away[1], away[0])) - np.pi / 2 + np.deg2rad(yaw_deg)
    c, s = np.cos(yaw), np.sin(yaw)
    out = []
    for extents, offset, scale in SHAPES[kind]:
        pos = origin + np.array([c * offset[0] - s * offset[1], s * offset[0] + c * offset[1],
                                 offset[2]])
        rgb = tuple(_LEAF) if scale < 0 else tuple(np.clip(np.asarray(color) * scale, 0, 1))
        out.append((list(extents), pos, rgb, yaw))
    return out
