"""The value types every request of the queue host is made of: bounded, strict and valid (issue 21, items 8 and 12).

Each field of a body, path or query is one of these, so an odd input is a 422 by construction, not by
a check in a route: text is bounded and valid Unicode (a lone surrogate such as ``"\\ud800"`` cannot
be written to SQLite nor to a JSON answer: it was a 500), whole numbers are strict and bounded (``0``
is not ``false``, ``"5"`` not ``5``, ``10**400`` and ``NaN`` not a counter), times carry their
offset and stay within years the host can convert to UTC (``9999-12-31T23:59-23:59`` overflowed).
Nesting is bounded by the models' shapes: no body field takes free-form JSON
(tests/queue/test_host_hardening.py checks the API description for it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, Strict, StrictBool, StringConstraints

EARLIEST_YEAR, LATEST_YEAR = 2000, 2200  # a kiosk's clock outside these is wrong, not a date to keep
MAX_COUNTER = 999
MAX_CODE_LENGTH = 64  # a service code (kiosk.catalog) or a language tag
MAX_NUMBER_LENGTH = 20  # a ticket number as printed, e.g. A-012
MAX_SERVICES = 200  # services one counter asks for at once
ECHO_LENGTH = 64  # at most this much of a value sent is ever repeated in an answer


def valid_unicode(text: str) -> str:
    """``text`` when it can be written as UTF-8; a lone surrogate is refused (SQLite and JSON cannot hold it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return text


Unicode = AfterValidator(valid_unicode)
"""Put in every text field's ``Annotated[str, ...]``, beside its length bounds."""


def _utc_convertible(moment: datetime) -> datetime:
    """A time the host can turn into UTC and store; years outside EARLIEST_YEAR..LATEST_YEAR are refused."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must be a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}") from None
    if not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise ValueError(f"must be a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_utc_convertible),
                   Field(description=f"ISO 8601 with its UTC offset, years {EARLIEST_YEAR}-{LATEST_YEAR}.")]
Flag = StrictBool  # true or false only: 0, 1, "false" are refused, not guessed
CounterNumber = Annotated[int, Strict(), Field(ge=1, le=MAX_COUNTER)]
ServiceCode = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CODE_LENGTH), Unicode]
TicketNumber = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NUMBER_LENGTH), Unicode]


class BodyModel(BaseModel):
    """Every request body: its fields only (an extra one, a full NIK say, cannot ride along)."""

    model_config = ConfigDict(extra="forbid")


def clip(value: object, length: int = ECHO_LENGTH) -> str:
    """``value`` as text of at most ``length`` characters, for echoing in an answer (never 100 KB back)."""
    text = str(value)
    return text if len(text) <= length else text[:length - 1] + "…"
