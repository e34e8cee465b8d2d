"""Spec loading: every shipped spec validates; malformed specs give one clear line each."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from posecheck.checking import spec as spec_module
from posecheck.checking.spec import (DEFAULT_SPECS_DIR, SpecError, list_specs, load_spec, parse_spec,
                            read_spec, validate_specs)
from posecheck.measure.vocabulary import METRIC_NAMES, SIDED_METRICS

BAD_SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_specs"

EXERCISES = (
    "bird_dog bridge_leg_extension bridge_knee_drive hip_bridge_hold ninety_ninety_er "
    "active_ninety_ninety_er ninety_ninety_ir active_ninety_ninety_ir seated_hip_opener "
    "active_hamstring_stretch hip_circles seated_hamstring_stretch knee_to_chest "
    "standing_figure_four side_lying_leg_raise lunge lunge_matrix cossack_squat fire_hydrant "
    "spiderman_reach hurdle_walk plank_thoracic_rotation pigeon butterfly hip_flexor_stretch "
    "figure_four_stretch it_band_stretch squat glute_bridge").split()

#: fixture → (key path, problem fragment) expected in the one-line error.
EXPECTED_ERRORS = {
    "unknown_metric": ("rules[1].metric", "unknown metric 'knee_rize_{side}'"),
    "bad_comparison": ("rules[0].comparison", "'greater_than' is not one of: above, below"),
    "missing_key": ("rep.metric", "missing required key"),
    "wrong_type": ("rep.start", "must be a number, got a string"),
    "unknown_view": ("views", "'top' is not one of: side, front, rear, oblique"),
    "hysteresis_inverted": ("rep.end", "hysteresis inverted: end (0.4) must be below start (0.3)"),
    "code_injection": ("rules[0].metric", "unknown metric \"__import__('os')"),
    "code_in_comparison": ("rules[0].comparison", "\"__import__('os')"),
    "unknown_key": ("rules[0].treshold", "unknown key"),
    "neutral_without_calibration": ("rep.relative_to", "'neutral' needs a [calibration] table"),
    "invalid_toml": ("invalid TOML", "line"),
    "id_mismatch": ("id", "'some_other_id' does not match the file name 'id_mismatch.toml'"),
    "range_for_above": ("rules[0].range", "'above' takes 'value', not 'range'"),
    "rule_view_not_in_spec": ("rules[0].views", "'front' is not among the exercise's views"),
    "side_needed": ("rep.metric", "needs a '{side}' placeholder"),
}


def test_every_exercise_has_a_valid_spec() -> None:
    specs = {s.id: s for s in list_specs()}
    assert sorted(specs) == sorted(EXERCISES)
    assert validate_specs() == []
    for spec in specs.values():
        assert Path(spec.source).stem == spec.id
        assert spec.title and spec.description and spec.rules is not None


def test_every_rule_says_whether_it_is_validated() -> None:
    for spec in list_specs():
        for rule in spec.rules:
            assert rule.status in ("validated", "experimental")
            if rule.status == "validated":  # measured on synthetic ground truth, and says where
                assert "VALIDATION.md" in rule.note, (spec.id, rule.id)


def test_bird_dog_is_honest_about_what_landmarks_cannot_see() -> None:
    bird_dog = load_spec("bird_dog")
    assert bird_dog.sides == "alternating" and "side" in bird_dog.views
    assert bird_dog.calibration is not None and bird_dog.calibration.seconds == 1.0
    assert bird_dog.rep is not None and "{side}" in bird_dog.rep.metric
    assert "pelvis_roll" not in {r.metric for r in bird_dog.rules}
    # The silhouette "virtual cup" caught the synthetic faults side-on but fired on every clean
    # real rep measured (benchmarks/VALIDATION.md, issue 9): no bird dog rule counts yet.
    assert [r.id for r in bird_dog.rules if r.status == "validated"] == []
    assert bird_dog.rule("hips_stay_level").views == ("side",)
    assert bird_dog.rule("hips_stay_level").metric == "back_sag"
    assert bird_dog.rule("hips_stay_level").relative_to == "neutral"


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_bad_spec_gives_one_line_naming_file_and_key(name: str) -> None:
    key, problem = EXPECTED_ERRORS[name]
    with pytest.raises(SpecError) as caught:
        read_spec(BAD_SPECS / f"{name}.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"tests/fixtures/bad_specs/{name}.toml: ") or \
        f"bad_specs/{name}.toml: " in message
    assert key in message and problem in message, message


def test_every_fixture_is_covered() -> None:
    assert sorted(p.stem for p in BAD_SPECS.glob("*.toml")) == sorted(EXPECTED_ERRORS)


def test_nothing_in_a_spec_executes(tmp_path: Path) -> None:
    sentinel = Path("/tmp/posecheck_pwned")
    sentinel.unlink(missing_ok=True)
    errors = validate_specs(sorted(BAD_SPECS.glob("code_*.toml")))
    assert len(errors) == 2 and not sentinel.exists()
    # Cue text is only text: even a brace expression stays as written.
    source = (BAD_SPECS / "code_injection.toml").read_text().replace(
        "metric = \"__import__('os').system('touch /tmp/posecheck_pwned')\"",
        'metric = "trunk_from_vertical"')
    path = tmp_path / "code_injection.toml"
    path.write_text(source)
    spec = read_spec(path)
    assert spec.rules[0].cue.startswith("{__import__") and not sentinel.exists()


def test_validate_specs_reports_each_bad_file() -> None:
    files = sorted(BAD_SPECS.glob("*.toml"))
    errors = validate_specs(files)
    assert len(errors) == len(files)
    assert validate_specs([DEFAULT_SPECS_DIR / "bird_dog.toml"]) == []


def test_load_spec_by_name_or_path() -> None:
    assert load_spec("squat").id == "squat"
    assert load_spec(DEFAULT_SPECS_DIR / "squat.toml").id == "squat"
    assert load_spec(str(DEFAULT_SPECS_DIR / "lunge.toml")).id == "lunge"
    with pytest.raises(SpecError, match="no such exercise.*bird_dog"):
        load_spec("burpee")
    with pytest.raises(SpecError, match="cannot read"):
        load_spec("missing_dir/none.toml")


def test_list_specs_of_another_directory(tmp_path: Path) -> None:
    (tmp_path / "squat.toml").write_text((DEFAULT_SPECS_DIR / "squat.toml").read_text())
    assert [s.id for s in list_specs(tmp_path)] == ["squat"]


def test_specs_load_by_id_from_any_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert {p.stem for p in DEFAULT_SPECS_DIR.glob("*.toml")} == set(EXERCISES)
    assert load_spec("bird_dog").id == "bird_dog"


def _minimal(**changes: object) -> dict:
    data: dict = {"id": "x", "title": "X", "kind": "reps", "sides": "both", "views": ["side"],
                  "rep": {"metric": "knee_flexion_{side}", "direction": "falling", "start": 50,
                          "end": 70, "min_peak": 20}}
    data.update(changes)
    return data


def test_falling_rep_hysteresis_and_peak_order() -> None:
    parse_spec(_minimal(), "x.toml")
    with pytest.raises(SpecError, match="rep.end: hysteresis inverted.*above start"):
        parse_spec(_minimal(rep={"metric": "knee_flexion_{side}", "direction": "falling",
                                 "start": 50, "end": 40, "min_peak": 20}), "x.toml")
    with pytest.raises(SpecError, match="rep.min_peak: .*at or beyond start"):
        parse_spec(_minimal(rep={"metric": "knee_flexion_{side}", "direction": "falling",
                                 "start": 50, "end": 70, "min_peak": 60}), "x.toml")


def test_more_structural_errors() -> None:
    cases = [
        (_minimal(kind="hold"), "hold: missing required key"),
        (_minimal(sides="sideways"), "sides: 'sideways' is not one of"),
        (_minimal(views=[]), "views: name at least one view"),
        (_minimal(dosage={"sets": 1.5}), "dosage.sets: must be a non-negative integer"),
        (_minimal(setup={"body_height": [0.9, 0.2]}), "setup.body_height: low (0.9) must be below"),
        (_minimal(rules=[{"id": "a", "metric": "trunk_lean", "comparison": "below", "value": 1,
                          "cue": "c", "tolerance": {"expert": 1}}]),
         "rules[0].tolerance.expert: unknown key"),
        (_minimal(rules=[{"id": "a", "metric": "trunk_lean", "comparison": "below", "value": 1,
                          "cue": "c", "phases": ["hold"]}]),
         "rules[0].phases: 'hold' is not one of: rest, out, peak, back"),
        (_minimal(rules=[{"id": "a", "metric": "trunk_lean", "comparison": "below", "value": 1,
                          "cue": "c"}] * 2), "rules[1].id: duplicate rule id 'a'"),
        (_minimal(rules=[{"id": "a", "metric": "trunk_lean", "comparison": "below",
                          "value": float("nan"), "cue": "c"}]),
         "rules[0].value: must be a finite number"),
        (_minimal(setup={"conditions": [{"metric": "trunk_lean", "comparison": "below",
                                         "value": 1, "cue": "c", "relative_to": "neutral"}]}),
         "setup.conditions[0].relative_to: setup conditions cannot be relative"),
        (_minimal(sides="none"), "rep.metric: 'knee_flexion_{side}' uses a side placeholder"),
        (_minimal(rules=[{"id": "a", "metric": "trunk_lean", "comparison": "below", "value": 1,
                          "cue": "c", "relative_to": "own_reps"}]),
         "rules[0].relative_to: 'own_reps' compares each rep's peak"),
        (_minimal(rep={"metric": "knee_flexion_{side}", "direction": "rising", "start": 40,
                       "end": 25, "min_peak": 60, "relative_to": "own_reps"}),
         "rep.relative_to: 'own_reps' is not one of: absolute, neutral"),
    ]
    for data, fragment in cases:
        with pytest.raises(SpecError) as caught:
            parse_spec(data, "x.toml")
        assert str(caught.value).startswith("x.toml: ") and fragment in str(caught.value), \
            (fragment, str(caught.value))


def test_schema_matches_the_loader() -> None:
    schema = json.loads((DEFAULT_SPECS_DIR / "schema.json").read_text())
    assert set(schema["properties"]) == set(spec_module._TOP_KEYS)
    props = schema["properties"]
    assert props["kind"]["enum"] == list(spec_module.KINDS)
    assert props["sides"]["enum"] == list(spec_module.SIDE_MODES)
    assert props["views"]["items"]["enum"] == list(spec_module.VIEWS)
    rule = schema["$defs"]["rule"]["properties"]
    assert rule["comparison"]["enum"] == list(spec_module.COMPARISONS)
    assert rule["status"]["enum"] == list(spec_module.STATUSES)
    pattern = re.compile(schema["$defs"]["metric"]["pattern"])
    for name in METRIC_NAMES:
        assert pattern.match(name)
    for base in SIDED_METRICS:
        assert pattern.match(f"{base}_{{side}}") and pattern.match(f"{base}_{{other}}")
    assert not pattern.match("knee_rize_{side}")


def test_readme_lists_every_spec_with_its_rules() -> None:
    readme = (DEFAULT_SPECS_DIR / "README.md").read_text()
    for spec in list_specs():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{spec.id}` |"))
        for rule in spec.rules:
            status = "**validated**" if rule.status == "validated" else "exp."
            assert f"`{rule.id}` ({status})" in row, (spec.id, rule.id)
