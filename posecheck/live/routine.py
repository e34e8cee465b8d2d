"""Routines: several exercises in a row with rests, from a small TOML file.

Format (``routines/hip_mobility.toml``)::

    title = "Hip mobility"
    rest_seconds = 30              # default rest after each step

    [[exercises]]
    exercise = "bird_dog"          # spec id or spec file
    sets = 2                       # optional, default 1: the step is repeated
    reps_per_side = 6              # optional: overrides the spec's dosage
    rest_seconds = 45              # optional: rest after each set of this step

    [[exercises]]
    exercise = "hip_bridge_hold"
    hold_seconds = 20

Errors are :class:`RoutineError` (a ValueError) naming the file, the key and the problem.

Example
-------
>>> routine = single_exercise("bird_dog")                           # doctest: +SKIP
>>> [step.spec.id for step in routine.steps]                        # doctest: +SKIP
['bird_dog']
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.checking.spec import Spec, SpecError, load_spec
from posecheck.checking.toml_table import TomlTable, read_toml

DEFAULT_REST_S = 30.0
_STEP_KEYS = ("exercise", "sets", "reps_per_side", "hold_seconds", "rest_seconds")
_TOP_KEYS = ("title", "description", "rest_seconds", "exercises")


class RoutineError(PosecheckError, ValueError):
    """A routine file cannot be used; the message names the file, key and problem."""


@dataclass(frozen=True)
class Step:
    """One set of one exercise, then ``rest_seconds`` of rest (none after the last step)."""

    spec: Spec
    set_number: int
    sets: int
    rest_seconds: float

    @property
    def label(self) -> str:
        """"Bird dog" or "Bird dog, set 2 of 3"."""
        return self.spec.title + (f", set {self.set_number} of {self.sets}"
                                  if self.sets > 1 else "")


@dataclass(frozen=True)
class Routine:
    """Steps in order; a single exercise is a routine of one step."""

    title: str
    steps: tuple[Step, ...]
    source: str = ""


def single_exercise(exercise: str) -> Routine:
    """A routine of one exercise (a spec id or file), one set."""
    spec = load_spec(exercise)
    return Routine(spec.title, (Step(spec, 1, 1, 0.0),))


def load_routine(path: str | Path) -> Routine:
    """Read and validate a routine file; every exercise must be a known spec."""
    path = Path(path)
    if not path.exists():
        raise RoutineError(f"{path}: no such routine file")
    data = read_toml(path, str(path), RoutineError)
    top = TomlTable(data, "", str(path), RoutineError)
    top.only(*_TOP_KEYS)
    entries = top.children("exercises")
    if not entries:
        top.fail("exercises", "needs at least one [[exercises]] table")
    default_rest = top.number("rest_seconds", DEFAULT_REST_S, 0.0)
    steps: list[Step] = []
    for entry in entries:
        entry.only(*_STEP_KEYS)
        name = entry.string("exercise")
        if "/" in name or name.endswith(".toml"):      # relative to the routine file
            name = str((path.parent / name).resolve())
        try:
            spec = load_spec(name)
        except SpecError as exc:
            entry.fail("exercise", str(exc))
        sets = entry.integer("sets", 1, low=1)
        rest = entry.number("rest_seconds", default_rest, 0.0)
        spec = _with_dosage(spec, entry, sets=sets, rest_seconds=rest)
        steps += [Step(spec, n, sets, rest) for n in range(1, sets + 1)]
    last = steps[-1]
    steps[-1] = replace(last, rest_seconds=0.0)
    return Routine(top.string("title", path.stem), tuple(steps), str(path))


def _with_dosage(spec: Spec, entry: TomlTable, **changes: Any) -> Spec:
    """The spec with the routine's dosage (sets, rest, reps or hold seconds) applied."""
    if entry.has("reps_per_side"):
        if spec.kind != "reps":
            entry.fail("reps_per_side", f"{spec.id} is a hold, not reps")
        changes["reps_per_side"] = entry.integer("reps_per_side", 1, low=1)
    if entry.has("hold_seconds"):
        if spec.kind != "hold":
            entry.fail("hold_seconds", f"{spec.id} is counted in reps, not held")
        changes["hold_seconds"] = entry.number("hold_seconds", 1.0, 1.0)
    return replace(spec, dosage=replace(spec.dosage, **changes))
