"""The checker's records, as typed dicts: plain JSON-ready dicts at run time (the report
format, docs/REPORT.md), typed for readers and type checkers."""
from __future__ import annotations

from typing import Any, Literal, TypedDict

from posecheck.pose.landmarks import Side as Side

Status = Literal["validated", "experimental"]
Severity = Literal["minor", "major"]
#: Which end of a rep the clip cut off: its start, its end, or both (recorded clips).
Partial = Literal["start", "end", "both"]


class FaultRecord(TypedDict):
    """One fault: a rule that failed from ``start_s`` to ``end_s`` (None while open)."""

    rule: str
    side: Side | None
    start_s: float
    end_s: float | None
    worst: float
    cue: str
    status: Status
    severity: Severity


class RepFault(TypedDict):
    """A fault as listed under the rep it happened in."""

    rule: str
    side: Side | None
    status: Status
    severity: Severity
    worst: float


class RepDetail(TypedDict):
    """One counted rep: when, how far (``range`` from rest or neutral), its peak values and
    faults; ``clean`` when no validated rule failed; ``partial`` when the clip cut it;
    ``own_reps``: rule id -> the value each own-reps rule judged (peak minus the earlier reps'
    median), for the rules that judged this rep."""

    side: Side | None
    start_s: float
    end_s: float
    peak_s: float
    range: float
    partial: Partial | None
    peak: dict[str, float | None]
    faults: list[RepFault]
    clean: bool
    own_reps: dict[str, float]


class HoldRecord(TypedDict):
    """One hold bout: seconds credited in good form (``end_s`` None while still held)."""

    side: Side | None
    start_s: float
    end_s: float | None
    seconds: float
    target_reached: bool


class Summary(TypedDict):
    """:meth:`posecheck.checking.checker.Checker.summary`: the session's counts, records and notes."""

    strictness: str
    setup_complete: bool
    calibration: dict[str, float | None] | None
    reps: dict[str, int]
    rejected_reps: dict[str, int]
    rep_details: list[RepDetail]
    holds: list[HoldRecord]
    hold_seconds: dict[str, float]
    faults: list[FaultRecord]
    fault_count: int
    hint_count: int
    asymmetry: dict[str, Any] | None
    notes: list[str]
