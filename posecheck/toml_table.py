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

from typing import Any, Iterable

#: Marks a key that has no default.
REQUIRED = object()


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

    def fail(self, key: str, problem: str) -> None:
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

    def string(self, key: str, default: Any = None, choices: Iterable[str] | None = None) -> Any:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, str):
            self.fail(key, f"must be a string, got {type_name(value)}")
        if choices is not None and value not in choices:
            self.fail(key, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def number(self, key: str, default: Any = None, low: float | None = None,
               high: float | None = None) -> Any:
        value = self._get(key, REQUIRED if default is None else default)
        value = self._as_number(key, value)
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(key, f"{value} is outside {low}..{high}")
        return value

    def integer(self, key: str, default: int, low: int = 0) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            wanted = "a non-negative integer" if low == 0 else f"an integer >= {low}"
            self.fail(key, f"must be {wanted}, got {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {type_name(value)}")
        return value

    def pair(self, key: str, default: Any = None) -> tuple[float, float]:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.fail(key, f"must be an array of two numbers [low, high], got {value!r}")
        low, high = (self._as_number(key, v) for v in value)
        if not low < high:
            self.fail(key, f"low ({low}) must be below high ({high})")
        return low, high

    def strings(self, key: str, default: Any = None, choices: Iterable[str] | None = None
                ) -> tuple[str, ...]:
        value = self._get(key, REQUIRED if default is None else default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"must be an array of strings, got {value!r}")
        if choices is not None:
            for item in value:
                if item not in choices:
                    self.fail(key, f"{item!r} is not one of: {', '.join(choices)}")
        if len(set(value)) != len(value):
            self.fail(key, "repeated entries")
        return tuple(value)

    def _as_number(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, f"must be a number, got {type_name(value)}")
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(key, "must be a finite number")
        return float(value)


def type_name(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)
