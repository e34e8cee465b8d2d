"""Annotated video: each frame of the source with skeleton, metrics, reps and cues drawn from
the analysis, at the frames' own times, as a video browsers play (VP9 WebM or H.264 MP4, see
:mod:`posecheck.outputs.video_writer`), written atomically (a partial video never replaces the target)."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from posecheck.checking.events import Event
from posecheck.checking.spec import Spec
from posecheck.io.atomic import atomic_path
from posecheck.outputs.display import SessionView, replay
from posecheck.errors import OutputError
from posecheck.outputs.overlay import draw_overlay
from posecheck.io.sources import open_source
from posecheck.measure.metrics import Metrics
from posecheck.outputs.video_writer import VideoWriter
from posecheck.pose.track import PoseTrack


class Analysed(Protocol):
    """What the annotated video draws from (a :class:`posecheck.pipeline.Analysis`)."""

    track: PoseTrack
    metrics: Metrics
    events: list[Event]
    spec: Spec

#: How far a decoded frame's time may be from the analysed track's time of the same frame.
FRAME_TIME_TOLERANCE_S = 1e-3


def write_annotated_video(video: str | Path, analysis: Analysed, out_path: Path) -> None:
    """Re-decode ``video`` and write it with the analysis drawn on every frame to ``out_path``.

    The events are replayed in time order through a :class:`SessionView`, exactly as the live
    window shows them. Frame ``i`` of the video is row ``i`` of the analysis (file sources
    number decoded frames without gaps); a frame whose time is not the track's raises
    OutputError, since the video is then not the one analysed.
    """
    source = open_source(str(video))
    view = SessionView.from_spec(analysis.spec)
    names = view.display_metrics
    columns = [analysis.metrics.index(n) for n in names if n in analysis.metrics.names]
    labels = [analysis.metrics.names[c] for c in columns]
    with atomic_path(out_path, keep_suffix=True) as part, \
            VideoWriter(part, source.frame_size, source.fps) as writer:
        frames = zip(source, replay(view, analysis.events, analysis.track.times))
        for frame, (now, view) in frames:
            i = frame.index
            if abs(frame.time - analysis.track.times[i]) > FRAME_TIME_TOLERANCE_S:
                raise OutputError(f"{video}: frame {i} at {frame.time:.3f} s does not match "
                                  f"the analysis ({analysis.track.times[i]:.3f} s)")
            row = analysis.metrics.values[i, columns]
            state = view.overlay_state(now, dict(zip(labels, row.tolist())))
            landmarks = analysis.track.image[i]
            draw_overlay(frame.image, None if np.isnan(landmarks[0, 0]) else landmarks,
                         analysis.track.visibility[i], state)
            writer.write(frame.image, now)
