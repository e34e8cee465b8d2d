"""Live coaching session: capture thread, speech, window, routines.

Example
-------
>>> from posecheck.live import run_live
>>> summary = run_live("bird_dog", source=0, voice="espeak")      # doctest: +SKIP
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # imported on first use (below); type checkers see it here
    from posecheck.live.session import run_live as run_live

__all__ = ["run_live"]


def __getattr__(name: str) -> object:
    if name == "run_live":
        from posecheck.live.session import run_live

        return run_live
    raise AttributeError(name)
