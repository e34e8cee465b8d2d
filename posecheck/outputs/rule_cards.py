"""Rule cards: per form rule, what it checks and why, where it can be trusted, and how well it
was measured (synthetic ground truth and real clean footage), from the spec and the
measurement file ``benchmarks/rule_measurements.json``.

``posecheck specs show ID`` prints a spec's cards; ``benchmarks/rule_cards.py`` writes them
all to ``docs/RULES.md``.

>>> wilson(19, 20)
(0.764, 0.991)
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from posecheck.measure.readable import metric_name
from posecheck.checking.spec import Rule, Spec

#: The measurement file beside the shipped specs (a source checkout).
MEASUREMENTS = Path(__file__).resolve().parents[2] / "benchmarks" / "rule_measurements.json"

_COMPARISON = {"above": "at least {value}", "below": "at most {value}",
               "between": "between {low} and {high}", "outside": "outside {low}..{high}"}


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score 95 % interval of the proportion ``hits / n`` (rounded to 3 places)."""
    if n <= 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3))


def load_measurements(path: Path = MEASUREMENTS) -> dict[str, Any]:
    """The measurement file's content ({} when it is absent, e.g. in an installed wheel)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _metric_words(template: str) -> str:
    """ "knee bend of the working side" for ``knee_flexion_{side}``."""
    for slot, whose in (("_{side}", "of the working side"), ("_{other}", "of the other side")):
        if template.endswith(slot):
            return f"{metric_name(template[:-len(slot)])} {whose}"
    return metric_name(template)


def _wanted(rule: Rule) -> str:
    """The rule's wanted condition in words, e.g. "low-back sag (`back_sag`) at most 0.015
    relative to the user's own neutral pose"."""
    low, high = rule.range if rule.range else (None, None)
    text = _COMPARISON[rule.comparison].format(value=rule.value, low=low, high=high)
    reference = {"neutral": " relative to the user's own neutral pose",
                 "own_reps": " relative to the median of the user's earlier reps (of the "
                             "same side for a sided metric; the first is not judged)"
                 }.get(rule.relative_to, "")
    return f"{_metric_words(rule.metric)} (`{rule.metric}`) {text}{reference}"


def _rate(label: str, hits: int, n: int) -> str:
    low, high = wilson(hits, n)
    return f"{label} {hits}/{n} = {hits / n:.2f} (95 % CI {low:.2f}-{high:.2f})"


def _synthetic_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        parts = []
        if row.get("fault_n"):
            parts.append(_rate("sensitivity", row["fault_hits"], row["fault_n"]))
        if row.get("clean_n"):
            parts.append(_rate("false alarms", row["clean_alarms"], row["clean_n"]))
        if row.get("smallest_fault"):
            parts.append(f"smallest fault caught 85 % of the time: {row['smallest_fault']}")
        lines.append(f"  - {row['set']}, {row['view']} views: " + "; ".join(parts))
    return lines


def _real_line(real: dict[str, Any] | None) -> str:
    if not real:
        return "- Real clean footage: not measured"
    unit = real.get("unit", "reps")
    unit = unit if real["judged"] != 1 else unit.rstrip("s")
    return (f"- Real clean footage: {real['alarms']} false alarms on {real['judged']} clean "
            f"{unit} judged in the rule's views ({real.get('clips', 0)} clip(s))")


def rule_card(spec: Spec, rule: Rule, measured: dict[str, Any] | None) -> str:
    """One rule's card as Markdown."""
    views = ", ".join(rule.views or spec.views)
    lines = [f"### `{spec.id}.{rule.id}`: {rule.status}", "",
             f"- Cue: \"{rule.cue}\" ({rule.severity})",
             f"- Checks: {_wanted(rule)}, in phases {', '.join(rule.phases) or rule.scope}",
             f"- Views: {views}"]
    if measured:
        if measured.get("smallest_fault"):
            lines.append(f"- Smallest fault measured: {measured['smallest_fault']}")
        if measured.get("synthetic"):
            lines.append("- Synthetic ground truth (MediaPipe full, end to end):")
            lines += _synthetic_lines(measured["synthetic"])
        lines.append(_real_line(measured.get("real")))
        if measured.get("alternative"):
            lines.append(f"- Measured alternative: {measured['alternative']}")
        if measured.get("verdict"):
            lines.append(f"- Verdict ({measured.get('date', '?')}): {measured['verdict']}")
        if measured.get("example"):
            lines.append(f"- A caught fault (synthetic render): ![{spec.id}.{rule.id} caught]"
                         f"({measured['example']})")
    else:
        lines.append("- Not measured: no synthetic fault and no real clean clip yet")
    if rule.note:
        lines.append(f"- Note: {rule.note}")
    return "\n".join(lines)


def spec_cards(spec: Spec, measurements: dict[str, Any] | None = None) -> str:
    """All cards of a spec, headed by its title."""
    data = load_measurements() if measurements is None else measurements
    rules = data.get("rules", {})
    cards = [rule_card(spec, rule, rules.get(f"{spec.id}.{rule.id}")) for rule in spec.rules]
    return "\n\n".join([f"## {spec.title} (`{spec.id}`)"] + (cards or ["No form rules."]))
