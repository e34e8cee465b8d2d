"""One annotated frame of a caught fault per rule, for the rule cards (``docs/RULES.md``).

From an ``evaluate --json`` file of ``benchmarks/validate_rules.py`` and the folder of its
synthetic clips (the project's own renders, never third-party footage), each rule gets the
frame of its largest caught fault: the video frame in the middle of the rule's fault event
inside that rep, the skeleton drawn with the rule's landmarks in red, cropped to the person,
captioned. Written to ``docs/img/rules/<spec>.<rule>.jpg`` and named in
``benchmarks/rule_measurements.json`` (``example``) for ``benchmarks/rule_cards.py``.

    .venv/bin/python benchmarks/rule_examples.py /tmp/report.json .cache/validation
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from validate_rules import FOLLOWED_MIN, analyse_clip  # noqa: E402

from posecheck.measure.vocabulary import is_sided, resolve  # noqa: E402
from posecheck.outputs.display import metric_landmarks  # noqa: E402
from posecheck.outputs.rule_cards import MEASUREMENTS  # noqa: E402
from posecheck.outputs.thumbnails import FrameGrabber  # noqa: E402

OUT = ROOT / "docs" / "img" / "rules"
#: Picture height in pixels and JPEG quality: a card's picture, small in the repository.
HEIGHT, QUALITY = 240, 80


def best_catches(results: dict) -> dict[tuple[str, str], tuple[str, dict]]:
    """(spec, rule) -> (clip name, instance) of its largest caught fault (the model following
    the person), the first such clip on ties."""
    best: dict[tuple[str, str], tuple[str, dict]] = {}
    for clip in results["clips"]:
        for inst in clip["instances"]:
            if inst["label"] != "fault" or not inst["fired"] \
                    or inst.get("followed", 1.0) < FOLLOWED_MIN:
                continue
            key = (clip["spec"], inst["rule"])
            size = inst.get("size") or 0.0
            if key not in best or size > (best[key][1].get("size") or 0.0):
                best[key] = (clip["name"], inst)
    return best


def caught_time(events: list, rule: str, start: float, end: float) -> float:
    """Middle of the first fault event of ``rule`` overlapping ``start``..``end`` seconds,
    clipped to that span."""
    for e in events:
        if e.kind == "fault_started" and e.rule == rule:
            a = float(e.data.get("start_s", e.time))
            b = next((float(f.data["end_s"]) for f in events if f.kind == "fault_ended"
                      and f.rule == rule and f.data.get("start_s") == e.data.get("start_s")), end)
            lo, hi = max(a, start), min(b, end)
            if lo <= hi:
                return 0.5 * (lo + hi)
    return 0.5 * (start + end)


def picture(folder: Path, name: str, spec_id: str, inst: dict) -> np.ndarray | None:
    """The captioned picture (BGR) of one caught instance, or None."""
    video = folder / f"{name}.mp4"
    _, analysis = analyse_clip(video, spec_id)
    rule = next(r for r in analysis.spec.rules if r.id == inst["rule"])
    metric = resolve(rule.metric, inst["side"] or "left") if is_sided(rule.metric) \
        else rule.metric
    at = caught_time(analysis.events, rule.id, inst["start"], inst["end"])
    with FrameGrabber(video, analysis.track) as grabber:
        image = grabber.picture(at, metric_landmarks(metric))
    if image is None:
        return None
    image = cv2.resize(image, (max(1, round(image.shape[1] * HEIGHT / image.shape[0])), HEIGHT),
                       interpolation=cv2.INTER_AREA)
    size = f"{inst['size']:g} degree " if inst.get("size") else ""
    caption = f"{size}{'+'.join(inst['kinds'])} caught, {name.split('_', 1)[0]} at {at:.1f} s"
    strip = np.full((22, max(image.shape[1], 8 * len(caption)), 3), 255, np.uint8)
    cv2.putText(strip, caption, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                cv2.LINE_AA)
    canvas = np.full((HEIGHT + 22, strip.shape[1], 3), 255, np.uint8)
    canvas[:HEIGHT, :image.shape[1]] = image
    canvas[HEIGHT:] = strip
    return canvas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, help="an `evaluate --json` file")
    parser.add_argument("folder", type=Path, help="the clips it scored")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = json.loads(MEASUREMENTS.read_text(encoding="utf-8"))
    for (spec_id, rule_id), (name, inst) in sorted(best_catches(
            json.loads(args.results.read_text())).items()):
        image = picture(args.folder, name, spec_id, inst)
        if image is None:
            print(f"{spec_id}.{rule_id}: {name}: frame not readable", file=sys.stderr)
            continue
        path = OUT / f"{spec_id}.{rule_id}.jpg"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
        measured = data["rules"].setdefault(f"{spec_id}.{rule_id}", {"synthetic": [], "real": None})
        measured["example"] = str(path.relative_to(ROOT / "docs"))
        print(f"{spec_id}.{rule_id}: {path.relative_to(ROOT)} ({name})")
    MEASUREMENTS.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
