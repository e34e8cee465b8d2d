"""Kinematics throughput: vectorised compute_metrics against a naive per-frame Python loop.

Usage::

    python benchmarks/bench_kinematics.py [--frames 100000] [--naive-frames 10000] [--runs 5]

Builds a synthetic PoseTrack (a jittering hands-and-knees pose seen from the side, 5 % of
frames without a person, some landmarks below the visibility threshold), then times
:func:`posecheck.kinematics.compute_metrics` for one exercise's metric set (bird dog) and for
the whole vocabulary, against the same metrics computed frame by frame with ``math`` (the way
per-frame hobby pipelines do it). The naive loop runs on the first ``--naive-frames`` frames;
throughputs are frames per second, the median of ``--runs`` runs. Before timing, the two
implementations are checked to agree. Prints markdown table rows.
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from posecheck.kinematics import ALL_METRICS, VISIBILITY_MIN, compute_metrics
from posecheck.landmarks import BODY_JOINT_INDICES, INDEX, NUM_LANDMARKS
from posecheck.track import CONTOUR_SAMPLES, PoseTrack

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
# The naive implementation: one frame at a time, plain Python floats.
# ---------------------------------------------------------------------------------------------

def _angle(ux: float, uy: float, vx: float, vy: float) -> float:
    return math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))


def naive_frame(image: list, world: list, vis: list, contour: list,
                frame_size: tuple[int, int]) -> dict[str, float]:
    """All metrics of one frame. image, world : 33 lists [x, y, z]; vis : 33 floats."""
    nan = math.nan
    out: dict[str, float] = {}

    def p(name: str):
        i = INDEX[name]
        return image[i] if vis[i] >= VISIBILITY_MIN else None

    def w(name: str):
        i = INDEX[name]
        return world[i] if vis[i] >= VISIBILITY_MIN else None

    ls, rs, lh, rh = p("left_shoulder"), p("right_shoulder"), p("left_hip"), p("right_hip")
    if ls and rs and lh and rh:
        trunk = ((ls[0] + rs[0] - lh[0] - rh[0]) / 2, (ls[1] + rs[1] - lh[1] - rh[1]) / 2)
    elif ls and lh:
        trunk = (ls[0] - lh[0], ls[1] - lh[1])
    elif rs and rh:
        trunk = (rs[0] - rh[0], rs[1] - rh[1])
    else:
        trunk = None
    torso = math.hypot(*trunk) if trunk else nan

    for side in ("left", "right"):
        sh, el, wr = p(f"{side}_shoulder"), p(f"{side}_elbow"), p(f"{side}_wrist")
        hp, kn, an = p(f"{side}_hip"), p(f"{side}_knee"), p(f"{side}_ankle")
        he, fi = p(f"{side}_heel"), p(f"{side}_foot_index")

        def joint(a, b, c):
            if not (a and b and c):
                return nan
            return _angle(a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1])

        def between(a, b, c, d):
            if not (a and b and c and d):
                return nan
            return _angle(b[0] - a[0], b[1] - a[1], d[0] - c[0], d[1] - c[1])

        def rise(base, point):
            return (base[1] - point[1]) / torso if base and point and trunk else nan

        def from_down(a, b):
            return math.degrees(math.atan2(abs(b[0] - a[0]), b[1] - a[1])) if a and b else nan

        out[f"hip_flexion_{side}"] = 180.0 - joint(sh, hp, kn)
        out[f"knee_flexion_{side}"] = 180.0 - joint(hp, kn, an)
        out[f"elbow_flexion_{side}"] = 180.0 - joint(sh, el, wr)
        out[f"shoulder_flexion_{side}"] = joint(hp, sh, el)
        out[f"arm_reach_{side}"] = between(hp, sh, sh, wr)
        out[f"leg_reach_{side}"] = between(sh, hp, hp, an)
        out[f"knee_rise_{side}"] = rise(hp, kn)
        out[f"ankle_rise_{side}"] = rise(hp, an)
        out[f"wrist_rise_{side}"] = rise(sh, wr)
        out[f"thigh_from_vertical_{side}"] = from_down(hp, kn)
        out[f"shank_from_vertical_{side}"] = from_down(kn, an)
        if kn and an and he and fi and fi[0] != he[0]:
            facing = 1.0 if fi[0] > he[0] else -1.0
            out[f"knee_over_toe_{side}"] = ((kn[0] - an[0]) * facing
                                           / math.hypot(kn[0] - an[0], kn[1] - an[1]))
        else:
            out[f"knee_over_toe_{side}"] = nan
        if sh and hp and kn and trunk and kn[0] != sh[0]:
            dx, dy = kn[0] - sh[0], kn[1] - sh[1]
            cross = dx * (hp[1] - sh[1]) - dy * (hp[0] - sh[0])
            sign = -1.0 if dx > 0 else 1.0
            out[f"bridge_offset_{side}"] = cross * sign / (math.hypot(dx, dy) * torso)
        else:
            out[f"bridge_offset_{side}"] = nan

    if trunk:
        out["trunk_from_vertical"] = math.degrees(math.atan2(abs(trunk[0]), -trunk[1]))
        out["trunk_lean"] = math.degrees(math.atan2(trunk[0], -trunk[1]))
    else:
        out["trunk_from_vertical"] = out["trunk_lean"] = nan
    for name, a, b in (("shoulder_tilt", ls, rs), ("hip_tilt", lh, rh)):
        if a and b:
            deg = math.degrees(math.atan2(-(b[1] - a[1]), b[0] - a[0]))
            out[name] = (deg + 90.0) % 180.0 - 90.0
        else:
            out[name] = nan
    wls, wrs, wlh, wrh = w("left_shoulder"), w("right_shoulder"), w("left_hip"), w("right_hip")
    wla, wra = w("left_ankle"), w("right_ankle")
    if wlh and wrh:
        d = [wrh[k] - wlh[k] for k in range(3)]
        out["pelvis_roll"] = math.degrees(math.atan2(-d[1], math.hypot(d[0], d[2])))
    else:
        out["pelvis_roll"] = nan
    if wls and wrs and wlh and wrh:
        h = [wrh[k] - wlh[k] for k in range(3)]
        s = [wrs[k] - wls[k] for k in range(3)]
        out["trunk_rotation"] = math.degrees(
            math.atan2(h[0] * s[2] - h[2] * s[0], h[0] * s[0] + h[2] * s[2]))
        v = [h[k] + s[k] for k in range(3)]
        out["view_angle"] = math.degrees(math.atan2(abs(v[2]), abs(v[0])))
    else:
        out["trunk_rotation"] = out["view_angle"] = nan
    if wla and wra and wlh and wrh:
        out["stance_width"] = math.dist(wla, wra) / math.dist(wlh, wrh)
    else:
        out["stance_width"] = nan
    if trunk and not any(math.isnan(c) for c in contour):
        k = len(contour) - 1
        out["back_sag"] = max(contour[0] + (contour[-1] - contour[0]) * i / k - contour[i]
                              for i in range(k + 1)) / torso
    else:
        out["back_sag"] = nan
    width, height = frame_size
    if math.isnan(image[0][0]):
        out["body_in_frame"] = out["body_height"] = nan
    else:
        inside = sum(1 for i in BODY_JOINT_INDICES if vis[i] >= VISIBILITY_MIN
                     and 0 <= image[i][0] < width and 0 <= image[i][1] < height)
        out["body_in_frame"] = inside / len(BODY_JOINT_INDICES)
        shown = [image[i] for i in range(NUM_LANDMARKS) if vis[i] >= VISIBILITY_MIN]
        if len(shown) < 2:
            out["body_height"] = nan
        else:
            bw = max(q[0] for q in shown) - min(q[0] for q in shown)
            bh = max(q[1] for q in shown) - min(q[1] for q in shown)
            out["body_height"] = bh / height if bh >= bw else bw / width
    out["torso_length"] = torso
    return out


def naive_metrics(track: PoseTrack, names: tuple[str, ...]) -> np.ndarray:
    """(T, M) metrics by a Python loop over frames (the arrays go to lists first, as a
    per-frame pipeline would hold them)."""
    image, world = track.image.tolist(), track.world.tolist()
    vis, contour = track.visibility.tolist(), track.back_contour.tolist()
    rows = []
    for t in range(len(track)):
        frame = naive_frame(image[t], world[t], vis[t], contour[t], track.frame_size)
        rows.append([frame[n] for n in names])
    return np.array(rows, dtype=np.float64).reshape(len(track), len(names))


def median_fps(run: Callable[[], object], frames: int, runs: int) -> float:
    """Median over ``runs`` of frames per second of ``run()``."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return frames / statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--naive-frames", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    track = synthetic_track(args.frames)
    short = track[: args.naive_frames]
    for names in (BIRD_DOG, ALL_METRICS):
        vectorised = compute_metrics(short, names).values
        naive = naive_metrics(short, names)
        np.testing.assert_allclose(vectorised, naive, rtol=1e-6, atol=1e-6, equal_nan=True)

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"numpy {np.__version__}, {args.frames} frames vectorised, "
          f"{args.naive_frames} naive, median of {args.runs}")
    print("| metric set | metrics | vectorised frames/s | naive loop frames/s | speed-up |")
    print("|---|---|---|---|---|")
    for label, names in (("bird dog", BIRD_DOG), ("all", ALL_METRICS)):
        fast = median_fps(lambda: compute_metrics(track, names), args.frames, args.runs)
        slow = median_fps(lambda: naive_metrics(short, names), args.naive_frames, args.runs)
        print(f"| {label} | {len(names)} | {fast:,.0f} | {slow:,.0f} | {fast / slow:,.0f}x |")


if __name__ == "__main__":
    main()
