"""Calibrator: the user's neutral pose, median of each metric over a few seconds."""
from __future__ import annotations

import statistics


class Calibrator:
    """Collects ``cols`` for ``seconds``; a baseline is NaN unless at least half the frames
    saw the metric."""

    def __init__(self, cols: list[int], seconds: float) -> None:
        self.cols = cols
        self.seconds = seconds
        self._start: float | None = None
        self._samples: list[list[float]] = [[] for _ in cols]
        self._frames = 0
        self._last = 0.0            # the latest frame's time, once there is a first

    def add(self, t: float, v: list[float]) -> bool:
        """Add frame ``v``; True once ``seconds`` have been collected."""
        if self._start is None:
            self._start = t
        self._last = t
        self._frames += 1
        for samples, col in zip(self._samples, self.cols):
            x = v[col]
            if x == x:
                samples.append(x)
        return self.complete

    @property
    def complete(self) -> bool:
        """Whether ``seconds`` have been collected."""
        return self._start is not None and self._last - self._start >= self.seconds

    def spread(self, col: int) -> float:
        """Largest minus smallest value seen in column ``col`` (0 if none)."""
        samples = self._samples[self.cols.index(col)]
        return max(samples) - min(samples) if samples else 0.0

    def baseline(self) -> dict[int, float]:
        """Column → median over the window (NaN when seen in under half the frames)."""
        return {col: statistics.median(s) if 2 * len(s) >= self._frames and s else float("nan")
                for col, s in zip(self.cols, self._samples)}
