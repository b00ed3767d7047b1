"""IKM arithmetic on hand-computed cases: formula, rounding, every category boundary, gaps."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from kiosk.survey.ikm import category, compute, from_totals, round_half_up
from kiosk.survey.model import InvalidResponse


def respondents_with_total(n: int, total: int) -> list[tuple[int, ...]]:
    """n complete responses whose 9n scores add up to ``total`` (scores spread as evenly as possible)."""
    assert 9 * n <= total <= 36 * n
    scores = [1] * (9 * n)
    extra = total - 9 * n
    i = 0
    while extra:
        step = min(3, extra)
        scores[i] += step
        extra -= step
        i += 1
    return [tuple(scores[r * 9:(r + 1) * 9]) for r in range(n)]


def test_hand_computed_example() -> None:
    # Two respondents. NRR: U1 (4+3)/2 = 3.5, U2 3.5, U3 3, U4 4, U5 3, U6 3, U7 3.5, U8 3, U9 3.
    # Σ NRR = 29.5; IKM = 29.5 / 9 × 25 = 81.9444… → 81.94, category B.
    result = compute([(4, 4, 3, 4, 3, 3, 4, 3, 3), (3, 3, 3, 4, 3, 3, 3, 3, 3)])
    assert [e.nrr for e in result.elements] == [Fraction(7, 2), Fraction(7, 2), 3, 4, 3, 3, Fraction(7, 2), 3, 3]
    assert result.exact == Fraction(295, 18)*5
    assert result.ikm == Decimal("81.94")
    assert result.category == "B"
    assert result.respondents == 2


def test_extremes_are_25_and_100() -> None:
    assert compute([(4,) * 9]).ikm == Decimal("100.00")
    assert compute([(4,) * 9]).category == "A"
    assert compute([(1,) * 9]).ikm == Decimal("25.00")
    assert compute([(1,) * 9]).category == "D"


@pytest.mark.parametrize(("n", "total", "ikm", "cat"), [
    (24, 763, "88.31", "A"),   # 88.3101… lowest A
    (19, 604, "88.30", "B"),   # 88.3040… highest B
    (19, 524, "76.61", "B"),   # 76.6081… rounds UP into B: categorise the rounded value
    (26, 717, "76.60", "C"),   # 76.6025… highest C
    (5, 117, "65.00", "C"),    # exactly 65.00, lowest C
    (38, 889, "64.99", "D"),   # 64.9853… highest D
])
def test_category_boundaries_from_real_answers(n: int, total: int, ikm: str, cat: str) -> None:
    result = compute(respondents_with_total(n, total))
    assert result.exact == Fraction(25 * total, 9 * n)
    assert result.ikm == Decimal(ikm)
    assert result.category == cat


def test_rounding_is_half_up_not_bankers() -> None:
    # 8 respondents, 225 points: IKM = 25 × 225 / 72 = 78.125 exactly → 78.13 (banker's rounding gives 78.12)
    result = compute(respondents_with_total(8, 225))
    assert result.exact == Fraction(625, 8)
    assert result.ikm == Decimal("78.13")
    assert round_half_up(Fraction(88305, 1000)) == Decimal("88.31")
    assert round_half_up(Fraction(883049, 10000)) == Decimal("88.30")


@pytest.mark.parametrize(("value", "cat"), [
    ("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"), ("65.00", "C"),
    ("64.99", "D"), ("25.00", "D"),
])
def test_category_table(value: str, cat: str) -> None:
    assert category(Decimal(value)) == cat


def test_category_refuses_unrounded_or_impossible_values() -> None:
    with pytest.raises(ValueError, match="round"):
        category(Decimal("88.305"))
    with pytest.raises(ValueError, match="between 25 and 100"):
        category(Decimal("24.99"))


def test_nrr_uses_only_those_who_answered_the_element() -> None:
    # U4 (cost) skipped by the second respondent: NRR U4 = 2/1 = 2, not (2 + 0)/2.
    result = compute([(4, 4, 4, 2, 4, 4, 4, 4, 4), (4, 4, 4, None, 4, 4, 4, 4, 4)])
    assert result.elements[3].answers == 1
    assert result.elements[3].nrr == 2
    # Σ NRR = 8 × 4 + 2 = 34 → 34 / 9 × 25 = 94.444… → 94.44
    assert result.ikm == Decimal("94.44")


def test_an_element_nobody_answered_leaves_the_ikm_uncomputed() -> None:
    result = compute([(4, 4, 4, None, 4, 4, 4, 4, 4), (3, 3, 3, None, 3, 3, 3, 3, 3)])
    assert result.missing_elements == ["U4"]
    assert result.elements[3].nrr is None
    assert result.ikm is None and result.category is None
    data = result.to_json()
    assert data["ikm"] is None and data["missing_elements"] == ["U4"]
    assert data["elements"][3] == {"code": "U4", "element": "cost", "answers": 0, "nrr": None}


def test_no_respondents_at_all() -> None:
    result = compute([])
    assert result.respondents == 0 and result.ikm is None
    assert len(result.missing_elements) == 9


def test_totals_and_rows_agree() -> None:
    rows = respondents_with_total(24, 763)
    counts = [24] * 9
    sums = [sum(r[i] for r in rows) for i in range(9)]
    assert from_totals(24, counts, sums).ikm == compute(rows).ikm


@pytest.mark.parametrize("bad", [(5, 4, 4, 4, 4, 4, 4, 4, 4), (0, 4, 4, 4, 4, 4, 4, 4, 4), (4,) * 8,
                                 (True, 4, 4, 4, 4, 4, 4, 4, 4)])
def test_out_of_range_answers_are_refused(bad: tuple) -> None:
    with pytest.raises(InvalidResponse):
        compute([bad])


def test_skipped_questions_count_for_their_element_but_not_toward_the_sample() -> None:
    """The written rule (docs/survey-and-reports.md): an answer counts toward its element wherever it was
    given; a response counts toward the sample only with all nine answered."""
    result = compute([(4,) * 9, (None, 2, 2, 2, 2, 2, 2, 2, 2), (None,) * 9])
    assert result.respondents == 3 and result.complete == 1
    assert result.elements[0].answers == 1 and result.elements[0].nrr == 4  # not (4 + 0 + 0) / 3
    assert result.elements[1].answers == 2 and result.elements[1].nrr == 3
    assert result.to_json()["complete"] == 1
    with pytest.raises(ValueError, match="complete"):
        from_totals(2, [1] * 9, [4] * 9, complete=2)  # two complete responses need two answers per element
