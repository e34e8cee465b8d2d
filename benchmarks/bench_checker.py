"""Checker throughput: rows per second through the spec state machine.

Usage::

    python benchmarks/bench_checker.py [--frames 100000] [--runs 3]

Builds a synthetic session per exercise (all vocabulary metrics as columns, 30 fps, reps or
holds every few seconds, 1 % NaN, a form fault now and then) and times

* ``Checker.feed_batch(metrics)``: the (T, M) array path (column slicing included);
* ``Checker.feed(t, row)``: one dict per frame (rows built beforehand, not timed);
* a naive interpreter that walks the spec's dataclasses every frame (formats ``{side}`` names,
  recomputes tolerance bounds, looks values up by name) for rep hysteresis and rule checks
  only, with no setup, debounce or events: a lower bound on what interpreting costs.

Throughputs are rows per second, the median of ``--runs`` runs. Before timing, feed and
feed_batch are checked to give identical events. Prints markdown table rows.
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

import numpy as np

from posecheck.checking.checker import Checker
from posecheck.measure.kinematics import ALL_METRICS
from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import Spec, load_spec

FPS = 30.0

POSES = {
    "bird_dog": {"trunk_from_vertical": 88.0, "back_sag": 0.01, "hip_flexion_left": 90.0,
                 "hip_flexion_right": 90.0, "knee_rise_left": -0.85, "knee_rise_right": -0.85,
                 "wrist_rise_left": -1.1, "wrist_rise_right": -1.1, "arm_reach_left": 90.0,
                 "arm_reach_right": 90.0, "view_angle": 85.0},
    "squat": {"trunk_from_vertical": 8.0, "knee_flexion_left": 5.0, "knee_flexion_right": 5.0,
              "view_angle": 80.0},
    "hip_bridge_hold": {"trunk_from_vertical": 80.0, "knee_flexion_left": 90.0,
                        "knee_flexion_right": 90.0, "bridge_offset_left": -0.4,
                        "bridge_offset_right": -0.4, "hip_flexion_left": 70.0,
                        "hip_flexion_right": 70.0, "view_angle": 85.0},
}


def session(name: str, frames: int, seed: int = 0) -> Metrics:
    """A long synthetic session of ``name`` with every vocabulary metric as a column."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / FPS
    columns = {n: np.zeros(frames) for n in ALL_METRICS}
    columns["body_in_frame"][:] = 1.0
    columns["body_height"][:] = 0.55
    for key, value in POSES[name].items():
        columns[key][:] = value + rng.normal(0.0, 0.01 * max(abs(value), 1.0), frames)
    cycle = np.sin(np.pi * ((t % 4.0) / 3.0).clip(0, 1)) ** 2   # a 3 s movement every 4 s
    cycle[t < 8.0] = 0.0                                          # still while setting up
    odd = (t // 4.0) % 2 == 1
    if name == "bird_dog":
        columns["knee_rise_left"] += 0.85 * cycle * ~odd
        columns["knee_rise_right"] += 0.85 * cycle * odd
        columns["arm_reach_right"] -= 80 * cycle * ~odd
        columns["arm_reach_left"] -= 80 * cycle * odd
        columns["trunk_from_vertical"] += 12 * cycle * ((t // 12.0) % 3 == 0)
    elif name == "squat":
        for side in ("left", "right"):
            columns[f"knee_flexion_{side}"] += 95 * cycle
        columns["trunk_from_vertical"] += 45 * cycle * ((t // 8.0) % 3 == 0)
    else:
        up = (t % 40.0) > 5.0
        for side in ("left", "right"):
            columns[f"bridge_offset_{side}"] += 0.4 * up
            columns[f"hip_flexion_{side}"] -= 65 * up
    values = np.stack([columns[n] for n in ALL_METRICS], axis=1)
    values[rng.random(values.shape) < 0.01] = np.nan
    return Metrics(ALL_METRICS, values, t)


def naive_run(spec: Spec, times: list[float], rows: list[dict[str, float]]) -> int:
    """Interpret the spec objects on every frame (rep hysteresis + rule comparisons only)."""
    sides = ["left", "right"] if spec.sides in ("alternating", "both") else [spec.sides]
    active = {s: False for s in sides}
    reps = violations = 0
    for t, row in zip(times, rows):
        for side in sides:
            if spec.rep is not None:
                x = row.get(spec.rep.metric.format(side=side), float("nan"))
                sign = 1.0 if spec.rep.direction == "rising" else -1.0
                if x == x:
                    if not active[side] and sign * x >= sign * spec.rep.start:
                        active[side] = True
                    elif active[side] and sign * x <= sign * spec.rep.end:
                        active[side] = False
                        reps += 1
            for rule in spec.rules:
                other = "right" if side == "left" else "left"
                x = row.get(rule.metric.format(side=side, other=other), float("nan"))
                low, high, outside = rule.bounds(rule.tolerance.at("standard"))
                if x == x and (low <= x <= high) == outside:
                    violations += 1
    return reps + violations


def rows_per_second(run: Callable[[], Any], frames: int, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return frames / statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| exercise | feed_batch rows/s | feed(dict) rows/s | naive interpreter rows/s | "
          "reps | events |")
    print("|---|---|---|---|---|---|")
    for name in POSES:
        spec = load_spec(name)
        metrics = session(name, args.frames)
        times = metrics.times.tolist()
        rows = [dict(zip(metrics.names, r)) for r in metrics.values.tolist()]

        def fed_rows() -> list:
            checker = Checker(spec)
            return [e for t, row in zip(times, rows) for e in checker.feed(t, row)]

        checker = Checker(spec)
        events = checker.feed_batch(metrics)
        check_frames = min(args.frames, 20_000)
        first = Checker(spec)
        reference = [e for t, row in zip(times[:check_frames], rows[:check_frames])
                     for e in first.feed(t, row)]
        assert Checker(spec).feed_batch(metrics[:check_frames]) == reference
        batch = rows_per_second(lambda: Checker(spec).feed_batch(metrics), args.frames, args.runs)
        single = rows_per_second(fed_rows, args.frames, args.runs)
        naive = rows_per_second(lambda: naive_run(spec, times, rows), args.frames, args.runs)
        summary = checker.summary()
        count = summary["reps"]["total"] if spec.kind == "reps" else len(summary["holds"])
        print(f"| {name} | {batch:,.0f} | {single:,.0f} | {naive:,.0f} | {count} | "
              f"{len(events)} |")


if __name__ == "__main__":
    main()
