"""Procedural floor and wall textures: wood planks, tiles, carpet, a painted wall with posters.

Every function returns an (H, W, 3) uint8 RGB image drawn from ``rng`` only (deterministic)
and covering a known size in metres (``PX_PER_M`` pixels per metre). Floors repeat; the wall
texture covers the whole wall.
"""
from __future__ import annotations

import numpy as np

#: Texture resolution, pixels per metre (a 2.6 m camera distance sees about 250 px/m).
PX_PER_M = 160
#: Side of a repeated floor tile, metres.
FLOOR_TILE_M = 2.4
FLOOR_KINDS = ("plain", "wood", "tiles", "carpet")
WALL_KINDS = ("plain", "painted")


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]
                  ) -> np.ndarray:
    """(H, W) float noise of zero mean, unit-ish amplitude and ``cells`` features per axis,
    tiling seamlessly (the coarse grid wraps around)."""
    import cv2

    coarse = rng.standard_normal((cells[0] + 1, cells[1] + 1)).astype(np.float32)
    coarse[-1], coarse[:, -1] = coarse[0], coarse[:, 0]
    big = cv2.resize(coarse, (shape[1] + shape[1] // cells[1], shape[0] + shape[0] // cells[0]),
                     interpolation=cv2.INTER_CUBIC)
    return big[:shape[0], :shape[1]]


def _to_image(rgb: np.ndarray) -> np.ndarray:
    return np.clip(rgb * 255, 0, 255).astype(np.uint8)


def floor_texture(kind: str, color: tuple[float, float, float], rng: np.random.Generator
                  ) -> np.ndarray:
    """(N, N, 3) uint8 repeated floor tile of ``FLOOR_TILE_M`` metres of ``kind`` around
    ``color`` (RGB 0..1)."""
    n = int(FLOOR_TILE_M * PX_PER_M)
    base = np.asarray(color, np.float32)
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / PX_PER_M
    if kind == "plain":
        return _to_image(np.broadcast_to(base, (n, n, 3)))
    if kind == "wood":
        plank_w = FLOOR_TILE_M / int(rng.integers(12, 20))
        row = (x // plank_w).astype(int)
        offset = rng.uniform(0, FLOOR_TILE_M, row.max() + 1)[row]
        plank_l = FLOOR_TILE_M / int(rng.integers(1, 3))
        along = (y + offset) % FLOOR_TILE_M
        plank = row * 7 + (along // plank_l).astype(int)
        tint = rng.uniform(0.8, 1.15, plank.max() + 1)[plank]
        grain = np.sin(2 * np.pi * (x * 40 + 2.5 * _smooth_noise(rng, (n, n), (6, 24))))
        shade = tint * (1 + 0.06 * grain)
        seam = (np.minimum(x % plank_w, plank_w - x % plank_w) < 0.004) | (
            np.minimum(along % plank_l, plank_l - along % plank_l) < 0.004)
        shade[seam] *= 0.55
        return _to_image(base * shade[..., None])
    if kind == "tiles":
        size = FLOOR_TILE_M / int(rng.integers(4, 8))
        cell = (x // size).astype(int) * 100 + (y // size).astype(int)
        tint = rng.uniform(0.92, 1.06, cell.max() + 1)[cell]
        speck = 1 + 0.04 * rng.standard_normal((n, n)).astype(np.float32)
        shade = tint * speck
        grout = (np.minimum(x % size, size - x % size) < 0.006) | (
            np.minimum(y % size, size - y % size) < 0.006)
        rgb = base * shade[..., None]
        rgb[grout] = 0.5 * base + 0.3
        return _to_image(rgb)
    if kind == "carpet":
        blotch = 1 + 0.07 * _smooth_noise(rng, (n, n), (8, 8))
        fibre = 1 + 0.12 * rng.standard_normal((n, n)).astype(np.float32)
        return _to_image(base * (blotch * fibre)[..., None])
    raise ValueError(f"unknown floor texture {kind!r}: one of {FLOOR_KINDS}")


def wall_texture(kind: str, color: tuple[float, float, float], posters: int,
                 size_m: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) uint8 image of a wall ``size_m`` (width, height) metres: paint of ``color``
    with roller noise, a skirting board and ``posters`` framed posters at 1-2 m height
    (row 0 is the top of the wall)."""
    w, h = int(size_m[0] * PX_PER_M / 2), int(size_m[1] * PX_PER_M / 2)   # walls are far
    base = np.asarray(color, np.float32)
    if kind == "plain":
        return _to_image(np.broadcast_to(base, (h, w, 3)))
    if kind != "painted":
        raise ValueError(f"unknown wall texture {kind!r}: one of {WALL_KINDS}")
    px = PX_PER_M / 2
    shade = 1 + 0.03 * _smooth_noise(rng, (h, w), (6, 12))
    rgb = base * shade[..., None]
    skirting = int(rng.uniform(0.06, 0.12) * px)
    rgb[h - skirting:] = rng.uniform(0.3, 0.95) * np.ones(3)
    for _ in range(posters):
        pw, ph = rng.uniform(0.3, 0.9) * px, rng.uniform(0.4, 1.0) * px
        cx = rng.uniform(0.1, 0.9) * w
        top = h - rng.uniform(1.1, 2.1) * px - ph
        x0, x1 = int(cx - pw / 2), int(cx + pw / 2)
        y0, y1 = int(max(top, 0)), int(max(top, 0) + ph)
        rgb[y0:y1, x0:x1] = rng.uniform(0.05, 0.3, 3)                        # frame
        inner = rgb[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
        inner[:] = rng.uniform(0.2, 1.0, 3)
        for _ in range(int(rng.integers(2, 6))):                             # colour blocks
            ih, iw = inner.shape[:2]
            if ih < 4 or iw < 4:
                break
            a, b = sorted(rng.integers(0, ih, 2)), sorted(rng.integers(0, iw, 2))
            inner[a[0]:a[1] + 2, b[0]:b[1] + 2] = rng.uniform(0.0, 1.0, 3)
    return _to_image(rgb)
