"""Checking JSON data files that regional IT may edit (the service catalog, the application forms).

One walker per file type subclasses :class:`JsonChecker`; the primitives here make every message
name the file, the path inside it (``services[3].fee_idr``) and what was expected, with a "did you
mean" for misspelt keys, so both files speak the same way.
"""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Iterable, Sequence
from typing import Any


class JsonChecker:
    """Walks a parsed JSON document once; :meth:`fail` raises ``error`` with the place named."""

    error: type[Exception] = ValueError
    whole = "the file"  # how a problem at the top is named

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> typing.NoReturn:
        raise self.error(f"{self.source}: {where or self.whole} {problem}")

    def mapping(self, data: object, where: str, required: Sequence[str], optional: Sequence[str] | None = (),
                what: str = "an object") -> dict[str, Any]:
        """An object with ``required`` keys; ``optional=None`` allows any further keys (maps of names)."""
        if not isinstance(data, dict):
            self.fail(where, f"must be {what} ({{...}}), got {show(data)}")
        if optional is not None:
            allowed = (*required, *optional)
            for key in data:
                if key not in allowed:
                    self.fail(where, f"has unknown key {key!r}{did_you_mean(str(key), allowed)}"
                              f"; allowed: {', '.join(allowed)}")
        for key in required:
            if key not in data:
                self.fail(where, f"is missing the key {key!r}")
        return data

    def array(self, data: object, where: str, min_items: int = 0) -> list[Any]:
        if not isinstance(data, list):
            self.fail(where, f"must be a list ([...]), got {show(data)}")
        if len(data) < min_items:
            self.fail(where, f"must have at least {min_items} item{'s' if min_items > 1 else ''}, got none")
        return data

    def text(self, data: object, where: str) -> str:
        if not isinstance(data, str):
            self.fail(where, f"must be text, got {show(data)}")
        if not data.strip():
            self.fail(where, "must not be empty")
        return data

    def integer(self, data: object, where: str, minimum: int, maximum: int | None = None) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail(where, f"must be a whole number, got {show(data)}")
        if maximum is not None and not minimum <= data <= maximum:
            self.fail(where, f"must be between {minimum} and {maximum}, got {data}")
        if data < minimum:
            self.fail(where, f"must be {minimum} or more, got {data}")
        return data

    def boolean(self, data: object, where: str) -> bool:
        if not isinstance(data, bool):
            self.fail(where, f"must be true or false, got {show(data)}")
        return data


def show(value: object) -> str:
    """A value as the person who wrote the JSON would recognise it."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return json.dumps(value)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
