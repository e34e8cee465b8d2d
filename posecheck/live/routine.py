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

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from posecheck.spec import Spec, SpecError, load_spec

DEFAULT_REST_S = 30.0
_STEP_KEYS = {"exercise", "sets", "reps_per_side", "hold_seconds", "rest_seconds"}
_TOP_KEYS = {"title", "description", "rest_seconds", "exercises"}


class RoutineError(ValueError):
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


def _number(where: str, table: dict[str, Any], key: str, default: float, low: float,
            integer: bool = False) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (integer and not isinstance(value, int)) or value < low:
        kind = "an integer" if integer else "a number"
        raise RoutineError(f"{where}.{key}: must be {kind} >= {low:g}, got {value!r}")
    return value


def load_routine(path: str | Path) -> Routine:
    """Read and validate a routine file; every exercise must be a known spec."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RoutineError(f"{path}: no such routine file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RoutineError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise RoutineError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    entries = data.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise RoutineError(f"{path}: exercises: needs at least one [[exercises]] table")
    default_rest = _number(str(path), data, "rest_seconds", DEFAULT_REST_S, 0.0)
    steps: list[Step] = []
    for i, entry in enumerate(entries):
        where = f"{path}: exercises[{i}]"
        unknown = set(entry) - _STEP_KEYS
        if unknown:
            raise RoutineError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        if not isinstance(entry.get("exercise"), str):
            raise RoutineError(f"{where}.exercise: needs an exercise id")
        name = entry["exercise"]
        if "/" in name or name.endswith(".toml"):      # relative to the routine file
            name = str((path.parent / name).resolve())
        try:
            spec = load_spec(name)
        except SpecError as exc:
            raise RoutineError(f"{where}.exercise: {exc}") from None
        sets = int(_number(where, entry, "sets", 1, 1, integer=True))
        rest = float(_number(where, entry, "rest_seconds", default_rest, 0.0))
        spec = _with_dosage(spec, entry, where, sets=sets, rest_seconds=rest)
        steps += [Step(spec, n, sets, rest) for n in range(1, sets + 1)]
    last = steps[-1]
    steps[-1] = replace(last, rest_seconds=0.0)
    return Routine(str(data.get("title", path.stem)), tuple(steps), str(path))


def _with_dosage(spec: Spec, entry: dict[str, Any], where: str, **changes: Any) -> Spec:
    """The spec with the routine's dosage (sets, rest, reps or hold seconds) applied."""
    if "reps_per_side" in entry:
        if spec.kind != "reps":
            raise RoutineError(f"{where}.reps_per_side: {spec.id} is a hold, not reps")
        changes["reps_per_side"] = int(_number(where, entry, "reps_per_side", 1, 1, True))
    if "hold_seconds" in entry:
        if spec.kind != "hold":
            raise RoutineError(f"{where}.hold_seconds: {spec.id} is counted in reps, not held")
        changes["hold_seconds"] = float(_number(where, entry, "hold_seconds", 1, 1))
    return replace(spec, dosage=replace(spec.dosage, **changes))
