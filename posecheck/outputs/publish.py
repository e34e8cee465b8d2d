"""Outputs that appear together or not at all, and checks that they can be written before any
work starts.

An :class:`OutputSet` stages each output in a part file beside its target; :meth:`publish`
renames them all into place, and if one rename fails the ones already renamed are rolled back
(an earlier version of a target is restored). Leaving the ``with`` block any other way removes
the part files, so an analysis leaves all of its outputs or none of them.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with OutputSet() as outputs:
...     outputs.write(folder / "a.txt", lambda part: part.write_text("a"))
...     outputs.write(folder / "b.txt", lambda part: part.write_text("b"))
...     outputs.publish()
>>> sorted(p.name for p in folder.iterdir())
['a.txt', 'b.txt']
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable

from posecheck.errors import OutputError


def check_file(target: Path, what: str) -> None:
    """Raise :class:`OutputError` unless the file ``target`` can be written (its folder
    exists or can be created, and is writable); ``what`` names it in the message."""
    problem = "it is a folder" if target.is_dir() else _folder_problem(target.parent)
    if problem is not None:
        raise OutputError(f"{target}: cannot write the {what}: {problem}")


def _folder_problem(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (made first if missing), None if they can."""
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


class OutputSet:
    """Files written to part paths and published together (see the module docstring)."""

    def __init__(self) -> None:
        self._token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._staged: list[tuple[Path, Path]] = []
        self._created: list[Path] = []

    def write(self, target: Path, produce: Callable[[Path], object]) -> None:
        """Stage ``target``: ``produce(part)`` writes its content to the part path given (which
        keeps ``target``'s suffix). An OSError becomes an :class:`OutputError` naming
        ``target``."""
        part = target.with_name(f"{target.stem}.{self._token}.part{target.suffix}")
        try:
            self._make_folder(target.parent)
            produce(part)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        self._staged.append((part, target))

    def publish(self) -> None:
        """Rename every staged part onto its target, all or none."""
        done: list[tuple[Path, Path | None]] = []
        try:
            for part, target in self._staged:
                backup = None
                if target.is_dir():
                    raise IsADirectoryError(21, "it is a folder")
                if os.path.lexists(target):
                    backup = target.with_name(f"{target.name}.{self._token}.old")
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(part, target)
        except BaseException as exc:  # a full disk, or Ctrl-C between two renames
            self._roll_back(done)
            if isinstance(exc, OSError):
                raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
            raise
        self._staged.clear()
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)

    def _make_folder(self, folder: Path) -> None:
        missing = []
        while not os.path.lexists(folder) and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self._created.append(path)

    @staticmethod
    def _roll_back(done: list[tuple[Path, Path | None]]) -> None:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, *exc: object) -> None:
        """Remove what was not published, and the folders made for it."""
        for part, _ in self._staged:
            part.unlink(missing_ok=True)
        if self._staged or exc[0] is not None:
            for folder in reversed(self._created):
                if not any(folder.iterdir()):
                    folder.rmdir()
