"""The satisfaction index (IKM) exactly as PermenPANRB 14/2017 and ``MPP.md`` define it.

* NRR of an element = the mean of its answers (1–4) over the respondents who answered it.
* IKM = (Σ over the 9 elements of NRR × 1/9) × 25, so 25–100.
* Arithmetic is exact (fractions); the IKM is rounded **once**, half up, to 2 decimals, and the
  category is read from that rounded value against the published boundaries:
  A 88.31–100, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99. (Rounding first is what makes the
  published ranges, which have gaps of 0.01, cover every value.) NRRs are shown to 2 decimals,
  half up, for reading only; they never feed back into the IKM.
* An element nobody answered has no NRR. The weights are fixed at 1/9, so the IKM of such a group
  is not computed (``ikm`` None, ``missing_elements`` names the elements) rather than re-weighted.
* Skipped questions, one rule for the kiosk and paper (``docs/survey-and-reports.md``): an answer
  counts toward its element wherever it was given ("unsur yang terisi"); a response counts toward
  the sample (Krejcie–Morgan, :mod:`kiosk.survey.sample`) only when all nine are answered
  (``complete``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from kiosk.survey.model import ELEMENTS, check_answers

WEIGHT = Fraction(1, len(ELEMENTS))
CONVERSION = 25
# (lowest rounded IKM of the category, category); checked from the top.
CATEGORIES: tuple[tuple[Decimal, str], ...] = (
    (Decimal("88.31"), "A"),
    (Decimal("76.61"), "B"),
    (Decimal("65.00"), "C"),
    (Decimal("25.00"), "D"),
)
CATEGORY_KEYS = {"A": "very_good", "B": "good", "C": "fair", "D": "poor"}
_CENT = Decimal("0.01")


def round_half_up(value: Fraction, places: str = "0.01") -> Decimal:
    """Round an exact fraction half up (88.305 → 88.31), never through a binary float."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def category(ikm: Decimal) -> str:
    """The quality category (A–D) of an IKM already rounded to 2 decimals."""
    if ikm != ikm.quantize(_CENT):
        raise ValueError(f"round the IKM to 2 decimals before categorising it (got {ikm})")
    if not Decimal(25) <= ikm <= Decimal(100):
        raise ValueError(f"an IKM lies between 25 and 100 (got {ikm})")
    for lowest, name in CATEGORIES:
        if ikm >= lowest:
            return name
    raise AssertionError("unreachable: D starts at 25")


@dataclass(frozen=True)
class ElementScore:
    code: str
    key: str
    answers: int
    total: int

    @property
    def nrr(self) -> Fraction | None:
        return Fraction(self.total, self.answers) if self.answers else None


@dataclass(frozen=True)
class IkmResult:
    """The IKM of one group of respondents (a service, counter, agency, day...)."""

    respondents: int
    elements: tuple[ElementScore, ...]
    complete: int = 0  # responses with all nine answered: the ones that count toward the sample

    @property
    def missing_elements(self) -> list[str]:
        return [e.code for e in self.elements if e.answers == 0]

    @property
    def exact(self) -> Fraction | None:
        nrrs = [e.nrr for e in self.elements]
        if any(n is None for n in nrrs):
            return None
        return sum((n * WEIGHT for n in nrrs if n is not None), Fraction(0)) * CONVERSION

    @property
    def ikm(self) -> Decimal | None:
        exact = self.exact
        return round_half_up(exact) if exact is not None else None

    @property
    def category(self) -> str | None:
        value = self.ikm
        return category(value) if value is not None else None

    def to_json(self) -> dict[str, Any]:
        ikm = self.ikm
        return {
            "respondents": self.respondents,
            "complete": self.complete,
            "elements": [{"code": e.code, "element": e.key, "answers": e.answers,
                          "nrr": float(round_half_up(e.nrr)) if e.nrr is not None else None}
                         for e in self.elements],
            "ikm": float(ikm) if ikm is not None else None,
            "category": self.category,
            "quality": CATEGORY_KEYS[self.category] if self.category else None,
            "missing_elements": self.missing_elements,
        }


def from_totals(respondents: int, answers: Sequence[int], totals: Sequence[int], complete: int = 0) -> IkmResult:
    """The IKM from per-element answer counts and score sums (what SQL aggregates give)."""
    if len(answers) != len(ELEMENTS) or len(totals) != len(ELEMENTS):
        raise ValueError(f"need {len(ELEMENTS)} counts and {len(ELEMENTS)} sums")
    if not 0 <= complete <= min((respondents, *answers)):
        raise ValueError(f"complete responses ({complete}) cannot outnumber any element's answers")
    return IkmResult(respondents, tuple(ElementScore(e.code, e.key, int(n), int(s or 0))
                                        for e, n, s in zip(ELEMENTS, answers, totals, strict=True)), int(complete))


def compute(responses: Iterable[Sequence[int | None]]) -> IkmResult:
    """The IKM of a list of answer rows (each 9 scores, None = not answered)."""
    counts = [0] * len(ELEMENTS)
    sums = [0] * len(ELEMENTS)
    respondents = complete = 0
    for row in responses:
        check_answers(row)
        respondents += 1
        complete += all(score is not None for score in row)
        for i, score in enumerate(row):
            if score is not None:
                counts[i] += 1
                sums[i] += score
    return from_totals(respondents, counts, sums, complete)
