"""posecheck: an exercise form checker built on MediaPipe Pose and declarative exercise specs.

The public API, usable from a notebook as well as through the ``posecheck`` command:

>>> from posecheck import analyze                                  # doctest: +SKIP
>>> result = analyze("sample_videos/bird_dog_clean.mp4", "bird_dog")  # doctest: +SKIP
>>> result.report["reps"]                                          # doctest: +SKIP

Names are imported on first use, so ``import posecheck`` stays light.
"""
from importlib import import_module
from typing import Any

_EXPORTS = {
    "Analysis": "pipeline", "analyze": "pipeline", "check": "pipeline",
    "estimate_video": "pipeline", "Checker": "checker", "Event": "events",
    "PoseEstimator": "estimator", "estimate_track": "estimator",
    "compute_metrics": "kinematics", "Metrics": "metrics", "SourceError": "sources",
    "open_source": "sources", "Spec": "spec", "SpecError": "spec", "list_specs": "spec",
    "load_spec": "spec", "FramePose": "track", "PoseTrack": "track",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"posecheck.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'posecheck' has no attribute {name!r}")
