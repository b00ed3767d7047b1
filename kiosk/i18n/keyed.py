"""An English text for logs and IT that also names the i18n key saying the same thing to people.

The installation checks return ``(level, detail[, advice key])``; the detail goes into the log and
``selftest.json`` in English (for tickets and searches), while the diagnostics screen must speak the
screen's language. A :class:`Keyed` detail is still that English ``str`` (so every caller, test and
JSON writer keeps working) and carries ``key`` + ``params`` for :func:`say`. Params hold only words
that need no translation (paths, addresses, numbers, codes) or another :class:`Keyed` (translated too).
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import Translator


class Keyed(str):
    """``Keyed("printer 10.0.0.9 answers", "admin.finding.printer.network_ok", target="10.0.0.9")``."""

    key: str
    params: dict[str, Any]

    def __new__(cls, english: str, key: str = "", **params: Any) -> Keyed:
        self = super().__new__(cls, english)
        self.key = key
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy/deepcopy (dataclasses.asdict) keep key and params
        return (_rebuild, (str(self), self.key, dict(self.params)))


def _rebuild(english: str, key: str, params: dict[str, Any]) -> Keyed:
    return Keyed(english, key, **params)


def key_of(text: object) -> tuple[str, dict[str, Any]]:
    """``(key, params)`` of a :class:`Keyed` text; ``("", {})`` for a plain one."""
    if isinstance(text, Keyed) and text.key:
        return text.key, dict(text.params)
    return "", {}


def say(t: Translator, key: str, params: dict[str, Any]) -> str:
    """``t(key, **params)`` with :class:`Keyed` params translated as well (a printer kind, a fault) and
    whole numbers grouped as the language writes them (76.436 MB; 76,436 MB)."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        inner, inner_params = key_of(value)
        if inner and t.has(inner):
            shown[name] = say(t, inner, inner_params)
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[name] = f"{value:,}".replace(",", "." if t.lang == "id" else ",")
        else:
            shown[name] = value
    return t(key, **shown)
