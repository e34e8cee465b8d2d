"""Offscreen rasterisation with pyrender on headless Mesa (EGL by default, or OSMesa).

The scene: a floor, an exercise mat, a back wall, a key directional light with shadows, two
distant point lights (fill and rim), ambient light and optionally a window light; the body as
a vertex-coloured mesh. Rooms may have textured floors and walls (``room_textures``),
furniture (``furniture``) and a second, standing person. Keep ONE :class:`Scene` per
process: a second pyrender ``OffscreenRenderer`` after the first is collected fails with
``EGL_BAD_DISPLAY``.

Two ways to make a frame:

* :meth:`Scene.render` (the clean room): everything, every frame, with a shadow map;
* :meth:`Scene.render_composited`: the room is rendered once per camera (with shadow maps);
  each frame only the body is rasterised (no shadow pass) in a scene holding the same
  lights, and put in front of the room where it is nearer; its shadow on the floor is its
  planar projection along the key light, softened and darkening the room. About 4x cheaper;
  the body casts no shadow on itself or on furniture.

Cameras are placed around the person by :class:`CameraSpec`: an azimuth relative to the
person's forward direction, a height, a distance and a roll.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np

from posecheck.synth.lighting import Lighting

#: Named views: azimuth of the camera measured from the person's forward direction toward the
#: person's LEFT side (0 = in front, 90 = the person's left side toward the camera).
VIEWS = {"front": 0.0, "front_left": 45.0, "left": 90.0, "rear_left": 135.0, "rear": 180.0,
         "rear_right": -135.0, "right": -90.0, "front_right": -45.0}


#: Distance of the fill and rim point lights from the scene centre, metres.
FILL_DISTANCE = 6.0
#: A pixel belongs to the person where the body is this much nearer than the empty room.
MASK_MARGIN_M = 0.002
#: Height of the plane the composited body's shadow is flattened onto: under the floor's top
#: (z = -0.006) so that it lies behind every floor and mat pixel.
SHADOW_Z = -0.0065


#: Samples per pixel of pyrender's framebuffer (it hard-codes 4; see :func:`_import_pyrender`).
_MSAA = {"samples": 4}


def _import_pyrender():
    """Import pyrender headless, patching ``np.infty`` (removed in NumPy 2, used by 0.1.45)
    and making its multisample count settable (``Scene.set_antialiasing``)."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    if not hasattr(np, "infty"):
        np.infty = np.inf
    import pyrender
    import pyrender.renderer as gl_renderer
    import trimesh
    if not hasattr(gl_renderer, "_posecheck_storage"):
        gl_renderer._posecheck_storage = gl_renderer.glRenderbufferStorageMultisample
        gl_renderer.glRenderbufferStorageMultisample = (
            lambda target, _samples, *rest: gl_renderer._posecheck_storage(
                target, _MSAA["samples"], *rest))
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
    roll_deg: float = 0.0

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
        pose = look_at(eye, target)
        if self.roll_deg:
            c, s_ = np.cos(np.deg2rad(self.roll_deg)), np.sin(np.deg2rad(self.roll_deg))
            pose[:3, :2] = pose[:3, :2] @ np.array([[c, s_], [-s_, c]])
        return pose


@dataclass(frozen=True)
class Room:
    """Colours (RGB 0..1) of floor, mat and wall, and the key light's direction.

    floor_texture / wall_texture : kinds of ``room_textures`` (plain: a coloured box);
    posters : how many on the wall; wall_distance : from the person's centre, metres;
    furniture : ``furniture.Item`` tuples placed relative to the camera-to-person line;
    second_person : (along, across, yaw_deg, scale) of a standing figure, or None;
    texture_seed : the textures' random seed.
    """

    floor: tuple[float, float, float] = (0.62, 0.55, 0.47)
    mat: tuple[float, float, float] = (0.35, 0.22, 0.45)
    wall: tuple[float, float, float] = (0.86, 0.85, 0.80)
    key_light: tuple[float, float, float] = (2.0, 1.2, 3.0)
    mat_size: tuple[float, float] = (0.7, 1.9)
    floor_texture: str = "plain"
    wall_texture: str = "plain"
    posters: int = 0
    wall_distance: float = 1.6
    furniture: tuple = ()
    second_person: tuple[float, float, float, float] | None = None
    texture_seed: int = 0

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


def _upload(primitive, interleaved: np.ndarray) -> None:
    """Overwrite a pyrender primitive's vertex buffer with ``interleaved`` (V, K) attributes
    in pyrender's order (position, normal, colour); the GL context must be current (it stays
    current after a render in this single-renderer process)."""
    from OpenGL import GL

    data = np.ascontiguousarray(interleaved, np.float32)
    GL.glBindBuffer(GL.GL_ARRAY_BUFFER, primitive._buffers[0])
    GL.glBufferSubData(GL.GL_ARRAY_BUFFER, 0, data.nbytes, data)
    GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)


class Scene:
    """A pyrender scene with one offscreen renderer; call :meth:`render` (everything, shadow
    map) or :meth:`render_composited` (body over a once-rendered room) per frame."""

    def __init__(self, width: int = 640, height: int = 480, room: Room = Room(),
                 shadows: bool = True) -> None:
        pyrender, trimesh = _import_pyrender()
        self._pyrender, self._trimesh = pyrender, trimesh
        self.width, self.height = width, height
        self.renderer = pyrender.OffscreenRenderer(width, height)
        ordered = _ordered_scene_class(pyrender)
        self.scene = ordered(ambient_light=[0.28, 0.28, 0.30], bg_color=[0.8, 0.82, 0.85, 1.0])
        #: The body alone with the same lights and camera (composited frames).
        self.body_scene = ordered(ambient_light=[0.28, 0.28, 0.30], bg_color=[0, 0, 0, 0])
        self.flags = (pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows
                      else pyrender.RenderFlags.NONE)
        self.room_nodes: list = []
        self.light_nodes: list = []
        self._room_depth: np.ndarray | None = None
        self._room_color: np.ndarray | None = None
        self.body_node = None
        self.cam_node = None
        self._body_cam_node = None
        self._composite_nodes: list = []
        self._composite_key: tuple | None = None
        self._composite_rgba = np.zeros((0, 4), np.float32)
        self.cam_pose = np.eye(4)
        self.yfov = np.deg2rad(45.0)
        self.key_from = np.array(room.key_light, float)
        self.shadow_strength = 0.0
        # Floats only: pyrender reads an integer baseColorFactor as uint8 (1 -> 1/255).
        self.body_material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.65)
        self.set_room(room, forward=np.array([0.0, -1.0, 0.0]))

    def _material(self, color, roughness: float, texture: np.ndarray | None = None):
        pyrender = self._pyrender
        tex = None
        if texture is not None:
            tex = pyrender.Texture(source=texture, source_channels="RGB",
                                   sampler=pyrender.Sampler(magFilter=9729, minFilter=9987))
        return pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[*map(float, color), 1.0], metallicFactor=0.0,
            roughnessFactor=roughness, baseColorTexture=tex)

    def _box(self, name, extents, centre, color, roughness, yaw: float = 0.0):
        """Add a box ``extents`` turned by ``yaw`` radians about +Z, centred at ``centre``."""
        pyrender, trimesh = self._pyrender, self._trimesh
        box = trimesh.creation.box(extents=extents)
        if yaw:
            box.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
        box.apply_translation(centre)
        return self.scene.add(pyrender.Mesh.from_trimesh(
            box, material=self._material(color, roughness), smooth=False), name=name)

    def _quad(self, name: str, corner: np.ndarray, u: np.ndarray, v: np.ndarray,
              texture: np.ndarray, tile: tuple[float, float], roughness: float):
        """Add the textured rectangle ``corner + a u + b v`` (a, b in 0..1), facing u x v;
        the texture repeats every ``tile`` metres along u and v."""
        pyrender = self._pyrender
        pos = np.array([corner, corner + u, corner + u + v, corner + v], np.float32)
        normal = np.cross(u, v) / np.linalg.norm(np.cross(u, v))
        span = np.array([np.linalg.norm(u) / tile[0], np.linalg.norm(v) / tile[1]])
        uv = (np.array([[0, 0], [1, 0], [1, 1], [0, 1]]) * span).astype(np.float32)
        prim = pyrender.Primitive(
            positions=pos, normals=np.tile(normal, (4, 1)).astype(np.float32), texcoord_0=uv,
            indices=np.array([[0, 1, 2], [0, 2, 3]], np.uint32),
            material=self._material((1.0, 1.0, 1.0), roughness, texture))
        return self.scene.add(pyrender.Mesh([prim]), name=name)

    def set_room(self, room: Room, forward: np.ndarray, centre: np.ndarray = np.zeros(3),
                 wall_dir: np.ndarray = np.array([-1.0, 0.0, 0.0]),
                 lighting: Lighting = Lighting()) -> None:
        """Rebuild floor, mat (long side along ``forward``), furniture, lights and a wall
        ``room.wall_distance`` from ``centre`` in the horizontal direction ``wall_dir`` (put it
        behind the person as seen from the camera: see :func:`wall_behind`)."""
        from posecheck.synth.furniture import boxes
        from posecheck.synth.room_textures import FLOOR_TILE_M, floor_texture, wall_texture

        for node in self.room_nodes:
            self.scene.remove_node(node)
        along_y = abs(forward[1]) >= abs(forward[0])
        mw, ml = room.mat_size
        mat_extents = [mw, ml, 0.006] if along_y else [ml, mw, 0.006]
        wall_dir = np.array([wall_dir[0], wall_dir[1], 0.0]) / np.linalg.norm(wall_dir[:2])
        base = np.array([centre[0], centre[1], 0.0])
        wall_centre = base + room.wall_distance * wall_dir + [0, 0, 2.5]
        wall_yaw = float(np.arctan2(wall_dir[1], wall_dir[0]))
        self._room_depth = self._room_color = None
        rng = np.random.default_rng([room.texture_seed, 5])
        nodes = []
        if room.floor_texture == "plain":
            nodes.append(self._box("floor", [8, 8, 0.02], [0, 0, -0.016], room.floor, 0.8))
        else:
            tex = floor_texture(room.floor_texture, room.floor, rng)
            nodes.append(self._quad("floor", np.array([-6.0, -6.0, -0.006]),
                                    np.array([12.0, 0, 0]), np.array([0, 12.0, 0]), tex,
                                    (FLOOR_TILE_M, FLOOR_TILE_M), 0.7))
        nodes.append(self._box("mat", mat_extents, [0, 0, -0.003], room.mat, 0.9))
        if room.wall_texture == "plain":
            nodes.append(self._box("wall", [0.02, 8, 5], wall_centre, room.wall, 1.0,
                                   yaw=wall_yaw))
        else:
            side = np.array([-wall_dir[1], wall_dir[0], 0.0])
            size = (12.0, 4.5)
            tex = wall_texture(room.wall_texture, room.wall, room.posters, size, rng)
            corner = base + room.wall_distance * wall_dir - size[0] / 2 * side + [0, 0, size[1]]
            nodes.append(self._quad("wall", corner, size[0] * side, np.array([0, 0, -size[1]]),
                                    tex, size, 1.0))
        to_camera = -wall_dir
        for i, item in enumerate(room.furniture):
            for j, (extents, pos, color, yaw) in enumerate(boxes(item, base, to_camera)):
                nodes.append(self._box(f"furniture_{i:02d}_{j}", extents, pos, color, 0.85, yaw))
        self.room_nodes = nodes
        self.set_lighting(lighting, np.array(room.key_light, float))

    def set_lighting(self, lighting: Lighting, key_from: np.ndarray) -> None:
        """The same lights in the room and the body scene: ambient, key (directional, from
        ``lighting.key_direction`` or ``key_from``), fill and rim (distant point lights:
        only directional lights cast shadows here, each at the cost of a render pass) and an
        optional window (directional)."""
        pyrender = self._pyrender
        for scene, node in self.light_nodes:
            scene.remove_node(node)
        self.light_nodes = []
        self.key_from = np.array(lighting.key_direction or key_from, float)
        self.shadow_strength = lighting.shadow_strength
        lights = [("light_key", pyrender.DirectionalLight(
            color=list(lighting.key_color), intensity=lighting.key_intensity),
            look_at(self.key_from, np.zeros(3)))]
        for name, color, irradiance, direction in (
                ("light_fill", lighting.fill_color, lighting.fill_irradiance, [1.5, -2.0, 0.7]),
                ("light_rim", (1.0, 1.0, 1.0), lighting.rim_irradiance, [-1.5, 0.5, 1.7])):
            pose = np.eye(4)
            pose[:3, 3] = FILL_DISTANCE * np.array(direction) / np.linalg.norm(direction)
            lights.append((name, pyrender.PointLight(
                color=list(color), intensity=irradiance * FILL_DISTANCE ** 2), pose))
        if lighting.window_intensity > 0:
            lights.append(("light_window", pyrender.DirectionalLight(
                color=list(lighting.window_color), intensity=lighting.window_intensity),
                look_at(np.array(lighting.window_direction, float), np.zeros(3))))
        for scene in (self.scene, self.body_scene):
            scene.ambient_light = np.array(lighting.ambient, float)
            for name, light, pose in lights:
                self.light_nodes.append((scene, scene.add(light, name=name, pose=pose)))
        self._room_color = None

    def add_to_room(self, name: str, verts: np.ndarray, faces: np.ndarray,
                    colors: np.ndarray) -> None:
        """A static vertex-coloured mesh in the room (a second person): verts (V, 3), faces
        (F, 3), colors (V, 3) 0..1. Removed with the room."""
        self.room_nodes.append(self.scene.add(self._mesh(verts, faces, colors), name=name))
        self._room_depth = self._room_color = None

    def set_camera(self, pose: np.ndarray, yfov_deg: float = 45.0) -> None:
        """Place the (perspective) camera at ``pose`` (4, 4)."""
        pyrender = self._pyrender
        if self.cam_node is not None:
            self.scene.remove_node(self.cam_node)
            self.body_scene.remove_node(self._body_cam_node)
        self.yfov = np.deg2rad(yfov_deg)
        self.cam_pose = np.asarray(pose, float)
        cams = [pyrender.PerspectiveCamera(yfov=self.yfov, aspectRatio=self.width / self.height,
                                           znear=0.05, zfar=20.0) for _ in range(2)]
        self.cam_node = self.scene.add(cams[0], name="camera", pose=self.cam_pose)
        self._body_cam_node = self.body_scene.add(cams[1], name="camera", pose=self.cam_pose)
        self._room_depth = self._room_color = None

    def resize(self, width: int, height: int) -> None:
        """A new frame size for the same renderer (one OffscreenRenderer per process: a
        second one fails with EGL_BAD_DISPLAY). Set the camera again afterwards."""
        self.width, self.height = width, height
        self.renderer.viewport_width, self.renderer.viewport_height = width, height
        self._room_depth = self._room_color = None

    def set_antialiasing(self, on: bool) -> None:
        """4x multisampling (the clean room's) or none (composited frames: about 2.5x cheaper
        on llvmpipe, and a composited body edge must not blend with the body scene's empty
        background)."""
        samples = 4 if on else 0
        if _MSAA["samples"] != samples:
            _MSAA["samples"] = samples
            inner = self.renderer._renderer
            if inner is not None:
                inner._main_fb_dims = (None, None)      # rebuilt at the next render

    def _mesh(self, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray,
              normals: np.ndarray | None = None):
        pyrender, trimesh = self._pyrender, self._trimesh
        if normals is None:
            normals = trimesh.Trimesh(verts, faces, process=False).vertex_normals
        rgba = np.concatenate([colors, np.ones((len(colors), 1))], 1).astype(np.float32)
        prim = pyrender.Primitive(positions=verts.astype(np.float32),
                                  normals=normals.astype(np.float32),
                                  indices=faces.astype(np.uint32), color_0=rgba,
                                  material=self.body_material)
        return pyrender.Mesh([prim])

    def set_body(self, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray) -> None:
        """Replace the body mesh. verts (V, 3), faces (F, 3) uint, colors (V, 3) in 0..1."""
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        self.body_node = self.scene.add(self._mesh(verts, faces, colors), name="body")

    def render(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Render the frame.

        Returns color (H, W, 3) uint8 RGB, depth (H, W) float32 metres along the view axis
        (0 = background), and the person's mask (H, W) bool: pixels where the body is nearer
        than the empty room (exact except within ``MASK_MARGIN_M`` of the floor it lies on).
        """
        self.set_antialiasing(True)
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

    def room_image(self) -> tuple[np.ndarray, np.ndarray]:
        """The empty room, rendered once per camera, room and lights with shadow maps (and
        4x multisampling): color (H, W, 3) float32 0..255 and depth (H, W) metres (0 =
        background; sampled at pixel centres)."""
        if self._room_color is None:
            self.set_antialiasing(True)
            if self.body_node is not None:
                self.scene.remove_node(self.body_node)
                self.body_node = None
            color, _ = self.renderer.render(
                self.scene, flags=self._pyrender.RenderFlags.SHADOWS_DIRECTIONAL)
            # The depth without multisampling, as the body's is rendered: with 4x MSAA the
            # resolved depth of a grazing floor differs by centimetres from the pixel centre's.
            self.set_antialiasing(False)
            depth = self.renderer.render(self.scene, flags=self._pyrender.RenderFlags.DEPTH_ONLY)
            self._room_color, self._room_depth = color.astype(np.float32), depth
        return self._room_color, self._room_depth

    def render_composited(self, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray,
                          normals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The body (verts (V, 3), faces, colors (V, 3), unit normals (V, 3)) over the room.

        One pass without multisampling renders the body and its shadow: the body flattened
        along the key light onto a plane just under the floor (``SHADOW_Z``), so the shadow
        shows only where it lies at or just behind a room surface and never passes for the
        person. Returns color (H, W, 3) float32 0..255, depth (H, W) float32 metres and the
        person's mask (H, W) bool, as :meth:`render`.
        """
        import cv2

        pyrender = self._pyrender
        room_color, room_depth = self.room_image()
        self.set_antialiasing(False)
        light = self.key_from / np.linalg.norm(self.key_from)
        flat = verts - (verts[:, 2:3] - SHADOW_Z) / max(light[2], 0.15) * light
        up = np.zeros_like(flat)
        up[:, 2] = 1.0
        # One primitive holds the body and its flattened copy (one draw, one set of uniforms).
        positions = np.concatenate([verts, flat])
        normal_rows = np.concatenate([normals, up])
        key = (id(colors), id(faces), len(verts))
        prim = self._composite_nodes[0].mesh.primitives[0] if self._composite_nodes else None
        if self._composite_key == key and prim is not None and prim._vaid is not None:
            # Same mesh and colours: overwrite the uploaded vertex buffer (pyrender
            # interleaves position, normal, colour) instead of building a new mesh.
            _upload(prim, np.hstack([positions, normal_rows, self._composite_rgba]))
        else:
            for node in self._composite_nodes:
                self.body_scene.remove_node(node)
            rgba = np.concatenate([colors, np.ones((len(colors), 1))], 1)
            self._composite_rgba = np.concatenate([rgba, rgba]).astype(np.float32)
            both = np.concatenate([faces, faces + len(verts)]).astype(np.uint32)
            self._composite_nodes = [self.body_scene.add(pyrender.Mesh([pyrender.Primitive(
                positions=positions.astype(np.float32), normals=normal_rows.astype(np.float32),
                indices=both, color_0=self._composite_rgba, material=self.body_material)]),
                name="body")]
            self._composite_key = key
        color, depth = self.renderer.render(self.body_scene, flags=pyrender.RenderFlags.NONE)
        drawn = depth > 0
        mask = drawn & ((room_depth == 0) | (depth < room_depth - MASK_MARGIN_M))
        on_floor = drawn & ~mask & (room_depth > 0) & (depth - room_depth < 0.15)
        soft = cv2.GaussianBlur(on_floor.astype(np.float32), (0, 0), 1.5 + self.height / 240)
        out = room_color * (1.0 - self.shadow_strength * soft)[..., None]
        out[mask] = color[mask]
        full_depth = np.where(mask, depth, room_depth).astype(np.float32)
        return out, full_depth, mask

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N, 3) -> pixels (N, 2) (x right, y down) and camera depth (N,) metres."""
        inv = np.linalg.inv(self.cam_pose)
        pc = np.asarray(points, float) @ inv[:3, :3].T + inv[:3, 3]
        f = (self.height / 2) / np.tan(self.yfov / 2)
        depth = -pc[:, 2]
        u = self.width / 2 + f * pc[:, 0] / depth
        v = self.height / 2 - f * pc[:, 1] / depth
        return np.stack([u, v], 1), depth
