"""Offscreen rasterisation with pyrender on headless Mesa (EGL by default, or OSMesa).

The scene: a floor, an exercise mat, a back wall, a key directional light with shadows, two
distant point lights (fill and rim) and ambient light; the body as a vertex-coloured mesh.
Keep ONE :class:`Scene` per process: a second pyrender ``OffscreenRenderer`` after the first
is collected fails with ``EGL_BAD_DISPLAY``.

Cameras are placed around the person by :class:`CameraSpec`: an azimuth relative to the
person's forward direction, a height and a distance.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np

#: Named views: azimuth of the camera measured from the person's forward direction toward the
#: person's LEFT side (0 = in front, 90 = the person's left side toward the camera).
VIEWS = {"front": 0.0, "front_left": 45.0, "left": 90.0, "rear_left": 135.0, "rear": 180.0,
         "rear_right": -135.0, "right": -90.0, "front_right": -45.0}


#: Distance of the fill and rim point lights from the scene centre, metres.
FILL_DISTANCE = 6.0
#: A pixel belongs to the person where the body is this much nearer than the empty room.
MASK_MARGIN_M = 0.002


def _import_pyrender():
    """Import pyrender headless, patching ``np.infty`` (removed in NumPy 2, used by 0.1.45)."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    if not hasattr(np, "infty"):
        np.infty = np.inf
    import pyrender
    import trimesh
    return pyrender, trimesh


def _ordered_scene_class(pyrender):
    """A pyrender Scene whose node collections iterate in name order.

    pyrender keeps nodes in sets, which iterate in memory-address order: light sums and
    draw order (ties in depth) then change from run to run and so do a few pixel values.
    Every node here has a unique name, so sorting by name makes renders reproducible.
    """
    def ordered(nodes):
        return sorted(nodes, key=lambda node: node.name)

    class OrderedScene(pyrender.Scene):
        mesh_nodes = property(lambda self: ordered(self._mesh_nodes))
        point_light_nodes = property(lambda self: ordered(self._point_light_nodes))
        spot_light_nodes = property(lambda self: ordered(self._spot_light_nodes))
        directional_light_nodes = property(lambda self: ordered(self._directional_light_nodes))
        light_nodes = property(lambda self: ordered(
            self._point_light_nodes | self._spot_light_nodes | self._directional_light_nodes))

    return OrderedScene


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = np.array([0.0, 0.0, 1.0])
            ) -> np.ndarray:
    """(4, 4) camera-to-world pose (OpenGL: camera looks along its -Z) from ``eye`` to ``target``."""
    eye, target = np.asarray(eye, float), np.asarray(target, float)
    back = eye - target
    back /= np.linalg.norm(back)
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, np.cross(back, right), back, eye
    return pose


@dataclass(frozen=True)
class CameraSpec:
    """Where the camera stands relative to the person.

    view : key of ``VIEWS`` (or use ``azimuth_deg`` directly).
    distance : horizontal distance from the target, metres.
    height : camera height above the floor, metres.
    target_height : height of the point looked at, metres.
    yfov_deg : vertical field of view.
    """

    view: str = "left"
    distance: float = 2.6
    height: float = 0.65
    target_height: float = 0.38
    yfov_deg: float = 45.0
    azimuth_deg: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def pose(self, forward: np.ndarray, left: np.ndarray, centre: np.ndarray) -> np.ndarray:
        """(4, 4) camera pose.

        forward : (3,) horizontal direction the person faces (for lying exercises: where the
        head points); left : (3,) horizontal direction of the person's left side;
        centre : (3,) point on the floor under the person's centre.
        """
        az = np.deg2rad(VIEWS[self.view] if self.azimuth_deg is None else self.azimuth_deg)
        f = np.array([forward[0], forward[1], 0.0]) / np.linalg.norm(forward[:2])
        l_ = np.array([left[0], left[1], 0.0]) / np.linalg.norm(left[:2])
        direction = np.cos(az) * f + np.sin(az) * l_
        target = np.array([centre[0], centre[1], self.target_height])
        eye = target + self.distance * direction
        eye[2] = self.height
        return look_at(eye, target)


@dataclass(frozen=True)
class Room:
    """Colours (RGB 0..1) of floor, mat and wall, and the key light's direction."""

    floor: tuple[float, float, float] = (0.62, 0.55, 0.47)
    mat: tuple[float, float, float] = (0.35, 0.22, 0.45)
    wall: tuple[float, float, float] = (0.86, 0.85, 0.80)
    key_light: tuple[float, float, float] = (2.0, 1.2, 3.0)
    mat_size: tuple[float, float] = (0.7, 1.9)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Room":
        """Varied floor, mat and wall colours and key-light direction."""
        col = lambda lo, hi: tuple(round(float(c), 3) for c in rng.uniform(lo, hi, 3))  # noqa
        angle = rng.uniform(0, 2 * np.pi)
        return cls(floor=col(0.3, 0.75), mat=col(0.1, 0.7), wall=col(0.6, 0.95),
                   key_light=(round(2.3 * float(np.cos(angle)), 3),
                              round(2.3 * float(np.sin(angle)), 3),
                              round(float(rng.uniform(2.0, 3.5)), 3)))


def wall_behind(camera_pose: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """(3,) horizontal unit direction from ``centre`` away from the camera (the back wall's)."""
    d = np.asarray(centre, float)[:2] - camera_pose[:2, 3]
    return np.array([*(d / np.linalg.norm(d)), 0.0])


class Scene:
    """A pyrender scene with one offscreen renderer; call :meth:`render` per frame."""

    def __init__(self, width: int = 640, height: int = 480, room: Room = Room(),
                 shadows: bool = True) -> None:
        pyrender, trimesh = _import_pyrender()
        self._pyrender, self._trimesh = pyrender, trimesh
        self.width, self.height = width, height
        self.renderer = pyrender.OffscreenRenderer(width, height)
        self.scene = _ordered_scene_class(pyrender)(ambient_light=[0.28, 0.28, 0.30],
                                                    bg_color=[0.8, 0.82, 0.85, 1.0])
        self.flags = (pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows
                      else pyrender.RenderFlags.NONE)
        self.room_nodes: list = []
        self._room_depth: np.ndarray | None = None
        self.body_node = None
        self.cam_node = None
        self.cam_pose = np.eye(4)
        self.yfov = np.deg2rad(45.0)
        # Floats only: pyrender reads an integer baseColorFactor as uint8 (1 -> 1/255).
        self.body_material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.65)
        self.set_room(room, forward=np.array([0.0, -1.0, 0.0]))
        # Fill and rim: distant point lights (only directional lights cast shadows here, and
        # each shadow-casting light costs a render pass).
        for name, color, irradiance, direction in (
                ("light_fill", [0.85, 0.9, 1.0], 1.2, [1.5, -2.0, 0.7]),
                ("light_rim", [1.0, 1.0, 1.0], 0.8, [-1.5, 0.5, 1.7])):
            pose = np.eye(4)
            pose[:3, 3] = FILL_DISTANCE * np.array(direction) / np.linalg.norm(direction)
            light = pyrender.PointLight(color=color, intensity=irradiance * FILL_DISTANCE ** 2)
            self.scene.add(light, name=name, pose=pose)

    def _box(self, name, extents, centre, color, roughness, yaw: float = 0.0):
        """Add a box ``extents`` turned by ``yaw`` radians about +Z, centred at ``centre``."""
        pyrender, trimesh = self._pyrender, self._trimesh
        box = trimesh.creation.box(extents=extents)
        if yaw:
            box.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
        box.apply_translation(centre)
        material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[*map(float, color), 1.0], metallicFactor=0.0,
            roughnessFactor=roughness)
        return self.scene.add(pyrender.Mesh.from_trimesh(box, material=material, smooth=False),
                              name=name)

    def set_room(self, room: Room, forward: np.ndarray, centre: np.ndarray = np.zeros(3),
                 wall_dir: np.ndarray = np.array([-1.0, 0.0, 0.0])) -> None:
        """Rebuild floor, mat (long side along ``forward``), key light and a wall 1.6 m from
        ``centre`` in the horizontal direction ``wall_dir`` (put it behind the person as seen
        from the camera: see :func:`wall_behind`)."""
        pyrender = self._pyrender
        for node in self.room_nodes:
            self.scene.remove_node(node)
        along_y = abs(forward[1]) >= abs(forward[0])
        mw, ml = room.mat_size
        mat_extents = [mw, ml, 0.006] if along_y else [ml, mw, 0.006]
        wall_dir = np.array([wall_dir[0], wall_dir[1], 0.0]) / np.linalg.norm(wall_dir[:2])
        wall_centre = np.array([centre[0], centre[1], 0.0]) + 1.6 * wall_dir + [0, 0, 2.5]
        key = pyrender.DirectionalLight(color=[1.0, 0.97, 0.92], intensity=3.0)
        self._room_depth = None
        self.room_nodes = [
            self._box("floor", [8, 8, 0.02], [0, 0, -0.016], room.floor, 0.8),
            self._box("mat", mat_extents, [0, 0, -0.003], room.mat, 0.9),
            self._box("wall", [0.02, 8, 5], wall_centre, room.wall, 1.0,
                      yaw=float(np.arctan2(wall_dir[1], wall_dir[0]))),
            self.scene.add(key, name="light_key",
                           pose=look_at(np.array(room.key_light), np.zeros(3))),
        ]

    def set_camera(self, pose: np.ndarray, yfov_deg: float = 45.0) -> None:
        """Place the (perspective) camera at ``pose`` (4, 4)."""
        pyrender = self._pyrender
        if self.cam_node is not None:
            self.scene.remove_node(self.cam_node)
        self.yfov = np.deg2rad(yfov_deg)
        cam = pyrender.PerspectiveCamera(yfov=self.yfov, aspectRatio=self.width / self.height,
                                         znear=0.05, zfar=20.0)
        self.cam_pose = np.asarray(pose, float)
        self.cam_node = self.scene.add(cam, name="camera", pose=self.cam_pose)
        self._room_depth = None

    def set_body(self, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray) -> None:
        """Replace the body mesh. verts (V, 3), faces (F, 3) uint, colors (V, 3) in 0..1."""
        pyrender, trimesh = self._pyrender, self._trimesh
        normals = trimesh.Trimesh(verts, faces, process=False).vertex_normals
        rgba = np.concatenate([colors, np.ones((len(colors), 1))], 1).astype(np.float32)
        prim = pyrender.Primitive(positions=verts.astype(np.float32),
                                  normals=normals.astype(np.float32),
                                  indices=faces.astype(np.uint32), color_0=rgba,
                                  material=self.body_material)
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        self.body_node = self.scene.add(pyrender.Mesh([prim]), name="body")

    def render(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Render the frame.

        Returns color (H, W, 3) uint8 RGB, depth (H, W) float32 metres along the view axis
        (0 = background), and the person's mask (H, W) bool: pixels where the body is nearer
        than the empty room (exact except within ``MASK_MARGIN_M`` of the floor it lies on).
        """
        if self._room_depth is None:
            self._room_depth = self._render_room_depth()
        color, depth = self.renderer.render(self.scene, flags=self.flags)
        room = self._room_depth
        mask = (depth > 0) & ((room == 0) | (depth < room - MASK_MARGIN_M))
        return color, depth.astype(np.float32), mask

    def _render_room_depth(self) -> np.ndarray:
        """(H, W) depth of the scene without the body (once per camera and room)."""
        if self.body_node is not None:
            self.body_node.mesh.is_visible = False
        depth = self.renderer.render(self.scene, flags=self._pyrender.RenderFlags.DEPTH_ONLY)
        if self.body_node is not None:
            self.body_node.mesh.is_visible = True
        return depth

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N, 3) -> pixels (N, 2) (x right, y down) and camera depth (N,) metres."""
        inv = np.linalg.inv(self.cam_pose)
        pc = np.asarray(points, float) @ inv[:3, :3].T + inv[:3, 3]
        f = (self.height / 2) / np.tan(self.yfov / 2)
        depth = -pc[:, 2]
        u = self.width / 2 + f * pc[:, 0] / depth
        v = self.height / 2 - f * pc[:, 1] / depth
        return np.stack([u, v], 1), depth
