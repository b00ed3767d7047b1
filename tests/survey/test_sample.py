"""The minimum SKM sample (Krejcie and Morgan 1970, the table in PermenPANRB 14/2017's annex)."""

from __future__ import annotations

import pytest

from kiosk.survey.sample import SampleCheck, krejcie_morgan

# Krejcie & Morgan (1970), "Table for Determining Sample Size from a Given Population": every row (N, S).
TABLE = [
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265),
    (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364),
    (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380),
    (50000, 381), (75000, 382), (1000000, 384),
]


@pytest.mark.parametrize(("population", "sample"), [(100, 80), (1000, 278), (10000, 370)])
def test_worked_examples(population: int, sample: int) -> None:
    assert krejcie_morgan(population) == sample


def test_every_row_of_the_table() -> None:
    assert len(TABLE) == 90
    assert [(n, krejcie_morgan(n)) for n, _ in TABLE] == TABLE


def test_between_rows_small_and_huge() -> None:
    assert krejcie_morgan(2347) == 330  # between 2,200 → 327 and 2,400 → 331
    assert [krejcie_morgan(n) for n in (0, 1, 2, 5)] == [0, 1, 2, 5]  # never more than were served
    assert krejcie_morgan(10_000_000) == 384
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="whole number"):
            krejcie_morgan(bad)  # type: ignore[arg-type]  # the wrong types are the point


def test_sample_check() -> None:
    short = SampleCheck.of(1000, 250)
    assert (short.needed, short.reached, short.short_by) == (278, False, 28)
    assert SampleCheck.of(1000, 278).reached and SampleCheck.of(1000, 300).short_by == 0
    assert not SampleCheck.of(0, 0).reached  # nobody served: nothing to reach
    assert SampleCheck.of(100, 80).to_json() == {"population": 100, "needed": 80, "respondents": 80,
                                                 "reached": True, "short_by": 0}
