"""Rule cards: ``posecheck specs show ID`` prints each rule's status and measured numbers."""
from __future__ import annotations

from posecheck.cli import main
from posecheck.outputs.rule_cards import load_measurements, spec_cards, wilson
from posecheck.checking.spec import load_spec


def test_wilson_interval_matches_the_textbook_values() -> None:
    assert wilson(19, 20) == (0.764, 0.991)
    assert wilson(0, 36) == (0.0, 0.096)
    assert wilson(6, 6)[0] == 0.61


def test_specs_show_prints_status_and_numbers(capsys) -> None:
    measured = load_measurements()["rules"]["bird_dog.hips_stay_level"]
    spec = load_spec("bird_dog")

    assert main(["specs", "show", "bird_dog"]) == 0

    out = capsys.readouterr().out
    card = out.split("### `bird_dog.hips_stay_level`")[1].split("\n### ")[0]
    assert card.startswith(f": {spec.rule('hips_stay_level').status}\n")
    for row in measured["synthetic"]:
        assert f"sensitivity {row['fault_hits']}/{row['fault_n']}" in card
        assert f"false alarms {row['clean_alarms']}/{row['clean_n']}" in card
    real = measured["real"]
    assert f"{real['alarms']} false alarms on {real['judged']} clean reps" in card
    assert "Views: side" in card
    assert "as if a cup sat on your lower back" in card


def test_a_rule_without_measurements_says_so() -> None:
    text = spec_cards(load_spec("squat"), {"rules": {}})
    assert text.startswith("## ")
    assert text.count("Not measured") == len(load_spec("squat").rules)


def test_specs_show_unknown_spec_is_a_one_line_error(capsys) -> None:
    assert main(["specs", "show", "no_such_exercise"]) == 2
    assert "no_such_exercise" in capsys.readouterr().err


def test_a_card_shows_its_caught_fault_picture() -> None:
    measured = {"synthetic": [], "real": None, "example": "img/rules/squat.chest_up.jpg"}
    text = spec_cards(load_spec("squat"), {"rules": {"squat.chest_up": measured}})
    card = text.split("### `squat.chest_up`")[1].split("\n### ")[0]
    assert "![squat.chest_up caught](img/rules/squat.chest_up.jpg)" in card
