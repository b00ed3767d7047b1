"""The queue host's wire format: domain values as JSON-ready dicts and back.

Shared by the host (:mod:`kiosk.queue.host`) and the terminals' HTTP client
(:mod:`kiosk.queue.http_client`); kept apart so a terminal does not import FastAPI to read a ticket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kiosk.queue.models import (
    ApplicationView,
    AttachedApplication,
    BoardCall,
    BoardState,
    EventType,
    IssuedTicket,
    PriorityGroup,
    QueueEvent,
    Ticket,
    TicketState,
    WaitPreview,
)

_TIME_FIELDS = ("arrived_at", "issued_at", "called_at", "started_at", "finished_at")
_TICKET_FIELDS = tuple(f.name for f in dataclasses.fields(Ticket))
_OPTIONAL_FIELDS = ("booking",)  # newer than some hosts: read as None when absent


def _time_to_json(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _time_from_json(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment.astimezone(UTC)


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket as JSON-ready values: ISO-8601 UTC times, enums as their values."""
    data: dict[str, Any] = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    for name in _TIME_FIELDS:
        data[name] = _time_to_json(data[name])
    data["priority"] = ticket.priority.value if ticket.priority is not None else None
    data["state"] = ticket.state.value
    return data


def ticket_from_json(data: Mapping[str, Any]) -> Ticket:
    """The inverse of :func:`ticket_to_json`; unknown keys are ignored (newer hosts may add some)."""
    values = {name: data[name] for name in _TICKET_FIELDS if name not in _OPTIONAL_FIELDS}
    values.update({name: data.get(name) for name in _OPTIONAL_FIELDS})  # absent from hosts before issue 19
    for name in _TIME_FIELDS:
        values[name] = _time_from_json(values[name])
    values["priority"] = PriorityGroup(values["priority"]) if values["priority"] is not None else None
    values["state"] = TicketState(values["state"])
    return Ticket(**values)


def issued_to_json(issued: IssuedTicket) -> dict[str, Any]:
    return {"ticket": ticket_to_json(issued.ticket), "people_ahead": issued.people_ahead,
            "estimated_wait_minutes": issued.estimated_wait_minutes}


def issued_from_json(data: Mapping[str, Any]) -> IssuedTicket:
    return IssuedTicket(ticket_from_json(data["ticket"]), int(data["people_ahead"]),
                        int(data["estimated_wait_minutes"]))


def preview_to_json(preview: WaitPreview) -> dict[str, Any]:
    return dataclasses.asdict(preview)


def preview_from_json(data: Mapping[str, Any]) -> WaitPreview:
    return WaitPreview(data["service_code"], int(data["people_ahead"]), int(data["estimated_wait_minutes"]))


def _call_to_json(call: BoardCall) -> dict[str, Any]:
    return {"counter": call.counter, "number": call.number, "service_code": call.service_code,
            "called_at": _time_to_json(call.called_at), "priority": call.priority}


def _call_from_json(data: Mapping[str, Any]) -> BoardCall:
    called_at = _time_from_json(data["called_at"])
    assert called_at is not None
    return BoardCall(int(data["counter"]), data["number"], data["service_code"], called_at,
                     bool(data.get("priority", False)))


def board_to_json(board: BoardState) -> dict[str, Any]:
    return {"now_serving": [_call_to_json(c) for c in board.now_serving],
            "recent_calls": [_call_to_json(c) for c in board.recent_calls],
            "waiting_by_service": dict(board.waiting_by_service), "day": board.day}


def board_from_json(data: Mapping[str, Any]) -> BoardState:
    return BoardState(now_serving=[_call_from_json(c) for c in data["now_serving"]],
                      recent_calls=[_call_from_json(c) for c in data["recent_calls"]],
                      waiting_by_service={k: int(v) for k, v in data["waiting_by_service"].items()},
                      day=data["day"])


# The event stream carries only what its subscribers use (issue 21). Terminals (kiosk: which
# pending face to delete; counter: which application changed) get the ticket without its masked NIK
# and application id, which no subscriber reads from the stream; the lobby board gets what it
# shows: the number, its service and state, the counter, and no actor or detail.
STREAM_WITHHELD = ("nik_masked", "application_id")
BOARD_TICKET_FIELDS = ("number", "service_code", "state")


def event_to_json(event: QueueEvent) -> dict[str, Any]:
    """An event as a terminal (kiosk, counter, admin) reads it from the stream."""
    ticket = ticket_to_json(event.ticket)
    for name in STREAM_WITHHELD:
        del ticket[name]
    return {"type": event.type.value, "ticket": ticket, "counter": event.counter,
            "at": _time_to_json(event.at), "actor": event.actor, "detail": event.detail}


def board_event_to_json(event: QueueEvent) -> dict[str, Any]:
    """An event as the lobby board reads it: no ticket id, request id, NIK, identity, priority or application."""
    return {"type": event.type.value, "counter": event.counter, "at": _time_to_json(event.at),
            "ticket": {"number": event.ticket.number, "service_code": event.ticket.service_code,
                       "state": event.ticket.state.value}}


def _streamed_ticket(data: Mapping[str, Any], at: datetime, counter: int | None) -> Ticket:
    """The ticket of a streamed event; what the stream withholds is left empty (``None``, ``""``).

    A board's event has only :data:`BOARD_TICKET_FIELDS`: its ticket has an empty id and request
    id, identity "none", and the event's time as its arrival."""
    if "id" in data:
        return ticket_from_json({**dict.fromkeys(STREAM_WITHHELD), **data})
    number = str(data["number"])
    prefix, _, seq = number.rpartition("-")
    return Ticket(id="", number=number, service_code=str(data["service_code"]), prefix=prefix,
                  seq=int(seq) if seq.isascii() and seq.isdigit() else 0, day="", priority=None,
                  state=TicketState(data["state"]), arrived_at=at, issued_at=at, called_at=None,
                  started_at=None, finished_at=None, counter=counter, recalls=0, request_id="",
                  identity_status="none", nik_masked=None, lang="", application_id=None)


def event_from_json(data: Mapping[str, Any]) -> QueueEvent:
    """The inverse of :func:`event_to_json` and :func:`board_event_to_json`."""
    at = _time_from_json(data["at"])
    assert at is not None
    raw_counter = data.get("counter")
    counter = int(raw_counter) if raw_counter is not None else None
    return QueueEvent(type=EventType(data["type"]), ticket=_streamed_ticket(data["ticket"], at, counter),
                      counter=counter, at=at, actor=str(data.get("actor", "")),
                      detail=dict(data.get("detail") or {}))


def application_view_to_json(view: ApplicationView) -> dict[str, Any]:
    """An application view as JSON-ready values (the body a kiosk PUTs; canonical: UTC time)."""
    return {"application_id": view.application_id, "number": view.number, "service_code": view.service_code,
            "nik_masked": view.nik_masked, "created_at": _time_to_json(view.created_at),
            "sync_state": view.sync_state, "answers": dict(view.answers), "documents": dict(view.documents),
            "details_deleted": view.details_deleted}


def application_view_from_json(data: Mapping[str, Any]) -> ApplicationView:
    """The inverse of :func:`application_view_to_json`; other keys (``ticket_id``, ...) are ignored.
    Invalid values raise ``ValueError`` (the view checks itself)."""
    created_at = _time_from_json(data["created_at"])
    return ApplicationView(
        application_id=data["application_id"], number=data["number"], service_code=data["service_code"],
        nik_masked=data["nik_masked"], created_at=created_at,  # type: ignore[arg-type]  # checked by the view
        sync_state=data["sync_state"], answers=dict(data.get("answers") or {}),
        documents=dict(data.get("documents") or {}), details_deleted=bool(data.get("details_deleted", False)))


def attached_application_to_json(attached: AttachedApplication) -> dict[str, Any]:
    """What the host answers for a ticket's application: the view plus which ticket and since when."""
    return {"ticket_id": attached.ticket_id, "ticket_number": attached.ticket_number,
            **application_view_to_json(attached.view), "attached_at": _time_to_json(attached.attached_at),
            "updated_at": _time_to_json(attached.updated_at)}
