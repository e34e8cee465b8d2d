"""Typed reading of a parsed TOML table with one-line errors that name the file and the key
path, shared by exercise specs and routines. Values are only ever checked and copied: nothing
read here is evaluated.

>>> table = TomlTable({"sets": 2, "title": "Hips"}, "", "routine.toml")
>>> table.integer("sets", 1), table.string("title")
(2, 'Hips')
>>> table.number("rest")
Traceback (most recent call last):
ValueError: routine.toml: rest: missing required key
"""
from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Iterable, NoReturn, TypeVar

from posecheck.errors import strip_controls

#: Marks a key that has no default.
REQUIRED = object()

#: One of a fixed set of words (a ``Literal`` type).
Word = TypeVar("Word", bound=str)
#: Spec and routine files are small; anything larger is refused unread.
MAX_TOML_BYTES = 1 << 20
#: Integers in a spec or routine (counts, sets) stay below this.
MAX_INTEGER = 100_000


def read_toml(path: Path, source: str, error: type[Exception] = ValueError) -> dict[str, Any]:
    """Parse the TOML file at ``path``; every problem (not a regular file, too large, not
    UTF-8, invalid or absurd TOML) raises ``error`` with one line naming ``source``."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise error(f"{source}: not a regular file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_TOML_BYTES:
        raise error(f"{source}: larger than {MAX_TOML_BYTES >> 10} KiB, not a spec or routine")
    try:
        return tomllib.loads(_decode(raw))
    except UnicodeDecodeError as exc:
        detail = ("saved as UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff")
                  else f"invalid byte at offset {exc.start}")
        raise error(f"{source}: not UTF-8 text ({detail}); save TOML files as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:
        raise error(f"{source}: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer of thousands of digits
        raise error(f"{source}: invalid TOML: a number too long to read") from None


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8").removeprefix("\ufeff")


def type_name(value: Any) -> str:
    """How a TOML value's type reads in an error message."""
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


class TomlTable:
    """A TOML table being read: typed access whose errors name the source, the key path and
    the problem on one line (``<source>: <key path>: <problem>``), raised as ``error``."""

    def __init__(self, data: Any, path: str, source: str,
                 error: type[Exception] = ValueError) -> None:
        self.source = source
        self.path = path
        self.error = error
        if not isinstance(data, dict):
            self.fail("", f"must be a table, got {type_name(data)}")
        self.data = data

    def fail(self, key: str, problem: str) -> NoReturn:
        where = f"{self.path}.{key}" if self.path and key else (self.path or key or "(top)")
        raise self.error(f"{self.source}: {where}: {problem}")

    def only(self, *allowed: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(key, f"unknown key (expected one of: {', '.join(allowed)})")

    def has(self, key: str) -> bool:
        return key in self.data

    def child(self, key: str) -> "TomlTable":
        return TomlTable(self.data[key], self._sub(key), self.source, self.error)

    def children(self, key: str) -> list["TomlTable"]:
        items = self.data.get(key, [])
        if not isinstance(items, list):
            self.fail(key, f"must be an array of tables, got {type_name(items)}")
        return [TomlTable(item, f"{self._sub(key)}[{i}]", self.source, self.error)
                for i, item in enumerate(items)]

    def _sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, default: Any) -> Any:
        if key not in self.data:
            if default is REQUIRED:
                self.fail(key, "missing required key")
            return default
        return self.data[key]

    def string(self, key: str, default: Any = None, choices: Iterable[str] | None = None) -> str:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, str):
            self.fail(key, f"must be a string, got {type_name(value)}")
        value = strip_controls(value)
        if choices is not None and value not in choices:
            self.fail(key, f"{_short(value)} is not one of: {', '.join(choices)}")
        return value

    def choice(self, key: str, default: str, choices: tuple[Word, ...]) -> Word:
        """:meth:`string` restricted to ``choices``, returned as the matching choice."""
        value = self.string(key, default, choices)
        return choices[choices.index(value)]

    def number(self, key: str, default: Any = None, low: float | None = None,
               high: float | None = None) -> float:
        value = self._as_number(key, self._get(key, REQUIRED if default is None else default))
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(key, f"{value} is outside {low}..{high}")
        return value

    def integer(self, key: str, default: int, low: int = 0) -> int:
        value = self._get(key, default)
        if (isinstance(value, bool) or not isinstance(value, int)
                or not low <= value <= MAX_INTEGER):
            wanted = "a non-negative integer" if low == 0 else f"an integer >= {low}"
            self.fail(key, f"must be {wanted} (at most {MAX_INTEGER}), got {_short(value)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {type_name(value)}")
        return value

    def pair(self, key: str, default: Any = None) -> tuple[float, float]:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.fail(key, f"must be an array of two numbers [low, high], got {_short(value)}")
        low, high = (self._as_number(key, v) for v in value)
        if not low < high:
            self.fail(key, f"low ({low}) must be below high ({high})")
        return low, high

    def strings(self, key: str, default: Any = None, choices: Iterable[str] | None = None
                ) -> tuple[str, ...]:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"must be an array of strings, got {_short(value)}")
        if choices is not None:
            for item in value:
                if item not in choices:
                    self.fail(key, f"{_short(item)} is not one of: {', '.join(choices)}")
        if len(set(value)) != len(value):
            self.fail(key, "repeated entries")
        return tuple(value)

    def _as_number(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, f"must be a number, got {type_name(value)}")
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(key, f"must be a finite number, got {_short(value)}")
        return number


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters for a message."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number too long to show"
    return text if len(text) <= limit else text[:limit - 3] + "..."
