"""The errors a user can cause (a bad file, a missing model, a malformed spec, an output that
cannot be written). Each is a :class:`PosecheckError` whose message is one line naming the file
and the problem; the command line prints it and exits with status 2. Anything else is a bug and
keeps its traceback.

>>> one_line("clip\\x1b[31m.mp4: no such\\nfile")
'clip\\\\x1b[31m.mp4: no such file'
"""
from __future__ import annotations

import unicodedata


class PosecheckError(Exception):
    """Root of the errors a user can cause; ``str()`` is one line naming the file."""


class TrackError(PosecheckError, ValueError):
    """A ``.track.npz`` file that is not a usable PoseTrack."""


class OutputError(PosecheckError):
    """An output (report folder, annotated video) that cannot be written."""


def strip_controls(text: str, keep: str = "\n\t") -> str:
    """``text`` without control characters (terminal escape sequences lose their ESC), except
    those in ``keep``."""
    return "".join(c for c in text if c in keep or unicodedata.category(c) != "Cc")


def one_line(text: str) -> str:
    """``text`` safe to print as one terminal line: whitespace runs become one space; other
    control characters, and the undecodable bytes of a file name, are shown escaped."""
    text = " ".join(text.split())
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cs")
                   else c.encode("unicode_escape").decode() for c in text)
