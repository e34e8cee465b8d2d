"""Follow the exerciser when several people are in view.

The estimator (``max_people`` > 1) returns everyone it finds in each frame. :func:`identities`
keeps each person's identity across frames (each frame's people matched to the identities
seen last, by landmark-centroid distance in units of the person's size); :func:`follow_exerciser`
chooses the identity that exercises (the most reps counted by the exercise's checker when a
``score`` is given, then the largest variance over time of its size-normalised limb positions,
its size and its closeness to the frame centre), makes its frames
the PoseTrack (frames where it is absent are "not detected": another person is never spliced
in) and says what it saw in ``track.meta["people_notes"]``: how many people, whom it follows,
who entered or left and when.
"""
from __future__ import annotations

from typing import Callable, Iterable, TypedDict

import numpy as np

from posecheck.pose.estimator import PoseEstimator
from posecheck.pose.estimator_cache import open_estimator
from posecheck.pose.landmarks import BODY_JOINT_INDICES, INDEX
from posecheck.io.sources import Frame, open_source
from posecheck.pose.track import FramePose, PoseTrack

Score = Callable[[PoseTrack], float]
#: A person matches an identity whose centroid is within this many body sizes.
MATCH_SIZES = 0.5
#: An identity unseen this long is gone (seconds); brief gaps are missed detections.
LOST_AFTER_S = 0.5
#: Identities seen in fewer frames than this fraction of the clip are ignored (spurious).
MIN_PRESENCE = 0.05

#: Frames the people probe looks at, spread over the clip.
PROBE_FRAMES = 6
#: Most people the probe and the multi-person pass look for.
PROBE_MAX_PEOPLE = 3



class _Identity(TypedDict):
    """One identity while :func:`identities` runs: where and how big it was last seen, when,
    and which pose it is in each frame it was seen in ({frame: index among that frame's people})."""
    centre: np.ndarray
    size: float
    time: float
    frames: dict[int, int]


_TORSO = [INDEX["left_shoulder"], INDEX["right_shoulder"], INDEX["left_hip"], INDEX["right_hip"]]


def centroid_and_size(pose: FramePose) -> tuple[np.ndarray, float]:
    """(2,) pixel centroid of the 12 body joints and the person's size (bounding-box diagonal)."""
    points = pose.image[BODY_JOINT_INDICES, :2]
    return points.mean(0), float(np.linalg.norm(points.max(0) - points.min(0)))


def identities(frames: list[list[FramePose]]) -> np.ndarray:
    """(T, K) int: for each frame and identity k, the index of its pose in that frame (-1 if
    absent). frames : T lists of the people found in each frame."""
    tracks: list[_Identity] = []
    for t, people in enumerate(frames):
        live = [k for k, tr in enumerate(tracks)
                if people and people[0].time - tr["time"] <= LOST_AFTER_S]
        measured = [centroid_and_size(p) for p in people]
        pairs = sorted((np.linalg.norm(c - tracks[k]["centre"]) / max(s, tracks[k]["size"]), k, i)
                       for k in live for i, (c, s) in enumerate(measured))
        used_k: set[int] = set()
        used_i: set[int] = set()
        for distance, k, i in pairs:
            if distance <= MATCH_SIZES and k not in used_k and i not in used_i:
                used_k.add(k)
                used_i.add(i)
                tracks[k].update({"centre": measured[i][0], "size": measured[i][1],
                                  "time": people[i].time})
                tracks[k]["frames"][t] = i
        for i in set(range(len(people))) - used_i:
            tracks.append({"centre": measured[i][0], "size": measured[i][1],
                           "time": people[i].time, "frames": {t: i}})
    index = np.full((len(frames), len(tracks)), -1)
    for k, tr in enumerate(tracks):
        index[list(tr["frames"]), k] = list(tr["frames"].values())
    return index


def movement(track: PoseTrack) -> float:
    """How much a person exercises: the summed variance over time of their limb joints'
    positions relative to the hip midpoint, in torso lengths (NaN frames ignored)."""
    image = track.image[:, :, :2].astype(np.float64)
    hips = image[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(1)
    shoulders = image[:, [INDEX["left_shoulder"], INDEX["right_shoulder"]]].mean(1)
    torso = np.linalg.norm(shoulders - hips, axis=1)
    relative = (image[:, BODY_JOINT_INDICES] - hips[:, None]) / torso[:, None, None]
    if np.isfinite(relative).sum() < 4:
        return 0.0
    return float(np.nansum(np.nanvar(relative, axis=0)))


def _where(centre_x: float, width: int) -> str:
    """'on the left' / 'in the middle' / 'on the right' of the frame."""
    third = centre_x / width
    return "on the left" if third < 0.4 else "on the right" if third > 0.6 else "in the middle"


def follow_exerciser(frames: list[list[FramePose]], times: np.ndarray, fps: float,
                     frame_size: tuple[int, int], source: str = "", model: str = "",
                     score: Score | None = None) -> PoseTrack:
    """The PoseTrack of the person who exercises, with notes in ``meta["people_notes"]`` and
    the number of people in ``meta["people_seen"]``.

    frames : T lists of the people found in each frame; times : (T,) seconds.
    score : how well a person's track does the exercise (e.g. reps counted); higher wins.
    """
    index = identities(frames)
    present = index >= 0
    keep = [k for k in range(index.shape[1]) if present[:, k].mean() >= MIN_PRESENCE]
    tracks = {k: PoseTrack.from_frames(
        [frames[t][i] if i >= 0 else FramePose.missing(float(times[t]))
         for t, i in enumerate(index[:, k])], fps, frame_size, source, model) for k in keep}
    if not keep:
        track = PoseTrack.from_frames([FramePose.missing(float(t)) for t in times], fps,
                                      frame_size, source, model)
        track.meta.update(people_seen=0, people_notes=[])
        return track
    width = frame_size[0]
    centre_x = {k: float(np.nanmedian(tracks[k].image[:, BODY_JOINT_INDICES, 0])) for k in keep}
    size = {k: float(np.nanmedian([centroid_and_size(frames[t][index[t, k]])[1]
                                   for t in np.flatnonzero(present[:, k])])) for k in keep}
    scores = {k: score(tracks[k]) if score is not None and len(keep) > 1 else 0.0 for k in keep}
    chosen = max(keep, key=lambda k: (scores[k], round(movement(tracks[k]), 3), size[k],
                                      -abs(centre_x[k] - width / 2)))
    reason = ("who does the exercise" if scores[chosen] > min(scores.values())
              else "who moves the most")
    notes: list[str] = []
    if len(keep) > 1:
        notes.append(f"{len(keep)} people were in view; posecheck follows the person "
                     f"{_where(centre_x[chosen], width)}, {reason}")
        for k in keep:
            seen = np.flatnonzero(present[:, k])
            who = "the followed person" if k == chosen else "another person"
            if seen[0] > 0:
                notes.append(f"{who} entered at {times[seen[0]]:.1f} s")
            if seen[-1] < len(frames) - 1:
                notes.append(f"{who} left at {times[seen[-1]]:.1f} s")
        last = np.flatnonzero(present[:, chosen])[-1]
        if any(present[last + 1:, k].any() for k in keep if k != chosen):
            notes.append(f"after {times[last]:.1f} s posecheck does not follow anyone else: "
                         "the rest of the clip counts as nobody in view")
    track = tracks[chosen]
    track.meta.update(people_seen=len(keep), people_notes=notes)
    return track


def estimate_people_track(frames: Iterable[Frame], estimator: PoseEstimator, fps: float,
                          frame_size: tuple[int, int], source: str = "",
                          on_frame: Callable[[Frame], None] | None = None,
                          score: Score | None = None) -> PoseTrack:
    """Run a multi-person estimator over frames and follow the exerciser (see
    :func:`follow_exerciser`)."""
    people: list[list[FramePose]] = []
    times: list[float] = []
    for frame in frames:
        people.append(estimator.detect(frame.image, frame.time))
        times.append(frame.time)
        if on_frame is not None:
            on_frame(frame)
    return follow_exerciser(people, np.array(times, np.float64), fps, frame_size, source,
                            estimator.model_name, score)


def people_in_view(target: str, model: str = "full") -> int:
    """How many people the clip shows at once: the most found in at least two of
    :data:`PROBE_FRAMES` frames spread over it (a single spurious detection does not count),
    up to :data:`PROBE_MAX_PEOPLE`. VIDEO mode,
    because MediaPipe finds a second person only while it tracks the first (IMAGE mode found
    one of two side-by-side people in every frame). A few frames next to the clip's own pass,
    so a single-person clip keeps single-person speed while a clip with several people gets
    the multi-person pass."""
    source = open_source(target)
    count = source.frame_count or 0
    wanted = set(np.linspace(0, max(count - 1, 0), PROBE_FRAMES).round().astype(int).tolist())
    counts = []
    with open_estimator(model, segmentation=False, max_people=PROBE_MAX_PEOPLE) as estimator:
        for frame in source:
            if frame.index in wanted:
                counts.append(len(estimator.detect(frame.image, frame.time)))
    return sorted(counts)[-2] if len(counts) > 1 else sum(counts)


def switch_times(track: PoseTrack) -> list[float]:
    """Times at which a one-person track jumps to a place its person could not have moved to
    since the frame it was last seen (more than :data:`MATCH_SIZES` body sizes): MediaPipe,
    asked for one person, went on with someone else (the first left, or the other was
    found first). Same criterion as :func:`identities`."""
    points = track.image[:, BODY_JOINT_INDICES, :2].astype(np.float64)
    seen = np.flatnonzero(np.isfinite(points).all(axis=(1, 2)))
    if seen.size < 2:
        return []
    centre = points[seen].mean(1)
    size = np.linalg.norm(points[seen].max(1) - points[seen].min(1), axis=1)
    step = np.linalg.norm(np.diff(centre, axis=0), axis=1) / np.maximum(size[1:], size[:-1])
    return [float(track.times[seen[i + 1]]) for i in np.flatnonzero(step > MATCH_SIZES)]


def switch_notes(times: list[float]) -> list[str]:
    """Report notes for :func:`switch_times`."""
    return [f"at {t:.1f} s the person in view is not where the one followed so far was: "
            "posecheck may be following someone else from there on" for t in times]


class SwitchWatch:
    """:func:`switch_times` frame by frame (live): ``step(pose)`` returns the time of a jump to
    someone else, else None."""

    def __init__(self) -> None:
        self._last: tuple[np.ndarray, float] | None = None

    def step(self, pose: FramePose) -> float | None:
        points = pose.image[BODY_JOINT_INDICES, :2]
        if not np.isfinite(points).all():
            return None
        centre, size = centroid_and_size(pose)
        last, self._last = self._last, (centre, size)
        if last is None or np.linalg.norm(centre - last[0]) / max(size, last[1]) <= MATCH_SIZES:
            return None
        return pose.time
