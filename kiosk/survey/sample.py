"""The minimum SKM sample for a population, by Krejcie and Morgan (1970), as PermenPANRB 14/2017 asks.

The regulation's annex reads the sample off Krejcie and Morgan's table ("Table for Determining Sample
Size from a Given Population", Educational and Psychological Measurement 30, 607–610). The table is
the formula below evaluated at listed populations and rounded to the nearest whole respondent:

    S = X² · N · P(1−P) / (d² · (N−1) + X² · P(1−P))

with X² = 3.841 (chi-square, 1 degree of freedom, 95 %), P = 0.5 (the largest sample) and d = 0.05.
Computing it for the exact population gives the table's value at every one of its 90 rows (tested)
and a value between rows for populations the table skips (2,347 served citizens → 330, where the
table lists 2,200 → 327 and 2,400 → 331). Arithmetic is exact (fractions) and rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

CHI_SQUARE = Fraction(3841, 1000)
PROPORTION = Fraction(1, 2)
ACCURACY = Fraction(5, 100)


def krejcie_morgan(population: int) -> int:
    """The minimum number of respondents for ``population`` people served (0 for nobody served)."""
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError(f"a population is a whole number of people, 0 or more (got {population!r})")
    if population == 0:
        return 0
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    exact = spread * population / (ACCURACY ** 2 * (population - 1) + spread)
    return min(population, int(exact + Fraction(1, 2)))  # half up; never more people than were served


@dataclass(frozen=True)
class SampleCheck:
    """Whether a period's complete responses reach the sample its served citizens call for."""

    population: int  # citizens served in the period (tickets finished)
    needed: int
    respondents: int  # complete responses: all nine elements answered

    @classmethod
    def of(cls, population: int, respondents: int) -> SampleCheck:
        return cls(population, krejcie_morgan(population), respondents)

    @property
    def reached(self) -> bool:
        return self.population > 0 and self.respondents >= self.needed

    @property
    def short_by(self) -> int:
        return max(0, self.needed - self.respondents)

    def to_json(self) -> dict[str, int | bool]:
        return {"population": self.population, "needed": self.needed, "respondents": self.respondents,
                "reached": self.reached, "short_by": self.short_by}
