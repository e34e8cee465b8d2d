"""The live coaching session: camera → pose → checker → voice and window, exercise by exercise.

Per frame: the capture thread's newest frame → PoseLandmarker (VIDEO mode, tracking between
frames) → metrics smoothed exactly as ``analyze`` smooths them → the exercise's
:class:`~posecheck.checking.checker.Checker` → events → cue scheduler (speech) and overlay (window).
The skeleton on screen is smoothed with :class:`~posecheck.measure.filters.LandmarkSmoother` (One Euro,
MediaPipe's legacy settings); the checker sees the same metrics as ``analyze``.
Setup guidance comes first (the checker's ``setup`` events), counting after ``ready``.

Quit (``q``), Ctrl-C, SIGTERM, SIGHUP and closing the window all end the session the same
way: the summary is written (the ``analyze`` report of each exercise plus latency figures, and
``interrupted`` when a signal ended it), each exercise's track (``.track.npz``) and, if asked,
its HTML page and the spoken cues as audio; then it is printed.

Example
-------
>>> summary = run_live("bird_dog", source="sample_videos/bird_dog_clean.mp4",
...                    voice="none", window=False)                      # doctest: +SKIP
>>> summary["reps"]                                                     # doctest: +SKIP
{'left': 2, 'right': 2, 'total': 4}
"""
from __future__ import annotations

import signal
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import cv2
import numpy as np

from posecheck.pose.estimator import PoseEstimator
from posecheck.measure.filters import LandmarkSmoother
from posecheck.live.capture import Captured, LatestFrameCapture
from posecheck.live.cues import CueScheduler, EventCues, Said, number_words
from posecheck.live.exercise import ExerciseRun
from posecheck.live.latency import LatencyStats
from posecheck.live.routine import Routine, load_routine, single_exercise
from posecheck.live.speech import NullVoice, SpeechError, Voice, make_voice
from posecheck.outputs.overlay import OverlayState, draw_overlay
from posecheck.pose.people import SwitchWatch, switch_notes
from posecheck.outputs.report import (SCHEMA_VERSION, atomic_write_text, format_summary,
                              write_json_report)

#: Frames are shown at this height (up- or down-scaled) so the panel's type is large.
DISPLAY_HEIGHT = 720
#: Longest wait for a frame before checking for quit / Ctrl-C again.
FRAME_WAIT_S = 0.5
#: Signals that end a session cleanly (the summary is saved), and the end reason of each.
STOP_SIGNALS: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated",
                                **({signal.SIGHUP: "hung up"} if hasattr(signal, "SIGHUP")
                                   else {})}


@dataclass
class Rest:
    """A rest between steps, until ``until`` seconds (session clock)."""

    until: float
    next_label: str


def _log(message: str) -> None:
    print(f"posecheck live: {message}", file=sys.stderr, flush=True)


@contextmanager
def _on_stop_signals(handler: Callable[[int], None]) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP call ``handler(signum)`` (the session ends cleanly and
    saves) instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, lambda signum, frame: handler(signum))
                for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def exit_status(summary: dict[str, Any]) -> int:
    """0, or 128 + the signal's number when a signal ended the session (130 for Ctrl-C)."""
    reason = summary.get("live", {}).get("end_reason")
    return next((128 + int(signum) for signum, name in STOP_SIGNALS.items() if name == reason),
                0)


def _voice(name: str) -> Voice:
    try:
        return make_voice(name, on_problem=_log)
    except SpeechError as exc:
        _log(f"{exc}; continuing without sound")
        return NullVoice()


def default_report_path() -> Path:
    """``reports/live-<date>-<time>.json``."""
    return Path("reports") / f"live-{datetime.now():%Y%m%d-%H%M%S}.json"


class LiveSession:
    """A routine (or one exercise) run against a capture; see :func:`run_live`.

    on_display : called with each displayed frame (BGR, after the overlay) — for screenshots
        and tests; the window is optional.
    """

    def __init__(self, routine: Routine, capture: LatestFrameCapture, estimator: PoseEstimator,
                 voice: Voice, model: str, strictness: str = "standard",
                 cooldown: float = 8.0, window: bool = True,
                 on_display: Callable[[np.ndarray], None] | None = None,
                 display_height: int = DISPLAY_HEIGHT, show_perf: bool = False) -> None:
        self.routine, self.capture, self.estimator = routine, capture, estimator
        self.voice, self.model, self.strictness = voice, model, strictness
        self.scheduler = CueScheduler(voice, cooldown=cooldown)
        self.cues = EventCues(self.scheduler)
        self.stats = LatencyStats()
        self.smoother = LandmarkSmoother()
        self.switches = SwitchWatch()
        self.switched_at: list[float] = []
        self.stop = threading.Event()
        self.display_height = display_height
        self.show_perf = show_perf
        self.on_display = on_display
        self.window = None
        if window:
            from posecheck.live.window import Window

            self.window = Window(f"posecheck live - {routine.title}")
        self.log = _log if not window else (lambda message: None)
        self.finished: list[ExerciseRun] = []
        self.step_index = 0
        self.run: ExerciseRun | None = None
        self.rest: Rest | None = None
        self.paused = False
        self.end_reason = ""
        self.now = 0.0
        self.wall_seconds = 0.0

    # -- steps ---------------------------------------------------------------------------
    def _start_step(self, now: float) -> None:
        step = self.routine.steps[self.step_index]
        self.run = ExerciseRun(step, self.strictness, self.cues, self.capture.fps,
                               self.capture.frame_size, self.capture.name)
        if len(self.routine.steps) > 1:
            self.scheduler.offer(f"start:{self.step_index}:{now:.2f}", step.label, "title", now)
        self.log(f"{step.label}: start")

    def _finish_step(self, now: float) -> None:
        """Close the running step; rest, start the next one, or end the routine."""
        assert self.run is not None
        self.finished.append(self.run)
        rest_s = self.run.step.rest_seconds
        self.run = None
        self.step_index += 1
        if self.step_index >= len(self.routine.steps):
            if self.finished[-1].done:
                self.scheduler.offer("routine:done", "Well done, that's all", "done", now)
            self.end_reason = "completed" if self.finished[-1].done else "ended early (n)"
            self.stop.set()
            return
        label = self.routine.steps[self.step_index].label
        if rest_s > 0:
            self.rest = Rest(now + rest_s, label)
            seconds = int(round(rest_s))
            text = f"Rest for {number_words(seconds)} second{'s' * (seconds != 1)}. Next: {label}"
            self.scheduler.offer(f"rest:{self.step_index}", text, "done", now)
        else:
            self._start_step(now)

    def _signal(self, signum: int) -> None:
        self.end_reason = STOP_SIGNALS[signum]
        self.stop.set()

    def _key(self, action: str | None, now: float) -> None:
        if action == "quit":
            self.end_reason = "quit"
            self.stop.set()
        elif action == "pause":
            self.paused = not self.paused
        elif action == "reset" and self.run is not None:
            self._start_step(now)
        elif action == "next":
            if self.rest is not None:
                self.rest = None
                self._start_step(now)
            elif self.run is not None:
                self._finish_step(now)

    # -- the loop ------------------------------------------------------------------------
    def loop(self) -> None:
        """Process frames until quit, Ctrl-C, the window closing or the source ending."""
        started = time.perf_counter()
        try:
            with _on_stop_signals(self._signal):
                while not self.stop.is_set():
                    frame = self.capture.get(timeout=FRAME_WAIT_S)
                    if frame is None:
                        if self.capture.finished:
                            self.end_reason = self.end_reason or (
                                self.capture.message or "source ended")
                            break
                        continue
                    self._process(frame)
        finally:                # whatever ended the loop, the running exercise is kept
            self.wall_seconds = time.perf_counter() - started
            if self.run is None and not self.finished:     # no frame at all: empty report
                self._start_step(self.now)
            if self.run is not None:
                self.finished.append(self.run)
                self.run = None
        if self.end_reason == "completed":
            self._drain()
        self.scheduler.abandon(self.now, f"not said before the session ended "
                                         f"({self.end_reason or 'stopped'})")

    def _drain(self, limit_s: float = 5.0) -> None:
        """Let the last words ("Well done") be said before the voice closes."""
        end = time.monotonic() + limit_s
        now = self.now
        while time.monotonic() < end:
            if self.voice.busy():
                time.sleep(0.05)
            elif self.scheduler.tick(now) is None:
                break
        while self.voice.busy() and time.monotonic() < end:
            time.sleep(0.05)

    def _process(self, frame: Captured) -> None:
        now = self.now = frame.time
        pose = None
        if self.run is None and self.rest is None and not self.finished:
            self._start_step(now)
        if self.rest is not None and now >= self.rest.until:
            self.rest = None
            self._start_step(now)
        if self.run is not None and not self.paused and self.rest is None:
            before = time.perf_counter()
            pose = self.estimator.process(frame.image, now)
            self.stats.add("pose", time.perf_counter() - before)
            if (switched := self.switches.step(pose)) is not None:
                self.switched_at.append(switched)
                self.log(f"{now:7.1f} s  {switch_notes([switched])[0]}")
            self.run.feed(pose)
            pose = self.smoother(pose)      # steadier skeleton on screen; counts use the raw
            spoken = self.scheduler.tick(now)
            self.stats.add("capture_to_cue", time.perf_counter() - frame.stamp)
            if spoken is not None:
                self.log(f"{now:7.1f} s  {spoken.text}")
            if self.run.done:
                self._finish_step(now)
        else:
            spoken = self.scheduler.tick(now)
            if spoken is not None:
                self.log(f"{now:7.1f} s  {spoken.text}")
        self.stats.tick(time.perf_counter())
        if self.window is None and self.on_display is None:
            return
        image = self._draw(frame.image, pose, now)
        if self.on_display is not None:
            self.on_display(image)
        if self.window is not None:
            self._key(self.window.show(image), now)
        self.stats.add("capture_to_display", time.perf_counter() - frame.stamp)

    def _draw(self, image: np.ndarray, pose: Any, now: float) -> np.ndarray:
        h, w = image.shape[:2]
        scale = self.display_height / h
        shown = cv2.resize(image, (int(round(w * scale)), self.display_height),
                           interpolation=cv2.INTER_LINEAR)
        fps = self.stats.fps if self.show_perf else None
        latency = self.stats.last_ms("capture_to_cue") if self.show_perf else None
        if self.run is not None:
            state = self.run.overlay_state(now, fps, latency)
        else:
            state = OverlayState(title=self.routine.title, fps=fps)
        if self.rest is not None:
            left = max(0.0, self.rest.until - now)
            state.title, state.status = f"Rest {left:.0f} s", f"next: {self.rest.next_label}"
            state.cue = state.setup = ""
        if self.paused:
            state.setup, state.status = "Paused: press space to go on", "paused"
        landmarks = visibility = None
        if pose is not None and not np.isnan(pose.image[0, 0]):
            landmarks = pose.image * np.array([scale, scale, scale], np.float32)
            visibility = pose.visibility
        return draw_overlay(shown, landmarks, visibility, state)

    # -- summary -------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The session summary: the ``analyze`` report for one exercise, or per step of a
        routine; ``live`` holds latency (p50/p95 ms), frame counts and why the session ended."""
        live = self.stats.summary(dropped=self.capture.dropped, captured=self.capture.captured,
                                  seconds=self.wall_seconds)
        live.update(source=self.capture.name, realtime=self.capture.realtime,
                    end_reason=self.end_reason or "stopped",
                    cues_spoken=[{"time_s": round(c.time, 3), "text": c.text}
                                 for c in self.scheduler.spoken],
                    cues_skipped=[{"time_s": round(c.time, 3), "text": c.text,
                                   "reason": c.reason} for c in self.scheduler.skipped])
        extra, notes = self._interruption()
        notes += tuple(switch_notes(self.switched_at))
        reports = [run.report(self.model, self.estimator.model_name, extra, notes)
                   for run in self.finished]
        if len(self.routine.steps) == 1 and reports:
            return {**reports[0], "live": live}
        return {"schema_version": SCHEMA_VERSION,
                "routine": {"title": self.routine.title, "source": self.routine.source,
                            "steps": len(self.routine.steps),
                            "steps_completed": sum(r["completed"] for r in reports)},
                "exercises": reports, "live": live}

    def _interruption(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Report keys and notes for a session a signal ended (``interrupted``)."""
        if self.end_reason not in STOP_SIGNALS.values():
            return {}, ()
        return {"interrupted": True}, (f"interrupted by the user ({self.end_reason}): the "
                                       f"report covers the session until then",)

    def close(self) -> None:
        """Silence the voice and close the window (the capture is the caller's)."""
        self.voice.close()
        if self.window is not None:
            self.window.close()


@dataclass(frozen=True)
class Outputs:
    """What a session writes besides its summary JSON.

    html : an HTML page per exercise (``--html``). speech_wav : the spoken cues as audio at
    their times (``--speech-wav``). voice : how the cues were voiced ("tone": tones).
    """

    html: bool = False
    speech_wav: Path | None = None
    voice: str = "espeak"


def run_live(exercise: str | None = None, *, routine: str | Path | None = None,
             source: str | int = 0, model: str = "full", voice: str = "espeak",
             window: bool = True, strictness: str = "standard", cooldown: float = 8.0,
             realtime: bool = False, segmentation: bool = True,
             report_path: str | Path | None = None,
             on_display: Callable[[np.ndarray], None] | None = None,
             print_summary: bool = True, html: bool = False,
             speech_wav: str | Path | None = None, show_perf: bool = False) -> dict[str, Any]:
    """Coach ``exercise`` (a spec id or file) or a ``routine`` file live; return the summary.

    source : camera index, stream URL, or a video file standing in for the camera
        (``realtime=True`` paces it to its frame rate and drops frames as a camera would;
        otherwise every frame is processed, as ``analyze`` does).
    voice : "espeak", "tone" or "none". window : show the window (False: headless).
    report_path : where the summary JSON goes (default ``reports/live-<time>.json``); each
        exercise's track goes beside it (``<stem>.track.npz``, ``<stem>.step<N>.track.npz``
        in a routine), and with ``html`` its page (``.html``).
    speech_wav : write the cues that were said as a WAV file, each at its time.
    show_perf : show frames per second and latency in the window.
    """
    if (exercise is None) == (routine is None):
        raise ValueError("live: give an exercise or a routine, not both or neither")
    plan = load_routine(routine) if routine is not None else single_exercise(str(exercise))
    outputs = Outputs(html, Path(speech_wav) if speech_wav is not None else None, voice)
    with ExitStack() as cleanup:
        estimator = PoseEstimator(model, running_mode="video", segmentation=segmentation)
        cleanup.callback(estimator.close)
        capture = LatestFrameCapture(source, realtime=realtime, on_message=_log)
        cleanup.callback(capture.stop)
        session = LiveSession(plan, capture, estimator, _voice(voice), model, strictness,
                              cooldown, window, on_display, show_perf=show_perf)
        cleanup.callback(session.close)
        capture.start()
        try:
            session.loop()
        except Exception as exc:        # keep what was counted, then report the failure
            session.end_reason = f"error: {exc}"
            _save(session, report_path, outputs, print_summary)
            raise
    return _save(session, report_path, outputs, print_summary)


def _save(session: LiveSession, report_path: str | Path | None, outputs: Outputs,
          print_summary: bool) -> dict[str, Any]:
    """Write the session summary, tracks and the outputs asked for (and print it)."""
    summary = session.summary()
    path = Path(report_path) if report_path is not None else default_report_path()
    write_json_report(summary, path)            # first: whatever fails next, this is kept
    reports = summary.get("exercises", [summary])
    for number, (run, report) in enumerate(zip(session.finished, reports), start=1):
        stem = path.with_suffix("")
        if len(reports) > 1:
            stem = stem.with_name(f"{stem.name}.step{number}")
        _write_exercise_outputs(run, report, stem, outputs, session.capture.name)
    if outputs.speech_wav is not None:
        _write_speech(session.scheduler.spoken, outputs, summary["live"])
    write_json_report(summary, path)
    if print_summary:
        _print_summary(summary, path)
    return summary


def _write_exercise_outputs(run: ExerciseRun, report: dict[str, Any], stem: Path,
                            outputs: Outputs, source: str) -> None:
    """The exercise's track and, if asked, its HTML page; their paths go into ``report``."""
    track_path = stem.with_name(stem.name + ".track.npz")
    run.recorder.track().save(track_path)
    report["track"] = str(track_path)
    if outputs.html:
        from posecheck.outputs.html_report import render_html

        html_path = stem.with_name(stem.name + ".html")
        report["html_report"] = str(html_path)
        video = Path(source) if Path(source).is_file() else None
        atomic_write_text(html_path, render_html(report, run.recorder.metrics(),
                                                 run.view.display_metrics, video=video,
                                                 track=run.recorder.track()))


def _write_speech(said: list[Said], outputs: Outputs, live: dict[str, Any]) -> None:
    """The cues as audio; a failure (no espeak-ng) is told in one line, not raised."""
    from posecheck.live.speech_track import write_speech_wav

    assert outputs.speech_wav is not None
    try:
        live["speech_wav"] = str(write_speech_wav(said, outputs.speech_wav, outputs.voice))
    except SpeechError as exc:
        _log(f"--speech-wav: {exc}; no audio file written")


def _print_summary(summary: dict[str, Any], path: Path) -> None:
    exercises = summary.get("exercises")
    for number, report in enumerate(exercises or [summary], start=1):
        if exercises is not None:
            sets = f", set {report['set']} of {report['sets']}" if report.get("sets", 1) > 1 \
                else ""
            print(f"step {number}: {report['exercise']['title']}{sets}")
        print(format_summary(report))
    live = summary["live"]
    cue = live.get("capture_to_cue_ms", {})
    display = live.get("capture_to_display_ms", {})
    line = (f"  live: {live['frames_processed']} frames at {live['processing_fps'] or 0:.1f} "
            f"fps, {live['frames_dropped']} dropped; capture to cue p50 {cue.get('p50')} ms, "
            f"p95 {cue.get('p95')} ms")
    if display:
        line += f"; to display p50 {display.get('p50')} ms, p95 {display.get('p95')} ms"
    print(line + f" ({live['end_reason']})")
    skipped = live.get("cues_skipped", [])
    print(f"  cues: {len(live.get('cues_spoken', []))} said, {len(skipped)} skipped"
          + (f"; audio: {live['speech_wav']}" if live.get("speech_wav") else ""))
    print(f"  report: {path}")
