"""The lights of a room: ambient, a key light, fill and rim, and optionally a window.

The defaults are the clean room's lights. :meth:`Lighting.random` draws a phone user's room:
dim to bright, warm (2700 K bulbs) to cool (daylight) light, and in some rooms a strong,
low, cool side light through a window.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

#: Colour temperature (K) -> RGB of a white surface under it (black body, normalised).
_KELVIN = np.array([
    (2700, 1.00, 0.66, 0.37), (3500, 1.00, 0.78, 0.56), (4500, 1.00, 0.88, 0.76),
    (5500, 1.00, 0.96, 0.91), (6500, 0.96, 0.97, 1.00), (8000, 0.86, 0.90, 1.00)])


def kelvin_rgb(kelvin: float) -> tuple[float, float, float]:
    """RGB (0..1, max 1) of light at colour temperature ``kelvin``."""
    return tuple(round(float(np.interp(kelvin, _KELVIN[:, 0], _KELVIN[:, c])), 3)
                 for c in (1, 2, 3))


@dataclass(frozen=True)
class Lighting:
    """Light colours (RGB 0..1) and intensities (pyrender units).

    key_direction : where the key light comes FROM (a point it looks from toward the centre);
        None: the room's ``key_light``. window_direction likewise; window_intensity 0 = none.
    """

    ambient: tuple[float, float, float] = (0.28, 0.28, 0.30)
    key_color: tuple[float, float, float] = (1.0, 0.97, 0.92)
    key_intensity: float = 3.0
    key_direction: tuple[float, float, float] | None = None
    fill_color: tuple[float, float, float] = (0.85, 0.9, 1.0)
    fill_irradiance: float = 1.2
    rim_irradiance: float = 0.8
    window_color: tuple[float, float, float] = (0.9, 0.95, 1.0)
    window_intensity: float = 0.0
    window_direction: tuple[float, float, float] = (3.0, 0.0, 1.2)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def shadow_strength(self) -> float:
        """0..1: how much of the floor's light a body blocks when it shades the key light."""
        key = self.key_intensity + self.window_intensity
        ambient = 3.0 * float(np.mean(self.ambient)) + 0.4 * (self.fill_irradiance
                                                               + self.rim_irradiance)
        return round(float(np.clip(key / (key + ambient), 0.2, 0.8)), 3)

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Lighting":
        """A living room, gym or bedroom: brightness x0.35..1.4 of the clean room's, warm to
        cool bulbs, a window in 35 % of rooms."""
        level = float(np.exp(rng.uniform(np.log(0.35), np.log(1.4))))
        bulb = kelvin_rgb(float(rng.uniform(2700, 6000)))
        sky = kelvin_rgb(float(rng.uniform(5500, 8000)))
        angle = rng.uniform(0, 2 * np.pi)
        key_dir = (2.3 * np.cos(angle), 2.3 * np.sin(angle), rng.uniform(1.5, 3.5))
        window = rng.random() < 0.35
        w_angle = rng.uniform(0, 2 * np.pi)
        r = lambda x: round(float(x), 3)  # noqa: E731
        return cls(
            ambient=tuple(r(level * 0.28 * c) for c in bulb),
            key_color=bulb, key_intensity=r(level * rng.uniform(2.0, 3.6)),
            key_direction=tuple(r(x) for x in key_dir),
            fill_color=tuple(r(0.5 * (c + 1.0)) for c in bulb),
            fill_irradiance=r(level * rng.uniform(0.6, 1.4)),
            rim_irradiance=r(level * rng.uniform(0.2, 1.0)),
            window_color=sky, window_intensity=r(rng.uniform(2.5, 5.0) if window else 0.0),
            window_direction=(r(3.0 * np.cos(w_angle)), r(3.0 * np.sin(w_angle)),
                              r(rng.uniform(0.6, 1.6))))
