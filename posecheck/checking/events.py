"""Events: what the checker tells sinks (overlay, speech, reports).

Kinds (docs/ARCHITECTURE.md): ``setup``, ``ready``, ``calibrated``, ``rep_started``,
``rep_completed``, ``rep_rejected``, ``fault_started``, ``fault_ended``, ``hold_started``,
``hold_progress``, ``hold_completed``, ``side_switch``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

EventKind = Literal["setup", "ready", "calibrated", "rep_started", "rep_completed",
                    "rep_rejected", "fault_started", "fault_ended", "hold_started",
                    "hold_progress", "hold_completed", "side_switch"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


@dataclass(frozen=True)
class Event:
    """One thing that happened at ``time`` seconds.

    kind : one of :data:`EVENT_KINDS`.
    side : ``"left"`` / ``"right"`` for the working side, else None.
    rule : the rule id for fault events, else None.
    message : cue text to show or speak ("" when there is nothing to say).
    data : details (per-rep metrics, worst values, seconds held...).

    >>> Event("ready", 1.5, None, None, "Ready").kind
    'ready'
    """

    kind: EventKind
    time: float
    side: str | None
    rule: str | None
    message: str
    data: dict[str, Any] = field(default_factory=dict)
