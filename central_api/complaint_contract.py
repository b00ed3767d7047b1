"""The complaints' wire shapes at the reference central API (docs/complaints.md has the whole story).

* ``POST /v1/complaints``: a kiosk (or a counter) files one complaint, idempotent by its ``id``.
* ``GET /v1/complaints``, ``GET /v1/complaints/{id}``, ``POST /v1/complaints/{id}/actions``: the MPP's
  complaint officer (the console) lists, reads and acts (respond, forward, close).
* ``GET /v1/public/complaints/{token}`` (and the HTML page ``/complaints/{reference}/{token}``): what the
  receipt's QR shows: the reference, category, state and dates; nothing personal.

Every body is strict: unknown fields, wrong types (``"true"`` for a boolean, a number for a text), NUL
characters and over-long texts answer 422 naming the field. The same rules as the kiosk's
(:func:`kiosk.complaints.model.check_complaint`) are applied again here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from central_api.booking_contract import MPP_CODE_PATTERN
from central_api.contract import UUID_PATTERN, AwareTime, Unicode
from kiosk.complaints.model import MAX_CLERK_ID_CHARS, MAX_EMAIL_CHARS, MAX_SERVICE_CODE_CHARS, MAX_TEXT_CHARS
from kiosk.complaints.states import MAX_AGENCY_CHARS, MAX_OFFICER_CHARS

REFERENCE_PATTERN = r"^ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{22}$"
PHONE_PATTERN = r"^\+628[1-9][0-9]{7,10}$"  # as the kiosk normalizes it: +62 and 9 to 12 digits
Category = Literal["service_process", "staff_conduct", "facilities", "fees", "information", "other"]
State = Literal["received", "responded", "forwarded", "closed"]
ActionName = Literal["respond", "forward", "close"]
OutcomeName = Literal["resolved", "not_substantiated", "referred", "withdrawn"]

_ID = "0b6f3a52-8d1e-4c0f-9a4b-2e7d5c1f9a30"
_FILED: dict[str, Any] = {
    "version": 1, "id": _ID, "reference": "ADU-7KQ2-M9XD", "status_token": "q3Jx0yC1m8p0o6y9Yh0gH7",
    "mpp_code": "MPP-3171", "category": "fees", "service_code": "KTP-EL", "ticket_number": "A-012",
    "text": "Petugas di loket 3 meminta uang Rp 50.000 agar KTP cepat jadi.",
    "contact": {"phone": "+6281234567890", "email": None}, "share_contact": True, "language": "id",
    "channel": "kiosk", "filed_by": None, "filed_at": "2026-12-07T03:15:42+00:00"}
_EVENT: dict[str, Any] = {"at": "2026-12-08T02:00:10.120+00:00", "action": "respond", "officer": "pengaduan-1",
                          "text": "Terima kasih. Kami memeriksa kejadian ini bersama kepala loket.", "agency": None,
                          "outcome": None}
_COMPLAINT: dict[str, Any] = {
    **{k: v for k, v in _FILED.items() if k not in ("version", "status_token")}, "anonymous": False,
    "received_at": "2026-12-07T03:16:01.004+00:00", "state": "responded",
    "first_response_at": "2026-12-08T02:00:10.120+00:00", "closed_at": None, "outcome": None, "forwarded_to": None,
    "events": [_EVENT]}


class Contact(BaseModel):
    """How the officer reaches the citizen; at least one of the two. Absent (null) for an anonymous complaint."""

    model_config = ConfigDict(extra="forbid", strict=True)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, description="Indonesian mobile, +628…")
    email: Unicode | None = Field(default=None, min_length=6, max_length=MAX_EMAIL_CHARS)


class ComplaintBody(BaseModel):
    """``POST /v1/complaints``: one complaint as the kiosk filed it (the outbox record, sent once)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        _FILED, {**_FILED, "id": "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "reference": "ADU-0P3R-W8Z1",
                 "category": "facilities", "service_code": None, "ticket_number": None, "contact": None,
                 "share_contact": False, "text": "Toilet di lantai 2 rusak sejak minggu lalu."}]})
    version: Literal[1] = Field(default=1, description="The record's format; 1 today.")
    id: str = Field(pattern=UUID_PATTERN, description="The kiosk's uuid4: the complaint's identity, unique forever.")
    reference: str = Field(pattern=REFERENCE_PATTERN, description="What the citizen quotes (on the receipt).")
    status_token: str = Field(pattern=TOKEN_PATTERN, description="128 random bits in the receipt's QR: the key "
                              "of the public status page. Kept only as a hash; never listed.")
    mpp_code: str = Field(pattern=MPP_CODE_PATTERN, description="The MPP it was filed at (the device's MPP).")
    category: Category
    service_code: Unicode | None = Field(default=None, min_length=1, max_length=MAX_SERVICE_CODE_CHARS)
    ticket_number: Unicode | None = Field(default=None, min_length=1, max_length=16)
    text: Unicode = Field(min_length=1, max_length=MAX_TEXT_CHARS,
                         description=f"The complaint, at most {MAX_TEXT_CHARS} characters.")
    contact: Contact | None = Field(description="null = anonymous.")
    share_contact: bool = Field(description="The citizen agreed that the contact goes with an SP4N-LAPOR! referral.")
    language: Literal["id", "en"]
    channel: Literal["kiosk", "counter"]
    filed_by: Unicode | None = Field(default=None, min_length=1, max_length=MAX_CLERK_ID_CHARS,
                                     description="The clerk's id when filed at a counter; null at the kiosk.")
    filed_at: AwareTime = Field(description="When the citizen filed it: the clocks run from here.")


class ComplaintReceived(BaseModel):
    """The answer to a filed complaint (201 the first time, 200 for an identical repeat)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": _ID, "reference": "ADU-7KQ2-M9XD", "state": "received",
         "received_at": "2026-12-07T03:16:01.004+00:00"}]})
    id: str
    reference: str
    state: State
    received_at: str


class ComplaintEvent(BaseModel):
    """One officer action, oldest first."""

    at: str
    action: ActionName
    officer: str
    text: str = Field(description="What the citizen was told.")
    agency: str | None = Field(description="The agency it went to (forward).")
    outcome: OutcomeName | None = Field(description="How it ended (close).")


class Complaint(BaseModel):
    """A complaint as the officer's console reads it (``contact`` only here, never on public pages)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_COMPLAINT]})
    id: str
    reference: str
    mpp_code: str
    category: Category
    service_code: str | None
    ticket_number: str | None
    text: str
    contact: Contact | None
    anonymous: bool
    share_contact: bool
    language: Literal["id", "en"]
    channel: Literal["kiosk", "counter"]
    filed_by: str | None
    filed_at: str
    received_at: str = Field(description="When the central API got it (later than filed_at while offline).")
    state: State
    first_response_at: str | None = Field(description="The first officer action: stops the 3-working-day clock.")
    closed_at: str | None = Field(description="Stops the 60-day clock.")
    outcome: OutcomeName | None
    forwarded_to: str | None = Field(description="The last agency it was forwarded to.")
    events: list[ComplaintEvent]


class ComplaintsAnswer(BaseModel):
    """``GET /v1/complaints``: the MPP's complaints in the asked state, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"complaints": [_COMPLAINT]}]})
    complaints: list[Complaint]


class ActionBody(BaseModel):
    """``POST /v1/complaints/{id}/actions``: respond, forward (with ``agency``) or close (with ``outcome``)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"action_id": "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716", "action": "respond", "officer": "pengaduan-1",
         "text": "Terima kasih. Kami memeriksa kejadian ini bersama kepala loket."},
        {"action_id": "6f5e4d3c-2b1a-4098-9e8d-7c6b5a493827", "action": "forward", "officer": "pengaduan-1",
         "text": "Diteruskan ke Disdukcapil untuk ditindaklanjuti.", "agency": "Disdukcapil Kota Contoh"},
        {"action_id": "70f5e4d3-c2b1-4a09-8f9e-8d7c6b5a4938", "action": "close", "officer": "pengaduan-1",
         "text": "Petugas yang bersangkutan telah ditegur; uang dikembalikan.", "outcome": "resolved"}]})
    action_id: str = Field(pattern=UUID_PATTERN, description="Client-made: the same id again is applied once.")
    action: ActionName
    text: Unicode = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="What the citizen is told.")
    officer: Unicode = Field(min_length=1, max_length=MAX_OFFICER_CHARS, description="The signed-in officer's id.")
    agency: Unicode | None = Field(default=None, min_length=1, max_length=MAX_AGENCY_CHARS)
    outcome: OutcomeName | None = None


class PublicComplaint(BaseModel):
    """What the receipt's QR shows to whoever holds it: no text, no contact, no officer, no agency."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reference": "ADU-7KQ2-M9XD", "category": "fees", "state": "responded",
         "filed_at": "2026-12-07T03:15:42+00:00", "first_response_at": "2026-12-08T02:00:10.120+00:00",
         "closed_at": None, "outcome": None}]})
    reference: str
    category: Category
    state: State
    filed_at: str
    first_response_at: str | None
    closed_at: str | None
    outcome: OutcomeName | None


__all__ = ["PHONE_PATTERN", "REFERENCE_PATTERN", "TOKEN_PATTERN", "ActionBody", "Complaint", "ComplaintBody",
           "ComplaintEvent", "ComplaintReceived", "ComplaintsAnswer", "Contact", "PublicComplaint"]
