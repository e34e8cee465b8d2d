"""Speech: espeak-ng renders audible cues; the scheduler speaks one cue at a time, by priority,
and never repeats a cue within its cooldown."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posecheck.live.cues import CueScheduler, EventCues, number_words
from posecheck.live.speech import (TONE_RATE, NullVoice, SpeechError, make_voice, read_wav,
                                   render_speech, tone)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng not installed (apt-get install espeak-ng)")


@dataclass
class FakeVoice:
    """Records what is said; busy for ``speak_s`` seconds of the fake clock after each cue."""

    clock: list[float]
    speak_s: float = 0.0
    said: list[tuple[float, str, str]] = field(default_factory=list)

    def say(self, text: str, kind: str) -> None:
        self.said.append((self.clock[0], text, kind))

    def busy(self) -> bool:
        return bool(self.said) and self.clock[0] - self.said[-1][0] < self.speak_s

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Ev:
    kind: str
    time: float = 0.0
    side: str | None = None
    rule: str | None = None
    message: str = ""
    data: dict = field(default_factory=dict)


@needs_espeak
@pytest.mark.parametrize("text,low,high", [("three", 0.2, 1.5),
                                           ("Lift the knee to hip height", 1.0, 4.0)])
def test_espeak_renders_audible_speech_of_plausible_length(tmp_path, text, low, high):
    samples, rate = read_wav(render_speech(text, tmp_path / "cue.wav"))
    duration = len(samples) / rate
    assert low <= duration <= high
    assert np.sqrt(np.mean(samples ** 2)) > 0.01          # not silence
    frames = samples[: len(samples) // 441 * 441].reshape(-1, 441)
    voiced = (np.abs(frames).max(axis=1) > 0.05).mean()
    assert voiced > 0.3                                    # sound through much of it


@needs_espeak
def test_longer_text_takes_longer(tmp_path):
    short, rate = read_wav(render_speech("five", tmp_path / "a.wav"))
    long, _ = read_wav(render_speech("left twenty five, switch sides", tmp_path / "b.wav"))
    assert len(long) > 2 * len(short)


def test_tone_is_soft_and_click_free():
    samples = tone("fault")
    assert 0.2 < len(samples) / TONE_RATE < 1.0
    assert 0.1 < np.abs(samples).max() <= 0.3
    assert abs(samples[0]) < 1e-3 and abs(samples[-1]) < 1e-3


def test_unknown_voice_is_a_one_line_error():
    with pytest.raises(SpeechError, match="unknown"):
        make_voice("robot")


def test_number_words():
    assert [number_words(n) for n in (0, 3, 13, 20, 21, 105)] == [
        "zero", "three", "thirteen", "twenty", "twenty one", "one hundred and five"]


def _scheduler(cooldown: float = 8.0, speak_s: float = 0.0):
    clock = [0.0]
    voice = FakeVoice(clock, speak_s)
    return CueScheduler(voice, cooldown=cooldown, clock=lambda: clock[0]), voice, clock


def test_persistent_fault_is_repeated_only_after_cooldown():
    cues, voice, clock = _scheduler(cooldown=8.0)
    cues.hold("fault:knee", "Knee to hip height", "fault")
    for step in range(200):                                   # 20 s at 10 Hz
        clock[0] = step * 0.1
        cues.tick()
    assert [round(t, 1) for t, _, _ in voice.said] == [0.0, 8.0, 16.0]


def test_one_cue_at_a_time_by_priority():
    cues, voice, clock = _scheduler(speak_s=1.0)
    cues.offer("rep:left:1", "left one", "rep")
    cues.hold("fault:back", "Keep your back flat", "fault")
    cues.hold("setup:x", "Move back until your feet are in view", "setup")
    for step in range(40):
        clock[0] = step * 0.1
        cues.tick()
        if step == 0:
            cues.release("setup:x")
    assert [(t, text) for t, text, _ in voice.said] == [
        (0.0, "Move back until your feet are in view"), (1.0, "Keep your back flat"),
        (2.0, "left one")]                       # each waits for the voice, by priority


def test_one_shot_instructions_wait_their_turn_and_are_never_dropped():
    cues, voice, clock = _scheduler(speak_s=5.0)
    cues.offer("title", "Bird dog, set 2 of 2", "title")
    cues.hold("fault:back", "Keep your back flat", "fault")
    cues.offer("ready:a", "Hold still for a moment", "ready")    # decided in the same frame
    cues.offer("ready:b", "Go", "ready")
    cues.offer("done", "Ten seconds left", "time_left")
    for step in range(300):                                       # 30 s
        clock[0] = step * 0.1
        cues.tick()
        if step == 60:
            cues.release("fault:back")                            # fixed after it was said
    assert [(t, text) for t, text, _ in voice.said] == [
        (0.0, "Bird dog, set 2 of 2"), (5.0, "Keep your back flat"),
        (10.0, "Hold still for a moment"), (15.0, "Go"), (20.0, "Ten seconds left")]
    assert cues.skipped == []


def test_a_waiting_rep_count_is_replaced_by_the_newer_one_and_recorded():
    cues, voice, clock = _scheduler(speak_s=4.0)
    cues.hold("fault:back", "Keep your back flat", "fault")
    cues.offer("rep:right:1", "right one", "rep", replaces="rep:right:0")
    cues.tick()
    cues.release("fault:back")
    clock[0] = 2.0
    cues.offer("rep:left:1", "left one", "rep", replaces="rep:left:0")
    cues.offer("rep:right:2", "right two", "rep", replaces="rep:right:1")
    for step in range(20, 200):
        clock[0] = step * 0.1
        cues.tick()
    assert [text for _, text, _ in voice.said] == ["Keep your back flat", "left one",
                                                   "right two"]
    assert [(s.text, s.reason) for s in cues.skipped] == [("right one",
                                                           "replaced by 'right two'")]


def test_cues_still_waiting_when_the_session_ends_are_recorded_as_skipped():
    cues, voice, clock = _scheduler(speak_s=5.0)
    cues.offer("a", "Go", "ready")
    cues.offer("b", "left one", "rep")
    cues.tick()
    cues.abandon(1.0, "session ended")
    assert [(s.text, s.reason) for s in cues.skipped] == [("left one", "session ended")]
    assert [s.text for s in cues.spoken] == ["Go"]


def test_a_fault_said_within_the_cooldown_is_skipped_not_said_late():
    cues, voice, clock = _scheduler(cooldown=8.0)
    cues.offer("fault:a:once", "Keep your back flat", "fault")
    cues.tick()
    clock[0] = 3.0
    cues.offer("fault:a:once", "Keep your back flat", "fault")
    for step in range(30, 150):
        clock[0] = step * 0.1
        cues.tick()
    assert [text for _, text, _ in voice.said] == ["Keep your back flat"]
    assert cues.skipped[0].reason == "said 3.0 s before (cooldown)"


def test_released_fault_is_not_spoken():
    cues, voice, clock = _scheduler(speak_s=2.0)
    cues.offer("rep:left:1", "left one", "rep")
    cues.tick()
    cues.hold("fault:back", "Keep your back flat", "fault")
    clock[0] = 1.0
    cues.release("fault:back")
    clock[0] = 2.5
    cues.tick()
    assert [text for _, text, _ in voice.said] == ["left one"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 0.5), st.sampled_from(["hold", "offer", "release"]),
                          st.integers(0, 3)), min_size=1, max_size=120),
       st.floats(1.0, 10.0), st.floats(0.0, 2.0))
def test_no_cue_repeats_within_its_cooldown(actions, cooldown, speak_s):
    cues, voice, clock = _scheduler(cooldown, speak_s)
    texts = ["Knee up", "Back flat", "Arm level", "left one"]
    for dt, action, i in actions:
        clock[0] += dt
        if action == "hold":
            cues.hold(f"k{i}", texts[i], "fault")
        elif action == "offer":
            cues.offer(f"o{i}", texts[i], "rep")
        else:
            cues.release(f"k{i}")
        cues.tick()
    last: dict[str, float] = {}
    for t, text, _ in voice.said:
        assert t - last.get(text, -1e9) >= cooldown
        last[text] = t
    times = [t for t, _, _ in voice.said]
    assert all(b - a >= speak_s for a, b in zip(times, times[1:]))   # one at a time


def _run_script(events: EventCues, cues, clock, script, quiet_after: float):
    for t, event in script:
        clock[0] = t
        events.on_event(event)
        cues.tick()
    for step in range(100):                      # form is fine: nothing more is said
        clock[0] = quiet_after + step * 0.1
        cues.tick()


def test_rep_events_become_counts_and_cues_then_silence():
    cues, voice, clock = _scheduler(speak_s=0.0, cooldown=8.0)
    events = EventCues(cues, sides="alternating")
    _run_script(events, cues, clock, [
        (0.0, Ev("setup", message="Turn side-on to the camera")),
        (3.0, Ev("ready", message="Go")),
        (5.0, Ev("rep_completed", side="left", data={"count": 1})),
        (6.0, Ev("side_switch", side="right", message="Right side")),   # not spoken
        (7.0, Ev("rep_completed", side="right", data={"count": 1})),
        (9.0, Ev("fault_started", side="right", rule="knee", message="Knee to hip height")),
        (9.0, Ev("fault_ended", side="right", rule="knee")),        # brief: still heard once
        (10.0, Ev("fault_started", side="left", rule="arch", message="Back flat",
                  data={"status": "experimental"})),                 # shown, never spoken
        (11.0, Ev("rep_rejected", side="left", message="Slower: control the movement")),
    ], quiet_after=12.0)
    assert [text for _, text, _ in voice.said] == [
        "Turn side-on to the camera", "Go", "left one", "right one", "Knee to hip height",
        "Slower: control the movement"]


def test_hold_events_become_time_left_and_switch_sides():
    cues, voice, clock = _scheduler(speak_s=0.0, cooldown=8.0)
    events = EventCues(cues, sides="alternating", hold_target=30.0)
    _run_script(events, cues, clock, [
        (0.0, Ev("hold_started", side="left", message="Hold")),
        *[(5.0 * k, Ev("hold_progress", side="left", data={"seconds": 5.0 * k}))
          for k in range(1, 6)],
        (30.0, Ev("hold_completed", side="left", message="Time: well held")),
        (40.0, Ev("hold_started", side="right")),
        (70.0, Ev("hold_completed", side="right", message="Time: well held")),
    ], quiet_after=71.0)
    assert [text for _, text, _ in voice.said] == [
        "Hold", "Ten seconds left", "Switch sides", "Time: well held"]


def test_null_voice_is_never_busy():
    voice = NullVoice()
    voice.say("anything", "fault")
    assert not voice.busy()


def test_a_player_that_cannot_play_is_reported_once(tmp_path, monkeypatch):
    import time

    from posecheck.live.speech import EspeakVoice
    fake = tmp_path / "espeak-ng"
    fake.write_text("#!/bin/sh\necho 'ALSA lib pcm.c: Unknown PCM default' >&2\n"
                    "echo 'error: No such file or directory' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    told: list[str] = []
    voice = EspeakVoice(on_problem=told.append)
    for text in ("one", "two", "three"):
        voice.say(text, "rep")
        while voice.busy():
            time.sleep(0.01)
    assert len(told) == 1 and "could not play sound" in told[0] and "No such file" in told[0]


def test_the_speech_track_puts_each_cue_at_its_time():
    from posecheck.live.cues import Said
    from posecheck.live.speech_track import cue_sounds, mix
    said = [Said(0.5, "a", "left one", "rep"), Said(2.0, "b", "Keep your back flat", "fault")]
    samples = mix(said, cue_sounds(said, "tone"), TONE_RATE)
    loud = np.flatnonzero(np.abs(samples) > 0.05) / TONE_RATE
    assert 0.5 <= loud[0] < 0.6 and 2.0 <= loud[loud > 1.0][0] < 2.1
    assert np.abs(samples[int(0.8 * TONE_RATE): int(1.9 * TONE_RATE)]).max() == 0.0


@needs_espeak
def test_speech_wav_holds_the_spoken_words(tmp_path):
    from posecheck.live.cues import Said
    from posecheck.live.speech_track import write_speech_wav
    path = write_speech_wav([Said(1.0, "go", "Go", "ready")], tmp_path / "cues.wav", "espeak")
    samples, rate = read_wav(path)
    assert np.abs(samples[: int(0.9 * rate)]).max() == 0.0          # silent until 1 s
    assert np.sqrt(np.mean(samples[rate: int(1.4 * rate)] ** 2)) > 0.01
