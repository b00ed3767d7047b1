"""Issue 21 on the queue host: items 3 (only the issuing kiosk writes a ticket's application), 8 (odd
inputs answer 4xx, never 5xx), 12 (one error shape, strict and bounded models, the contract declares
security and every status) and 4 (full NIKs an older version stored are masked once at start).

Over real HTTP on loopback (a uvicorn server in a thread). No ``__init__.py`` in tests/queue on purpose
(a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ApplicationView, NotYourTicket, ServiceRule
from kiosk.queue.openapi import openapi_document
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.schema import QUEUE_SCHEMA
from kiosk.queue.server import RunningServer
from kiosk.queue.views import VIEWS_KEY_FILE
from kiosk.queue.wire import application_view_to_json
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import Schema, open_database
from kiosk.utils.privacy import is_masked_nik

JAKARTA = ZoneInfo("Asia/Jakarta")
TIMEOUT = 5.0
RULES = [ServiceRule("KTP", "A", daily_quota=5000, typical_service_minutes=10)]
TOKENS = {
    "tok-kiosk-one": DeviceGrant("kiosk-1", "kiosk"),
    "tok-kiosk-two": DeviceGrant("kiosk-2", "kiosk"),
    "tok-counter": DeviceGrant("console-2", "counter"),
    "tok-display": DeviceGrant("board-lobby", "display"),
    "tok-admin": DeviceGrant("it-admin", "admin"),
}
FULL_NIK = "3171014501900001"


def view_body(**changes: Any) -> dict[str, Any]:
    view = ApplicationView(application_id="6a0e4c1e-2b7d-4f7e-9d3c-5b1a7f0c2e11", number="APP-1", service_code="KTP",
                           nik_masked="3171********0001", created_at=datetime.now(UTC), sync_state="pending",
                           answers={"child_name": "SITI AMINAH"}, documents={"kk": 1})
    return {**application_view_to_json(view), **changes}


@dataclass
class Host:
    url: str
    engine: QueueEngine
    path: Path

    def call(self, method: str, path: str, token: str | None = "tok-kiosk-one", *, body: Any = None,
             raw: bytes | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = "application/json"
        with requests.Session() as session:
            session.trust_env = False  # loopback only
            return session.request(method, self.url + path, json=body, data=raw, headers=headers, timeout=TIMEOUT)

    def issue(self, token: str = "tok-kiosk-one") -> str:
        answer = self.call("POST", "/v1/tickets", token, body={"service_code": "KTP", "request_id": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["ticket"]["id"])


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, JAKARTA)
    server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3), "127.0.0.1", 0)
    yield Host(server.url, engine, tmp_path / "queue.db")
    server.stop()
    engine.close()


def assert_error_shape(answer: requests.Response, status: int | None = None) -> dict[str, Any]:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    if status is not None:
        assert answer.status_code == status, answer.text[:300]
    data = answer.json()
    assert isinstance(data, dict) and isinstance(data.get("error"), str) and isinstance(data.get("message"), str), data
    assert "detail" not in data
    return data


# -- item 3: only the kiosk that issued a ticket writes its application -------------------------

def test_another_kiosk_cannot_attach_or_overwrite_an_application(host: Host) -> None:
    ticket = host.issue("tok-kiosk-one")
    refused = host.call("PUT", f"/v1/tickets/{ticket}/application", "tok-kiosk-two", body=view_body())
    assert assert_error_shape(refused, 403)["error"] == "not_your_ticket"
    assert host.call("GET", f"/v1/tickets/{ticket}/application", "tok-counter").status_code == 404
    assert host.engine.get(ticket).application_id is None  # nothing written, not even the ticket's link

    assert host.call("PUT", f"/v1/tickets/{ticket}/application", body=view_body()).status_code == 201
    trail = host.engine.events(ticket)
    forged = view_body(sync_state="sent", answers={"child_name": "FORGED"})
    refused = host.call("PUT", f"/v1/tickets/{ticket}/application", "tok-kiosk-two", body=forged)
    assert assert_error_shape(refused, 403)["error"] == "not_your_ticket"
    shown = host.call("GET", f"/v1/tickets/{ticket}/application", "tok-counter").json()
    assert shown["answers"] == {"child_name": "SITI AMINAH"} and shown["sync_state"] == "pending"
    assert host.engine.events(ticket) == trail  # no event either


def test_the_issuing_kiosk_and_an_admin_may_write(host: Host) -> None:
    ticket = host.issue("tok-kiosk-one")
    assert host.call("PUT", f"/v1/tickets/{ticket}/application", body=view_body()).status_code == 201
    fixed = host.call("PUT", f"/v1/tickets/{ticket}/application", "tok-admin", body=view_body(sync_state="sent"))
    assert fixed.status_code == 200 and fixed.json()["sync_state"] == "sent"
    assert host.call("PUT", f"/v1/tickets/{ticket}/application", body=view_body(sync_state="rejected")).ok


def test_the_terminals_client_raises_the_domain_error(host: Host) -> None:
    ticket = host.issue("tok-kiosk-one")
    view = ApplicationView(application_id="a-1", number="APP-1", service_code="KTP", nik_masked="3171********0001",
                           created_at=datetime.now(UTC), sync_state="pending")
    other = HttpQueue(host.url, "tok-kiosk-two", timeout=2.0)
    try:
        with pytest.raises(NotYourTicket) as refused:
            other.attach_application(ticket, view)
    finally:
        other.close()
    assert refused.value.ticket.id == ticket  # not "access denied": the kiosk's token is fine


def test_the_engine_itself_refuses_another_device(tmp_path: Path) -> None:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, JAKARTA)
    try:
        ticket = engine.issue("KTP", request_id="r-1", actor="kiosk-1").ticket
        view = ApplicationView(application_id="a-1", number="APP-1", service_code="KTP", nik_masked="3171********0001",
                               created_at=datetime.now(UTC), sync_state="pending")
        with pytest.raises(NotYourTicket):
            engine.attach_application(ticket.id, view, actor="kiosk-2")
        assert engine.application_of(ticket.id) is None
        assert engine.attach_application(ticket.id, view, actor="someone", admin=True)[1] == "attached"
        assert engine.attach_application(ticket.id, view, actor="kiosk-1")[1] == "unchanged"
    finally:
        engine.close()


# -- item 8: odd inputs are a clean 4xx in the one error shape -----------------------------------

DEEP = "[" * 256 + "]" * 256
DEEP_OBJECT = '{"a":' * 256 + "1" + "}" * 256


def odd_requests(ticket: str) -> list[tuple[str, str, str, str]]:
    """(method, path, token, raw JSON body) that once crashed the host or slipped through."""
    issue = '{"service_code": "KTP", "request_id": "r-%s", %s}'
    view = json.dumps(view_body())[:-1] + ", "
    put, action = f"/v1/tickets/{ticket}/application", f"/v1/tickets/{ticket}/recall"
    cases = [("POST", "/v1/tickets", "tok-kiosk-one", issue % (n, field))
             for n, field in enumerate(('"lang": "\\ud800"', '"nik_masked": "\\ud800"', '"priority": "\\udfff"',
                                        f'"lang": {DEEP}', f'"identity_status": {DEEP_OBJECT}'))]
    cases += [("POST", "/v1/tickets", "tok-kiosk-one", '{"service_code": "\\ud800", "request_id": "\\ud800"}'),
              ("POST", "/v1/counters/1/call-next", "tok-counter", '{"services": ["\\ud800"]}'),
              ("POST", "/v1/counters/1/call-next", "tok-counter", '{"services": ["KTP", "\\udc00x"]}'),
              ("POST", "/v1/counters/1/call-next", "tok-counter", f'{{"services": {DEEP}}}'),
              ("POST", "/v1/counters/1/call", "tok-counter", '{"number": "\\ud800"}'),
              ("POST", f"/v1/tickets/{ticket}/transfer", "tok-counter", '{"to_service": "\\ud800"}'),
              ("POST", action, "tok-counter", '{"counter": ' + "1" + "0" * 400 + "}"),
              ("POST", action, "tok-counter", '{"counter": NaN}'),
              ("POST", action, "tok-counter", '{"counter": Infinity}'),
              ("POST", action, "tok-counter", '{"counter": -Infinity}'),
              ("POST", action, "tok-counter", '{"counter": 1e400}'),
              ("POST", action, "tok-counter", '{"counter": 1.5}'),
              ("POST", action, "tok-counter", f'{{"counter": {DEEP_OBJECT}}}'),
              ("POST", action, "tok-counter", DEEP),
              ("POST", action, "tok-counter", "[" * 100_000 + "]" * 100_000),  # deeper than the JSON reader goes
              ("PUT", put, "tok-kiosk-one", view + '"answers": {"child_name": "\\ud800"}}'),
              ("PUT", put, "tok-kiosk-one", view + f'"answers": {{"child_name": {DEEP}}}}}'),
              ("PUT", put, "tok-kiosk-one", view + '"documents": {"kk": NaN}}'),
              ("PUT", put, "tok-kiosk-one", view + '"documents": {"kk": 1' + "0" * 400 + "}}"),
              ("PUT", put, "tok-kiosk-one", view + '"documents": {"kk": Infinity}}'),
              ("PUT", put, "tok-kiosk-one", view + '"number": "\\ud800"}'),
              ("PUT", put, "tok-kiosk-one", view + '"created_at": "9999-12-31T23:59:59-23:59"}'),
              ("PUT", put, "tok-kiosk-one", view + '"created_at": "0001-01-01T00:00:00+23:59"}'),
              ("PUT", put, "tok-kiosk-one", view + '"created_at": "9999-12-31T23:59:59.999999+00:00"}')]
    return cases


def test_odd_inputs_get_a_clean_4xx_and_change_nothing(host: Host) -> None:
    ticket = host.issue()
    host.call("POST", "/v1/counters/1/call-next", "tok-counter", body={"services": ["KTP"]})
    before = host.engine.events()
    for method, path, token, raw in odd_requests(ticket):
        answer = host.call(method, path, token, raw=raw.encode("utf-8"))
        assert_error_shape(answer)
        assert "\\ud800" not in answer.text and "0" * 100 not in answer.text, answer.text[:200]
    assert host.engine.events() == before


def test_odd_bytes_and_lengths_in_the_authorization_header_are_401(host: Host) -> None:
    for value in (b"Bearer \xe9\xff\xfe", b"Bearer \xf0\x9f\x98\x80", "Bearer tok-kiosk-oné".encode("latin-1"),
                  b"Bearer " + b"x" * 20_000, b"\xff\xfe tok-kiosk-one", b"Bearer"):
        for method, body in (("GET", b""), ("POST", b'{"service_code": "KTP", "request_id": "r"}')):
            with socket.create_connection((host.url.split("//")[1].split(":")[0], int(host.url.rsplit(":", 1)[1])),
                                          timeout=TIMEOUT) as sock:
                path = "/v1/board" if method == "GET" else "/v1/tickets"
                sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\n".encode() + b"Authorization: " + value
                             + b"\r\nConnection: close\r\n\r\n" + body)
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            head, _, payload = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 401"), (value[:40], head[:100])
            assert json.loads(payload)["error"] == "unauthorized"


# -- item 12: one error shape, strict and bounded models -------------------------------------------

def test_every_error_has_the_one_shape_none_says_detail(host: Host) -> None:
    assert assert_error_shape(host.call("GET", "/v1/no-such-path"), 404)["error"] == "not_found"
    assert assert_error_shape(host.call("GET", "/no-such-path", None), 404)["error"] == "not_found"
    wrong_method = host.call("DELETE", "/v1/tickets")
    assert assert_error_shape(wrong_method, 405)["error"] == "method_not_allowed"
    assert "POST" in wrong_method.headers["Allow"]
    assert assert_error_shape(host.call("POST", "/v1/tickets", raw=b"{not json"), 422)["error"] == "invalid_request"
    assert assert_error_shape(host.call("GET", "/v1/board", None), 401)["error"] == "unauthorized"
    assert assert_error_shape(host.call("POST", "/v1/counters/1/call-next", body={"services": ["KTP"]}), 403)


def test_unknown_query_parameters_are_refused_not_ignored(host: Host) -> None:
    for path, token in (("/v1/board?recnet=3", "tok-display"), ("/v1/health?x=1", None),
                        ("/v1/waiting?service=KTP", "tok-counter"),
                        ("/v1/board?recent=3&" + "q" * 5000 + "=1", "tok-admin"),
                        ("/v1/waiting?services=KTP&services=KK", "tok-counter"),  # would keep only KK
                        ("/v1/board?recent=3&recent=90", "tok-display")):
        answer = host.call("GET", path, token)
        assert assert_error_shape(answer, 422)["error"] == "invalid_request" and len(answer.text) < 400, path
    assert host.call("GET", "/v1/board?recent=3", "tok-display").status_code == 200


@pytest.mark.parametrize(("path", "token", "field", "value"), [
    ("/v1/counters/1/call-next", "tok-counter", "priority_only", 0),
    ("/v1/counters/1/call-next", "tok-counter", "priority_only", "false"),
    ("/v1/counters/1/call-next", "tok-counter", "priority_only", None),
    ("/v1/counters/1/call-next", "tok-counter", "services", ["KTP"] * 201),
    ("/v1/counters/1/call-next", "tok-counter", "unknown_field", 1),
    ("/v1/tickets", "tok-kiosk-one", "extra", "3171014501900001"),
    ("/v1/tickets/{ticket}/recall", "tok-counter", "counter", "1"),
    ("/v1/tickets/{ticket}/recall", "tok-counter", "counter", True),
    ("/v1/tickets/{ticket}/recall", "tok-counter", "counter", 1.0),
    ("/v1/tickets/{ticket}/application", "tok-kiosk-one", "details_deleted", 0),
    ("/v1/tickets/{ticket}/application", "tok-kiosk-one", "documents", {"kk": "1"}),
    ("/v1/tickets/{ticket}/application", "tok-kiosk-one", "documents", {"kk": True}),
])
def test_types_are_strict(host: Host, path: str, token: str, field: str, value: Any) -> None:
    ticket = host.issue()
    base: dict[str, Any] = {"service_code": "KTP", "request_id": "r-strict"}
    if "call-next" in path:
        base = {"services": ["KTP"]}
    elif "recall" in path:
        base = {}
    elif "application" in path:
        base = view_body()
    answer = host.call("PUT" if "application" in path else "POST", path.format(ticket=ticket), token,
                       body={**base, field: value})
    assert assert_error_shape(answer, 422)["error"] == "invalid_request"
    assert host.engine.get(ticket).state.value == "issued" and host.engine.get(ticket).application_id is None


def test_an_unknown_service_is_never_echoed_whole(host: Host) -> None:
    huge = host.call("POST", "/v1/tickets", body={"service_code": "X" * 100_000, "request_id": "r-big"})
    assert assert_error_shape(huge, 422)["error"] == "invalid_request" and "XXXXXXXXXX" not in huge.text
    long_code = "Y" * 64
    unknown = host.call("POST", "/v1/tickets", body={"service_code": long_code, "request_id": "r-long"})
    data = assert_error_shape(unknown, 404)
    assert data["error"] == "unknown_service" and len(data["service"]) <= 64 and len(unknown.text) < 400
    missing = host.call("GET", "/v1/tickets/" + "Z" * 100)
    assert assert_error_shape(missing, 404)["error"] == "ticket_not_found" and "Z" * 100 not in missing.text


# -- item 12: the contract says what the host does ------------------------------------------------

def _walk(schema: Any, document: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                yield from _walk(document["components"]["schemas"][name], document, seen)
            return
        yield schema
        for key in ("properties", "patternProperties", "items", "additionalProperties", "anyOf", "allOf", "oneOf",
                    "propertyNames"):
            value = schema.get(key)
            if value is None or isinstance(value, bool):
                continue
            named = key in ("properties", "patternProperties")
            children = value.values() if named else value if isinstance(value, list) else [value]
            for child in children:
                yield from _walk(child, document, seen)


def test_contract_declares_security_every_status_and_one_error_model() -> None:
    document = openapi_document(examples=False)
    assert document["components"]["securitySchemes"]["deviceToken"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"][
            "deviceToken"]["description"]}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "detail" not in schemas["ErrorBody"]["properties"]
    public = {("get", "/v1/health"), ("get", "/v1/status/{token}"), ("get", "/v1/status/{token}/view"),
              ("get", "/v1/status/{token}/events")}  # the phone's page, its view and its stream: no device token
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            if (method, path) in public:
                assert operation["security"] == []
            else:
                assert operation["security"] == [{"deviceToken": []}] and "401" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"413", "422", "400"} <= statuses, (method, path)
            if "{ticket_id}" in path:
                assert {"404", "422"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    kiosk_only = document["paths"]["/v1/tickets/{ticket_id}/application"]["put"]["responses"]["403"]["description"]
    assert "not_your_ticket" in kiosk_only
    assert "403" not in document["paths"]["/v1/board"]["get"]["responses"]  # every role may read the board


def test_every_request_field_is_bounded_and_closed() -> None:
    """The mechanism behind item 8: no body field takes free-form JSON, unbounded text or numbers."""
    document = openapi_document(examples=False)
    bodies = [content["schema"] for item in document["paths"].values() for operation in item.values()
              for content in operation.get("requestBody", {}).get("content", {}).values()]
    assert bodies
    for body in bodies:
        for schema in _walk(body, document, set()):
            kind = schema.get("type")
            if kind == "string" and not {"enum", "const", "format"} & set(schema):  # a date-time is parsed, not kept
                assert "maxLength" in schema, schema
            elif kind == "integer":
                assert "maximum" in schema, schema
            elif kind == "array":
                assert "maxItems" in schema, schema
            elif kind == "object":
                assert schema.get("additionalProperties") is False or isinstance(
                    schema.get("additionalProperties"), dict), schema
            assert kind != "number", schema  # no float field: NaN cannot reach a model
            assert schema != {}, body  # an untyped field would take any JSON, nested any depth


# -- item 4: full NIKs an older version stored are masked once, at start ---------------------------

def old_database(path: Path) -> None:
    """A queue.db as the version before this one left it, with full NIKs written by raw SQL."""
    old = Schema(QUEUE_SCHEMA.name, QUEUE_SCHEMA.migrations[:-1])
    db = open_database(path, old)
    db.close()
    today = datetime.now(JAKARTA).date().isoformat()
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    view = {**view_body(), "nik_masked": "3171-0145-0190-0002"}  # a full NIK, typed in groups
    sealed_view = json.dumps(view, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    conn = sqlite3.connect(path)
    with conn:
        for n, nik in enumerate((FULL_NIK, "3171********0009", None, "12345", "3171014501900003")):
            conn.execute("INSERT INTO tickets(id, number, service_code, issued_service, prefix, seq, day, state, "
                         "arrived_at, issued_at, request_id, nik_masked) VALUES (?, ?, 'KTP', 'KTP', 'A', ?, ?, "
                         "'issued', ?, ?, ?, ?)", (f"t-{n}", f"A-{n:03d}", n, today, stamp, stamp, f"r-{n}", nik))
            conn.execute("INSERT INTO events(ticket_id, at, type, actor, detail) VALUES (?, ?, 'issued', 'kiosk-1', ?)",
                         (f"t-{n}", stamp, json.dumps({"service": "KTP", "nik_masked": nik})))
        # one view in clear (before views were sealed), one sealed with the views' key
        conn.execute("INSERT INTO ticket_applications VALUES ('t-0', ?, 'app-0', 'APP-0', ?, ?, ?)",
                     (today, sealed_view, stamp, stamp))
        sealer = Sealer(load_or_create_key(path.parent / VIEWS_KEY_FILE, create=True))
        conn.execute("INSERT INTO ticket_applications VALUES ('t-4', ?, 'app-4', 'APP-4', ?, ?, ?)",
                     (today, sealer.seal(sealed_view.replace("0002", "0004").encode(), "t-4"), stamp, stamp))
    conn.close()


def test_full_niks_left_by_an_older_version_are_masked_once_at_start(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "queue.db"
    old_database(path)
    with caplog.at_level(logging.INFO, logger="kiosk.queue"):
        engine = QueueEngine.open(path, RULES, JAKARTA)
    try:
        lines = [r.getMessage() for r in caplog.records if "full NIK" in r.getMessage()]
        # tickets: the two full NIKs and "12345" (dropped); views: two; audit trail: the same three
        assert lines == ["masked 8 full NIKs left in queue.db by an older version (tickets 3, application views 2, "
                         "audit trail 3)"], lines
        assert all(r.levelno == logging.INFO for r in caplog.records if "full NIK" in r.getMessage())
        assert "0145" not in caplog.text and "12345" not in caplog.text
        assert [engine.get(f"t-{n}").nik_masked for n in range(5)] == [
            "3171********0001", "3171********0009", None, None, "3171********0003"]
        for ticket, nik in (("t-0", "3171********0002"), ("t-4", "3171********0004")):
            attached = engine.application_of(ticket)
            assert attached is not None and attached.view.nik_masked == nik
        for event in engine.events():
            nik = event["detail"]["nik_masked"]
            assert nik is None or is_masked_nik(nik)
    finally:
        engine.close()
    stored = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("queue.db-*"))
    assert b"3171014501900001" not in stored and b"3171014501900003" not in stored
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kiosk.queue"):
        QueueEngine.open(path, RULES, JAKARTA).close()  # once: nothing left, no line
    assert "full NIK" not in caplog.text
