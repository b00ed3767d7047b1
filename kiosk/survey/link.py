"""Which ticket a survey rates: found by the number on the citizen's paper, or handed over by
the counter that just finished it. The target carries the service, agency and counter so the IKM
can be split by them, and nothing about the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.catalog.services import Catalog
from kiosk.queue.models import Ticket, TicketNotFound, TicketState
from kiosk.survey.model import SurveyRecorder

TicketFinder = Callable[[str], Ticket]  # the queue's ``find``: today's ticket by number (in-process or the host)


@dataclass(frozen=True)
class SurveyTarget:
    ticket_id: str
    ticket_number: str
    day: str
    service_code: str
    agency: str | None
    counter: int | None


class NotRateable(Exception):
    """The number cannot be rated now; ``reason`` is ``not_found``, ``not_finished`` or ``already_rated``."""

    def __init__(self, reason: str, number: str) -> None:
        super().__init__(f"{number}: {reason}")
        self.reason, self.number = reason, number


def target_for(ticket: Ticket, catalog: Catalog | None) -> SurveyTarget:
    agency = None
    if catalog is not None:
        try:
            agency = catalog.service(ticket.service_code).agency
        except KeyError:
            agency = None
    return SurveyTarget(ticket.id, ticket.number, ticket.day, ticket.service_code, agency, ticket.counter)


def normalise_number(text: str) -> str:
    """"a12", "A-12", "A 012" → "A-012" (how the engine writes numbers)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    letters = "".join(ch for ch in cleaned if ch.isalpha())
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if not letters or not digits:
        return text.strip().upper()
    return f"{letters}-{int(digits):03d}"


def check_rateable(number: str, find: TicketFinder, store: SurveyRecorder, catalog: Catalog | None) -> SurveyTarget:
    """The target for a typed number, or :class:`NotRateable` saying why not (runs off the GUI thread)."""
    number = normalise_number(number)
    try:
        ticket = find(number)
    except TicketNotFound:
        raise NotRateable("not_found", number) from None
    if ticket.state is not TicketState.DONE:
        raise NotRateable("not_finished", ticket.number)
    if store.is_rated(ticket.id):
        raise NotRateable("already_rated", ticket.number)
    return target_for(ticket, catalog)
