"""The session's cues as one audio file: each spoken cue rendered (espeak-ng, or the tone of
its class) and mixed onto a timeline at the time it was said (``--speech-wav``).

Cues never overlap live (one at a time), but on a file played faster than real time the
session clock runs ahead of the voice, so rendered cues may overlap; they are then mixed
(summed and clipped), not shifted, so every cue stays at its time.

Example
-------
>>> from posecheck.live.cues import Said
>>> write_speech_wav([Said(0.5, "rep:left:1", "left one", "rep")], Path("cues.wav"),
...                  "tone")                                               # doctest: +SKIP
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from posecheck.io.atomic import atomic_path
from posecheck.live.cues import Said
from posecheck.live.speech import TONE_RATE, read_wav, render_speech, tone, write_wav


def _resampled(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling (espeak-ng writes 22050 Hz, as the tones are; a no-op then)."""
    if rate == target or not len(samples):
        return samples
    n = int(round(len(samples) * target / rate))
    resampled: np.ndarray = np.interp(np.arange(n) * rate / target, np.arange(len(samples)),
                                      samples)
    return resampled


def cue_sounds(said: Sequence[Said], voice: str, rate: int = TONE_RATE) -> list[np.ndarray]:
    """One float sample array per cue: espeak-ng speech, or the cue class's tone for
    ``voice == "tone"``. Each distinct text is rendered once. SpeechError without espeak-ng."""
    if voice == "tone":
        return [tone(cue.kind) for cue in said]
    sounds: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="posecheck-speech-") as tmp:
        for i, text in enumerate(dict.fromkeys(cue.text for cue in said)):
            samples, source_rate = read_wav(render_speech(text, Path(tmp) / f"{i}.wav"))
            sounds[text] = _resampled(samples, source_rate, rate)
    return [sounds[cue.text] for cue in said]


def mix(said: Sequence[Said], sounds: Sequence[np.ndarray], rate: int,
        tail_s: float = 0.5) -> np.ndarray:
    """Mono samples with each sound starting at its cue's time (seconds from 0)."""
    starts = [max(0, int(round(cue.time * rate))) for cue in said]
    length = max((s + len(snd) for s, snd in zip(starts, sounds)), default=0)
    out = np.zeros(length + int(tail_s * rate), np.float32)
    for start, sound in zip(starts, sounds):
        out[start: start + len(sound)] += sound
    return np.clip(out, -1.0, 1.0)


def write_speech_wav(said: Sequence[Said], path: Path, voice: str) -> Path:
    """Write the cues as a 16-bit mono WAV at ``TONE_RATE``, atomically; return the path."""
    samples = mix(said, cue_sounds(said, voice), TONE_RATE)
    with atomic_path(path, keep_suffix=True) as part:
        write_wav(part, samples, TONE_RATE)
    return Path(path)
