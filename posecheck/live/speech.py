"""Voices: espeak-ng speech, a soft tone, or silence. Each plays without blocking the caller.

A voice plays one sound at a time; :class:`posecheck.live.cues.CueScheduler` decides what and
when, asking :meth:`Voice.busy` first. Speech can also be rendered to a WAV file (tests, docs).

Example
-------
>>> voice = make_voice("none")
>>> voice.say("left five", "rep")
>>> voice.busy()
False
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

ESPEAK = "espeak-ng"
#: Words per minute: a little slower than espeak's default 175, for a person mid-exercise.
SPEECH_RATE = 155
TONE_RATE = 22050
#: Players tried in order for tones: PulseAudio, ALSA, SoX.
PLAYERS = (("paplay",), ("aplay", "-q"), ("play", "-q"))


class SpeechError(Exception):
    """A voice cannot be used; the message names the voice and the problem."""


class Voice(Protocol):
    """Something that plays cues. ``kind`` is the cue class ("fault", "rep", "setup", ...)."""

    def say(self, text: str, kind: str) -> None: ...

    def busy(self) -> bool: ...

    def close(self) -> None: ...


class _ProcessVoice:
    """A voice that plays each cue in a child process; busy while the process runs.

    on_problem : told once, in words, when a player reports that it could not play (espeak-ng
        exits 0 and only writes ALSA errors when there is no sound device).
    """

    def __init__(self, on_problem: Callable[[str], None] | None = None) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._program = ""                  # the running player's program
        self._on_problem = on_problem
        self._warned = False

    def _start(self, argv: list[str]) -> None:
        self.busy()                 # a finished player's errors are read before the next
        self._program = argv[0]
        self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True, errors="replace")

    def busy(self) -> bool:
        if self._proc is None:
            return False
        if self._proc.poll() is None:
            return True
        self._check(self._proc)
        self._proc = None
        return False

    def _check(self, proc: subprocess.Popen[str]) -> None:
        """Tell ``on_problem`` (once) if the finished player could not play."""
        errors = proc.stderr.read() if proc.stderr is not None else ""
        if proc.stderr is not None:
            proc.stderr.close()
        failed = proc.returncode != 0 or "error" in errors.lower()
        if failed and not self._warned and self._on_problem is not None:
            self._warned = True
            last = errors.strip().splitlines()[-1] if errors.strip() else \
                f"exit status {proc.returncode}"
            self._on_problem(f"{Path(self._program).name} could not play sound ({last}): "
                             "no sound device? Cues are shown and logged but not heard")

    def close(self) -> None:
        if self.busy():
            assert self._proc is not None
            self._proc.terminate()
            self._proc.wait(timeout=2)


class EspeakVoice(_ProcessVoice):
    """Speech through the ``espeak-ng`` binary (Debian/Ubuntu: ``apt-get install espeak-ng``)."""

    def __init__(self, language: str = "en", rate: int = SPEECH_RATE,
                 on_problem: Callable[[str], None] | None = None) -> None:
        super().__init__(on_problem)
        if shutil.which(ESPEAK) is None:
            raise SpeechError("voice espeak: espeak-ng is not installed "
                              "(apt-get install espeak-ng, or use --voice tone/none)")
        self.language, self.rate = language, rate

    def say(self, text: str, kind: str) -> None:
        self._start([ESPEAK, "-v", self.language, "-s", str(self.rate), "--", text])


class ToneVoice(_ProcessVoice):
    """A short soft tone per cue class instead of words (for shared rooms or no espeak-ng)."""

    def __init__(self, on_problem: Callable[[str], None] | None = None) -> None:
        super().__init__(on_problem)
        self._player = next((list(p) for p in PLAYERS if shutil.which(p[0])), None)
        if self._player is None:
            raise SpeechError("voice tone: no audio player found (paplay, aplay or play)")
        self._dir = tempfile.TemporaryDirectory(prefix="posecheck-tones-")
        self._files: dict[str, Path] = {}

    def say(self, text: str, kind: str) -> None:
        if kind not in self._files:
            path = Path(self._dir.name) / f"{kind}.wav"
            write_wav(path, tone(kind), TONE_RATE)
            self._files[kind] = path
        assert self._player is not None
        self._start([*self._player, str(self._files[kind])])

    def close(self) -> None:
        super().close()
        self._dir.cleanup()


class NullVoice:
    """Silence: cues are still scheduled and logged, nothing is played."""

    def say(self, text: str, kind: str) -> None:
        """Play nothing."""

    def busy(self) -> bool:
        return False

    def close(self) -> None:
        """Nothing to release."""


def make_voice(name: str, on_problem: Callable[[str], None] | None = None) -> Voice:
    """``"espeak"``, ``"tone"`` or ``"none"``; SpeechError if it cannot play here.
    on_problem : told once if sound turns out not to play (no sound device)."""
    if name == "espeak":
        return EspeakVoice(on_problem=on_problem)
    if name == "tone":
        return ToneVoice(on_problem=on_problem)
    if name == "none":
        return NullVoice()
    raise SpeechError(f"voice {name!r}: unknown (choose espeak, tone or none)")


#: Notes (Hz) per cue class: faults low and falling, reps a short blip, milestones rising.
TONES: dict[str, tuple[float, ...]] = {
    "fault": (440.0, 370.0), "setup": (392.0, 392.0), "rep": (660.0,),
    "side_switch": (523.0, 659.0, 784.0), "time_left": (587.0, 587.0),
    "done": (523.0, 784.0), "ready": (523.0, 659.0),
}


def tone(kind: str, note_s: float = 0.16, volume: float = 0.25) -> np.ndarray:
    """A soft tone for cue class ``kind`` as float32 samples in [-1, 1] at ``TONE_RATE``:
    sine notes with raised-cosine fades, so there are no clicks."""
    notes = TONES.get(kind, TONES["setup"])
    n = int(note_s * TONE_RATE)
    t = np.arange(n) / TONE_RATE
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.03)
    envelope = 0.5 - 0.5 * np.cos(np.pi * fade)
    parts = [volume * envelope * np.sin(2 * np.pi * f * t) for f in notes]
    gap = np.zeros(int(0.04 * TONE_RATE))
    return np.concatenate([p for part in parts for p in (part, gap)]).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples in [-1, 1] as 16-bit PCM."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(pcm.tobytes())


def render_speech(text: str, path: Path, language: str = "en", rate: int = SPEECH_RATE) -> Path:
    """Speak ``text`` into a WAV file with espeak-ng (blocking); SpeechError if it fails."""
    if shutil.which(ESPEAK) is None:
        raise SpeechError("voice espeak: espeak-ng is not installed (apt-get install espeak-ng)")
    done = subprocess.run([ESPEAK, "-v", language, "-s", str(rate), "-w", str(path), "--", text],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0 or not Path(path).exists():
        raise SpeechError(f"voice espeak: could not render {text!r} ({done.stderr.strip()})")
    return Path(path)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono 16-bit WAV as float samples in [-1, 1] and its sample rate."""
    with wave.open(str(path), "rb") as fh:
        rate, frames = fh.getframerate(), fh.readframes(fh.getnframes())
        channels = fh.getnchannels()
    samples = np.frombuffer(frames, "<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels).mean(axis=1), rate
