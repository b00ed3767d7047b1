"""Texts shown to people, in Bahasa Indonesia (first) and English.

The texts live in one folder per language beside this module (``id/``, ``en/``), one TOML file per
area of the app (``base.toml`` for the citizen flow, counter and display; others for face check,
applications, printing, survey...), grouped by screen inside. The files of a language are merged; a
key defined in two files is an error. Code asks for a key (``t("welcome.title")``) and never spells a
sentence itself, so the two languages stay complete (a test compares their keys) and tickets,
announcements and screens say the same thing.
"""

from __future__ import annotations

import functools
import logging
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
DEFAULT_LANGUAGE: Language = "id"
_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


@functools.cache
def texts(lang: str) -> Mapping[str, str]:
    """All texts of one language, keyed "screen.item"."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            part = _flatten(tomllib.load(f))
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"{path}: keys already defined in another {lang} file: {', '.join(sorted(clash))}")
        merged.update(part)
    return merged


class Translator:
    """Looks up texts for one language; a kiosk session gets a new one when the citizen switches."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang
        self._texts = texts(lang)

    def __call__(self, key: str, **params: Any) -> str:
        """The text for ``key`` filled with ``params``. A ``count`` of 1 picks the key's ``_one``
        variant where the language has one ("1 photo"); Indonesian needs none ("1 foto")."""
        if params.get("count") == 1 and f"{key}_one" in self._texts:
            key = f"{key}_one"
        template = self._texts.get(key)
        if template is None:
            template = texts(DEFAULT_LANGUAGE).get(key)
            log.error("missing text %r for language %s", key, self.lang)
            if template is None:
                return key
        return template.format(**params) if params else template

    def has(self, key: str) -> bool:
        return key in self._texts

    def money(self, idr: int) -> str:
        """Fee as people read it: "Gratis" or "Rp 50.000" (dots group thousands in both languages)."""
        if idr == 0:
            return self("format.free")
        return "Rp " + f"{idr:,}".replace(",", ".")

    def minutes(self, minutes: float) -> str:
        """A waiting time rounded the way a person says it ("± 25 menit", "± 1 jam 10 menit")."""
        whole = max(0, math.ceil(minutes))
        if whole == 0:
            return self("format.no_wait")
        if whole < 60:
            return self("format.about_minutes", n=whole)
        hours, rest = divmod(whole, 60)
        if rest == 0:
            return self("format.about_hours", h=hours)
        return self("format.about_hours_minutes", h=hours, m=rest)

    def duration(self, amount: int, unit: str) -> str:
        """A service-level time from the catalog (e.g. 3 working days)."""
        return self(f"format.sla.{unit}" + ("_one" if amount == 1 else ""), n=amount)


def completeness_problems() -> list[str]:
    """Keys present in one language and missing in another, and placeholder mismatches."""
    import string

    problems = []
    reference = texts(DEFAULT_LANGUAGE)
    for lang in LANGUAGES:
        other = texts(lang)
        for key in reference.keys() - other.keys():
            problems.append(f"{lang}: missing {key}")
        for key in other.keys() - reference.keys():
            if key.endswith("_one") and key.removesuffix("_one") in reference:
                continue  # a singular form the reference language does not need (see Translator)
            problems.append(f"{lang}: extra {key} (not in {DEFAULT_LANGUAGE})")
        for key in reference.keys() & other.keys():
            fields_ref = {f for _, f, _, _ in string.Formatter().parse(reference[key]) if f}
            fields_other = {f for _, f, _, _ in string.Formatter().parse(other[key]) if f}
            if fields_ref != fields_other:
                problems.append(f"{lang}: {key} uses {sorted(fields_other)} "
                                f"but {DEFAULT_LANGUAGE} uses {sorted(fields_ref)}")
            if not other[key].strip():
                problems.append(f"{lang}: {key} is empty")
    return problems
