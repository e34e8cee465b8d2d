"""Live coaching session: capture thread, speech, window, routines.

Example
-------
>>> from posecheck.live import run_live
>>> summary = run_live("bird_dog", source=0, voice="espeak")      # doctest: +SKIP
"""
from __future__ import annotations

__all__ = ["run_live"]


def __getattr__(name: str):
    if name == "run_live":
        from posecheck.live.session import run_live

        return run_live
    raise AttributeError(name)
