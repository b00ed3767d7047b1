"""A whole form's answers: which questions are asked, in which pages, and what is still wrong.

One question per page: a plain question is one page; a group (the witnesses) is one page per
sub-question of each of its items, then a list page where people are added or removed within the
group's bounds. Answers are ``values`` (question id → text) and ``groups`` (group id → one mapping
per item). Questions and documents with ``ask_if`` drop out while their condition does not hold.
Every NIK in a form belongs to a different person, so the same NIK twice is refused where it is
typed the second time. Pure Python, no Qt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kiosk.catalog.form_model import DocumentRequirement, Field, Form, Problem
from kiosk.catalog.form_rules import Groups, rule_problem
from kiosk.catalog.form_values import check_value, normalize

_EMPTY: Mapping[str, Sequence[Mapping[str, str]]] = {}


@dataclass(frozen=True)
class Page:
    """One page of the form: a question (``group``/``item`` set for a group's sub-question), or a
    group's list page (``field`` is the group, ``item`` is None)."""

    field: Field
    group: Field | None = None
    item: int | None = None

    @property
    def is_list(self) -> bool:
        return self.group is not None and self.item is None

    @property
    def path(self) -> str:
        """``phone``, ``witnesses`` (the list page) or ``witnesses.0.nik`` (first witness's NIK)."""
        if self.group is None or self.item is None:
            return self.field.id
        return f"{self.group.id}.{self.item}.{self.field.id}"


def flat_key(group: Field, index: int, sub: Field) -> str:
    """A group's answer as one flat key (``witnesses_1_nik``), for views that hold text by question id."""
    return f"{group.id}_{index + 1}_{sub.id}"


def asked(item: Field | DocumentRequirement, values: Mapping[str, str]) -> bool:
    return item.ask_if is None or item.ask_if.holds(values)


def asked_form(form: Form, values: Mapping[str, str]) -> Form:
    """``form`` with only the questions and documents asked for these answers."""
    return dataclasses.replace(form, fields=tuple(f for f in form.fields if asked(f, values)),
                               documents=tuple(d for d in form.documents if asked(d, values)))


def item_count(group: Field, groups: Groups) -> int:
    """Items shown: those entered, and never fewer than the group's minimum."""
    return max(len(groups.get(group.id, ())), group.min_items)


def pages(form: Form, values: Mapping[str, str], groups: Groups = _EMPTY) -> list[Page]:
    out: list[Page] = []
    for item in form.fields:
        if not asked(item, values):
            continue
        if item.is_group:
            for index in range(item_count(item, groups)):
                out += [Page(sub, item, index) for sub in item.items if asked(sub, values)]
            out.append(Page(item, item))
        else:
            out.append(Page(item))
    return out


def answer(page: Page, values: Mapping[str, str], groups: Groups = _EMPTY) -> str:
    if page.group is None or page.item is None:
        return values.get(page.field.id, "") if not page.is_list else ""
    items = groups.get(page.group.id, ())
    return items[page.item].get(page.field.id, "") if page.item < len(items) else ""


def _niks(form: Form, values: Mapping[str, str], groups: Groups) -> list[tuple[str, str]]:
    """(path, NIK) of every NIK answered in the asked questions, in page order."""
    return [(page.path, normalize(page.field, answer(page, values, groups)))
            for page in pages(form, values, groups)
            if page.field.type == "nik" and not page.is_list and answer(page, values, groups)]


def check_page(form: Form, page: Page, values: Mapping[str, str], groups: Groups = _EMPTY, *,
               today: date | None = None) -> Problem | None:
    """What keeps the citizen on ``page``: the answer's own check, a NIK used twice, a group's
    count or an unfinished person in it, then the rules whose message belongs here."""
    if page.is_list:
        problem = _check_group(form, page.field, values, groups, today)
    else:
        problem = check_value(page.field, answer(page, values, groups), today=today)
        if problem is None and page.field.type == "nik":
            problem = _same_nik(form, page, values, groups)
    if problem is None and page.item is None:
        problem = rule_problem(form, page.field.id, values, groups)
    return problem


def _same_nik(form: Form, page: Page, values: Mapping[str, str], groups: Groups) -> Problem | None:
    mine = normalize(page.field, answer(page, values, groups))
    for path, nik in _niks(form, values, groups):
        if path == page.path:
            return None  # only a NIK typed earlier in the form counts against this one
        if nik == mine:
            return Problem("forms.error.same_nik", {})
    return None


def _check_group(form: Form, group: Field, values: Mapping[str, str], groups: Groups,
                 today: date | None) -> Problem | None:
    count = len(groups.get(group.id, ()))
    if count < group.min_items:
        return Problem("forms.error.group_min", {"n": group.min_items})
    if count > group.max_items:
        return Problem("forms.error.group_max", {"n": group.max_items})
    for index in range(count):
        for sub in group.items:
            sub_page = Page(sub, group, index)
            if asked(sub, values) and check_page(form, sub_page, values, groups, today=today) is not None:
                return Problem("forms.error.group_item", {"n": index + 1})
    return None


def check_form(form: Form, values: Mapping[str, str], groups: Groups = _EMPTY, *,
               today: date | None = None) -> dict[str, Problem]:
    """Every page's problem (page path → problem); an empty dict means the form can be sent."""
    problems = {}
    for page in pages(form, values, groups):
        problem = check_page(form, page, values, groups, today=today)
        if problem is not None:
            problems[page.path] = problem
    return problems
