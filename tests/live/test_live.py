"""Live session: the capture thread never queues, a lost camera is retried, routines load, and a
headless session on a sample clip counts what ``analyze`` counts."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.live.capture import LatestFrameCapture
from posecheck.live.cues import number_words
from posecheck.io.sources import Frame, SourceError

ROOT = Path(__file__).resolve().parents[2]


def _frames(n: int, fps: float, live: bool = True):
    """A fake camera: ``n`` frames at ``fps`` in real time (or as fast as asked if not live)."""
    def gen():
        start = time.perf_counter()
        for i in range(n):
            if live:
                time.sleep(max(0.0, start + i / fps - time.perf_counter()))
            image = np.full((4, 4, 3), i % 256, np.uint8)
            yield Frame(i, i / fps, image)
    return gen()


def _once(frames, fps: float = 30.0):
    """An opener that works once; afterwards the camera is gone."""
    calls = []

    def opener():
        calls.append(1)
        if len(calls) > 1:
            raise SourceError("camera 0: cannot be opened")
        return frames, fps, (4, 4)
    return opener


def test_slow_consumer_gets_the_newest_frame_and_drops_are_counted():
    cap = LatestFrameCapture(0, opener=_once(_frames(60, 200.0)), retries=0,
                             backoff_s=0.01)
    seen = []
    with cap:
        while (frame := cap.get(timeout=2)) is not None:
            seen.append(frame)
            time.sleep(0.03)              # 33 Hz consumer against a 200 Hz camera
    indices = [f.index for f in seen]
    assert indices == sorted(indices) and len(set(indices)) == len(indices)
    assert len(seen) < 30 and cap.dropped > 30
    assert cap.captured == 60 and cap.dropped + len(seen) == cap.captured


def test_slot_holds_at_most_one_frame():
    cap = LatestFrameCapture(0, opener=_once(_frames(40, 400.0)), retries=0,
                             backoff_s=0.01)
    with cap:
        time.sleep(0.3)                   # consumer stalls while the whole source is read
        first = cap.get(timeout=1)
        assert cap.get(timeout=0.2) is None
    assert first is not None and first.index == 39 and cap.dropped == 39


def test_file_without_realtime_is_lossless_lockstep():
    cap = LatestFrameCapture("clip.mp4", live=False,
                             opener=lambda: (_frames(50, 30.0, live=False), 30.0, (4, 4)))
    with cap:
        frames = []
        while (frame := cap.get(timeout=2)) is not None:
            frames.append(frame)
            time.sleep(0.002)
    assert [f.index for f in frames] == list(range(50)) and cap.dropped == 0
    assert frames[10].time == pytest.approx(10 / 30.0)


def test_file_realtime_is_paced_to_its_frame_rate():
    cap = LatestFrameCapture("clip.mp4", live=False, realtime=True,
                             opener=lambda: (_frames(15, 50.0, live=False), 50.0, (4, 4)))
    start = time.perf_counter()
    with cap:
        while cap.get(timeout=2) is not None:
            pass
    assert time.perf_counter() - start >= 14 / 50.0 - 0.01


def test_lost_camera_is_retried_then_given_up_cleanly():
    opens, messages = [], []

    def opener():
        opens.append(time.perf_counter())
        if len(opens) == 1:
            return _frames(5, 100.0), 30.0, (4, 4)       # works, then the camera vanishes
        if len(opens) == 2:
            return _frames(3, 100.0), 30.0, (4, 4)       # comes back briefly
        raise SourceError("camera 0: cannot be opened")

    cap = LatestFrameCapture(0, opener=opener, retries=2, backoff_s=0.02,
                             on_message=messages.append)
    got = []
    with cap:
        while (frame := cap.get(timeout=3)) is not None:
            got.append(frame)
    # A live capture keeps only the latest frame: a consumer slowed by a busy machine may miss
    # one, but never sees a frame twice or out of order, and sees both connections' frames.
    indices = [f.index for f in got]
    assert indices == sorted(set(indices)) and set(indices) <= set(range(8))
    assert any(i < 5 for i in indices) and any(5 <= i < 8 for i in indices)
    assert len(opens) == 4                                # first, one reconnect, two retries
    assert any("reconnected" in m for m in messages)
    assert "gave up" in (cap.message or "") and "camera 0" in cap.message
    times = [f.time for f in got]
    assert times == sorted(times)                         # session clock survives a reconnect


def test_stop_releases_a_blocked_lockstep_reader():
    cap = LatestFrameCapture("clip.mp4", live=False,
                             opener=lambda: (_frames(100, 30.0, live=False), 30.0, (4, 4)))
    cap.start()
    assert cap.get(timeout=2) is not None
    t = threading.Thread(target=cap.stop)
    t.start()
    t.join(timeout=3)
    assert not t.is_alive()


def test_real_video_file_through_open_source(tmp_path):
    path = tmp_path / "tiny.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (64, 48))
    for i in range(20):
        writer.write(np.full((48, 64, 3), i * 10, np.uint8))
    writer.release()
    with LatestFrameCapture(str(path)) as cap:
        assert cap.fps == pytest.approx(25.0) and cap.frame_size == (64, 48)
        count = 0
        while cap.get(timeout=2) is not None:
            count += 1
    assert count == 20


def test_missing_camera_file_is_a_one_line_error(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        LatestFrameCapture(str(tmp_path / "nope.mp4"))


# --------------------------------------------------------------------------- routines

def test_shipped_routine_loads():
    from posecheck.live.routine import load_routine
    routine = load_routine(ROOT / "routines" / "hip_mobility.toml")
    ids = [step.spec.id for step in routine.steps]
    assert ids[0] == "bird_dog" and "hip_bridge_hold" in ids and ids[-1] == "ninety_ninety_er"
    assert routine.steps[0].spec.dosage.reps_per_side == 6
    assert routine.steps[-1].rest_seconds == 0.0 and routine.steps[0].rest_seconds > 0


@pytest.mark.parametrize("text, problem", [
    ('[[exercises]]\nexercise = "no_such"\n', "no_such"),
    ('[[exercises]]\nexercise = "bird_dog"\nrepz = 3\n', "exercises[0].repz: unknown key"),
    ('[[exercises]]\nexercise = "bird_dog"\nhold_seconds = 20\n', "not held"),
    ('[[exercises]]\nexercise = "bird_dog"\nsets = 0\n', "sets"),
    ('title = "x"\n', "at least one"),
    ('exercises = [\n', "invalid TOML"),
    ('title = ' + '9' * 5000 + '\n', "a number too long"),
])
def test_bad_routine_is_a_one_line_error_naming_file_and_key(tmp_path, text, problem):
    from posecheck.live.routine import RoutineError, load_routine
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(RoutineError) as info:
        load_routine(path)
    message = str(info.value)
    assert problem in message and str(path) in message and "\n" not in message


# ------------------------------------------------------------------ the whole session

CLEAN = ROOT / "sample_videos" / "bird_dog_clean.mp4"
needs_sample = pytest.mark.skipif(not CLEAN.exists(), reason="sample_videos not rendered")


@pytest.fixture(scope="module")
def offline():
    """``analyze`` deciding frame by frame as live does (mode "live")."""
    from posecheck.pipeline import analyze
    return analyze(CLEAN, "bird_dog", workers=1, mode="live")


@pytest.fixture(scope="module")
def recorded(offline):
    """The default recorded-clip analysis of the same track (whole-clip neutral, short hold)."""
    from posecheck.pipeline import check
    return check(offline.track, offline.spec)[2]


def _essence(events):
    return [(e["kind"], round(e["time_s"], 3), e["side"], e["rule"]) for e in events]


@needs_sample
def test_headless_live_on_a_clip_counts_what_analyze_counts(offline, recorded, tmp_path,
                                                             capsys):
    import json

    from posecheck.cli import main
    report_path = tmp_path / "live.json"
    status = main(["live", "--exercise", "bird_dog", "--source", str(CLEAN), "--no-window",
                   "--voice", "none", "--report", str(report_path)])
    assert status == 0
    live = json.loads(report_path.read_text())
    reps = offline.report["reps"]
    assert live["reps"] == reps == recorded["reps"] and reps["total"] >= 2
    assert _essence(live["events"]) == _essence(offline.report["events"])
    assert live["schema_version"] == offline.report["schema_version"]
    stats = live["live"]
    assert stats["frames_dropped"] == 0
    assert stats["frames_processed"] == offline.report["video"]["frames"]
    assert stats["capture_to_cue_ms"]["p95"] > 0
    counts = [f"{e['side']} {number_words(e['data']['count'])}"
              for e in offline.report["events"] if e["kind"] == "rep_completed"]
    spoken = [c["text"] for c in stats["cues_spoken"]]
    assert [text for text in spoken if text in counts] == counts     # every rep, in order
    out = capsys.readouterr().out
    assert f"reps: {reps['total']} (left {reps['left']}, right {reps['right']})" in out
    assert str(report_path) in out


HOLD_CLIP = ROOT / "sample_videos" / "ninety_ninety.mp4"


@pytest.mark.skipif(not HOLD_CLIP.exists(), reason="sample_videos not rendered")
def test_headless_live_times_holds_as_analyze_does(tmp_path):
    from posecheck.live.session import run_live
    from posecheck.pipeline import analyze
    offline = analyze(HOLD_CLIP, "ninety_ninety_er", workers=1, mode="live").report
    recorded = analyze(HOLD_CLIP, "ninety_ninety_er", workers=1).report
    assert recorded["hold_seconds"] == pytest.approx(offline["hold_seconds"], abs=0.2)
    live = run_live("ninety_ninety_er", source=str(HOLD_CLIP), voice="none", window=False,
                    report_path=tmp_path / "live.json", print_summary=False)
    assert live["holds"] == offline["holds"] and live["hold_seconds"] == offline["hold_seconds"]
    assert _essence(live["events"]) == _essence(offline["events"])
    assert sum(h["seconds"] for h in live["holds"]) > 2.0
    assert "Hold" in [c["text"] for c in live["live"]["cues_spoken"]]


@needs_sample
def test_ctrl_c_ends_the_session_and_keeps_the_summary(tmp_path):
    import json
    import os
    import signal

    from posecheck.live.session import run_live
    shown = []

    def on_display(image):
        shown.append(image.shape)
        if len(shown) == 30:
            os.kill(os.getpid(), signal.SIGINT)

    from posecheck.live.session import exit_status
    from posecheck.pose.track import PoseTrack
    report_path = tmp_path / "live.json"
    summary = run_live("bird_dog", source=str(CLEAN), voice="none", window=False,
                       report_path=report_path, on_display=on_display, print_summary=False,
                       segmentation=False, html=True)
    assert summary["live"]["end_reason"] == "interrupted" and exit_status(summary) == 130
    assert summary["interrupted"] is True and any("interrupted" in n for n in summary["notes"])
    # stopped at the signal: the frames shown, not the whole clip (how many more slip through
    # before the handler runs depends on timing, so only the order of magnitude is checked)
    assert 30 <= summary["live"]["frames_processed"] < 150
    saved = json.loads(report_path.read_text())
    assert saved["video"]["frames"] == summary["video"]["frames"] and saved["interrupted"]
    track = PoseTrack.load(saved["track"])
    assert len(track) == summary["video"]["frames"] and track.detected.any()
    page = Path(saved["html_report"]).read_text()
    assert "<h1>Bird dog</h1>" in page and "Interrupted:" in page
    assert shown[0] == (720, 960, 3)          # shown at 720 lines for large type
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------- keys, steps, rests (no model)

class _FakeCapture:
    """Frames at 10 fps, handed over one by one."""

    name, fps, frame_size, realtime, dropped, message = "fake", 10.0, (64, 48), False, 0, None

    def __init__(self, n: int) -> None:
        self.n, self.captured = n, 0

    def get(self, timeout=None):
        from posecheck.live.capture import Captured
        if self.captured >= self.n:
            return None
        self.captured += 1
        i = self.captured - 1
        return Captured(i, i / self.fps, time.perf_counter(), np.zeros((48, 64, 3), np.uint8))

    @property
    def finished(self) -> bool:
        return self.captured >= self.n

    def start(self) -> "_FakeCapture":
        return self

    def stop(self) -> None:
        pass


class _FakeEstimator:
    model_name = "fake"

    def __init__(self, crash_at: int | None = None) -> None:
        self.calls, self.crash_at = 0, crash_at

    def process(self, image, t):
        from posecheck.pose.track import FramePose
        self.calls += 1
        if self.calls == self.crash_at:
            raise RuntimeError("model crashed")
        return FramePose.missing(t)

    def close(self) -> None:
        pass


class _ScriptedWindow:
    """Presses keys at given frames."""

    def __init__(self, keys: dict[int, str]) -> None:
        self.keys, self.frame, self.closed = keys, 0, False

    def show(self, image):
        self.frame += 1
        return self.keys.get(self.frame)

    def close(self) -> None:
        self.closed = True


def _session(steps: list[tuple[str, float]], frames: int, keys: dict[int, str]):
    from posecheck.live.routine import Routine, Step
    from posecheck.live.session import LiveSession
    from posecheck.live.speech import NullVoice
    from posecheck.checking.spec import load_spec
    routine = Routine("test", tuple(Step(load_spec(e), 1, 1, rest) for e, rest in steps))
    estimator = _FakeEstimator()
    session = LiveSession(routine, _FakeCapture(frames), estimator, NullVoice(), "fake",
                          window=False, display_height=96)
    session.window = _ScriptedWindow(keys)
    return session, estimator


def test_keys_move_through_steps_rests_pause_and_quit():
    session, estimator = _session([("bird_dog", 2.0), ("hip_bridge_hold", 0.0)], 200,
                                  {5: "next", 10: "next", 15: "pause", 25: "pause",
                                   30: "reset", 40: "quit"})
    session.loop()
    summary = session.summary()
    assert summary["live"]["end_reason"] == "quit" and session.capture.captured == 40
    ids = [r["exercise"]["id"] for r in summary["exercises"]]
    assert ids == ["bird_dog", "hip_bridge_hold"]
    # frames 1-5 bird dog; 6-10 rest (no model); 11-15 bridge; 16-25 paused; 26-40 bridge
    assert estimator.calls == 5 + 5 + 15
    assert summary["exercises"][0]["video"]["frames"] == 5
    assert summary["exercises"][1]["video"]["frames"] == 10     # reset at 30 kept 31-40
    assert summary["routine"]["steps_completed"] == 0
    assert any("Rest for two seconds" in c["text"] for c in summary["live"]["cues_spoken"])


def test_rest_ends_by_itself_and_the_source_ending_keeps_the_summary():
    session, estimator = _session([("bird_dog", 1.0), ("hip_bridge_hold", 0.0)], 30,
                                  {5: "next"})
    session.loop()
    summary = session.summary()
    assert summary["live"]["end_reason"] == "source ended"
    # next at 0.4 s, rest until 1.4 s, then the bridge from frame 14 to 29
    assert [r["video"]["frames"] for r in summary["exercises"]] == [5, 16]
    first_setup = [e for e in summary["exercises"][1]["events"] if e["kind"] == "setup"]
    assert first_setup and first_setup[0]["time_s"] == pytest.approx(1.4)  # guidance first
    spoken = [c["text"] for c in summary["live"]["cues_spoken"]]
    assert spoken[0] == "Bird dog" and "Rest for one second. Next: Hip bridge (hold)" in spoken
    # the bridge's name is said; its setup cue was said 1.3 s before, so not again (cooldown)
    assert spoken[-1] == "Hip bridge (hold)" and spoken.count(first_setup[0]["message"]) == 1


@needs_sample
def test_window_without_a_display_is_a_one_line_error(monkeypatch, capsys):
    from posecheck.cli import main
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    status = main(["live", "-e", "bird_dog", "--source", str(CLEAN), "--voice", "none"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "--no-window" in err[0]


def test_live_needs_an_exercise_or_a_routine(capsys):
    from posecheck.cli import main
    with pytest.raises(SystemExit):
        main(["live", "--source", "0"])
    assert "--exercise" in capsys.readouterr().err


def test_no_frame_at_all_still_gives_the_analyze_shaped_report():
    session, _ = _session([("bird_dog", 0.0)], 0, {})
    session.loop()
    summary = session.summary()
    assert summary["exercise"]["id"] == "bird_dog" and summary["video"]["frames"] == 0
    assert summary["reps"]["total"] == 0 and summary["live"]["end_reason"] == "source ended"
    assert any("no person" in note for note in summary["notes"])


def test_a_crash_mid_session_still_writes_the_summary(monkeypatch, tmp_path):
    import json

    from posecheck.live import session as live_session
    monkeypatch.setattr(live_session, "PoseEstimator", lambda *a, **k: _FakeEstimator(crash_at=12))
    monkeypatch.setattr(live_session, "LatestFrameCapture", lambda *a, **k: _FakeCapture(50))
    with pytest.raises(RuntimeError, match="model crashed"):
        live_session.run_live("bird_dog", source="x", voice="none", window=False,
                              report_path=tmp_path / "s.json", print_summary=False)
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["live"]["end_reason"] == "error: model crashed"
    assert saved["video"]["frames"] == 11


class _SignalWindow(_ScriptedWindow):
    """Sends ``signum`` to this process at frame ``at``."""

    def __init__(self, signum: int, at: int) -> None:
        super().__init__({})
        self.signum, self.at = signum, at

    def show(self, image):
        import os
        self.frame += 1
        if self.frame == self.at:
            os.kill(os.getpid(), self.signum)
        return None


@pytest.mark.parametrize("signame,reason,status", [("SIGTERM", "terminated", 143),
                                                   ("SIGHUP", "hung up", 129)])
def test_sigterm_and_sighup_save_everything_and_exit_with_the_signal(
        monkeypatch, tmp_path, signame, reason, status):
    import json
    import signal

    from posecheck.live import session as live_session
    signum = getattr(signal, signame)
    before = signal.getsignal(signum)
    monkeypatch.setattr(live_session, "PoseEstimator", lambda *a, **k: _FakeEstimator())
    monkeypatch.setattr(live_session, "LatestFrameCapture", lambda *a, **k: _FakeCapture(50))
    real_session = live_session.LiveSession

    def with_signal(*args, **kwargs):
        session = real_session(*args, **kwargs)
        session.window = _SignalWindow(signum, 10)
        return session
    monkeypatch.setattr(live_session, "LiveSession", with_signal)
    summary = live_session.run_live("bird_dog", source="x", voice="none", window=False,
                                    report_path=tmp_path / "s.json", print_summary=False,
                                    html=True)
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["live"]["end_reason"] == reason and saved["interrupted"] is True
    assert live_session.exit_status(summary) == status
    assert saved["video"]["frames"] == 10
    assert (tmp_path / "s.track.npz").exists() and (tmp_path / "s.html").exists()
    assert signal.getsignal(signum) == before


def test_the_printed_routine_summary_names_each_step_and_set(capsys, tmp_path):
    from posecheck.live.routine import Routine, Step
    from posecheck.live.session import LiveSession, _print_summary
    from posecheck.live.speech import NullVoice
    from posecheck.checking.spec import load_spec
    spec = load_spec("bird_dog")
    routine = Routine("test", (Step(spec, 1, 2, 0.0), Step(spec, 2, 2, 0.0)))
    session = LiveSession(routine, _FakeCapture(20), _FakeEstimator(), NullVoice(), "fake",
                          window=False, display_height=96)
    session.window = _ScriptedWindow({3: "next", 6: "quit"})
    session.loop()
    _print_summary(session.summary(), tmp_path / "s.json")
    out = capsys.readouterr().out
    assert out.index("step 1: Bird dog, set 1 of 2") < out.index("step 2: Bird dog, set 2 of 2")


def test_the_recorder_grows_and_gives_back_exactly_what_was_fed(monkeypatch):
    from posecheck.live import recorder
    from posecheck.pose.track import FramePose, PoseTrack
    monkeypatch.setattr(recorder, "INITIAL_FRAMES", 4)
    rng = np.random.default_rng(3)
    poses = [FramePose(i / 30, *(rng.random(shape).astype(np.float32)
                                 for shape in ((33, 3), (33, 3), (33,), (33,), (24,))))
             for i in range(11)]
    rec = recorder.Recorder(("a", "b"), 30.0, (640, 480), "cam", "full")
    for i, pose in enumerate(poses):
        rec.append(pose, {"a": float(i), "c": 5.0})
    track, expected = rec.track(), PoseTrack.from_frames(poses, 30.0, (640, 480), "cam", "full")
    for name in ("image", "world", "visibility", "presence", "back_contour", "times"):
        np.testing.assert_array_equal(getattr(track, name), getattr(expected, name))
    metrics = rec.metrics()
    assert metrics.column("a").tolist() == list(range(11))
    assert np.isnan(metrics.column("b")).all()
