"""The posed body at any time of a clip, skinned at a fixed rate and interpolated in between.

Skinning (Anny in torch) costs 30-60 ms a pose on this project's machines, as much as
rasterising a frame. A 30 fps clip with motion blur needs the body at every frame and at
sub-frame instants; :class:`PoseStream` skins it at ``rate`` Hz and interpolates vertices,
keypoints and bone heads linearly in between (the keypoint regressor is linear in the
vertices, so interpolated keypoints are those of the interpolated mesh). Exercise motions are
eased over a second or more: at 15 Hz the interpolation moves a vertex by well under a
millimetre off its arc.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from posecheck.synth.body import Posed


class PoseStream:
    """``at(t)`` -> :class:`Posed`: exact when ``rate`` is 0, else interpolated between poses
    at multiples of 1 / ``rate`` seconds (times must advance roughly in order: old key poses
    are dropped).

    ``params(t)`` (the pose parameters, cheap) lets still stretches skip skinning: a key pose
    whose parameters equal the previous key's is that same object, and so is every time
    between two identical keys, so callers can reuse what they made of it (``is``).
    """

    def __init__(self, pose: Callable[[float], Posed], rate: float,
                 params: Callable[[float], dict[str, float]] | None = None) -> None:
        self._pose, self.rate, self._params = pose, rate, params
        self._keys: dict[int, tuple[tuple, Posed]] = {}
        #: How many times the body was skinned.
        self.skinned = 0

    def _key(self, k: int) -> Posed:
        if k not in self._keys:
            t = max(k, 0) / self.rate
            sig = tuple(sorted(self._params(t).items())) if self._params else (k,)
            before = self._keys.get(k - 1)
            if before is not None and before[0] == sig:
                posed = before[1]
            else:
                posed = self._pose(t)
                self.skinned += 1
            self._keys[k] = (sig, posed)
            for old in [j for j in self._keys if j < k - 2]:
                del self._keys[old]
        return self._keys[k][1]

    def at(self, t: float) -> Posed:
        if self.rate <= 0:
            self.skinned += 1
            return self._pose(t)
        x = t * self.rate
        k = int(np.floor(x + 1e-9))
        w = float(x - k)
        a = self._key(k)
        if w < 1e-6:
            return a
        b = self._key(k + 1)
        if a is b:
            return a
        lerp = lambda p, q: ((1 - w) * p + w * q).astype(np.float32)  # noqa: E731
        return Posed(lerp(a.verts, b.verts), lerp(a.keypoints, b.keypoints),
                     lerp(a.heads, b.heads))
