"""Garment shells and hair volume on the body mesh, and their colours.

Anny is a bare body. A garment here is the body's own surface pushed out along its normals by
a thickness that varies over the body, decided once on the rest pose:

* a base thickness per garment (leggings 3 mm, sweatpants 2-3.5 cm at the thigh tapering to a
  cuff, a hoodie 2.5-4 cm with a hood bulk below the neck);
* for loose tops, the hollows of the torso are filled up to its convex outline, slice by slice
  from the hem to the chest, in four directions (back, front, both sides): a hoodie hides the
  waist line and the lumbar curve as a real one does;
* each frame, loose tops also hang: vertices whose normal points down move down by up to
  ``hang`` metres (a shirt falls off the belly on hands and knees).

The joints (ground truth) do not move: clothes change only what the camera sees. Colours are
per vertex: garment colour with stripes, a chest print or a side stripe, fold shading and
fabric noise. ``painted`` garments are the clean room's colour regions without thickness.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

import numpy as np

from posecheck.synth.appearance import HAIR, PANTS, SHIRTS, Appearance, rgb, vertex_colors
from posecheck.synth.body import Body

TOPS = ("painted", "tshirt", "tank", "hoodie")
BOTTOMS = ("painted", "leggings", "shorts", "sweatpants")
PATTERNS = ("none", "stripes", "print", "heather")
HAIR_STYLES = ("painted", "short", "volume", "bun")
#: Height of the torso slices whose outline loose tops follow, metres.
SLICE_M = 0.02


class _Incidence:
    """The (V, F) vertex-face incidence matrix of the last mesh topology seen (sparse)."""

    faces: np.ndarray | None = None
    matrix = None

    @classmethod
    def of(cls, faces: np.ndarray, n_verts: int):
        if cls.faces is not faces or cls.matrix is None or cls.matrix.shape[0] != n_verts:
            from scipy.sparse import csr_matrix

            rows = faces.reshape(-1)
            cols = np.repeat(np.arange(len(faces)), 3)
            cls.matrix = csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                    shape=(n_verts, len(faces)))
            cls.faces = faces
        return cls.matrix


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) float32 unit area-weighted vertex normals of the mesh verts (V, 3), faces
    (F, 3)."""
    v = np.asarray(verts, np.float32)
    fn = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    out = _Incidence.of(faces, len(v)) @ fn
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)).astype(
        np.float32)


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Values at ``x`` (sorted, (N,)) of the upper convex hull of the points (x, y)."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a]) >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    return np.interp(x, x[hull], y[hull])


def _hollow_fill(verts: np.ndarray, normals: np.ndarray, region: np.ndarray) -> np.ndarray:
    """(V,) how far each vertex of ``region`` lies inside the convex outline of the region's
    slices, along the back, front and both sides (weighted by its normal), metres."""
    z = verts[:, 2]
    bins = np.floor(z / SLICE_M).astype(int)
    fill = np.zeros(len(verts))
    idx = np.flatnonzero(region)
    levels = np.unique(bins[idx])
    if len(levels) < 3:
        return fill
    for axis, sign in ((1, 1.0), (1, -1.0), (0, 1.0), (0, -1.0)):
        reach = sign * verts[idx, axis]
        top = np.full(len(levels), -np.inf)
        np.maximum.at(top, np.searchsorted(levels, bins[idx]), reach)
        hull = _upper_hull(levels * SLICE_M, top)
        deficit = np.maximum(0.0, hull[np.searchsorted(levels, bins[idx])] - reach)
        weight = np.maximum(0.0, sign * normals[idx, axis]) ** 2
        fill[idx] += weight * deficit
    return fill


@dataclass
class Dressing:
    """A body's clothes and hair: colours (V, 3) in 0..1, rest thickness (V,) metres and the
    per-vertex hang (V,) metres of loose tops."""

    colors: np.ndarray
    thickness: np.ndarray
    hang: np.ndarray

    def apply(self, verts: np.ndarray, normals: np.ndarray) -> np.ndarray:
        """(V, 3) dressed vertices of the posed ``verts`` (V, 3) with unit ``normals`` (V, 3)."""
        if not self.thickness.any():
            return verts
        out = verts + self.thickness[:, None] * normals
        if self.hang.any():
            down = np.maximum(0.0, -normals[:, 2]) ** 2
            out[:, 2] -= self.hang * down
        return out.astype(np.float32)


def dress(body: Body, look: Appearance) -> Dressing:
    """The clothes of ``look`` on ``body`` (its rest pose decides the regions)."""
    colors = vertex_colors(body, look)
    n_vert = len(colors)
    thickness, hang = np.zeros(n_vert), np.zeros(n_vert)
    if look.top == "painted" and look.bottom == "painted" and look.hair_style == "painted":
        return Dressing(colors, thickness, hang)
    v = body.rest.verts.astype(np.float64)
    normals = vertex_normals(body.rest.verts, body.faces).astype(np.float64)
    dom = body.dominant_bone.astype(str)
    kp, head = body.rest_keypoint, body.rest_head
    z = v[:, 2]
    rng = np.random.default_rng(zlib.crc32(json.dumps(look.to_dict(), sort_keys=True).encode()))
    starts = lambda *p: np.any([np.char.startswith(dom, s) for s in p], axis=0)  # noqa: E731
    torso = starts("spine", "root", "clavicle", "shoulder", "pelvis", "neck")
    upperarm, lowerarm = starts("upperarm"), starts("lowerarm", "wrist")
    thigh, shin = starts("upperleg"), starts("lowerleg")
    hip_z, shoulder_z = kp["left_hip"][2], kp["left_shoulder"][2]
    knee_z, ankle_z, elbow_z = kp["left_knee"][2], kp["left_ankle"][2], kp["left_elbow"][2]
    neck_z = head["neck01"][2] + 0.005
    loose = float(look.looseness)
    main, accent = rgb(SHIRTS, look.shirt), rgb(SHIRTS, look.accent)
    pants_rgb = rgb(PANTS, look.pants)

    # Bottoms: from the waist down to the garment's hem.
    waist_z = hip_z + 0.45 * (0.5 * (hip_z + shoulder_z) - hip_z)
    legs = thigh | shin | starts("pelvis")
    hem = {"leggings": ankle_z + 0.03, "sweatpants": ankle_z + 0.01,
           "shorts": knee_z + float(rng.uniform(0.3, 0.6)) * (hip_z - knee_z)}.get(look.bottom)
    if hem is not None:
        bottom = ((torso & (z <= waist_z)) | legs) & (z > hem)
        if look.bottom == "sweatpants":
            frac = np.clip((z - ankle_z) / max(hip_z - ankle_z, 1e-6), 0, 1)
            thickness[bottom] = (0.008 + (0.012 + 0.02 * loose) * np.sqrt(frac))[bottom]
        elif look.bottom == "shorts":
            flare = np.clip((hip_z - z) / max(hip_z - hem, 1e-6), 0, 1)
            thickness[bottom] = (0.01 + (0.01 + 0.02 * loose) * flare)[bottom]
        else:
            thickness[bottom] = 0.003
        colors[bottom] = pants_rgb
        if look.pattern == "print" and look.bottom != "shorts":        # side stripe
            side = bottom & legs & (np.abs(normals[:, 0]) > 0.8)
            colors[side] = accent

    # Tops: hem at the waist (tank, tee) or at the hips (hoodie), sleeves.
    if look.top != "painted":
        top_hem = {"tank": waist_z, "tshirt": waist_z - 0.04, "hoodie": hip_z - 0.04}[look.top]
        body_part = torso & (z > top_hem) & (z < neck_z)
        sleeve = {"tank": upperarm & (z > shoulder_z - 0.03),
                  "tshirt": upperarm & (z > shoulder_z - 0.6 * (shoulder_z - elbow_z)),
                  "hoodie": upperarm | lowerarm}[look.top]
        if look.top == "hoodie":
            sleeve &= ~(np.char.startswith(dom, "wrist") & (z < kp["left_wrist"][2] + 0.01))
        top = body_part | sleeve
        base = {"tank": 0.006, "tshirt": 0.010 + 0.008 * loose,
                "hoodie": 0.022 + 0.018 * loose}[look.top]
        fill = _hollow_fill(v, normals, body_part)
        thickness[body_part] = base + min(1.0, 0.4 + loose) * np.minimum(fill[body_part], 0.08)
        thickness[sleeve] = 0.5 * base + 0.006
        if look.top == "hoodie":                     # hood bulk below the neck, behind
            hood = np.exp(-(((v[:, 2] - (neck_z - 0.04)) / 0.05) ** 2 + (v[:, 0] / 0.09) ** 2))
            thickness[body_part] += (0.05 * hood * np.maximum(0.0, normals[:, 1]))[body_part]
            cuff = lowerarm & (z < kp["left_wrist"][2] + 0.06)
            thickness[cuff] = 0.008
        hang[top & torso] = 0.01 + 0.04 * loose if look.top != "tank" else 0.01
        colors[top] = main
        if look.pattern == "stripes":
            period = float(rng.uniform(0.04, 0.1))
            colors[top & ((np.floor(z / (period / 2)) % 2) == 1)] = accent
        elif look.pattern == "print":
            chest = body_part & (normals[:, 1] < -0.6) & (np.abs(v[:, 0]) < 0.08) & (
                np.abs(z - (shoulder_z - 0.14)) < 0.06)
            colors[chest] = accent
    clothed = thickness > 0
    if look.pattern == "heather":
        colors[clothed] *= rng.uniform(0.9, 1.1, (int(clothed.sum()), 1))
    # Folds: low-frequency shading of every garment.
    phase = rng.uniform(0, 2 * np.pi, 3)
    folds = 1 + 0.07 * np.sin(v @ np.array([23.0, 17.0, 31.0]) + phase[0]) * np.sin(
        v @ np.array([-13.0, 29.0, 19.0]) + phase[1])
    colors[clothed] *= folds[clothed, None]

    # Hair volume on the scalp (the painted hair region).
    if look.hair_style != "painted":
        is_head = dom == "head"
        eye_z, ear_y = kp["left_eye"][2], kp["left_ear"][1]
        scalp = is_head & ((z > eye_z + 0.045) | ((v[:, 1] > ear_y - 0.005) & (z > eye_z - 0.03)))
        vol = {"short": 0.006, "volume": 0.02 + 0.015 * loose, "bun": 0.008}[look.hair_style]
        thickness[scalp] = vol * (0.6 + 0.4 * np.clip(normals[scalp, 2] + normals[scalp, 1], 0, 1))
        if look.hair_style == "bun":
            centre = np.array([0.0, head["head"][1] + 0.09, eye_z + 0.07])
            bump = np.exp(-np.sum(((v - centre) / 0.05) ** 2, axis=1))
            thickness[scalp] += 0.07 * bump[scalp]
        colors[scalp] = rgb(HAIR, look.hair) * rng.uniform(0.85, 1.15, (int(scalp.sum()), 1))
    return Dressing(np.clip(colors, 0, 1), thickness, hang)
