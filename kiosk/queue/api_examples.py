"""Examples for the queue host's OpenAPI file, recorded from a real session, not written by hand.

A scripted morning (a kiosk issues tickets and attaches a filed application, a counter reads it,
calls, recalls, starts, finishes, transfers..., a kiosk calls for staff and a counter answers)
runs against the real app and engine on a fixed clock; each operation's request and answer become
its example. Hand-written examples drift from the code; these cannot. Ticket ids (random) are
replaced by stable placeholders so the committed file only changes when the API does.
The session runs over real HTTP on loopback (the same server the queue host uses).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from kiosk.booking.code import BookingCodeFields, booking_qr_text, encode_booking_code
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.devices import DeviceRole
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import status_token

Examples = dict[tuple[str, str], dict[str, Any]]

_RULES = [ServiceRule("KTP-EL", "A", daily_quota=300, typical_service_minutes=10),
          ServiceRule("KK", "B", daily_quota=300, typical_service_minutes=8)]
_MPP, _BOOKING_KEY = "MPP-DEMO", bytes(range(32))  # a fixed key: the recorded code stays the same
_TOKENS: dict[DeviceRole, str] = {"kiosk": "tok-kiosk", "counter": "tok-counter", "display": "tok-display"}


def _clock() -> Iterator[datetime]:
    moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
    while True:
        yield moment
        moment += timedelta(seconds=97)


def recorded_examples() -> Examples:
    """``{(method, path template): {"request": body|None, "status": int, "response": body|None}}``."""
    ticks = _clock()
    last: list[datetime] = []  # the clock's latest reading: a booking's slot is set from it

    def clock() -> datetime:
        last[:] = [next(ticks)]
        return last[0]

    examples: Examples = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = QueueEngine.open(Path(folder) / "queue.db", _RULES, ZoneInfo("Asia/Jakarta"), clock=clock)
        engine.bookings.configure(BookingSettings(enabled=True, mpp_code=_MPP), _BOOKING_KEY)
        grants = {token: DeviceGrant(f"{role}-1", role) for role, token in _TOKENS.items()}
        app = create_app(engine, grants, counters_serving=lambda _code: 2)
        server = RunningServer(app)
        client = requests.Session()
        client.trust_env = False  # loopback only
        ids: dict[str, str] = {}

        def call(method: str, template: str, role: DeviceRole, body: Any = None, query: Any = None,
                 **params: Any) -> Any:
            answer = client.request(method, server.url + template.format(**params), json=body, params=query,
                                    headers={"Authorization": f"Bearer {_TOKENS[role]}"}, timeout=10)
            data = answer.json() if answer.content else None
            if answer.status_code >= 400:
                raise RuntimeError(f"example {method} {template} failed: {answer.status_code} {data}")
            examples.setdefault((method.lower(), template), {"request": body, "status": answer.status_code,
                                                             "response": data})  # the first one tells most
            return data

        try:
            call("GET", "/v1/services/{code}/preview", "kiosk", code="KTP-EL")
            call("GET", "/v1/services/availability", "kiosk")
            first = call("POST", "/v1/tickets", "kiosk", {
                "service_code": "KTP-EL", "request_id": "6f1c2a9e-8d0b-4c35-9a51-0e7f2b1d4c88", "lang": "id",
                "nik_masked": "3171********0001", "identity_status": "to_verify_at_counter"})
            second = call("POST", "/v1/tickets", "kiosk", {"service_code": "KTP-EL", "request_id": "r-2",
                                                           "priority": "elderly"})
            third = call("POST", "/v1/tickets", "kiosk", {"service_code": "KK", "request_id": "r-3"})
            for number, issued in enumerate((first, second, third), start=1):
                ids[issued["ticket"]["id"]] = f"TICKET-{number}"
                ids[status_token(issued["ticket"]["id"])] = f"STATUS-TOKEN-{number}"
            call("GET", "/v1/status/{token}", "display", token=status_token(first["ticket"]["id"]))
            call("GET", "/v1/status/{token}/view", "display", token=status_token(first["ticket"]["id"]))
            view = {"application_id": "0b6f1f5e-8c2a-4d7e-9a41-2f5c3e9d7a10", "number": "APP-20261123-0001",
                    "service_code": "KTP-EL", "nik_masked": "3171********0001",
                    "created_at": "2026-11-23T01:01:30+00:00", "sync_state": "pending",
                    "answers": {"reason": "lost", "phone": "081234567890"},
                    "documents": {"kk": 1, "police_report": 1}, "details_deleted": False}
            call("PUT", "/v1/tickets/{ticket_id}/application", "kiosk", view, ticket_id=first["ticket"]["id"])
            call("PUT", "/v1/tickets/{ticket_id}/application", "kiosk", {**view, "sync_state": "sent"},
                 ticket_id=first["ticket"]["id"])  # the kiosk's newer sync state (200; the first example is kept)
            call("GET", "/v1/tickets/{ticket_id}/application", "counter", ticket_id=first["ticket"]["id"])
            called = call("POST", "/v1/counters/{counter}/call-next", "counter",
                          {"services": ["KTP-EL", "KK"], "priority_only": False}, counter=2)
            call("POST", "/v1/tickets/{ticket_id}/recall", "counter", {"counter": 2}, ticket_id=called["id"])
            call("POST", "/v1/tickets/{ticket_id}/start", "counter", {"counter": 2}, ticket_id=called["id"])
            call("GET", "/v1/counters/{counter}/current", "counter", counter=2)
            call("POST", "/v1/tickets/{ticket_id}/finish", "counter", {"counter": 2}, ticket_id=called["id"])
            call("POST", "/v1/tickets/{ticket_id}/transfer", "counter", {"to_service": "KK", "counter": 2},
                 ticket_id=first["ticket"]["id"])
            call("POST", "/v1/counters/{counter}/call", "counter", {"number": "B-001"}, counter=3)
            call("POST", "/v1/tickets/{ticket_id}/no-show", "counter", {"counter": 3}, ticket_id=third["ticket"]["id"])
            call("POST", "/v1/tickets/{ticket_id}/reactivate", "counter", {"counter": 3},
                 ticket_id=third["ticket"]["id"])
            call("POST", "/v1/tickets/{ticket_id}/cancel", "counter", {"counter": 3}, ticket_id=third["ticket"]["id"])
            call("GET", "/v1/tickets/{ticket_id}", "kiosk", ticket_id=first["ticket"]["id"])
            call("GET", "/v1/tickets/by-number/{number}", "kiosk", number=called["number"])
            call("GET", "/v1/tickets/by-number/{number}/status", "kiosk", number=second["ticket"]["number"])
            # One key per citizen (docs/counter.md): who is next, finish-and-call-next, and its undo.
            fourth = call("POST", "/v1/tickets", "kiosk", {"service_code": "KK", "request_id": "r-4"})
            ids[fourth["ticket"]["id"]] = "TICKET-4"
            call("GET", "/v1/counters/{counter}/next-up", "counter", query={"services": "KTP-EL,KK"}, counter=2)
            held = call("POST", "/v1/counters/{counter}/call-next", "counter",
                        {"services": ["KTP-EL", "KK"], "priority_only": False}, counter=2)
            call("POST", "/v1/counters/{counter}/finish-and-call-next", "counter",
                 {"services": ["KTP-EL", "KK"], "priority_only": False, "finish": held["id"]}, counter=2)
            call("POST", "/v1/counters/{counter}/undo-finish", "counter",
                 {"finished": held["id"], "called": fourth["ticket"]["id"]}, counter=2)
            call("GET", "/v1/waiting", "counter")
            call("GET", "/v1/counters/{counter}/stats", "counter", counter=2)
            call("GET", "/v1/board", "display")
            # A kiosk's call for staff (docs/counter.md): raised, seen by the counters, answered, closed by a touch.
            raised = call("POST", "/v1/help-requests", "kiosk")
            ids[raised["id"]] = "HELP-REQUEST-1"
            call("GET", "/v1/help-requests", "counter")
            call("POST", "/v1/help-requests/{request_id}/acknowledge", "counter", {"counter": 2, "clerk": "rina"},
                 request_id=raised["id"])
            call("GET", "/v1/help-requests/{request_id}", "kiosk", request_id=raised["id"])
            call("POST", "/v1/help-requests/{request_id}/close", "kiosk", {"reason": "touched"},
                 request_id=raised["id"])
            # A booked citizen checks in at the kiosk (docs/bookings.md), on time: a ticket kept for the slot.
            slot = (last[0] + timedelta(minutes=5)).astimezone(ZoneInfo("Asia/Jakarta"))
            booking = encode_booking_code(BookingCodeFields(_MPP, slot.date(), slot.time().replace(second=0,
                                          microsecond=0), "KTP-EL", 7), _BOOKING_KEY)
            checked = call("POST", "/v1/bookings/check-in", "kiosk", {
                "code": booking_qr_text(booking), "request_id": "5d0c7b1e-2f3a-4e8b-9c6d-7a1b2c3d4e5f", "lang": "id"})
            ids[checked["ticket"]["ticket"]["id"]] = "TICKET-5"
        finally:
            client.close()
            server.stop()
            engine.close()
    text = json.dumps(_stable(examples), ensure_ascii=False)
    for real, placeholder in ids.items():
        text = text.replace(real, placeholder)
    return {tuple(key.split(" ", 1)): value for key, value in json.loads(text).items()}


def _stable(examples: Examples) -> dict[str, Any]:
    return {f"{method} {path}": value for (method, path), value in examples.items()}


def add_examples(document: dict[str, Any], examples: Examples) -> dict[str, Any]:
    """Put each recorded request/answer into the OpenAPI operation it belongs to."""
    for (method, path), example in examples.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            raise KeyError(f"recorded example for {method.upper()} {path}, which the API does not have")
        if example["request"] is not None and "requestBody" in operation:
            for content in operation["requestBody"]["content"].values():
                content["example"] = example["request"]
        if example["response"] is not None:
            response = operation["responses"].setdefault(str(example["status"]), {"description": "OK"})
            response.setdefault("content", {}).setdefault("application/json", {})["example"] = example["response"]
    return document
