"""The Anny body model (PyPI ``anny``: Apache-2.0 code, CC0 MakeHuman/MPFB2 assets).

Only Anny's default topology ("anny") is used. Its ``smpl``/``smplx`` topologies download
non-commercial data and must never be used here.

World frame (Anny's): metres, +Z up, -Y is the body's front in the rest pose, +X is the
body's LEFT side. The rest pose is an A-pose standing on z = 0 near the origin.

The first load builds Anny's cache (about 55 s, about 790 MB) in ``$ANNY_CACHE_DIR``, which
defaults to ``.cache/anny`` in the source checkout (``~/.cache/posecheck/anny`` for an
installed package); later loads take about a second.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Anny's six phenotype sliders, each in [0, 1].
PHENOTYPE_KEYS = ("gender", "age", "muscle", "weight", "height", "proportions")
_CHECKOUT = Path(__file__).resolve().parents[2]


def default_cache_dir() -> Path:
    """``.cache/anny`` in the source checkout, else ``~/.cache/posecheck/anny``."""
    if (_CHECKOUT / "pyproject.toml").exists():
        return _CHECKOUT / ".cache" / "anny"
    return Path.home() / ".cache" / "posecheck" / "anny"


def configure_cache() -> Path:
    """Set ``ANNY_CACHE_DIR`` (default :func:`default_cache_dir`) before anny is imported."""
    path = Path(os.environ.setdefault("ANNY_CACHE_DIR", str(default_cache_dir())))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Posed:
    """One forward pass of the body.

    verts : (V, 3) float32 world vertex positions (before any root translation of the clip).
    keypoints : (K, 3) float32 regressed COCO-style keypoints, in ``Body.keypoint_labels`` order.
    heads : (B, 3) float32 bone head positions, in ``Body.bone_labels`` order.
    """

    verts: np.ndarray
    keypoints: np.ndarray
    heads: np.ndarray

    def translated(self, offset: np.ndarray) -> "Posed":
        """The same pose moved by ``offset`` (3,)."""
        offset = np.asarray(offset, np.float32)
        return Posed(self.verts + offset, self.keypoints + offset, self.heads + offset)


@dataclass
class Body:
    """A loaded Anny model with fixed phenotype, its keypoint regressor and rest-pose landmarks."""

    phenotype: dict[str, float] = field(default_factory=dict)
    #: Per-body memo for pose builders (reference poses that depend only on the body).
    memo: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        configure_cache()
        import anny  # heavy: torch
        import torch
        from anny.keypoints import KeypointsRegressor

        torch.set_grad_enabled(False)
        self._torch = torch
        self.model = anny.Anny(topology="anny").to(dtype=torch.float32)
        self.regressor = KeypointsRegressor.coco(self.model)
        self.keypoint_labels: list[str] = list(self.regressor.labels)
        self.bone_labels: list[str] = list(self.model.bone_labels)
        self.bone_index = {name: i for i, name in enumerate(self.bone_labels)}
        self.parents: list[int] = [int(p) for p in self.model.bone_parents]
        self.faces: np.ndarray = self.model.faces.numpy().astype(np.uint32)
        self.phenotype = {k: 0.5 for k in self.model.phenotype_labels} | dict(self.phenotype)
        rest = self.forward({}, {}, np.zeros(3))
        self.rest = rest
        self.rest_keypoint = dict(zip(self.keypoint_labels, rest.keypoints.astype(np.float64)))
        self.rest_head = dict(zip(self.bone_labels, rest.heads.astype(np.float64)))
        weights = self.model.vertex_bone_weights
        dominant = self.model.vertex_bone_indices[torch.arange(weights.shape[0]),
                                                  weights.argmax(1)].numpy()
        #: (V,) name of the bone that moves each vertex most.
        self.dominant_bone: np.ndarray = np.array(self.bone_labels)[dominant]

    @property
    def bone_count(self) -> int:
        return len(self.bone_labels)

    def rest_point(self, name: str) -> np.ndarray:
        """(3,) rest-pose position of a keypoint or, failing that, a bone head."""
        return self.rest_keypoint[name] if name in self.rest_keypoint else self.rest_head[name]

    def midpoint(self, posed: Posed, joint: str) -> np.ndarray:
        """(3,) midpoint of the left and right ``joint`` keypoints in ``posed``."""
        left, right = (self.keypoint(posed, f"{side}_{joint}") for side in ("left", "right"))
        return 0.5 * (left + right)

    def moved_by(self, *prefixes: str) -> np.ndarray:
        """(V,) bool: the vertices whose dominant bone's name starts with one of ``prefixes``
        (``"foot"``, ``"spine"``, ...)."""
        return np.char.startswith(self.dominant_bone.astype(str)[:, None],
                                  np.array(prefixes)).any(axis=1)

    def keypoint(self, posed: Posed, name: str) -> np.ndarray:
        """(3,) position of keypoint ``name`` in ``posed``."""
        return posed.keypoints[self.keypoint_labels.index(name)].astype(np.float64)

    def forward(self, rotations: dict[str, np.ndarray], translations: dict[str, np.ndarray],
                root_translation: np.ndarray) -> Posed:
        """Pose the body.

        rotations : bone name -> (3, 3) delta rotation in Anny's "local-ref" convention.
        translations : bone name -> (3,) extra offset of the bone (parent-relative, world axes).
        root_translation : (3,) translation of the root bone.
        """
        torch = self._torch
        pose = torch.eye(4).repeat(1, self.bone_count, 1, 1)
        for name, rot in rotations.items():
            pose[0, self.bone_index[name], :3, :3] = torch.as_tensor(
                np.asarray(rot), dtype=torch.float32)
        for name, offset in translations.items():
            pose[0, self.bone_index[name], :3, 3] = torch.as_tensor(
                np.asarray(offset), dtype=torch.float32)
        pose[0, 0, :3, 3] = torch.as_tensor(np.asarray(root_translation), dtype=torch.float32)
        rest = self._rest_model(pose)
        transforms, bone_poses = self.model.get_bone_transforms(pose, rest["rest_bone_poses"])
        vertices = self.model.get_skinned_vertices(
            bone_transforms=transforms, rest_vertices=rest["rest_vertices"].expand(1, -1, -1))
        keypoints = self.regressor({"vertices": vertices})[0].numpy()
        return Posed(vertices[0].numpy().astype(np.float32), keypoints.astype(np.float32),
                     bone_poses[0, :, :3, 3].numpy().astype(np.float32))

    def _rest_model(self, pose) -> dict:
        """Anny's rest mesh and skeleton of this phenotype, computed once (Anny's forward
        recomputes it at every call: about 9 ms of its 40). Same result as ``self.model(...)``
        (``tests/synth/test_world.py`` checks it)."""
        if "rest_model" not in self.memo:
            inputs = self.model.get_tensor_inputs(pose, self.phenotype, None, None)
            coeffs = self.model._get_phenotype_blendshape_coefficients(*inputs[1:])
            self.memo["rest_model"] = self.model.get_rest_model(coeffs)
        return self.memo["rest_model"]
