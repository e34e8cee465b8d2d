"""Kinematics throughput: vectorised compute_metrics against a naive per-frame Python loop.

Usage::

    python benchmarks/bench_kinematics.py [--frames 100000] [--naive-frames 10000] [--runs 5]

Builds a synthetic PoseTrack (a jittering hands-and-knees pose seen from the side, 5 % of
frames without a person, some landmarks below the visibility threshold), then times
:func:`posecheck.measure.kinematics.compute_metrics` for one exercise's metric set (bird dog) and for
the whole vocabulary, against the same metrics computed frame by frame with ``math`` (the way
per-frame hobby pipelines do it). The naive loop runs on the first ``--naive-frames`` frames;
throughputs are frames per second, the median of ``--runs`` runs, by wall clock and by this
process's CPU time (on shared cores the wall clock also counts time spent waiting for a core).
Before timing, the two implementations are checked to agree. Prints markdown table rows.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from posecheck.measure.kinematics import ALL_METRICS, VISIBILITY_MIN, compute_metrics
from posecheck.pose.landmarks import BODY_JOINT_INDICES, INDEX, NUM_LANDMARKS
from posecheck.pose.track import CONTOUR_SAMPLES, PoseTrack

BIRD_DOG = (
    "arm_reach_left", "arm_reach_right", "leg_reach_left", "leg_reach_right",
    "knee_rise_left", "knee_rise_right", "wrist_rise_left", "wrist_rise_right",
    "trunk_from_vertical", "hip_tilt", "back_sag", "view_angle", "body_in_frame",
)

#: Side-view hands-and-knees pose, pixels (x right, y down), person facing image left.
BASE_POSE = {
    "nose": (150, 210), "left_shoulder": (200, 250), "right_shoulder": (205, 245),
    "left_elbow": (200, 300), "right_elbow": (205, 300), "left_wrist": (200, 350),
    "right_wrist": (205, 350), "left_hip": (350, 250), "right_hip": (355, 245),
    "left_knee": (350, 350), "right_knee": (355, 350), "left_ankle": (450, 350),
    "right_ankle": (455, 350), "left_heel": (460, 345), "right_heel": (465, 345),
    "left_foot_index": (470, 355), "right_foot_index": (475, 355),
}


def synthetic_track(frames: int, seed: int = 0) -> PoseTrack:
    """A jittering side-view quadruped, ``frames`` long, with gaps and hidden landmarks."""
    rng = np.random.default_rng(seed)
    base = np.full((NUM_LANDMARKS, 3), 300.0)
    for name, xy in BASE_POSE.items():
        base[INDEX[name], :2] = xy
    image = base + rng.normal(0.0, 3.0, (frames, NUM_LANDMARKS, 3))
    world = (image - base[INDEX["left_hip"]]) / 300.0
    world[..., 2] += rng.normal(0.0, 0.05, (frames, NUM_LANDMARKS))
    visibility = rng.uniform(0.3, 1.0, (frames, NUM_LANDMARKS))
    contour = rng.normal(0.0, 2.0, (frames, CONTOUR_SAMPLES))
    missing = rng.random(frames) < 0.05
    for array in (image, world, visibility, contour):
        array[missing] = np.nan
    return PoseTrack(
        image=image.astype(np.float32), world=world.astype(np.float32),
        visibility=visibility.astype(np.float32), presence=visibility.astype(np.float32),
        times=np.arange(frames) / 30.0, back_contour=contour.astype(np.float32), fps=30.0,
        frame_size=(640, 480))


# ---------------------------------------------------------------------------------------------
# The naive implementation: one frame at a time, plain Python floats, one function per metric.
# ---------------------------------------------------------------------------------------------

class Frame:
    """One frame's landmarks as Python lists, with the torso computed once on demand."""

    def __init__(self, image: list, world: list, vis: list, contour: list,
                 frame_size: tuple[int, int]):
        self.image, self.world, self.vis, self.contour = image, world, vis, contour
        self.frame_size = frame_size
        self._trunk: tuple[float, float] | None | bool = False

    def p(self, name: str) -> list | None:
        i = INDEX[name]
        return self.image[i] if self.vis[i] >= VISIBILITY_MIN else None

    def w(self, name: str) -> list | None:
        i = INDEX[name]
        return self.world[i] if self.vis[i] >= VISIBILITY_MIN else None

    def trunk(self) -> tuple[float, float] | None:
        if self._trunk is False:
            ls, rs = self.p("left_shoulder"), self.p("right_shoulder")
            lh, rh = self.p("left_hip"), self.p("right_hip")
            if ls and rs and lh and rh:
                self._trunk = ((ls[0] + rs[0] - lh[0] - rh[0]) / 2,
                               (ls[1] + rs[1] - lh[1] - rh[1]) / 2)
            elif ls and lh:
                self._trunk = (ls[0] - lh[0], ls[1] - lh[1])
            elif rs and rh:
                self._trunk = (rs[0] - rh[0], rs[1] - rh[1])
            else:
                self._trunk = None
        return self._trunk

    def torso(self) -> float:
        trunk = self.trunk()
        return math.hypot(*trunk) if trunk else math.nan


def _angle(ux: float, uy: float, vx: float, vy: float) -> float:
    return math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))


def _joint(f: Frame, a: str, b: str, c: str) -> float:
    pa, pb, pc = f.p(a), f.p(b), f.p(c)
    if not (pa and pb and pc):
        return math.nan
    return _angle(pa[0] - pb[0], pa[1] - pb[1], pc[0] - pb[0], pc[1] - pb[1])


def _between(f: Frame, a: str, b: str, c: str, d: str) -> float:
    pa, pb, pc, pd = f.p(a), f.p(b), f.p(c), f.p(d)
    if not (pa and pb and pc and pd):
        return math.nan
    return _angle(pb[0] - pa[0], pb[1] - pa[1], pd[0] - pc[0], pd[1] - pc[1])


def _rise(f: Frame, base: str, point: str) -> float:
    pb, pp = f.p(base), f.p(point)
    return (pb[1] - pp[1]) / f.torso() if pb and pp and f.trunk() else math.nan


def _from_down(f: Frame, a: str, b: str) -> float:
    pa, pb = f.p(a), f.p(b)
    return math.degrees(math.atan2(abs(pb[0] - pa[0]), pb[1] - pa[1])) if pa and pb else math.nan


def _knee_over_toe(f: Frame, side: str) -> float:
    kn, an = f.p(f"{side}_knee"), f.p(f"{side}_ankle")
    he, fi = f.p(f"{side}_heel"), f.p(f"{side}_foot_index")
    if not (kn and an and he and fi) or fi[0] == he[0]:
        return math.nan
    facing = 1.0 if fi[0] > he[0] else -1.0
    return (kn[0] - an[0]) * facing / math.hypot(kn[0] - an[0], kn[1] - an[1])


def _bridge_offset(f: Frame, side: str) -> float:
    sh, hp, kn = f.p(f"{side}_shoulder"), f.p(f"{side}_hip"), f.p(f"{side}_knee")
    if not (sh and hp and kn and f.trunk()) or kn[0] == sh[0]:
        return math.nan
    dx, dy = kn[0] - sh[0], kn[1] - sh[1]
    cross = dx * (hp[1] - sh[1]) - dy * (hp[0] - sh[0])
    sign = -1.0 if dx > 0 else 1.0
    return cross * sign / (math.hypot(dx, dy) * f.torso())


def _trunk_from_vertical(f: Frame) -> float:
    t = f.trunk()
    return math.degrees(math.atan2(abs(t[0]), -t[1])) if t else math.nan


def _trunk_lean(f: Frame) -> float:
    t = f.trunk()
    return math.degrees(math.atan2(t[0], -t[1])) if t else math.nan


def _tilt(f: Frame, left: str, right: str) -> float:
    a, b = f.p(left), f.p(right)
    if not (a and b):
        return math.nan
    return (math.degrees(math.atan2(-(b[1] - a[1]), b[0] - a[0])) + 90.0) % 180.0 - 90.0


def _world_lines(f: Frame) -> tuple[list, list] | None:
    ls, rs = f.w("left_shoulder"), f.w("right_shoulder")
    lh, rh = f.w("left_hip"), f.w("right_hip")
    if not (ls and rs and lh and rh):
        return None
    return [rh[k] - lh[k] for k in range(3)], [rs[k] - ls[k] for k in range(3)]


def _pelvis_roll(f: Frame) -> float:
    lh, rh = f.w("left_hip"), f.w("right_hip")
    if not (lh and rh):
        return math.nan
    d = [rh[k] - lh[k] for k in range(3)]
    return math.degrees(math.atan2(-d[1], math.hypot(d[0], d[2])))


def _trunk_rotation(f: Frame) -> float:
    lines = _world_lines(f)
    if not lines:
        return math.nan
    h, s = lines
    return math.degrees(math.atan2(h[0] * s[2] - h[2] * s[0], h[0] * s[0] + h[2] * s[2]))


def _view_angle(f: Frame) -> float:
    lines = _world_lines(f)
    if not lines:
        return math.nan
    v = [lines[0][k] + lines[1][k] for k in range(3)]
    return math.degrees(math.atan2(abs(v[2]), abs(v[0])))


def _stance_width(f: Frame) -> float:
    la, ra, lh, rh = (f.w(n) for n in ("left_ankle", "right_ankle", "left_hip", "right_hip"))
    return math.dist(la, ra) / math.dist(lh, rh) if la and ra and lh and rh else math.nan


def _back_sag(f: Frame) -> float:
    c = f.contour
    if not f.trunk() or any(math.isnan(v) for v in c):
        return math.nan
    k = len(c) - 1
    return max(c[0] + (c[-1] - c[0]) * i / k - c[i] for i in range(k + 1)) / f.torso()


def _back_curve(f: Frame) -> float:
    c = f.contour
    if not f.trunk() or any(math.isnan(v) for v in c):
        return math.nan
    k = len(c) - 1
    offsets = [c[i] - (c[0] + (c[-1] - c[0]) * i / k) for i in range(1, k)]
    return sum(offsets) / len(offsets) / f.torso()


def _body_in_frame(f: Frame) -> float:
    if math.isnan(f.image[0][0]):
        return math.nan
    width, height = f.frame_size
    inside = 0
    for i in BODY_JOINT_INDICES:
        x, y = f.image[i][0], f.image[i][1]
        inside += 0 <= x < width and 0 <= y < height
    return inside / len(BODY_JOINT_INDICES)


def _body_height(f: Frame) -> float:
    shown = [f.image[i] for i in range(NUM_LANDMARKS) if f.vis[i] >= VISIBILITY_MIN]
    if len(shown) < 2:
        return math.nan
    bw = max(q[0] for q in shown) - min(q[0] for q in shown)
    bh = max(q[1] for q in shown) - min(q[1] for q in shown)
    width, height = f.frame_size
    return bh / height if bh >= bw else bw / width


def _flexion(f: Frame, a: str, b: str, c: str) -> float:
    return 180.0 - _joint(f, a, b, c)


def _naive_table() -> dict[str, Callable[[Frame], float]]:
    table: dict[str, Callable[[Frame], float]] = {}
    for s in ("left", "right"):
        sh, el, wr, hp, kn, an = (f"{s}_{j}" for j in (
            "shoulder", "elbow", "wrist", "hip", "knee", "ankle"))
        table |= {
            f"hip_flexion_{s}": partial(_flexion, a=sh, b=hp, c=kn),
            f"knee_flexion_{s}": partial(_flexion, a=hp, b=kn, c=an),
            f"elbow_flexion_{s}": partial(_flexion, a=sh, b=el, c=wr),
            f"shoulder_flexion_{s}": partial(_joint, a=hp, b=sh, c=el),
            f"arm_reach_{s}": partial(_between, a=hp, b=sh, c=sh, d=wr),
            f"leg_reach_{s}": partial(_between, a=sh, b=hp, c=hp, d=an),
            f"knee_rise_{s}": partial(_rise, base=hp, point=kn),
            f"ankle_rise_{s}": partial(_rise, base=hp, point=an),
            f"wrist_rise_{s}": partial(_rise, base=sh, point=wr),
            f"thigh_from_vertical_{s}": partial(_from_down, a=hp, b=kn),
            f"shank_from_vertical_{s}": partial(_from_down, a=kn, b=an),
            f"knee_over_toe_{s}": partial(_knee_over_toe, side=s),
            f"bridge_offset_{s}": partial(_bridge_offset, side=s),
        }
    return table | {
        "trunk_from_vertical": _trunk_from_vertical, "trunk_lean": _trunk_lean,
        "shoulder_tilt": partial(_tilt, left="left_shoulder", right="right_shoulder"),
        "hip_tilt": partial(_tilt, left="left_hip", right="right_hip"),
        "pelvis_roll": _pelvis_roll, "trunk_rotation": _trunk_rotation,
        "stance_width": _stance_width, "back_sag": _back_sag, "back_curve": _back_curve, "view_angle": _view_angle,
        "body_in_frame": _body_in_frame, "body_height": _body_height,
        "torso_length": Frame.torso,
    }


NAIVE = _naive_table()


def naive_metrics(lists: tuple[list, list, list, list], frame_size: tuple[int, int],
                  names: tuple[str, ...]) -> np.ndarray:
    """(T, M) metrics by a Python loop over frames. lists : image, world, visibility and
    contour as nested Python lists (as a per-frame pipeline holds MediaPipe's output)."""
    functions = [NAIVE[n] for n in names]
    rows = [[fn(Frame(*frame, frame_size)) for fn in functions] for frame in zip(*lists)]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(names))


def median_fps(run: Callable[[], object], frames: int, runs: int) -> tuple[float, float]:
    """Median over ``runs`` of frames per second of ``run()``: wall clock, and CPU time of this
    process (the fairer number when other jobs share the cores)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return frames / statistics.median(wall), frames / statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--naive-frames", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    track = synthetic_track(args.frames)
    short = track[: args.naive_frames]
    lists = (short.image.tolist(), short.world.tolist(), short.visibility.tolist(),
             short.back_contour.tolist())
    assert set(NAIVE) == set(ALL_METRICS)
    for names in (BIRD_DOG, ALL_METRICS):
        vectorised = compute_metrics(short, names).values
        naive = naive_metrics(lists, track.frame_size, names)
        np.testing.assert_allclose(vectorised, naive, rtol=1e-6, atol=1e-6, equal_nan=True)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}, numpy {np.__version__}, {args.frames} frames vectorised, "
          f"{args.naive_frames} naive, median of {args.runs}")
    print("| metric set | metrics | vectorised frames/s (wall / CPU) "
          "| naive loop frames/s (wall / CPU) | speed-up (wall) |")
    print("|---|---|---|---|---|")
    for label, names in (("bird dog", BIRD_DOG), ("all", ALL_METRICS)):
        fast = median_fps(lambda: compute_metrics(track, names), args.frames, args.runs)
        slow = median_fps(lambda: naive_metrics(lists, track.frame_size, names),
                          args.naive_frames, args.runs)
        print(f"| {label} | {len(names)} | {fast[0]:,.0f} / {fast[1]:,.0f} "
              f"| {slow[0]:,.0f} / {slow[1]:,.0f} | {fast[0] / slow[0]:,.0f}x |")


if __name__ == "__main__":
    main()
