"""How a synthetic person looks: body shape, skin tone, clothes and hair.

Anny ships no albedo texture, so the body is coloured per vertex: skin, a T-shirt with short
sleeves, full-length leggings and a hair cap (the clean room's ``painted`` clothes). Regions
are decided on the rest pose. Garments with thickness, patterns and hair volume are drawn by
:meth:`Appearance.random_phone` and made by ``posecheck.synth.clothing``.
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
#: A colour: a name of the table it belongs to, or an RGB triple in 0..1.
Color = str | tuple[float, float, float]
_TORSO_BONES = ("spine01", "spine02", "spine03", "spine04", "spine05", "root", "clavicle.L",
                "clavicle.R", "shoulder01.L", "shoulder01.R", "pelvis.L", "pelvis.R")


def rgb(table: dict[str, tuple[float, float, float]], value: Color) -> np.ndarray:
    """(3,) RGB of a colour given by name in ``table`` or as an RGB triple."""
    return np.asarray(table[value] if isinstance(value, str) else value, np.float64)


@dataclass(frozen=True)
class Appearance:
    """A person: Anny phenotype sliders (0..1), colours (names from the tables above or RGB)
    and clothes: ``top`` (painted, tshirt, tank, hoodie), ``bottom`` (painted, leggings,
    shorts, sweatpants), ``pattern`` (none, stripes, print, heather) in the ``accent`` colour,
    ``hair_style`` (painted, short, volume, bun), ``looseness`` 0..1 of the garments."""

    gender: float = 0.8
    age: float = 0.5
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    skin: Color = "light"
    shirt: Color = "blue"
    pants: Color = "charcoal"
    hair: Color = "dark"
    top: str = "painted"
    bottom: str = "painted"
    pattern: str = "none"
    accent: Color = "white"
    hair_style: str = "painted"
    looseness: float = 0.5

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

    @classmethod
    def random_phone(cls, rng: np.random.Generator) -> "Appearance":
        """A varied home exerciser: age from young adult to old (0.25..0.95), build from thin
        to obese (weight 0.1..0.95), height 0.1..0.9; any skin tone between the table's
        extremes; a random top, bottom, pattern and hair style in sportswear colours."""
        r3 = lambda lo, hi: tuple(round(float(c), 3) for c in rng.uniform(lo, hi, 3))  # noqa
        tone = float(rng.uniform(0, 1))
        light, dark = np.array(SKIN_TONES["light"]) * 1.08, np.array(SKIN_TONES["dark"]) * 0.8
        skin = tuple(round(float(c), 3) for c in np.clip(light + tone * (dark - light), 0, 1))
        vivid = rng.random() < 0.5
        return cls(gender=float(rng.uniform(0, 1)), age=float(rng.uniform(0.25, 0.95)),
                   muscle=float(rng.uniform(0.15, 0.85)), weight=float(rng.uniform(0.1, 0.95)),
                   height=float(rng.uniform(0.1, 0.9)), proportions=float(rng.uniform(0.3, 0.7)),
                   skin=skin, shirt=r3(0.1, 0.9) if vivid else r3(0.05, 0.45),
                   pants=r3(0.03, 0.4), hair=str(rng.choice(sorted(HAIR))),
                   top=str(rng.choice(["tshirt", "tshirt", "tank", "hoodie", "hoodie"])),
                   bottom=str(rng.choice(["leggings", "leggings", "shorts", "sweatpants"])),
                   pattern=str(rng.choice(["none", "none", "stripes", "print", "heather"])),
                   accent=r3(0.0, 1.0), hair_style=str(rng.choice(["short", "volume", "bun"])),
                   looseness=round(float(rng.uniform(0, 1)), 3))


def vertex_colors(body: Body, look: Appearance) -> np.ndarray:
    """(V, 3) float RGB in 0..1 for each vertex of ``body``."""
    v = body.rest.verts
    dom = body.dominant_bone
    kp, head = body.rest_keypoint, body.rest_head
    z = v[:, 2]
    colors = np.tile(rgb(SKIN_TONES, look.skin), (len(v), 1))
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
    colors[shirt] = rgb(SHIRTS, look.shirt)
    colors[pants] = rgb(PANTS, look.pants)
    is_head = dom == "head"
    eye_z, ear_y = kp["left_eye"][2], kp["left_ear"][1]
    hair = is_head & ((z > eye_z + 0.045) | ((v[:, 1] > ear_y - 0.005) & (z > eye_z - 0.03)))
    colors[hair] = rgb(HAIR, look.hair)
    for eye in ("left_eye", "right_eye"):
        d = np.linalg.norm(v - kp[eye], axis=1)
        colors[is_head & (d < 0.011)] = (0.95, 0.95, 0.95)
        colors[is_head & (d < 0.006)] = (0.15, 0.10, 0.08)
    return colors
