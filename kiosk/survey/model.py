"""What one SKM response holds: nine answers on 1–4, optional demographics and free text.

The elements and their order are fixed by PermenPANRB 14/2017 (see ``../shared/domain/MPP.md``);
their wording lives in ``kiosk/i18n/{id,en}/survey.toml`` under ``survey.element.<key>``. A
response holds no name and no NIK, but it keeps its ticket (so a ticket is rated once, and for the
figures per service and counter), so it is pseudonymous, not anonymous: see ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

SCORES: tuple[int, ...] = (1, 2, 3, 4)


@dataclass(frozen=True)
class Element:
    """One SKM element: ``code`` as on the paper sheet (U1..U9), ``key`` for its texts."""

    code: str
    key: str


ELEMENTS: tuple[Element, ...] = (
    Element("U1", "requirements"),
    Element("U2", "procedure"),
    Element("U3", "time"),
    Element("U4", "cost"),
    Element("U5", "product"),
    Element("U6", "competence"),
    Element("U7", "behaviour"),
    Element("U8", "complaints"),
    Element("U9", "facilities"),
)
ELEMENT_CODES: tuple[str, ...] = tuple(e.code for e in ELEMENTS)

# Optional demographics: field -> allowed codes (texts under survey.demographic.<field>.<code>).
DEMOGRAPHICS: Mapping[str, tuple[str, ...]] = {
    "sex": ("male", "female"),
    "age_band": ("under_20", "20_29", "30_39", "40_49", "50_59", "60_plus"),
    "education": ("sd", "smp", "sma", "diploma", "s1", "s2_plus"),
    "occupation": ("civil_servant", "military_police", "private", "self_employed", "student", "other"),
}
FeedbackKind = Literal["suggestion", "complaint"]
Channel = Literal["kiosk", "counter", "paper"]
MAX_TEXT = 500


class InvalidResponse(ValueError):
    """A response that cannot be stored as given (a programming or data error, not a citizen's)."""


@dataclass(frozen=True)
class SurveyResponse:
    """One citizen's answers. ``answers[i]`` is element i's score (1–4) or None when skipped."""

    answers: tuple[int | None, ...]
    ticket_id: str | None = None
    ticket_number: str | None = None
    day: str | None = None
    service_code: str | None = None
    agency: str | None = None
    counter: int | None = None
    channel: Channel = "kiosk"
    lang: str = "id"
    demographics: Mapping[str, str] = field(default_factory=dict)
    suggestion: str = ""
    complaint: str = ""

    def __post_init__(self) -> None:
        check_answers(self.answers)
        for name, value in self.demographics.items():
            if name not in DEMOGRAPHICS:
                raise InvalidResponse(f"unknown demographic field {name!r}")
            if value not in DEMOGRAPHICS[name]:
                raise InvalidResponse(f"{name}: {value!r} is not one of {', '.join(DEMOGRAPHICS[name])}")
        for name in ("suggestion", "complaint"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise InvalidResponse(f"{name} is longer than {MAX_TEXT} characters")

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)


def check_answers(answers: Sequence[int | None]) -> None:
    if len(answers) != len(ELEMENTS):
        raise InvalidResponse(f"a response has {len(ELEMENTS)} answers, got {len(answers)}")
    for element, answer in zip(ELEMENTS, answers, strict=True):
        if answer is not None and (isinstance(answer, bool) or answer not in SCORES):
            raise InvalidResponse(f"{element.code}: {answer!r} is not a score from 1 to 4")


class AlreadyRated(Exception):
    """This ticket already has a response (one response per ticket)."""

    def __init__(self, ticket_number: str | None) -> None:
        super().__init__(f"ticket {ticket_number or '?'} has already been rated")
        self.ticket_number = ticket_number


class SurveyRecorder(Protocol):
    """What the survey screens need of :class:`kiosk.survey.store.SurveyStore` (handed in, never opened by them)."""

    def record(self, response: SurveyResponse) -> str: ...  # raises AlreadyRated
    def is_rated(self, ticket_id: str) -> bool: ...
    def close(self) -> None: ...
