"""Per-frame timing of a live session: latencies, processing rate, dropped frames.

>>> stats = LatencyStats()
>>> for ms in (10, 20, 30):
...     stats.add("capture_to_cue", ms / 1000)
...     stats.tick(ms / 1000)
>>> stats.summary(dropped=0, captured=3, seconds=1.0)["capture_to_cue_ms"]["p50"]
20.0
"""
from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

import numpy as np


class LatencyStats:
    """Collects named durations in seconds; summarises them as p50/p95/max milliseconds."""

    def __init__(self, rate_window: int = 30) -> None:
        self._samples: dict[str, list[float]] = defaultdict(list)
        self._recent: deque[float] = deque(maxlen=rate_window)
        self.processed = 0

    def add(self, name: str, seconds: float) -> None:
        self._samples[name].append(seconds)

    def tick(self, now: float) -> None:
        """Note that a frame was processed at ``now`` (seconds, any clock)."""
        self._recent.append(now)
        self.processed += 1

    @property
    def fps(self) -> float | None:
        """Frames processed per second over the last ``rate_window`` frames."""
        if len(self._recent) < 2 or self._recent[-1] <= self._recent[0]:
            return None
        return (len(self._recent) - 1) / (self._recent[-1] - self._recent[0])

    def last_ms(self, name: str) -> float | None:
        values = self._samples.get(name)
        return values[-1] * 1000.0 if values else None

    def summary(self, dropped: int, captured: int, seconds: float) -> dict[str, Any]:
        """p50/p95/max of every duration (ms), frames processed and dropped, mean rate."""
        out: dict[str, Any] = {}
        for name, values in self._samples.items():
            ms = np.asarray(values) * 1000.0
            out[f"{name}_ms"] = {"p50": round(float(np.percentile(ms, 50)), 1),
                                 "p95": round(float(np.percentile(ms, 95)), 1),
                                 "max": round(float(ms.max()), 1), "n": int(ms.size)}
        out.update(frames_captured=captured, frames_processed=self.processed,
                   frames_dropped=dropped,
                   processing_fps=round(self.processed / seconds, 2) if seconds > 0 else None,
                   wall_seconds=round(seconds, 2))
        return out
