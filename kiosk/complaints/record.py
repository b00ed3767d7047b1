"""A complaint as the central API returns it to the officer's console (``GET /v1/complaints``).

The console, the SP4N-LAPOR! export and the report's figures read the same JSON; parsing it once
here keeps a renamed field from breaking one of them silently. Unknown fields are ignored (a newer
central API may add some); a missing required field is a :class:`RecordError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The officer's console lists these; "open" means not closed yet.
OPEN_STATES = ("received", "responded", "forwarded")


class RecordError(ValueError):
    """The central API's complaint JSON lacks a field or has one of the wrong kind."""


@dataclass(frozen=True)
class ComplaintEvent:
    """One thing that happened to a complaint: filed, responded, forwarded, closed."""

    at: datetime
    action: str
    text: str = ""
    agency: str = ""
    officer: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class ComplaintRecord:
    """The central API's complaint, typed. ``phone``/``email`` are None for an anonymous complaint."""

    id: str
    reference: str
    mpp_code: str
    category: str
    text: str
    state: str
    filed_at: datetime
    received_at: datetime
    service_code: str | None = None
    ticket_number: str | None = None
    phone: str | None = None
    email: str | None = None
    anonymous: bool = True
    share_contact: bool = False
    language: str = "id"
    channel: str = "kiosk"
    filed_by: str | None = None
    first_response_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    forwarded_to: str | None = None
    events: tuple[ComplaintEvent, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ComplaintRecord:
        if not isinstance(data, Mapping):
            raise RecordError("a complaint must be a JSON object")
        contact = data.get("contact")
        if contact is not None and not isinstance(contact, Mapping):
            raise RecordError("'contact' must be an object or null")
        events = data.get("events") or []
        if not isinstance(events, Sequence) or isinstance(events, str):
            raise RecordError("'events' must be a list")
        return cls(
            id=_text(data, "id"), reference=_text(data, "reference"), mpp_code=_text(data, "mpp_code", ""),
            category=_text(data, "category"), text=_text(data, "text", ""), state=_text(data, "state"),
            filed_at=_time(data, "filed_at"), received_at=_time(data, "received_at", data.get("filed_at")),
            service_code=_optional(data, "service_code"), ticket_number=_optional(data, "ticket_number"),
            phone=_optional(contact, "phone") if contact else None,
            email=_optional(contact, "email") if contact else None,
            anonymous=contact is None or bool(data.get("anonymous", False)),
            share_contact=bool(data.get("share_contact", False)), language=_text(data, "language", "id"),
            channel=_text(data, "channel", "kiosk"), filed_by=_optional(data, "filed_by"),
            first_response_at=_optional_time(data, "first_response_at"),
            closed_at=_optional_time(data, "closed_at"), outcome=_optional(data, "outcome"),
            forwarded_to=_forwarded(data.get("forwarded_to")),
            events=tuple(_event(e) for e in events),
        )


def records_from_json(items: Any) -> list[ComplaintRecord]:
    """The ``complaints`` list of a list answer."""
    if not isinstance(items, list):
        raise RecordError("'complaints' must be a list")
    return [ComplaintRecord.from_json(item) for item in items]


def parse_time(value: str) -> datetime:
    """An ISO 8601 time; a naive one is taken as UTC (the central API writes UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        if default is not None:
            return default
        raise RecordError(f"complaint field {key!r} is missing")
    if not isinstance(value, str):
        raise RecordError(f"complaint field {key!r} must be text")
    return value


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"complaint field {key!r} must be text or null")
    return value


def _time(data: Mapping[str, Any], key: str, fallback: Any = None) -> datetime:
    value = data.get(key, fallback) or fallback
    if not isinstance(value, str):
        raise RecordError(f"complaint field {key!r} must be an ISO time")
    try:
        return parse_time(value)
    except ValueError:
        raise RecordError(f"complaint field {key!r} is not an ISO time: {value!r}") from None


def _optional_time(data: Mapping[str, Any], key: str) -> datetime | None:
    return _time(data, key) if data.get(key) else None


def _forwarded(value: Any) -> str | None:
    """The agency a complaint went to; a list (several forwards) gives the last one."""
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError("complaint field 'forwarded_to' must be text or null")
    return value


def _event(data: Any) -> ComplaintEvent:
    if not isinstance(data, Mapping):
        raise RecordError("a complaint event must be an object")
    return ComplaintEvent(at=_time(data, "at"), action=_text(data, "action"), text=_optional(data, "text") or "",
                          agency=_optional(data, "agency") or "", officer=_optional(data, "officer") or "",
                          outcome=_optional(data, "outcome") or "")
