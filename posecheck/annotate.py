"""Annotated video: each frame of the source with skeleton, metrics, reps and cues drawn from
the analysis, written atomically (a partial video never replaces the target)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from posecheck.atomic import atomic_path
from posecheck.display import SessionView, replay
from posecheck.overlay import draw_overlay
from posecheck.sources import open_source

if TYPE_CHECKING:
    from posecheck.pipeline import Analysis


def write_annotated_video(video: str | Path, analysis: "Analysis", out_path: Path) -> None:
    """Re-decode ``video`` and write it with the analysis drawn on every frame to ``out_path``.

    The events are replayed in time order through a :class:`SessionView`, exactly as the live
    window shows them.
    """
    source = open_source(str(video))
    view = SessionView.from_spec(analysis.spec)
    names = view.display_metrics
    columns = [analysis.metrics.index(n) for n in names if n in analysis.metrics.names]
    labels = [analysis.metrics.names[c] for c in columns]
    with atomic_path(out_path, keep_suffix=True) as part:
        writer = cv2.VideoWriter(str(part), cv2.VideoWriter_fourcc(*"mp4v"), source.fps,
                                 source.frame_size)
        if not writer.isOpened():
            raise OSError(f"{out_path}: cannot write a video here")
        try:
            frames = zip(source, replay(view, analysis.events, analysis.track.times))
            for frame, (now, view) in frames:
                i = frame.index
                row = analysis.metrics.values[i, columns]
                state = view.overlay_state(now, dict(zip(labels, row.tolist())))
                landmarks = analysis.track.image[i]
                draw_overlay(frame.image, None if np.isnan(landmarks[0, 0]) else landmarks,
                             analysis.track.visibility[i], state)
                writer.write(frame.image)
        finally:
            writer.release()
