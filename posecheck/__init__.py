"""posecheck: an exercise form checker built on MediaPipe Pose and declarative exercise specs.

The public API, usable from a notebook as well as through the ``posecheck`` command:

>>> from posecheck import analyze, save_outputs                    # doctest: +SKIP
>>> result = analyze("sample_videos/bird_dog_clean.mp4", "bird_dog")  # doctest: +SKIP
>>> result.report["reps"]                                          # doctest: +SKIP
{'left': 2, 'right': 2, 'total': 4}
>>> save_outputs(result, "reports", html=True)                     # doctest: +SKIP

MediaPipe itself is imported only when a pose model is first used.
"""
from posecheck.analyze_run import Targets, save_outputs
from posecheck.checking.checker import Checker
from posecheck.errors import PosecheckError
from posecheck.pose.estimator import PoseEstimator, estimate_track
from posecheck.checking.events import Event
from posecheck.measure.kinematics import compute_metrics
from posecheck.live.session import run_live
from posecheck.measure.metrics import Metrics
from posecheck.pipeline import Analysis, analyze, check, estimate_video
from posecheck.io.sources import SourceError, open_source
from posecheck.checking.spec import Spec, SpecError, list_specs, load_spec
from posecheck.pose.track import FramePose, PoseTrack

__all__ = [
    "Analysis", "Checker", "Event", "FramePose", "Metrics", "PoseEstimator", "PoseTrack",
    "PosecheckError", "SourceError", "Spec", "SpecError", "Targets", "analyze", "check",
    "compute_metrics", "estimate_track", "estimate_video", "list_specs", "load_spec",
    "open_source", "run_live", "save_outputs",
]
__version__ = "0.1.0"
