"""Filing an application at the kiosk: issue the queue number, then save the application with it.

Ticket first: the ticket's request id is stable, so "try again" after a failed save gets the same
number back, and the saved application carries the number the counter will call. The counter's
view of the application is remembered right after the save and reaches the queue later
(:meth:`kiosk.applications.views.CounterViews.push`), so a queue host down after issuing never
loses it. :func:`filing_problem` says what the citizen is told when filing fails. No Qt here: the
summary screen runs :meth:`ApplicationFiling.file` off the GUI thread and shows the problem's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.applications.drafts import ApplicationDraft, ApplicationNotSaved, build_new_application, save_application
from kiosk.catalog.forms import Form
from kiosk.citizen.nik import Nik
from kiosk.queue.client import QueueUnavailable
from kiosk.queue.models import IssuedTicket, PriorityGroup, Ticket

log = logging.getLogger(__name__)

#: The text key telling the citizen why no ticket came (``kiosk.visit.flow.issue_problem``); None: unexpected.
TicketProblem = Callable[[BaseException], "str | None"]


class TicketIssuer(Protocol):
    """What filing needs of the queue (``kiosk.queue.client.QueueClient``)."""

    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | None = None,
              lang: str = "id", nik_masked: str | None = None, identity_status: str = "none") -> IssuedTicket: ...


class _Store(Protocol):
    """What filing needs of ``kiosk.sync.outbox.ApplicationStore``."""

    def save(self, application: Any) -> Any: ...


class _Views(Protocol):
    """What filing needs of :class:`kiosk.applications.views.CounterViews`."""

    def filed(self, application_id: str, ticket: Ticket) -> bool: ...


@dataclass(frozen=True)
class FilingRequest:
    """One citizen's application, ready to send: everything comes from the session."""

    draft: ApplicationDraft
    form: Form
    nik: Nik
    service_code: str
    request_id: str
    lang: str
    priority: PriorityGroup | None = None
    identity_status: str = "none"


@dataclass(frozen=True)
class Filed:
    """The ticket and the saved application (``kiosk.sync.outbox.SavedApplication``) for the receipt."""

    issued: IssuedTicket
    saved: Any


@dataclass(frozen=True)
class FilingProblem:
    """What the summary screen says when filing failed: a text key and its parameters."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


class ApplicationFiling:
    """Issue the ticket, then save the application with its number (blocking: run it off the GUI)."""

    def __init__(self, queue: TicketIssuer, store: _Store, views: _Views | None = None) -> None:
        self.queue, self.store, self.views = queue, store, views

    def file(self, request: FilingRequest) -> Filed:
        """Raises the queue's errors (no ticket) or :class:`ApplicationNotSaved` (ticket, but no record)."""
        issued = self.queue.issue(request.service_code, request_id=request.request_id, priority=request.priority,
                                  lang=request.lang, nik_masked=request.nik.masked,
                                  identity_status=request.identity_status)
        application = build_new_application(request.draft, request.form, request.nik, request.lang,
                                            issued.ticket.number)
        saved = save_application(self.store, application, ticket_number=issued.ticket.number)
        if self.views is not None:  # the counter's view goes to the queue after the receipt
            self.views.filed(saved.id, issued.ticket)
        return Filed(issued=issued, saved=saved)


def filing_problem(exc: BaseException, ticket_problem: TicketProblem) -> FilingProblem:
    """What the citizen is told, and the log line IT needs, when :meth:`ApplicationFiling.file` raised.

    A full disk or damaged store keeps the ticket when one was issued (the clerk can still serve);
    a queue that cannot be reached, a quota used up or a closed MPP say so (``ticket_problem``);
    anything else is a bug: logged with its traceback, the citizen sees staff.
    """
    if isinstance(exc, ApplicationNotSaved):
        if exc.ticket_number:
            return FilingProblem("application.error.not_saved_ticket", {"ticket": exc.ticket_number})
        return FilingProblem("application.error.not_saved")
    key = ticket_problem(exc)
    if key is not None:
        if isinstance(exc, QueueUnavailable):
            log.warning("queue unavailable while filing an application: %s", exc)
        return FilingProblem(key)
    log.error("filing an application failed", exc_info=exc)
    return FilingProblem("application.error.not_saved")
