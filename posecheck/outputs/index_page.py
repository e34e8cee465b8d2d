"""The index page of a folder run (``posecheck analyze DIR --html``): one row per input, in the
order of ``summary.md``, linking each report page, with its counts, faults, hints and notes.
Everything from the inputs (file names, notes, error messages) is escaped.

>>> page = render_index([("a.mp4", "error", "", "", "", "a.mp4: file is empty")], [None],
...                     Path("reports/index.html"))
>>> "a.mp4: file is empty" in page and "<a " not in page
True
"""
from __future__ import annotations

import os
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#1e293b}
.sub{color:#64748b}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid
#e2e8f0;padding:.3em .5em;text-align:left;font-size:.9em;vertical-align:top}
.error,.fault{color:#b91c1c}.hint{color:#b45309}"""


def _counts(report: dict[str, Any]) -> str:
    if report["exercise"].get("kind") == "hold":
        held = (report.get("hold_seconds") or {}).get("total") or 0.0
        return f"held {held:.1f} s in good form"
    reps = report.get("reps", {})
    return (f"{reps.get('total', 0)} reps (left {reps.get('left', 0)}, "
            f"right {reps.get('right', 0)})")


def _link(report: dict[str, Any], name: str, index: Path) -> str:
    page = report.get("html_report")
    if not page:
        return escape(name)
    relative = Path(os.path.relpath(Path(page).absolute(), index.absolute().parent)).as_posix()
    href = quote(relative, errors="surrogateescape")  # a name's undecodable bytes, as bytes
    return f"<a href=\"{escape(href)}\">{escape(name)}</a>"


def _row(row: Sequence[Any], report: dict[str, Any] | None, index: Path) -> str:
    name, status, *_, notes = (str(cell) for cell in row)
    if report is None:
        return (f"<tr class=\"error\"><td>{escape(name)}</td><td>{escape(status)}</td>"
                f"<td></td><td></td><td></td><td>{escape(notes)}</td></tr>")
    faults, hints = report.get("fault_count", 0), report.get("hint_count", 0)
    note_items = "".join(f"<li>{escape(n)}</li>" for n in report.get("notes", []))
    interrupted = " (interrupted)" if report.get("interrupted") else ""
    return (f"<tr><td>{_link(report, name, index)}</td><td>{escape(status + interrupted)}</td>"
            f"<td>{escape(_counts(report))}</td>"
            f"<td class=\"{'fault' if faults else ''}\">{faults}</td>"
            f"<td class=\"{'hint' if hints else ''}\">{hints}</td>"
            f"<td>{f'<ul>{note_items}</ul>' if note_items else ''}</td></tr>")


def render_index(rows: Sequence[Sequence[Any]], reports: Sequence[dict[str, Any] | None],
                 index: Path) -> str:
    """The index page, to be written at ``index``.

    rows : the summary rows (input name, status, reps left, reps right, faults, notes or the
        error), in input order; reports : each input's report, None where it failed.
    """
    exercise = next((r["exercise"] for r in reports if r is not None), None)
    title = f"{exercise['title']}: {len(rows)} inputs" if exercise else f"{len(rows)} inputs"
    body = "".join(_row(row, report, index) for row, report in zip(rows, reports))
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)} – "
            f"posecheck</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
            f"<p class=\"sub\">Made {datetime.now():%Y-%m-%d %H:%M}. Faults come from validated "
            "rules and count; hints come from rules not yet validated. Each name opens that "
            "input's report page.</p><table><tr><th>input</th><th>status</th><th>counts</th>"
            f"<th>faults</th><th>hints</th><th>notes</th></tr>{body}</table></body></html>\n")
