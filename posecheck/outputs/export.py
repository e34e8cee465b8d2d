"""Export for biomechanics tools (OpenSim, Pose2Sim, Sports2D): the landmarks as a ``.trc``
marker file and the joint angles as a ``.mot`` motion file, in OpenSim's own conventions.

TRC (tab-separated): ``PathFileType 4 (X/Y/Z) <file>``; a line of header names
(``DataRate CameraRate NumFrames NumMarkers Units OrigDataRate OrigDataStartFrame
OrigNumFrames``) and one of their values; the marker names after ``Frame#`` and ``Time`` (each
over its three columns); ``X1 Y1 Z1 X2 ...``; a blank line; then one row per frame, frames
numbered from 1. Markers are MediaPipe's 33 world landmarks in metres, origin between the hips
(the person's translation is not in them), turned into OpenSim's axes: X right, Y up, Z toward
the camera (MediaPipe's y and z negated). A landmark not seen is an empty field.

MOT (OpenSim storage): the file name, ``version=1``, ``nRows``, ``nColumns`` (time included),
``inDegrees=yes``, ``endheader``; a tab-separated line ``time`` and the angle names; one row
per frame. The angles are every metric measured in degrees; ``NaN`` where not measurable.

>>> parse_formats("trc,mot")
('trc', 'mot')
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

import numpy as np

from posecheck.measure.kinematics import UNITS
from posecheck.pose.landmarks import NAMES
from posecheck.measure.metrics import Metrics
from posecheck.pose.track import PoseTrack

FORMATS = ("trc", "mot")
#: MediaPipe world axes (x right, y down, z away from the camera) -> OpenSim's (Y up).
OPENSIM_AXES = np.array([1.0, -1.0, -1.0])


def parse_formats(text: str) -> tuple[str, ...]:
    """``--export`` 's value: comma-separated formats, each of :data:`FORMATS`."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"{text}: export formats are {', '.join(FORMATS)}")
    return formats


def _number(value: float, empty: str) -> str:
    return f"{value:.6f}" if np.isfinite(value) else empty


def write_trc(track: PoseTrack, path: Path, fh: TextIO) -> None:
    """The track's world landmarks as an OpenSim marker file (see the module docstring).
    ``path`` is the name written in the header."""
    rate = f"{track.fps:.3f}" if np.isfinite(track.fps) and track.fps > 0 else "0"
    frames, markers = len(track), len(NAMES)
    fh.write(f"PathFileType\t4\t(X/Y/Z)\t{path.name}\n")
    fh.write("DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
             "OrigDataStartFrame\tOrigNumFrames\n")
    fh.write(f"{rate}\t{rate}\t{frames}\t{markers}\tm\t{rate}\t1\t{frames}\n")
    fh.write("Frame#\tTime\t" + "\t\t\t".join(NAMES) + "\t\t\n")
    fh.write("\t\t" + "\t".join(f"{axis}{i + 1}" for i in range(markers) for axis in "XYZ")
             + "\n\n")
    world = track.world * OPENSIM_AXES
    for i in range(frames):
        cells = (_number(v, "") for v in world[i].ravel())
        fh.write(f"{i + 1}\t{track.times[i]:.6f}\t" + "\t".join(cells) + "\n")


def angle_names(metrics: Metrics) -> tuple[str, ...]:
    """The metrics measured in degrees: the ``.mot`` file's columns after time."""
    return tuple(n for n in metrics.names if UNITS.get(n) == "deg")


def write_mot(metrics: Metrics, path: Path, fh: TextIO) -> None:
    """The joint angles as an OpenSim motion file (see the module docstring)."""
    names = angle_names(metrics)
    columns = [metrics.index(n) for n in names]
    fh.write(f"{path.name}\nversion=1\nnRows={len(metrics)}\nnColumns={len(names) + 1}\n"
             "inDegrees=yes\nendheader\n")
    fh.write("\t".join(("time", *names)) + "\n")
    for t, row in zip(metrics.times, metrics.values[:, columns]):
        fh.write(f"{t:.6f}\t" + "\t".join(_number(v, "NaN") for v in row) + "\n")


def write_export(fmt: str, target: Path, track: PoseTrack, metrics: Metrics,
                 part: Path) -> None:
    """Write the ``fmt`` export of an analysis to ``part`` (named ``target`` inside)."""
    with open(part, "w", encoding="utf-8", newline="\n") as fh:
        if fmt == "trc":
            write_trc(track, target, fh)
        else:
            write_mot(metrics, target, fh)
