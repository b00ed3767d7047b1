"""What an application form is made of: questions, repeatable groups, conditions, documents, rules.

The dataclasses only; reading them from ``config/forms.json`` is :mod:`kiosk.catalog.forms`, checking
answers is :mod:`kiosk.catalog.form_values` (one value) and :mod:`kiosk.catalog.form_answers` (a
whole form). A *group* is a question asked once per person (two witnesses, the family members who
move): its ``items`` are the sub-questions, its count is bounded by ``min_items``..``max_items``.
A question or a document with ``ask_if`` is asked only when an earlier choice has one of the listed
values (the SPTJM statement only when the citizen chose it). Pure Python, no Qt.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from kiosk.catalog.services import LocalText

FieldType = Literal["text", "digits", "date", "time", "choice", "phone", "email", "registration", "nik", "group"]
FIELD_TYPES: tuple[str, ...] = typing.get_args(FieldType)
DateRule = Literal["past", "future", "any"]
DATE_RULES: tuple[str, ...] = typing.get_args(DateRule)
Prefill = Literal["registration_number"]
PREFILLS: tuple[str, ...] = typing.get_args(Prefill)
Sex = Literal["F", "M"]

# What an input method offers for each type: the screen picks the keypad or the letter keyboard.
NUMERIC_TYPES = frozenset({"digits", "date", "time", "phone", "nik"})
MAX_DOCUMENT_PHOTOS = 5
MAX_GROUP_ITEMS = 12  # a family card's members; the counter's view holds 100 answers in all


@dataclass(frozen=True)
class Choice:
    """One answer to a choice; ``statement`` is text the citizen declares by choosing it (SPTJM)."""

    value: str
    label: LocalText
    statement: LocalText | None = None


@dataclass(frozen=True)
class Condition:
    """Asked only when the earlier choice ``field`` has one of ``values``."""

    field: str
    values: tuple[str, ...]

    def holds(self, values: Mapping[str, str]) -> bool:
        return values.get(self.field, "") in self.values


@dataclass(frozen=True)
class Field:
    """One question on a form. ``min_length``/``max_length`` count characters after normalising.

    ``sex`` (NIK questions): the NIK must encode that sex (the father's "M", the mother's "F").
    ``min_value``/``max_value`` (digits): the number's bounds (a baby's weight in grams).
    A ``group`` has ``items`` (its sub-questions), ``item_label`` ("Saksi {n}") and a bounded count.
    """

    id: str
    type: FieldType
    label: LocalText
    hint: LocalText | None = None
    required: bool = True
    min_length: int = 0
    max_length: int = 100
    choices: tuple[Choice, ...] = ()
    when: DateRule = "any"
    prefill: Prefill | None = None
    ask_if: Condition | None = None
    sex: Sex | None = None
    min_value: int | None = None
    max_value: int | None = None
    items: tuple[Field, ...] = ()
    item_label: LocalText | None = None
    min_items: int = 0
    max_items: int = 0

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def item(self, item_id: str) -> Field:
        for sub in self.items:
            if sub.id == item_id:
                return sub
        raise KeyError(f"group {self.id} has no question {item_id!r}")

    def item_name(self, n: int, lang: str) -> str:
        """"Saksi 2" for the second item (``n`` counts from 1)."""
        text = self.item_label.get(lang) if self.item_label else f"{self.label.get(lang)} {{n}}"
        return text.replace("{n}", str(n))


@dataclass(frozen=True)
class DocumentRequirement:
    """A paper to photograph: ``count`` pages or copies (two witnesses' ID cards = 2)."""

    kind: str
    label: LocalText
    count: int = 1
    required: bool = True
    ask_if: Condition | None = None


@dataclass(frozen=True)
class FormRule:
    """A rule over several answers, named in the data and written in :mod:`kiosk.catalog.form_rules`."""

    rule: str
    params: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    service_code: str
    fields: tuple[Field, ...]
    documents: tuple[DocumentRequirement, ...]
    rules: tuple[FormRule, ...] = ()

    def field(self, field_id: str) -> Field:
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(f"form {self.service_code} has no field {field_id!r}")


@dataclass(frozen=True)
class FormSet:
    version: str
    forms: Mapping[str, Form]

    def form_for(self, service_code: str) -> Form | None:
        return self.forms.get(service_code)


@dataclass(frozen=True)
class Problem:
    """Why a value is not accepted: a text key and its parameters.

    Keys without a dot live under ``application.error``; ``nik.*`` under ``nik.error``; keys under
    ``forms.`` are whole text keys (:mod:`kiosk.i18n` ``forms.toml``).
    """

    key: str
    params: Mapping[str, object]
