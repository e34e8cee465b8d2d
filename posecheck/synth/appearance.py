"""How a synthetic person looks: body shape, skin tone and clothing colours.

Anny ships no albedo texture, so the body is coloured per vertex: skin, a T-shirt with short
sleeves, full-length leggings and a hair cap. Regions are decided on the rest pose.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from posecheck.synth.body import Body

SKIN_TONES = {
    "light": (0.86, 0.66, 0.55),
    "medium": (0.70, 0.50, 0.38),
    "tan": (0.58, 0.40, 0.29),
    "dark": (0.42, 0.28, 0.20),
}
SHIRTS = {
    "blue": (0.16, 0.33, 0.62), "red": (0.70, 0.14, 0.14), "white": (0.90, 0.90, 0.88),
    "green": (0.20, 0.50, 0.30), "grey": (0.45, 0.45, 0.48), "black": (0.08, 0.08, 0.09),
    "yellow": (0.85, 0.70, 0.20),
}
PANTS = {
    "charcoal": (0.13, 0.13, 0.16), "navy": (0.10, 0.14, 0.30), "black": (0.06, 0.06, 0.07),
    "grey": (0.40, 0.40, 0.42), "maroon": (0.35, 0.10, 0.14),
}
HAIR = {"dark": (0.10, 0.07, 0.05), "brown": (0.30, 0.18, 0.10), "blond": (0.70, 0.56, 0.30),
        "grey": (0.55, 0.55, 0.55)}
_TORSO_BONES = ("spine01", "spine02", "spine03", "spine04", "spine05", "root", "clavicle.L",
                "clavicle.R", "shoulder01.L", "shoulder01.R", "pelvis.L", "pelvis.R")


@dataclass(frozen=True)
class Appearance:
    """A person: Anny phenotype sliders (0..1) and colour names from the tables above."""

    gender: float = 0.8
    age: float = 0.5
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    skin: str = "light"
    shirt: str = "blue"
    pants: str = "charcoal"
    hair: str = "dark"

    def phenotype(self) -> dict[str, float]:
        """The Anny phenotype keyword arguments."""
        d = asdict(self)
        return {k: d[k] for k in ("gender", "age", "muscle", "weight", "height", "proportions")}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Appearance":
        """A varied adult: any gender, age 0.3..0.8, build and height within a normal range."""
        pick = lambda table: str(rng.choice(sorted(table)))  # noqa: E731
        return cls(gender=float(rng.uniform(0, 1)), age=float(rng.uniform(0.3, 0.8)),
                   muscle=float(rng.uniform(0.3, 0.7)), weight=float(rng.uniform(0.3, 0.75)),
                   height=float(rng.uniform(0.3, 0.7)), proportions=float(rng.uniform(0.4, 0.6)),
                   skin=pick(SKIN_TONES), shirt=pick(SHIRTS), pants=pick(PANTS),
                   hair=pick(HAIR))


def vertex_colors(body: Body, look: Appearance) -> np.ndarray:
    """(V, 3) float RGB in 0..1 for each vertex of ``body``."""
    v = body.rest.verts
    dom = body.dominant_bone
    kp, head = body.rest_keypoint, body.rest_head
    z = v[:, 2]
    colors = np.tile(np.array(SKIN_TONES[look.skin]), (len(v), 1))
    torso = np.isin(dom, _TORSO_BONES)
    upperarm = np.char.startswith(dom.astype(str), "upperarm")
    legs = (np.char.startswith(dom.astype(str), "upperleg")
            | np.char.startswith(dom.astype(str), "lowerleg")
            | np.char.startswith(dom.astype(str), "pelvis"))
    waist_z = 0.5 * (kp["left_hip"][2] + kp["left_shoulder"][2]) - 0.12
    neck_z = head["neck01"][2] + 0.005
    shoulder_z, elbow_z = kp["left_shoulder"][2], kp["left_elbow"][2]
    shirt = (torso & (z > waist_z) & (z < neck_z)) | (
        upperarm & (z > shoulder_z - 0.55 * (shoulder_z - elbow_z)))
    pants = ((torso & (z <= waist_z)) | legs) & (z > kp["left_ankle"][2] + 0.05)
    colors[shirt] = SHIRTS[look.shirt]
    colors[pants] = PANTS[look.pants]
    is_head = dom == "head"
    eye_z, ear_y = kp["left_eye"][2], kp["left_ear"][1]
    hair = is_head & ((z > eye_z + 0.045) | ((v[:, 1] > ear_y - 0.005) & (z > eye_z - 0.03)))
    colors[hair] = HAIR[look.hair]
    for eye in ("left_eye", "right_eye"):
        d = np.linalg.norm(v - kp[eye], axis=1)
        colors[is_head & (d < 0.011)] = (0.95, 0.95, 0.95)
        colors[is_head & (d < 0.006)] = (0.15, 0.10, 0.08)
    return colors
