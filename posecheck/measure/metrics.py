"""Metrics: named per-frame measurements, the currency between kinematics and the checker."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    """M named metrics over T frames.

    names : M metric names from the vocabulary (docs/ARCHITECTURE.md).
    values : (T, M) float64; NaN where the landmarks a metric needs are not visible.
    times : (T,) float64 seconds.

    Example
    -------
    >>> m = Metrics(("a", "b"), np.array([[1.0, 2.0]]), np.array([0.0]))
    >>> m.row(0)
    {'a': 1.0, 'b': 2.0}
    """

    names: tuple[str, ...]
    values: np.ndarray
    times: np.ndarray

    def __post_init__(self) -> None:
        if self.values.shape != (self.times.shape[0], len(self.names)):
            raise ValueError(f"values shape {self.values.shape} does not match "
                             f"{self.times.shape[0]} frames x {len(self.names)} names")

    def __len__(self) -> int:
        return int(self.times.shape[0])

    def index(self, name: str) -> int:
        """Column of ``name``; KeyError names the metric if it is unknown."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown metric {name!r}") from None

    def column(self, name: str) -> np.ndarray:
        """(T,) values of one metric."""
        return self.values[:, self.index(name)]

    def row(self, t: int) -> dict[str, float]:
        """Frame ``t`` as a name → value mapping."""
        return dict(zip(self.names, self.values[t].tolist()))

    def __getitem__(self, index: slice | np.ndarray) -> "Metrics":
        """Frames selected by a slice or index array."""
        return Metrics(self.names, self.values[index], self.times[index])
