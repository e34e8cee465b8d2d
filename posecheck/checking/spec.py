"""Exercise specs: TOML files of data (never code) loaded into frozen dataclasses.

The language is documented in docs/SPEC.md; ``exercise_specs/schema.json`` describes the same
structure for editors. Loading validates everything and raises :class:`SpecError` with one line
naming the file, the key path and the problem::

    exercise_specs/bird_dog.toml: rules[2].metric: unknown metric 'knee_rize_{side}' (...)

(unknown names come with the closest known ones: "did you mean 'knee_rise_{side}'?").

Nothing in a spec is evaluated: strings are names, cue text or members of fixed enumerations.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from posecheck.errors import PosecheckError
from posecheck.checking.records import Severity, Status
from posecheck.checking.toml_table import TomlTable, read_toml
from posecheck.measure.vocabulary import (METRIC_NAMES, SIDED_METRICS, SIDES, is_known, is_sided,
                                  resolve)

DEFAULT_SPECS_DIR = Path(__file__).resolve().parents[2] / "exercise_specs"

KINDS = ("reps", "hold")
SIDE_MODES = ("left", "right", "alternating", "both", "none")
VIEWS = ("side", "front", "rear", "oblique")
COMPARISONS = ("above", "below", "between", "outside")
DIRECTIONS = ("rising", "falling")
REFERENCES = ("absolute", "neutral")
#: What a rep's thresholds are measured in: the metric's own units, or fractions of the size
#: of the person's neutral value (``relative_to = "neutral"`` only).
REP_SCALES = ("metric", "neutral")
#: A rule may also be judged against the person's own earlier reps (``rep_peak`` rules).
RULE_REFERENCES = (*REFERENCES, "own_reps")
LEVELS = ("beginner", "standard", "strict")
STATUSES: tuple[Status, ...] = ("validated", "experimental")
SEVERITIES: tuple[Severity, ...] = ("minor", "major")
SCOPES = ("frames", "rep_peak")
REP_PHASES = ("rest", "out", "peak", "back")
HOLD_PHASES = ("rest", "hold")

#: view_angle bands (degrees; 0 = square to the camera, 90 = side-on). Front and rear share a
#: band: view_angle cannot tell them apart.
VIEW_BANDS: dict[str, tuple[float, float]] = {
    "front": (0.0, 35.0), "rear": (0.0, 35.0), "oblique": (25.0, 65.0), "side": (55.0, 90.0)}


class SpecError(PosecheckError, ValueError):
    """A spec that does not load: ``<file>: <key path>: <problem>`` on one line."""


# ---------------------------------------------------------------------------- dataclasses

@dataclass(frozen=True)
class Tolerance:
    """Per-strictness offsets; positive loosens a rule (or a rep's depth requirement)."""

    beginner: float = 0.0
    standard: float = 0.0
    strict: float = 0.0

    def at(self, level: str) -> float:
        """The offset for strictness ``level``."""
        return float(getattr(self, level))


@dataclass(frozen=True)
class Condition:
    """``metric`` compared with ``value`` (above/below) or ``range`` (between/outside).

    The condition states what is *wanted*; bounds are inclusive.
    """

    metric: str
    comparison: str
    value: float | None = None
    range: tuple[float, float] | None = None
    relative_to: str = "absolute"
    cue: str = ""

    def bounds(self, offset: float = 0.0) -> tuple[float, float, bool]:
        """(low, high, outside): wanted is ``low <= x <= high``, or outside it when
        ``outside``; ``offset`` > 0 loosens."""
        inf = float("inf")
        if self.comparison in ("above", "below"):
            assert self.value is not None, "loading gives 'above' and 'below' a value"
            if self.comparison == "above":
                return float(self.value) - offset, inf, False
            return -inf, float(self.value) + offset, False
        assert self.range is not None, "loading gives 'between' and 'outside' a range"
        low, high = self.range
        if self.comparison == "between":
            return low - offset, high + offset, False
        return low + offset, high - offset, True


@dataclass(frozen=True)
class SetupCondition(Condition):
    """A setup condition; ``keep`` = it must keep holding while exercising (else it is only
    checked before the start)."""

    keep: bool = True


@dataclass(frozen=True)
class Rule(Condition):
    """A form rule: a wanted condition checked in some phases; violated → a fault."""

    id: str = ""
    phases: tuple[str, ...] = ()
    scope: str = "frames"
    debounce: float = 0.3
    severity: Severity = "minor"
    views: tuple[str, ...] = ()
    status: Status = "experimental"
    tolerance: Tolerance = Tolerance()
    levels: tuple[str, ...] = LEVELS
    note: str = ""


@dataclass(frozen=True)
class Dosage:
    """What the user is asked to do."""

    reps_per_side: int = 0
    sets: int = 1
    hold_seconds: float = 0.0
    rest_seconds: float = 0.0


@dataclass(frozen=True)
class Setup:
    """Start position and framing that must hold ``hold_seconds`` before anything counts."""

    hold_seconds: float = 1.0
    lost_after: float = 1.0
    min_body_in_frame: float = 0.5
    body_height: tuple[float, float] = (0.2, 1.0)
    view_cue: str = ""
    conditions: tuple[SetupCondition, ...] = ()


@dataclass(frozen=True)
class Calibration:
    """Neutral-pose calibration: median of ``metrics`` over ``seconds`` after setup."""

    seconds: float
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class RepDefinition:
    """A rep: ``metric`` crosses ``start`` (in ``direction``), reaches ``min_peak``, comes
    back past ``end``; ``min_duration``..``max_duration`` seconds. ``hidden_is_rest``: the
    limb is out of sight at rest (a far leg behind the near one in a side view), so a hidden
    rep metric keeps the counter armed instead of disarming it."""

    metric: str
    direction: str
    start: float
    end: float
    min_peak: float
    min_duration: float = 0.5
    max_duration: float = 10.0
    relative_to: str = "absolute"
    tolerance: Tolerance = Tolerance()
    hidden_is_rest: bool = False
    scale: str = "metric"

    def in_units(self, amount: float, neutral: float) -> float:
        """``amount`` (a threshold or tolerance as the spec writes it) in the metric's units:
        itself, or with ``scale = "neutral"`` that fraction of the ``neutral`` value's size."""
        return amount * abs(neutral) if self.scale == "neutral" else amount


@dataclass(frozen=True)
class HoldDefinition:
    """The hold position (all conditions true) and its entry/exit debounce."""

    position: tuple[Condition, ...]
    enter_seconds: float = 0.5
    exit_seconds: float = 0.5
    progress_seconds: float = 5.0


@dataclass(frozen=True)
class Spec:
    """One exercise."""

    id: str
    title: str
    description: str
    kind: str
    sides: str
    views: tuple[str, ...]
    dosage: Dosage
    setup: Setup
    rules: tuple[Rule, ...] = ()
    calibration: Calibration | None = None
    rep: RepDefinition | None = None
    hold: HoldDefinition | None = None
    source: str = ""

    def rule(self, rule_id: str) -> Rule:
        """The rule called ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# ------------------------------------------------------------------------------- reading

# ------------------------------------------------------------------------------- parsing

_CONDITION_KEYS = ("metric", "comparison", "value", "range", "relative_to", "cue")


def _unknown_metric(name: str) -> str:
    """The problem text for an unknown metric, with the closest known names."""
    known = list(METRIC_NAMES) + [f"{base}_{{{p}}}" for base in SIDED_METRICS
                                  for p in ("side", "other")]
    close = difflib.get_close_matches(name, known, n=2)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown metric {name!r}{hint}"


def _metric(table: TomlTable, key: str, sides: str) -> str:
    name = table.string(key)
    if not is_known(name):
        table.fail(key, _unknown_metric(name))
    if sides == "none" and is_sided(name):
        table.fail(key, f"{name!r} uses a side placeholder but the exercise has sides = 'none'")
    return name


def _condition_fields(table: TomlTable, sides: str,
                      references: tuple[str, ...] = REFERENCES) -> dict[str, Any]:
    comparison = table.string("comparison", choices=COMPARISONS)
    fields: dict[str, Any] = {"metric": _metric(table, "metric", sides), "comparison": comparison,
                              "relative_to": table.string("relative_to", "absolute", references)}
    if comparison in ("above", "below"):
        if table.has("range"):
            table.fail("range", f"'{comparison}' takes 'value', not 'range'")
        fields["value"] = table.number("value")
    else:
        if table.has("value"):
            table.fail("value", f"'{comparison}' takes 'range = [low, high]', not 'value'")
        fields["range"] = table.pair("range")
    return fields


def _condition(table: TomlTable, sides: str) -> Condition:
    table.only(*_CONDITION_KEYS)
    return Condition(**_condition_fields(table, sides), cue=table.string("cue"))


def _setup_condition(table: TomlTable, sides: str) -> SetupCondition:
    table.only(*_CONDITION_KEYS, "keep")
    fields = _condition_fields(table, sides)
    if fields["relative_to"] != "absolute":
        table.fail("relative_to", "setup conditions cannot be relative to the neutral pose "
                                  "(it is measured after setup)")
    return SetupCondition(**fields, cue=table.string("cue"), keep=table.boolean("keep", True))


def _tolerance(table: TomlTable, key: str) -> Tolerance:
    if not table.has(key):
        return Tolerance()
    sub = table.child(key)
    sub.only(*LEVELS)
    return Tolerance(**{level: sub.number(level, 0.0) for level in LEVELS})


def _rule(table: TomlTable, spec_kind: str, views: tuple[str, ...], sides: str) -> Rule:
    table.only(*_CONDITION_KEYS, "id", "phases", "scope", "debounce", "severity", "views",
               "status", "tolerance", "levels", "note")
    phases_allowed = REP_PHASES if spec_kind == "reps" else HOLD_PHASES
    default_phases = ("out", "peak", "back") if spec_kind == "reps" else ("hold",)
    scope = table.string("scope", "frames", SCOPES)
    if scope == "rep_peak" and spec_kind != "reps":
        table.fail("scope", "'rep_peak' rules need kind = 'reps'")
    if scope == "rep_peak" and table.has("phases"):
        table.fail("phases", "'rep_peak' rules are checked once per rep, at its peak: no phases")
    rule_id = table.string("id")
    if not rule_id.isidentifier():
        table.fail("id", f"{rule_id!r} must be a plain identifier (letters, digits, _)")
    rule_views = _some(table, "views", list(views), VIEWS)
    for view in rule_views:
        if view not in views:
            table.fail("views", f"{view!r} is not among the exercise's views {list(views)}")
    fields = _condition_fields(table, sides, RULE_REFERENCES)
    if fields["relative_to"] == "own_reps" and scope != "rep_peak":
        table.fail("relative_to", "'own_reps' compares each rep's peak with the earlier reps' "
                                  "peaks: it needs scope = 'rep_peak'")
    rule = Rule(**fields, cue=table.string("cue"), id=rule_id,
                phases=() if scope == "rep_peak"
                else _some(table, "phases", list(default_phases), phases_allowed),
                scope=scope, debounce=table.number("debounce", 0.3, 0.0, 10.0),
                severity=table.choice("severity", "minor", SEVERITIES), views=rule_views,
                status=table.choice("status", "experimental", STATUSES),
                tolerance=_tolerance(table, "tolerance"),
                levels=_some(table, "levels", list(LEVELS), LEVELS),
                note=table.string("note", ""))
    _check_tolerance(table, rule)
    return rule


def _some(table: TomlTable, key: str, default: list[str], choices: tuple[str, ...]
          ) -> tuple[str, ...]:
    """A non-empty array of ``choices``: a rule with none of them could never apply."""
    value = table.strings(key, default, choices)
    if not value:
        table.fail(key, "empty: the rule would never apply (leave the key out for the default "
                        f"{default})")
    return value


def _check_tolerance(table: TomlTable, rule: Rule) -> None:
    """At every level the rule applies, its tolerance must leave a wanted range that is
    neither empty nor everything."""
    for level in rule.levels:
        low, high, outside = rule.bounds(rule.tolerance.at(level))
        if low > high:
            effect = "nothing is wanted" if not outside else "nothing is a fault"
            table.fail(f"tolerance.{level}",
                       f"{rule.tolerance.at(level):g} inverts the range to ({low:g}, {high:g}): "
                       f"{effect}")


def _setup(table: TomlTable, sides: str) -> Setup:
    table.only("hold_seconds", "lost_after", "min_body_in_frame", "body_height", "view_cue",
               "conditions")
    height = table.pair("body_height", [0.2, 1.0])
    if not (0.0 <= height[0] and height[1] <= 1.5):
        table.fail("body_height", "limits must lie in 0..1.5")
    return Setup(hold_seconds=table.number("hold_seconds", 1.0, 0.0, 30.0),
                 lost_after=table.number("lost_after", 1.0, 0.0, 30.0),
                 min_body_in_frame=table.number("min_body_in_frame", 0.5, 0.0, 1.0),
                 body_height=height, view_cue=table.string("view_cue", ""),
                 conditions=tuple(_setup_condition(c, sides) for c in table.children("conditions")))


def _rep(table: TomlTable, sides: str) -> RepDefinition:
    table.only("metric", "direction", "start", "end", "min_peak", "min_duration",
               "max_duration", "relative_to", "tolerance", "hidden_is_rest", "scale")
    metric = _metric(table, "metric", sides)
    if sides in ("left", "right", "alternating") and "{side}" not in metric:
        table.fail("metric", f"sides = '{sides}' needs a '{{side}}' placeholder to know the "
                             f"working side, got {metric!r}")
    direction = table.string("direction", choices=DIRECTIONS)
    start, end, peak = table.number("start"), table.number("end"), table.number("min_peak")
    sign = 1.0 if direction == "rising" else -1.0
    word = "below" if direction == "rising" else "above"
    if not sign * end < sign * start:
        table.fail("end", f"hysteresis inverted: end ({end:g}) must be {word} start ({start:g}) "
                          f"for a {direction} rep")
    if sign * peak < sign * start:
        table.fail("min_peak", f"min_peak ({peak:g}) must be at or beyond start ({start:g}) "
                               f"for a {direction} rep")
    min_duration = table.number("min_duration", 0.5, 0.0, 60.0)
    max_duration = table.number("max_duration", 10.0, 0.0, 600.0)
    if not min_duration < max_duration:
        table.fail("max_duration", f"must exceed min_duration ({min_duration:g})")
    relative_to = table.string("relative_to", "absolute", REFERENCES)
    scale = table.string("scale", "metric", REP_SCALES)
    if scale == "neutral" and relative_to != "neutral":
        table.fail("scale", "'neutral' measures the thresholds in fractions of the neutral "
                            "value: it needs relative_to = \"neutral\"")
    return RepDefinition(metric, direction, start, end, peak, min_duration, max_duration,
                         relative_to, _tolerance(table, "tolerance"),
                         table.boolean("hidden_is_rest", False), scale)


def _hold(table: TomlTable, sides: str) -> HoldDefinition:
    table.only("position", "enter_seconds", "exit_seconds", "progress_seconds")
    position = tuple(_condition(c, sides) for c in table.children("position"))
    if not position:
        table.fail("position", "missing required key (at least one condition)")
    if sides in ("left", "right", "alternating") and not any(is_sided(c.metric) for c in position):
        table.fail("position", f"sides = '{sides}' needs a position condition with '{{side}}' "
                               "to know the working side")
    return HoldDefinition(position, table.number("enter_seconds", 0.5, 0.0, 10.0),
                          table.number("exit_seconds", 0.5, 0.0, 10.0),
                          table.number("progress_seconds", 5.0, 0.5, 600.0))


def _calibration(table: TomlTable, sides: str) -> Calibration:
    table.only("seconds", "metrics")
    metrics = table.strings("metrics")
    if not metrics:
        table.fail("metrics", "name at least one metric")
    for i, name in enumerate(metrics):
        if not is_known(name):
            table.fail(f"metrics[{i}]", _unknown_metric(name))
        if sides == "none" and is_sided(name):
            table.fail(f"metrics[{i}]", f"{name!r} uses a side placeholder but sides = 'none'")
    return Calibration(table.number("seconds", low=0.1, high=30.0), metrics)


def _concrete(template: str) -> set[str]:
    return {resolve(template, s) for s in SIDES} if is_sided(template) else {template}


def _check_references(top: TomlTable, spec: Spec) -> None:
    """Every metric used relative to the neutral pose must be calibrated."""
    calibrated: set[str] = set()
    if spec.calibration is not None:
        for name in spec.calibration.metrics:
            calibrated |= _concrete(name)
    users: list[tuple[str, Condition | RepDefinition]] = [
        (f"rules[{i}]", rule) for i, rule in enumerate(spec.rules)]
    if spec.hold is not None:
        users += [(f"hold.position[{i}]", c) for i, c in enumerate(spec.hold.position)]
    if spec.rep is not None:
        users.append(("rep", spec.rep))
    for where, item in users:
        if item.relative_to == "neutral" and not _concrete(item.metric) <= calibrated:
            if spec.calibration is None:
                top.fail(f"{where}.relative_to", "'neutral' needs a [calibration] table")
            top.fail(f"{where}.relative_to",
                     f"'neutral' needs {item.metric!r} in calibration.metrics")


_TOP_KEYS = ("id", "title", "description", "kind", "sides", "views", "dosage", "setup",
             "calibration", "rep", "hold", "rules")


def parse_spec(data: dict[str, Any], source: str, expected_id: str | None = None) -> Spec:
    """Validate TOML ``data`` (already parsed) into a :class:`Spec`; ``source`` names the file
    in error messages; ``expected_id`` (the file's stem) must equal the spec's id."""
    top = TomlTable(data, "", source, SpecError)
    top.only(*_TOP_KEYS)
    spec_id = top.string("id")
    if not spec_id.isidentifier() or spec_id != spec_id.lower():
        top.fail("id", f"{spec_id!r} must be lower_snake_case")
    if expected_id is not None and spec_id != expected_id:
        top.fail("id", f"{spec_id!r} does not match the file name '{expected_id}.toml'")
    kind = top.string("kind", choices=KINDS)
    sides = top.string("sides", choices=SIDE_MODES)
    views = top.strings("views", choices=VIEWS)
    if not views:
        top.fail("views", "name at least one view")
    if kind == "reps" and not top.has("rep"):
        top.fail("rep", "missing required key (kind = 'reps')")
    if kind == "hold" and not top.has("hold"):
        top.fail("hold", "missing required key (kind = 'hold')")
    if kind == "reps" and top.has("hold"):
        top.fail("hold", "only for kind = 'hold'")
    if kind == "hold" and top.has("rep"):
        top.fail("rep", "only for kind = 'reps'")
    dosage = Dosage()
    if top.has("dosage"):
        d = top.child("dosage")
        d.only("reps_per_side", "sets", "hold_seconds", "rest_seconds")
        dosage = Dosage(d.integer("reps_per_side", 0), d.integer("sets", 1),
                        d.number("hold_seconds", 0.0, 0.0, 3600.0),
                        d.number("rest_seconds", 0.0, 0.0, 3600.0))
    rules = tuple(_rule(r, kind, views, sides) for r in top.children("rules"))
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            top.fail(f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    spec = Spec(
        id=spec_id, title=top.string("title"), description=top.string("description", ""),
        kind=kind, sides=sides, views=views, dosage=dosage,
        setup=_setup(top.child("setup"), sides) if top.has("setup") else Setup(),
        rules=rules,
        calibration=_calibration(top.child("calibration"), sides)
        if top.has("calibration") else None,
        rep=_rep(top.child("rep"), sides) if kind == "reps" else None,
        hold=_hold(top.child("hold"), sides) if kind == "hold" else None,
        source=source)
    _check_references(top, spec)
    return spec


# ----------------------------------------------------------------------------- public API

def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path) if Path.cwd() in path.resolve().parents else str(path)
    except ValueError:
        return str(path)


def read_spec(path: str | os.PathLike[str]) -> Spec:
    """Load and validate one spec file."""
    path = Path(path)
    source = _display(path)
    return parse_spec(read_toml(path, source, SpecError), source, expected_id=path.stem)


def load_spec(name_or_path: str | os.PathLike[str]) -> Spec:
    """A spec by exercise id (from the default directory) or by file path."""
    text = str(name_or_path)
    if text.endswith(".toml") or os.sep in text or "/" in text:
        return read_spec(Path(text))
    path = DEFAULT_SPECS_DIR / f"{text}.toml"
    if not path.exists():
        known = ", ".join(p.stem for p in sorted(DEFAULT_SPECS_DIR.glob("*.toml")))
        raise SpecError(f"{text}: no such exercise (known: {known})")
    return read_spec(path)


def list_specs(directory: str | os.PathLike[str] | None = None) -> list[Spec]:
    """Every spec in ``directory`` (default: the shipped ``exercise_specs``), sorted by id."""
    folder = Path(directory) if directory is not None else DEFAULT_SPECS_DIR
    return [read_spec(p) for p in sorted(folder.glob("*.toml"))]


def validate_specs(paths: Iterable[str | os.PathLike[str]] | None = None) -> list[str]:
    """One error line per invalid file among ``paths`` (default: all shipped specs)."""
    files = sorted(DEFAULT_SPECS_DIR.glob("*.toml")) if paths is None else [Path(p) for p in paths]
    errors = []
    for path in files:
        try:
            read_spec(path)
        except SpecError as exc:
            errors.append(str(exc))
    return errors
