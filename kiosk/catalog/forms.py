"""Application forms as data: which fields and document photos each service asks for, and their rules.

A form is data (``config/forms.json``, keyed by the catalog's service codes) for the same reason the
catalog is: regions and the central platform change what is asked without a release. The file is
checked strictly at load, unknown keys included, and every problem names the file and the path
inside it ("forms.SIP-DU-BARU.fields[2].max_length"), so regional IT can fix it without reading
code. Validation of what a citizen typed returns a text key (``application.error.*``) and its
parameters, never a sentence: the screen says it in the citizen's language.

Pure Python: the kiosk screens, the counter panel and the tests use it, none of them with Qt.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from kiosk.catalog.services import Catalog, LocalText
from kiosk.citizen.nik import InvalidNik, check_partial, parse_nik
from kiosk.storage.datafile import JsonChecker, did_you_mean, show
from kiosk.utils.paths import bundled_config_dir
from kiosk.utils.privacy import mask_nik

FieldType = Literal["text", "digits", "date", "choice", "phone", "email", "registration", "nik"]
FIELD_TYPES: tuple[str, ...] = typing.get_args(FieldType)
DateRule = Literal["past", "future", "any"]
DATE_RULES: tuple[str, ...] = typing.get_args(DateRule)
Prefill = Literal["registration_number"]
PREFILLS: tuple[str, ...] = typing.get_args(Prefill)

# What an input method offers for each type: the screen picks the keypad or the letter keyboard.
NUMERIC_TYPES = frozenset({"digits", "date", "phone", "nik"})
MAX_DOCUMENT_PHOTOS = 5

_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TEXT_ALLOWED = re.compile(r"[\w .,'/()&:-]*", re.UNICODE)
_REGISTRATION = re.compile(r"[A-Z0-9][A-Z0-9./-]{5,29}")  # kept as issued: "STR-0001" stays so


class FormsError(Exception):
    """A forms file that cannot be used; the message names the file and the path inside it."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: LocalText


@dataclass(frozen=True)
class Field:
    """One question on a form. ``min_length``/``max_length`` count characters after normalising."""

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

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class DocumentRequirement:
    """A paper to photograph: ``count`` pages or copies (two witnesses' ID cards = 2)."""

    kind: str
    label: LocalText
    count: int = 1
    required: bool = True


@dataclass(frozen=True)
class Form:
    service_code: str
    fields: tuple[Field, ...]
    documents: tuple[DocumentRequirement, ...]

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
    """Why a value is not accepted: a text key under ``application.error`` and its parameters."""

    key: str
    params: Mapping[str, object]


# --- values -----------------------------------------------------------------------------------

def normalize(field: Field, raw: str) -> str:
    """The value as stored: spaces tidied, phone as 08…, registration numbers without separators."""
    text = " ".join(raw.split())
    if field.type in ("digits", "nik", "date"):
        return re.sub(r"[\s.-]", "", text)
    if field.type == "phone":
        digits = re.sub(r"[\s().-]", "", text)
        if digits.startswith("+62"):
            digits = "0" + digits[3:]
        elif digits.startswith("62") and len(digits) > 9:
            digits = "0" + digits[2:]
        return digits
    if field.type == "registration":
        return re.sub(r"\s", "", text).upper()
    if field.type == "email":
        return text.replace(" ", "").lower()
    return text


def parse_date(value: str) -> date | None:
    """``DDMMYYYY`` (typed on the keypad; shown as DD-MM-YYYY) to a date, or None."""
    if not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


def show_date(value: str) -> str:
    """What the citizen sees while typing a date: 0501 → 05-01, 05011990 → 05-01-1990."""
    digits = value[:8]
    parts = [digits[:2], digits[2:4], digits[4:]]
    return "-".join(p for p in parts if p)


def check_value(field: Field, raw: str, *, today: date | None = None) -> Problem | None:
    """Why ``raw`` is not acceptable for ``field`` (normalised first), or None when it is."""
    value = normalize(field, raw)
    if not value:
        if not field.required:
            return None
        return Problem("choice" if field.type == "choice" else "required", {})
    whole = _WHOLE_CHECKS.get(field.type)
    if whole is not None:
        return whole(field, value, today)
    if field.type == "digits":
        if not value.isdigit():
            return Problem("digits", {})
        if field.min_length and field.min_length == field.max_length and len(value) != field.min_length:
            return Problem("digits_exact", {"n": field.min_length})
    if field.type == "text" and not _TEXT_ALLOWED.fullmatch(value):
        return Problem("characters", {})
    if len(value) < field.min_length:
        return Problem("too_short", {"n": field.min_length})
    if len(value) > field.max_length:
        return Problem("too_long", {"n": field.max_length})
    return None


def _check_choice(field: Field, value: str, today: date | None) -> Problem | None:
    return None if field.choice(value) is not None else Problem("choice", {})


def _check_nik(field: Field, value: str, today: date | None) -> Problem | None:
    early = check_partial(value, today=today)  # a wrong province says more than "too short"
    if early is not None:
        return Problem(f"nik.{early.value}", {})
    try:
        parse_nik(value, today=today)
    except InvalidNik as exc:
        return Problem(f"nik.{exc.problem.value}", {})
    return None


def _check_date(field: Field, value: str, today: date | None) -> Problem | None:
    when = parse_date(value)
    if when is None:
        return Problem("date", {})
    today = today or date.today()
    if field.when == "past" and when > today:
        return Problem("date_future", {})
    if field.when == "future" and when < today:
        return Problem("date_past", {})
    if when.year < 1900:
        return Problem("date", {})
    return None


def _check_phone(field: Field, value: str, today: date | None) -> Problem | None:
    return None if re.fullmatch(r"08\d{8,11}", value) else Problem("phone", {})


def _check_email(field: Field, value: str, today: date | None) -> Problem | None:
    return None if _EMAIL.fullmatch(value) and len(value) <= field.max_length else Problem("email", {})


def _check_registration(field: Field, value: str, today: date | None) -> Problem | None:
    return None if _REGISTRATION.fullmatch(value) else Problem("registration", {})


# Field types whose own check decides alone (no length limits after it).
_WHOLE_CHECKS: dict[str, Callable[[Field, str, date | None], Problem | None]] = {
    "choice": _check_choice, "nik": _check_nik, "date": _check_date, "phone": _check_phone,
    "email": _check_email, "registration": _check_registration,
}


def check_form(form: Form, values: Mapping[str, str], *, today: date | None = None) -> dict[str, Problem]:
    """Every field's problem (field id → problem); an empty dict means the form can be sent."""
    problems = {}
    for item in form.fields:
        problem = check_value(item, values.get(item.id, ""), today=today)
        if problem is not None:
            problems[item.id] = problem
    return problems


def display_value(field: Field, value: str, lang: str) -> str:
    """A stored value the way the summary and the counter show it."""
    if field.type == "choice":
        choice = field.choice(value)
        return choice.label.get(lang) if choice else value
    if field.type == "date":
        return show_date(value)
    if field.type == "nik":
        return mask_nik(value)
    return value


# --- loading ----------------------------------------------------------------------------------

def default_forms_path() -> Path:
    return bundled_config_dir() / "forms.json"


def load_forms(path: Path | None = None) -> FormSet:
    """Read and check a forms file; every way it can fail becomes a FormsError for regional IT."""
    path = Path(path) if path is not None else default_forms_path()
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FormsError(f"{source}: the application forms file does not exist") from None
    except UnicodeDecodeError as exc:
        raise FormsError(f"{source}: is not UTF-8 text (bad byte at position {exc.start})") from None
    except OSError as exc:
        raise FormsError(f"{source}: cannot read the application forms file ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormsError(f"{source}: is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return parse_forms(data, source)


def parse_forms(data: object, source: str) -> FormSet:
    return _Parser(source).form_set(data)


def catalog_problems(forms: FormSet, catalog: Catalog) -> list[str]:
    """Forms for unknown services, and services flagged ``application_form`` without a form."""
    codes = {s.code for s in catalog.services}
    problems = [f"form {code!r} is for a service that is not in catalog {catalog.version}"
                f"{did_you_mean(code, codes)}" for code in forms.forms if code not in codes]
    problems += [f"service {s.code!r} asks for an application form but forms.json has none"
                 for s in catalog.services if s.application_form and s.code not in forms.forms]
    return problems


_FIELD_KEYS = ("id", "type", "label", "hint", "required", "min_length", "max_length", "choices", "when", "prefill")
_FORM_KEYS = ("fields", "documents", "template", "extra_fields", "extra_documents")
_DOC_KEYS = ("kind", "label", "count", "required")


class _Parser(JsonChecker):
    error = FormsError

    def form_set(self, data: object) -> FormSet:
        top = self.mapping(data, "", ("version", "forms"), ("templates", "notes"))
        version = self.text(top["version"], "version")
        templates_raw = self.mapping(top.get("templates", {}), "templates", (), None)
        templates: dict[str, tuple[tuple[Field, ...], tuple[DocumentRequirement, ...]]] = {}
        for name, body in templates_raw.items():
            where = f"templates.{name}"
            obj = self.mapping(body, where, ("fields",), ("documents",))
            templates[name] = (self.fields(obj["fields"], f"{where}.fields"),
                               self.documents(obj.get("documents", []), f"{where}.documents"))
        forms_raw = self.mapping(top["forms"], "forms", (), None)
        if not forms_raw:
            self.fail("forms", "must list at least one form")
        forms = {}
        for code, body in forms_raw.items():
            forms[code] = self.form(code, body, f"forms.{code}", templates)
        return FormSet(version=version, forms=forms)

    def form(self, code: str, body: object, where: str,
             templates: Mapping[str, tuple[tuple[Field, ...], tuple[DocumentRequirement, ...]]]) -> Form:
        obj = self.mapping(body, where, (), _FORM_KEYS)
        if "template" in obj:
            for key in ("fields", "documents"):
                if key in obj:
                    self.fail(where, f"has both 'template' and {key!r}; use 'extra_{key}' to add to a template")
            name = obj["template"]
            if name not in templates:
                self.fail(f"{where}.template", f"{show(name)} is not one of the templates "
                          f"({', '.join(sorted(templates)) or 'none'}){did_you_mean(str(name), templates)}")
            fields, documents = templates[name]
        else:
            if "fields" not in obj:
                self.fail(where, "is missing the key 'fields' (or 'template')")
            fields = self.fields(obj["fields"], f"{where}.fields")
            documents = self.documents(obj.get("documents", []), f"{where}.documents")
        fields += self.fields(obj.get("extra_fields", []), f"{where}.extra_fields", allow_empty=True)
        documents += self.documents(obj.get("extra_documents", []), f"{where}.extra_documents")
        self.unique([f.id for f in fields], f"{where}.fields", "field id")
        self.unique([d.kind for d in documents], f"{where}.documents", "document kind")
        return Form(service_code=code, fields=fields, documents=documents)

    def fields(self, data: object, where: str, allow_empty: bool = False) -> tuple[Field, ...]:
        items = self.array(data, where)
        if not items and not allow_empty:
            self.fail(where, "must list at least one field")
        return tuple(self.field(item, f"{where}[{i}]") for i, item in enumerate(items))

    def field(self, data: object, where: str) -> Field:
        obj = self.mapping(data, where, ("id", "type", "label"), _FIELD_KEYS)
        field_id = self.pattern(obj["id"], f"{where}.id", _ID, "lower-case letters, digits and _")
        kind = obj["type"]
        if kind not in FIELD_TYPES:
            self.fail(f"{where}.type", f"must be one of {', '.join(FIELD_TYPES)}, got {show(kind)}"
                      f"{did_you_mean(str(kind), FIELD_TYPES)}")
        choices: tuple[Choice, ...] = ()
        if kind == "choice":
            if "choices" not in obj:
                self.fail(where, "is a choice but has no 'choices'")
            raw = self.array(obj["choices"], f"{where}.choices")
            if len(raw) < 2:
                self.fail(f"{where}.choices", "must offer at least 2 choices")
            choices = tuple(self.choice(c, f"{where}.choices[{i}]") for i, c in enumerate(raw))
            self.unique([c.value for c in choices], f"{where}.choices", "choice value")
        elif "choices" in obj:
            self.fail(f"{where}.choices", f"only a 'choice' field has choices (this one is {kind!r})")
        when = obj.get("when", "any")
        if when not in DATE_RULES:
            self.fail(f"{where}.when", f"must be one of {', '.join(DATE_RULES)}, got {show(when)}")
        if "when" in obj and kind != "date":
            self.fail(f"{where}.when", f"only a 'date' field has 'when' (this one is {kind!r})")
        prefill = obj.get("prefill")
        if prefill is not None and prefill not in PREFILLS:
            self.fail(f"{where}.prefill", f"must be one of {', '.join(PREFILLS)}, got {show(prefill)}")
        if prefill == "registration_number" and kind != "registration":
            self.fail(f"{where}.prefill", "registration_number can only prefill a 'registration' field")
        min_length = self.integer(obj.get("min_length", 0), f"{where}.min_length", 0, 500)
        max_length = self.integer(obj.get("max_length", 100), f"{where}.max_length", 1, 500)
        if min_length > max_length:
            self.fail(f"{where}.min_length", f"({min_length}) is more than max_length ({max_length})")
        return Field(
            id=field_id, type=typing.cast(FieldType, kind), label=self.local(obj["label"], f"{where}.label"),
            hint=self.local(obj["hint"], f"{where}.hint") if "hint" in obj else None,
            required=self.boolean(obj.get("required", True), f"{where}.required"),
            min_length=min_length, max_length=max_length, choices=choices,
            when=typing.cast(DateRule, when), prefill=typing.cast(Prefill | None, prefill))

    def choice(self, data: object, where: str) -> Choice:
        obj = self.mapping(data, where, ("value", "label"))
        return Choice(value=self.pattern(obj["value"], f"{where}.value", _ID, "lower-case letters, digits and _"),
                      label=self.local(obj["label"], f"{where}.label"))

    def documents(self, data: object, where: str) -> tuple[DocumentRequirement, ...]:
        return tuple(self.document(item, f"{where}[{i}]") for i, item in enumerate(self.array(data, where)))

    def document(self, data: object, where: str) -> DocumentRequirement:
        obj = self.mapping(data, where, ("kind", "label"), _DOC_KEYS)
        return DocumentRequirement(
            kind=self.pattern(obj["kind"], f"{where}.kind", _KIND, "lower-case letters, digits and _"),
            label=self.local(obj["label"], f"{where}.label"),
            count=self.integer(obj.get("count", 1), f"{where}.count", 1, MAX_DOCUMENT_PHOTOS),
            required=self.boolean(obj.get("required", True), f"{where}.required"))

    # -- primitives ----------------------------------------------------------------------------
    def pattern(self, data: object, where: str, rule: re.Pattern[str], what: str) -> str:
        value = self.text(data, where)
        if not rule.fullmatch(value):
            self.fail(where, f"must be {what} (at most 40), got {value!r}")
        return value

    def local(self, data: object, where: str) -> LocalText:
        obj = self.mapping(data, where, ("id", "en"))
        return LocalText(id=self.text(obj["id"], f"{where}.id"), en=self.text(obj["en"], f"{where}.en"))

    def unique(self, values: Iterable[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                self.fail(where, f"uses the {what} {value!r} twice")
            seen.add(value)

