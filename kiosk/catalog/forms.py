"""Application forms as data: which questions and document photos each service asks for, and their rules.

A form is data (``config/forms.json``, keyed by the catalog's service codes) for the same reason the
catalog is: regions and the central platform change what is asked without a release. The file is
checked strictly at load, unknown keys included, and every problem names the file and the path
inside it ("forms.SIP-DU-BARU.fields[2].max_length"), so regional IT can fix it without reading
code. The pieces live beside this module: the dataclasses (:mod:`.form_model`), one answer's
checks (:mod:`.form_values`), a whole form's pages and checks (:mod:`.form_answers`) and the named
rules over several answers (:mod:`.form_rules`); the names most callers need are re-exported here.

Pure Python: the kiosk screens, the counter panel and the tests use it, none of them with Qt.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path

from kiosk.catalog.form_answers import (
    Page,
    asked,
    asked_form,
    check_form,
    check_page,
    flat_key,
    item_count,
    pages,
)
from kiosk.catalog.form_model import (
    DATE_RULES,
    FIELD_TYPES,
    MAX_DOCUMENT_PHOTOS,
    MAX_GROUP_ITEMS,
    NUMERIC_TYPES,
    PREFILLS,
    Choice,
    Condition,
    DateRule,
    DocumentRequirement,
    Field,
    FieldType,
    Form,
    FormRule,
    FormSet,
    Prefill,
    Problem,
    Sex,
)
from kiosk.catalog.form_rules import RULES
from kiosk.catalog.form_values import check_value, display_value, normalize, parse_date, show_date, show_time
from kiosk.catalog.services import Catalog, LocalText
from kiosk.storage.datafile import JsonChecker, did_you_mean, show
from kiosk.utils.paths import bundled_config_dir

__all__ = [
    "FIELD_TYPES", "MAX_DOCUMENT_PHOTOS", "MAX_GROUP_ITEMS", "NUMERIC_TYPES", "Choice", "Condition",
    "DocumentRequirement", "Field", "FieldType", "Form", "FormRule", "FormSet", "FormsError", "Page", "Problem",
    "asked", "asked_form", "catalog_problems", "check_form", "check_page", "check_value",
    "default_forms_path",
    "display_value", "flat_key", "item_count", "load_forms", "normalize", "pages", "parse_date", "parse_forms",
    "show_date",
    "show_time",
]

_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
_FLAT_KEY_MAX = 64  # the counter's view keys a group's answer as "<group>_<n>_<question>"


class FormsError(Exception):
    """A forms file that cannot be used; the message names the file and the path inside it."""


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


_FIELD_KEYS = ("id", "type", "label", "hint", "required", "min_length", "max_length", "choices", "when", "prefill",
               "ask_if", "sex", "min_value", "max_value", "fields", "item_label", "min_items", "max_items")
_GROUP_ONLY = ("fields", "item_label", "min_items", "max_items")
_FORM_KEYS = ("fields", "documents", "rules", "template", "extra_fields", "extra_documents", "extra_rules")
_TEMPLATE_KEYS = ("documents", "rules")
_DOC_KEYS = ("kind", "label", "count", "required", "ask_if")
_Template = tuple[tuple[Field, ...], tuple[DocumentRequirement, ...], tuple[FormRule, ...]]


class _Parser(JsonChecker):
    error = FormsError

    def form_set(self, data: object) -> FormSet:
        top = self.mapping(data, "", ("version", "forms"), ("templates", "notes"))
        version = self.text(top["version"], "version")
        templates_raw = self.mapping(top.get("templates", {}), "templates", (), None)
        templates: dict[str, _Template] = {}
        for name, body in templates_raw.items():
            where = f"templates.{name}"
            obj = self.mapping(body, where, ("fields",), _TEMPLATE_KEYS)
            templates[name] = (self.fields(obj["fields"], f"{where}.fields"),
                               self.documents(obj.get("documents", []), f"{where}.documents"),
                               self.rules(obj.get("rules", []), f"{where}.rules"))
        forms_raw = self.mapping(top["forms"], "forms", (), None)
        if not forms_raw:
            self.fail("forms", "must list at least one form")
        forms = {}
        for code, body in forms_raw.items():
            forms[code] = self.form(code, body, f"forms.{code}", templates)
        return FormSet(version=version, forms=forms)

    def form(self, code: str, body: object, where: str, templates: Mapping[str, _Template]) -> Form:
        obj = self.mapping(body, where, (), _FORM_KEYS)
        if "template" in obj:
            for key in ("fields", "documents", "rules"):
                if key in obj:
                    self.fail(where, f"has both 'template' and {key!r}; use 'extra_{key}' to add to a template")
            name = obj["template"]
            if name not in templates:
                self.fail(f"{where}.template", f"{show(name)} is not one of the templates "
                          f"({', '.join(sorted(templates)) or 'none'}){did_you_mean(str(name), templates)}")
            fields, documents, rules = templates[name]
        else:
            if "fields" not in obj:
                self.fail(where, "is missing the key 'fields' (or 'template')")
            fields = self.fields(obj["fields"], f"{where}.fields")
            documents = self.documents(obj.get("documents", []), f"{where}.documents")
            rules = self.rules(obj.get("rules", []), f"{where}.rules")
        fields += self.fields(obj.get("extra_fields", []), f"{where}.extra_fields", allow_empty=True)
        documents += self.documents(obj.get("extra_documents", []), f"{where}.extra_documents")
        rules += self.rules(obj.get("extra_rules", []), f"{where}.extra_rules")
        self.unique([f.id for f in fields], f"{where}.fields", "field id")
        self.unique([d.kind for d in documents], f"{where}.documents", "document kind")
        form = Form(service_code=code, fields=fields, documents=documents, rules=rules)
        self.conditions(form, where)
        self.rules_fit(form, where)
        return form

    def fields(self, data: object, where: str, allow_empty: bool = False, in_group: bool = False) -> tuple[Field, ...]:
        items = self.array(data, where)
        if not items and not allow_empty:
            self.fail(where, "must list at least one field")
        return tuple(self.field(item, f"{where}[{i}]", in_group) for i, item in enumerate(items))

    def field(self, data: object, where: str, in_group: bool = False) -> Field:
        obj = self.mapping(data, where, ("id", "type", "label"), _FIELD_KEYS)
        field_id = self.pattern(obj["id"], f"{where}.id", _ID, "lower-case letters, digits and _")
        kind = obj["type"]
        if kind not in FIELD_TYPES:
            self.fail(f"{where}.type", f"must be one of {', '.join(FIELD_TYPES)}, got {show(kind)}"
                      f"{did_you_mean(str(kind), FIELD_TYPES)}")
        if kind == "group" and in_group:
            self.fail(f"{where}.type", "a group cannot hold another group")
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
        base = Field(
            id=field_id, type=typing.cast(FieldType, kind), label=self.local(obj["label"], f"{where}.label"),
            hint=self.local(obj["hint"], f"{where}.hint") if "hint" in obj else None,
            required=self.boolean(obj.get("required", True), f"{where}.required"),
            min_length=min_length, max_length=max_length, choices=self.choices(obj, kind, where),
            when=typing.cast(DateRule, when), prefill=typing.cast(Prefill | None, prefill),
            ask_if=self.condition(obj["ask_if"], f"{where}.ask_if") if "ask_if" in obj else None)
        return self.group_parts(self.kind_parts(base, obj, where), obj, where)

    def choices(self, obj: Mapping[str, object], kind: str, where: str) -> tuple[Choice, ...]:
        if kind != "choice":
            if "choices" in obj:
                self.fail(f"{where}.choices", f"only a 'choice' field has choices (this one is {kind!r})")
            return ()
        if "choices" not in obj:
            self.fail(where, "is a choice but has no 'choices'")
        raw = self.array(obj["choices"], f"{where}.choices")
        if len(raw) < 2:
            self.fail(f"{where}.choices", "must offer at least 2 choices")
        choices = tuple(self.choice(c, f"{where}.choices[{i}]") for i, c in enumerate(raw))
        self.unique([c.value for c in choices], f"{where}.choices", "choice value")
        return choices

    def kind_parts(self, base: Field, obj: Mapping[str, object], where: str) -> Field:
        """The keys only some types have: a NIK's sex, a number's bounds."""
        sex = obj.get("sex")
        if sex is not None and (base.type != "nik" or sex not in ("F", "M")):
            self.fail(f"{where}.sex", f"is 'F' or 'M' on a 'nik' field only, got {show(sex)} on {base.type!r}")
        bounds = [k for k in ("min_value", "max_value") if k in obj]
        if bounds and (base.type != "digits" or len(bounds) != 2):
            self.fail(where, "min_value and max_value go together, on a 'digits' field only")
        low = self.integer(obj["min_value"], f"{where}.min_value", 0) if bounds else None
        high = self.integer(obj["max_value"], f"{where}.max_value", 0) if bounds else None
        if low is not None and high is not None and low > high:
            self.fail(f"{where}.min_value", f"({low}) is more than max_value ({high})")
        return dataclasses.replace(base, sex=typing.cast(Sex | None, sex), min_value=low, max_value=high)

    def group_parts(self, base: Field, obj: Mapping[str, object], where: str) -> Field:
        if base.type != "group":
            extra = [k for k in _GROUP_ONLY if k in obj]
            if extra:
                self.fail(f"{where}.{extra[0]}", f"only a 'group' field has it (this one is {base.type!r})")
            return base
        if "fields" not in obj:
            self.fail(where, "is a group but has no 'fields' (the questions asked for each person)")
        items = self.fields(obj["fields"], f"{where}.fields", in_group=True)
        self.unique([f.id for f in items], f"{where}.fields", "field id")
        for i, sub in enumerate(items):
            if len(base.id) + len(sub.id) + 4 > _FLAT_KEY_MAX:
                self.fail(f"{where}.fields[{i}].id", f"with the group's id is too long for the counter's view "
                          f"(at most {_FLAT_KEY_MAX - 4} characters together)")
            if sub.prefill is not None:
                self.fail(f"{where}.fields[{i}].prefill", "a group's question cannot be prefilled")
        low = self.integer(obj.get("min_items", 0), f"{where}.min_items", 0, MAX_GROUP_ITEMS)
        high = self.integer(obj.get("max_items", MAX_GROUP_ITEMS), f"{where}.max_items", 1, MAX_GROUP_ITEMS)
        if low > high:
            self.fail(f"{where}.min_items", f"({low}) is more than max_items ({high})")
        label = self.local(obj["item_label"], f"{where}.item_label") if "item_label" in obj else None
        if label is not None and not ("{n}" in label.id and "{n}" in label.en):
            self.fail(f"{where}.item_label", "must hold {n} (the person's number) in both languages")
        return dataclasses.replace(base, items=items, item_label=label, min_items=low, max_items=high)

    def choice(self, data: object, where: str) -> Choice:
        obj = self.mapping(data, where, ("value", "label"), ("statement",))
        return Choice(value=self.pattern(obj["value"], f"{where}.value", _ID, "lower-case letters, digits and _"),
                      label=self.local(obj["label"], f"{where}.label"),
                      statement=self.local(obj["statement"], f"{where}.statement") if "statement" in obj else None)

    def condition(self, data: object, where: str) -> Condition:
        obj = self.mapping(data, where, ("field", "in"))
        values = tuple(self.text(v, f"{where}.in[{i}]") for i, v in enumerate(self.array(obj["in"], f"{where}.in", 1)))
        return Condition(field=self.text(obj["field"], f"{where}.field"), values=values)

    def conditions(self, form: Form, where: str) -> None:
        """Every ``ask_if`` names an earlier choice of this form and values it offers."""
        earlier: dict[str, Field] = {}
        checks: list[tuple[str, Condition | None, dict[str, Field]]] = []
        for i, item in enumerate(form.fields):
            checks.append((f"{where}.fields[{i}].ask_if", item.ask_if, dict(earlier)))
            checks += [(f"{where}.fields[{i}].fields[{j}].ask_if", sub.ask_if, dict(earlier))
                       for j, sub in enumerate(item.items)]
            earlier[item.id] = item
        checks += [(f"{where}.documents[{i}].ask_if", d.ask_if, earlier) for i, d in enumerate(form.documents)]
        for place, condition, before in checks:
            if condition is None:
                continue
            target = before.get(condition.field)
            if target is None or target.type != "choice":
                self.fail(f"{place}.field", f"{condition.field!r} is not an earlier choice of this form"
                          f"{did_you_mean(condition.field, before)}")
            for value in condition.values:
                if target.choice(value) is None:
                    self.fail(f"{place}.in", f"{value!r} is not one of the choices of {condition.field!r}")

    def rules(self, data: object, where: str) -> tuple[FormRule, ...]:
        out = []
        for i, item in enumerate(self.array(data, where)):
            obj = self.mapping(item, f"{where}[{i}]", ("rule",), None)
            name = obj["rule"]
            if name not in RULES:
                self.fail(f"{where}[{i}].rule", f"{show(name)} is not a known rule ({', '.join(sorted(RULES))})"
                          f"{did_you_mean(str(name), RULES)}")
            spec = RULES[name]
            params = {}
            for key, value in obj.items():
                if key == "rule":
                    continue
                if key not in spec.params:
                    self.fail(f"{where}[{i}]", f"has unknown key {key!r}; {name} takes {', '.join(spec.params)}")
                params[key] = self.integer(value, f"{where}[{i}].{key}", *spec.params[key])
            out.append(FormRule(rule=name, params=params))
        return tuple(out)

    def rules_fit(self, form: Form, where: str) -> None:
        """A rule's questions are in the form (a rule on questions that are not there would never hold)."""
        by_id = {f.id: f for f in form.fields}
        for rule in form.rules:
            spec = RULES[rule.rule]
            for needed in spec.fields:
                if needed not in by_id:
                    self.fail(f"{where}.rules", f"{rule.rule} needs the question {needed!r}, which the form lacks")
            for group, subs in spec.group_items.items():
                have = {s.id for s in by_id[group].items}
                for sub in subs:
                    if sub not in have:
                        self.fail(f"{where}.rules", f"{rule.rule} needs {group!r} to ask {sub!r}")

    def documents(self, data: object, where: str) -> tuple[DocumentRequirement, ...]:
        return tuple(self.document(item, f"{where}[{i}]") for i, item in enumerate(self.array(data, where)))

    def document(self, data: object, where: str) -> DocumentRequirement:
        obj = self.mapping(data, where, ("kind", "label"), _DOC_KEYS)
        return DocumentRequirement(
            kind=self.pattern(obj["kind"], f"{where}.kind", _KIND, "lower-case letters, digits and _"),
            label=self.local(obj["label"], f"{where}.label"),
            count=self.integer(obj.get("count", 1), f"{where}.count", 1, MAX_DOCUMENT_PHOTOS),
            required=self.boolean(obj.get("required", True), f"{where}.required"),
            ask_if=self.condition(obj["ask_if"], f"{where}.ask_if") if "ask_if" in obj else None)

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
