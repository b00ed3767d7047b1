"""Rules over several answers of a form, named in ``config/forms.json`` and written here.

The data says *which* rule a form follows (``"rules": [{"rule": "practice_place_limit", ...}]``),
the code says *what* it means, so a region can switch a rule on or tune its number without a
release, and the parser refuses a rule whose questions the form lacks. Each rule names the question
whose page shows its message (``attach``). Pure Python, no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kiosk.catalog.form_model import Form, FormRule, Problem

Groups = Mapping[str, Sequence[Mapping[str, str]]]
RuleCheck = Callable[[FormRule, Mapping[str, str], Groups], "Problem | None"]

_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class RuleSpec:
    """What a rule needs of a form: top-level questions, a group's sub-questions, its parameters."""

    attach: str
    fields: tuple[str, ...]
    group_items: Mapping[str, tuple[str, ...]]
    params: Mapping[str, tuple[int, int]]  # name → (minimum, maximum)
    check: RuleCheck


def _place_key(name: str) -> str:
    """"RSUD Tarakan" and "rsud  tarakan." are the same practice place."""
    return _NON_WORD.sub("", name.casefold())


def practice_place_limit(rule: FormRule, values: Mapping[str, str], groups: Groups) -> Problem | None:
    """One SIP per practice place, at most ``max_places`` places (Permenkes 13/2025 art. 149).

    ``other_sips`` are the SIPs the citizen holds *besides* the one applied for (for an extension
    or a change of place, besides the one extended or moved), so every kind of application counts
    the same way: the others plus this one.
    """
    limit = rule.params.get("max_places", 3)
    others = list(groups.get("other_sips", ()))
    if len(others) + 1 > limit:
        return Problem("forms.error.sip_limit", {"max": limit, "held": len(others)})
    place = values.get("facility_name", "")
    if place and _place_key(place) in {_place_key(item.get("place_name", "")) for item in others}:
        return Problem("forms.error.sip_same_place", {"place": place})
    return None


RULES: Mapping[str, RuleSpec] = {
    "practice_place_limit": RuleSpec(
        attach="other_sips", fields=("facility_name", "other_sips"),
        group_items={"other_sips": ("place_name",)}, params={"max_places": (1, 10)},
        check=practice_place_limit),
}


def rule_problem(form: Form, at: str, values: Mapping[str, str], groups: Groups) -> Problem | None:
    """The first problem of the rules whose message belongs on the page of question ``at``."""
    for rule in form.rules:
        spec = RULES[rule.rule]
        if spec.attach == at:
            problem = spec.check(rule, values, groups)
            if problem is not None:
                return problem
    return None
