"""The queue host's error answers: ``{"error": <code>, "message": <plain English>, ...}``.

Engine errors map to HTTP here, in one place, so every route answers them alike. A value the
client sent is echoed at most :data:`~kiosk.queue.routes.types.ECHO_LENGTH` characters long (an
unknown service of 100 KB was sent back whole).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.queue.models import (
    ApplicationConflict,
    Closed,
    IllegalTransition,
    NotYourTicket,
    QueueError,
    QuotaFull,
    RequestIdConflict,
    TicketExpired,
    TicketNotFound,
    UnknownService,
)
from kiosk.queue.routes.types import clip
from kiosk.queue.wire import _time_to_json, ticket_to_json

# Statuses routes declare for the API description (kiosk.queue.routes.contract adds the error model).
NO_TICKET: dict[int | str, dict[str, Any]] = {404: {"description": "`ticket_not_found`: no such ticket."}}
REFUSED_CHANGE: dict[int | str, dict[str, Any]] = {409: {
    "description": "`illegal_transition`: the ticket's `state` does not allow this (or it was recalled too often)."}}


class ApiError(Exception):
    """Answered as ``{"error": code, "message": message, **extra}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.extra = extra


def queue_error(exc: QueueError) -> ApiError:
    """The answer for an engine error: its message as a sentence, its details as fields."""
    message = str(exc)
    message = message[:1].upper() + message[1:] + "."
    if isinstance(exc, UnknownService):
        return ApiError(404, "unknown_service", f"Unknown service {clip(exc.service)!r}.", service=clip(exc.service))
    if isinstance(exc, TicketNotFound):
        return ApiError(404, "ticket_not_found", f"No ticket {clip(exc.key)!r}.")
    if isinstance(exc, NotYourTicket):
        return ApiError(403, "not_your_ticket", message)
    if isinstance(exc, IllegalTransition):  # RecallLimitReached included
        return ApiError(409, "illegal_transition", message, state=exc.current_state.value)
    if isinstance(exc, QuotaFull):
        return ApiError(409, "quota_full", message, service=exc.service, quota=exc.quota)
    if isinstance(exc, Closed):
        return ApiError(409, "closed", message, next_open=_time_to_json(exc.next_open))
    if isinstance(exc, RequestIdConflict):
        return ApiError(422, "request_id_conflict", f"Request {clip(exc.request_id)!r} already issued ticket "
                        f"{exc.ticket.number} for another choice.", ticket=ticket_to_json(exc.ticket))
    if isinstance(exc, ApplicationConflict):
        return ApiError(409, "application_conflict", message, application=exc.attached_number)
    if isinstance(exc, TicketExpired):
        return ApiError(409, "ticket_expired", message, day=exc.ticket.day)
    return ApiError(409, "queue_error", message)
