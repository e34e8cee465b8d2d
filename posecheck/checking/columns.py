"""ColumnLayout: the metrics a checker reads, in a fixed order, plus derived columns.

Frames reach the checker's state machines as plain lists of floats in this order. For
exercises with ``sides = "both"`` a ``{side}`` metric means *both sides together*: a derived
column named by the template itself (``knee_flexion_{side}``) holds the mean of the visible
sides (NaN only when neither is visible). Derived columns come after the input columns.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from posecheck.measure.metrics import Metrics
from posecheck.checking.spec import Spec
from posecheck.measure.vocabulary import SIDES, is_sided, resolve

NAN = float("nan")


def spec_templates(spec: Spec) -> list[str]:
    """Every metric template a spec uses (setup, calibration, rep, hold position, rules)."""
    templates = ["view_angle", "body_in_frame", "body_height"]
    templates += [c.metric for c in spec.setup.conditions]
    templates += list(spec.calibration.metrics) if spec.calibration else []
    templates += [spec.rep.metric] if spec.rep else []
    templates += [c.metric for c in spec.hold.position] if spec.hold else []
    templates += [r.metric for r in spec.rules]
    return templates


def concrete(template: str) -> list[str]:
    """The input metric names behind ``template`` (both sides for a sided one)."""
    return [resolve(template, s) for s in SIDES] if is_sided(template) else [template]


class ColumnLayout:
    """Input columns (``names``) then derived both-sides means (``pairs``)."""

    def __init__(self, spec: Spec) -> None:
        templates = spec_templates(spec)
        self.names: list[str] = list(dict.fromkeys(n for t in templates for n in concrete(t)))
        index = {name: i for i, name in enumerate(self.names)}
        derived = list(dict.fromkeys(t for t in templates if is_sided(t))) \
            if spec.sides == "both" else []
        self.pairs: list[tuple[int, int]] = []
        for template in derived:
            index[template] = len(index)
            left, right = (index[resolve(template, s)] for s in SIDES)
            self.pairs.append((left, right))
        self._index = index
        self._source_names: tuple[str, ...] | None = None
        self._source_index: list[int] = []

    def index(self, name: str) -> int:
        """Column of an input metric, or of a derived template (sides = "both")."""
        return self._index[name]

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def row(self, values: Mapping[str, float]) -> list[float]:
        """One frame from a name → value mapping (missing names are NaN)."""
        v = [values.get(name, NAN) for name in self.names]
        for left, right in self.pairs:
            a, b = v[left], v[right]
            v.append(b if a != a else (a if b != b else 0.5 * (a + b)))
        return v

    def rows(self, metrics: Metrics) -> list[list[float]]:
        """Every frame of ``metrics``, bit-identical to :meth:`row` on each of its rows."""
        rows: list[list[float]] = self.table(metrics).tolist()
        return rows

    def table(self, metrics: Metrics) -> np.ndarray:
        """(T, columns) float array of :meth:`rows`: input columns, then derived ones."""
        if metrics.names != self._source_names:
            position = {name: i for i, name in enumerate(metrics.names)}
            self._source_names = metrics.names
            self._source_index = [position.get(name, -1) for name in self.names]
        table = np.full((len(metrics), len(self.names) + len(self.pairs)), NAN)
        for j, source in enumerate(self._source_index):
            if source >= 0:
                table[:, j] = metrics.values[:, source]
        for k, (left, right) in enumerate(self.pairs):
            a, b = table[:, left], table[:, right]
            table[:, len(self.names) + k] = np.where(
                np.isnan(a), b, np.where(np.isnan(b), a, 0.5 * (a + b)))
        return table
