"""Posing Anny's rig by aiming body segments at world directions.

Anny's default "local-ref" pose parameters give every bone a delta rotation ``D`` in
world-aligned axes; a bone's accumulated rotation relative to its rest orientation is
``G_bone = G_parent @ D_bone`` (``G_root = D_root``). Aiming a segment therefore means solving
for ``D`` given the parent's ``G``, which makes exercises easy to script in world terms.

Sides are the person's: ``"left"``/``"right"``; Anny's bone suffixes are ``.L``/``.R``.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from posecheck.synth.body import Body, Posed

X, Y, Z = np.eye(3)
#: Segment -> (bone whose rotation moves it, keypoint at its start, keypoint at its end).
SEGMENTS = {
    "upperarm": ("upperarm01", "shoulder", "elbow"),
    "forearm": ("lowerarm01", "elbow", "wrist"),
    "thigh": ("upperleg01", "hip", "knee"),
    "shin": ("lowerleg01", "knee", "ankle"),
}
SUFFIX = {"left": "L", "right": "R"}
#: +1 for the person's left (+X), -1 for the right.
SIDE_SIGN = {"left": 1.0, "right": -1.0}


def unit(v: np.ndarray | list[float]) -> np.ndarray:
    """v / |v| as float64."""
    v = np.asarray(v, np.float64)
    return v / np.linalg.norm(v)


def rot(axis: np.ndarray, degrees: float) -> np.ndarray:
    """(3, 3) rotation by ``degrees`` about ``axis`` (right-hand rule)."""
    return Rotation.from_rotvec(np.deg2rad(degrees) * unit(axis)).as_matrix()


def rotate_toward(v: np.ndarray, toward: np.ndarray, degrees: float) -> np.ndarray:
    """Unit vector ``v`` turned by ``degrees`` in the plane of ``v`` and ``toward``."""
    v = unit(v)
    w = np.asarray(toward, np.float64) - (np.asarray(toward) @ v) * v
    if np.linalg.norm(w) < 1e-9:
        return v
    w = unit(w)
    a = np.deg2rad(degrees)
    return np.cos(a) * v + np.sin(a) * w


class Rig:
    """Accumulates Anny bone rotations for one pose; ``pose()`` runs the body."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.rotations: dict[str, np.ndarray] = {}
        self.translations: dict[str, np.ndarray] = {}

    def world(self, bone: str) -> np.ndarray:
        """(3, 3) accumulated rotation G of ``bone``."""
        chain = []
        i = self.body.bone_index[bone]
        while i >= 0:
            chain.append(self.body.bone_labels[i])
            i = self.body.parents[i]
        g = np.eye(3)
        for name in reversed(chain):
            g = g @ self.rotations.get(name, np.eye(3))
        return g

    def parent_world(self, bone: str) -> np.ndarray:
        """(3, 3) accumulated rotation of ``bone``'s parent (identity for the root)."""
        parent = self.body.parents[self.body.bone_index[bone]]
        return np.eye(3) if parent < 0 else self.world(self.body.bone_labels[parent])

    def set(self, bone: str, delta: np.ndarray) -> None:
        """Set ``bone``'s delta rotation D (3, 3)."""
        self.rotations[bone] = np.asarray(delta, np.float64)

    def set_world(self, bone: str, g: np.ndarray) -> None:
        """Make ``bone``'s accumulated rotation equal ``g`` (3, 3)."""
        self.rotations[bone] = self.parent_world(bone).T @ g

    def aim(self, bone: str, rest_dir: np.ndarray, target: np.ndarray,
            rest_secondary: np.ndarray | None = None,
            target_secondary: np.ndarray | None = None) -> None:
        """Rotate ``bone`` so its rest-pose direction ``rest_dir`` points along world ``target``.

        The optional secondary pair fixes the twist about that direction; without it the
        rotation is the smallest one.
        """
        gp = self.parent_world(bone)
        a, b = gp.T @ unit(target), unit(rest_dir)
        if rest_secondary is None:
            axis = np.cross(b, a)
            s = np.linalg.norm(axis)
            if s < 1e-9:
                self.rotations[bone] = np.eye(3)
                return
            self.rotations[bone] = Rotation.from_rotvec(
                axis / s * np.arctan2(s, b @ a)).as_matrix()
            return
        r, _ = Rotation.align_vectors(
            np.array([a, gp.T @ unit(target_secondary)]),
            np.array([b, unit(rest_secondary)]), weights=np.array([np.inf, 1.0]))
        self.rotations[bone] = r.as_matrix()

    def aim_segment(self, side: str, segment: str, target: np.ndarray,
                    rest_secondary: np.ndarray | None = None,
                    target_secondary: np.ndarray | None = None) -> None:
        """Aim a limb segment (``upperarm``, ``forearm``, ``thigh``, ``shin``) of ``side``."""
        bone, start, end = SEGMENTS[segment]
        rest_dir = (self.body.rest_point(f"{side}_{end}")
                    - self.body.rest_point(f"{side}_{start}"))
        self.aim(f"{bone}.{SUFFIX[side]}", rest_dir, target, rest_secondary, target_secondary)

    def hand(self, side: str, target: np.ndarray, palm: np.ndarray) -> None:
        """Point the hand (wrist to middle knuckle) along ``target``, palm facing ``palm``."""
        s = SUFFIX[side]
        head = self.body.rest_head
        wrist, middle = head[f"wrist.{s}"], head[f"finger3-1.{s}"]
        index, pinky = head[f"finger2-1.{s}"], head[f"finger5-1.{s}"]
        forward = unit(middle - wrist)
        normal = unit(np.cross(index - pinky, forward))
        rest_palm = -normal if side == "left" else normal
        rest_palm = unit(rest_palm - (rest_palm @ forward) * forward)
        target = unit(target)
        palm = np.asarray(palm, np.float64) - (np.asarray(palm) @ target) * target
        self.aim(f"wrist.{s}", forward, target, rest_palm, palm)

    def foot(self, side: str, target: np.ndarray, top: np.ndarray) -> None:
        """Point the foot (ankle to toes) along ``target`` with its instep facing ``top``."""
        kp = self.body.rest_keypoint
        ankle = kp[f"{side}_ankle"]
        toes = 0.5 * (kp[f"{side}_big_toe"] + kp[f"{side}_small_toe"])
        forward = unit(toes - ankle)
        rest_top = Z - (Z @ forward) * forward
        self.aim(f"foot.{SUFFIX[side]}", forward, target, unit(rest_top), top)

    def translate_world(self, bone: str, offset: np.ndarray) -> None:
        """Shift ``bone`` and its subtree by world ``offset`` (3,) from where its parent puts it."""
        self.translations[bone] = self.parent_world(bone).T @ np.asarray(offset, np.float64)

    def pose(self, root_translation: np.ndarray | None = None) -> Posed:
        """Run the body with these rotations."""
        t = np.zeros(3) if root_translation is None else root_translation
        return self.body.forward(self.rotations, self.translations, t)


def two_link_knee(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float,
                  bend: np.ndarray) -> np.ndarray:
    """(3,) knee position of a hip-knee-ankle chain reaching ``ankle``, bending toward ``bend``.

    If the ankle is out of reach the leg straightens toward it.
    """
    d = ankle - hip
    reach = min(np.linalg.norm(d), thigh + shin - 1e-4)
    u = unit(d)
    along = (thigh ** 2 - shin ** 2 + reach ** 2) / (2 * reach)
    height = np.sqrt(max(thigh ** 2 - along ** 2, 0.0))
    b = unit(bend - (bend @ u) * u)
    return hip + along * u + height * b
