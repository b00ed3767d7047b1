"""A kiosk's call for staff on the queue host, over real HTTP on loopback with device tokens: who may do
what (401/403), odd input answered 4xx never 5xx, and the terminals' client (HttpQueue) end to end.

No ``__init__.py`` in tests/queue on purpose (a package named ``queue`` would shadow the stdlib).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.engine import QueueEngine
from kiosk.queue.help import CloseReason, HelpConflict, HelpRequestNotFound, HelpState
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue, QueueAccessDenied, QueueRequestRefused
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

TOKENS = {
    "tok-kiosk-two-0123456789abc": DeviceGrant("kiosk-02", "kiosk"),
    "tok-kiosk-three-0123456789a": DeviceGrant("kiosk-03", "kiosk"),
    "tok-counter-0123456789abcde": DeviceGrant("console-3", "counter"),
    "tok-display-0123456789abcde": DeviceGrant("board-lobby", "display"),
    "tok-admin-0123456789abcdefg": DeviceGrant("it-admin", "admin"),
}
KIOSK, OTHER_KIOSK, COUNTER, DISPLAY, ADMIN = TOKENS


@dataclass
class Host:
    url: str
    engine: QueueEngine

    def call(self, method: str, path: str, token: str | None = KIOSK, *, body: Any = None,
             raw: bytes | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = "application/json"
        with requests.Session() as session:
            session.trust_env = False  # loopback only
            return session.request(method, self.url + path, json=body, data=raw, headers=headers, timeout=5)

    def client(self, token: str) -> HttpQueue:
        return HttpQueue(self.url, token, timeout=3.0, retries=0)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    engine = QueueEngine.open(tmp_path / "queue.db", [ServiceRule("KTP", "A", 100, 10)], ZoneInfo("Asia/Jakarta"))
    server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3))
    yield Host(server.url, engine)
    server.stop()
    engine.close()


def refused(answer: requests.Response, status: int) -> str:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    data = answer.json()
    assert set(data) >= {"error", "message"} and "detail" not in data
    return str(data["error"])


def test_raise_list_acknowledge_and_close_over_http(host: Host) -> None:
    raised = host.call("POST", "/v1/help-requests")
    assert raised.status_code == 201 and raised.json()["kiosk"] == "kiosk-02"  # the token names the kiosk
    request_id = raised.json()["id"]
    again = host.call("POST", "/v1/help-requests")
    assert again.status_code == 200 and again.json()["id"] == request_id  # a second tap: the same one
    listed = host.call("GET", "/v1/help-requests", COUNTER).json()
    assert [r["id"] for r in listed] == [request_id] and listed[0]["state"] == "raised"
    answered = host.call("POST", f"/v1/help-requests/{request_id}/acknowledge", COUNTER,
                         body={"counter": 3, "clerk": "rina"})
    assert answered.status_code == 200
    assert answered.json()["acknowledged_by"] == "console-3@counter-3" and answered.json()["clerk"] == "rina"
    assert host.call("GET", f"/v1/help-requests/{request_id}").json()["state"] == "acknowledged"
    closed = host.call("POST", f"/v1/help-requests/{request_id}/close", body={"reason": "touched"})
    assert closed.status_code == 200 and closed.json()["close_reason"] == "touched"
    assert host.call("GET", "/v1/help-requests", DISPLAY).json() == []
    trail = host.engine.help_events(request_id)
    assert [(e["type"], e["actor"]) for e in trail] == [("help_raised", "kiosk-02"),
                                                        ("help_acknowledged", "console-3@counter-3"),
                                                        ("help_closed", "kiosk-02")]


def test_the_board_reads_which_kiosk_and_how_long_but_no_clerk(host: Host) -> None:
    request_id = host.call("POST", "/v1/help-requests").json()["id"]
    host.call("POST", f"/v1/help-requests/{request_id}/acknowledge", COUNTER, body={"counter": 3, "clerk": "rina"})
    shown = host.call("GET", "/v1/help-requests", DISPLAY).json()
    assert shown == [{k: shown[0][k] for k in ("id", "kiosk", "state", "raised_at", "counter", "age_seconds")}]
    assert shown[0]["counter"] == 3 and "rina" not in str(shown)


@pytest.mark.parametrize(("method", "path", "token", "body", "status"), [
    ("POST", "/v1/help-requests", None, None, 401),
    ("POST", "/v1/help-requests", "not-a-known-token-at-all-0000", None, 401),
    ("POST", "/v1/help-requests", COUNTER, None, 403),  # a counter does not call for staff
    ("POST", "/v1/help-requests", DISPLAY, None, 403),
    ("GET", "/v1/help-requests", KIOSK, None, 403),  # a kiosk does not read the others' calls
    ("GET", "/v1/help-requests", None, None, 401),
    ("GET", "/v1/help-requests/{id}", DISPLAY, None, 403),
    ("POST", "/v1/help-requests/{id}/acknowledge", KIOSK, {"counter": 1}, 403),  # a kiosk cannot answer itself
    ("POST", "/v1/help-requests/{id}/acknowledge", DISPLAY, {"counter": 1}, 403),
    ("POST", "/v1/help-requests/{id}/close", COUNTER, {"reason": "cancelled"}, 403),
    ("POST", "/v1/help-requests/{id}/close", "", {"reason": "cancelled"}, 401),
])
def test_tokens_and_roles(host: Host, method: str, path: str, token: str | None, body: Any, status: int) -> None:
    request_id = host.engine.raise_help("kiosk-02")[0].id
    answer = host.call(method, path.replace("{id}", request_id), token, body=body)
    assert refused(answer, status) == ("unauthorized" if status == 401 else "forbidden")
    assert host.engine.help_request(request_id).state is HelpState.RAISED  # nothing changed


def test_another_kiosk_can_neither_read_nor_close_it(host: Host) -> None:
    request_id = host.call("POST", "/v1/help-requests").json()["id"]
    assert refused(host.call("GET", f"/v1/help-requests/{request_id}", OTHER_KIOSK), 403) == "not_your_help_request"
    answer = host.call("POST", f"/v1/help-requests/{request_id}/close", OTHER_KIOSK, body={"reason": "cancelled"})
    assert refused(answer, 403) == "not_your_help_request"
    assert host.call("POST", f"/v1/help-requests/{request_id}/close", ADMIN, body={"reason": "cancelled"}).ok


@pytest.mark.parametrize(("suffix", "body", "raw"), [
    ("/acknowledge", {}, None),  # no counter
    ("/acknowledge", {"counter": 0}, None),
    ("/acknowledge", {"counter": "3"}, None),  # strict: a string is not a counter
    ("/acknowledge", {"counter": True}, None),
    ("/acknowledge", {"counter": 10 ** 400}, None),
    ("/acknowledge", {"counter": 3, "clerk": ""}, None),
    ("/acknowledge", {"counter": 3, "clerk": "x" * 65}, None),
    ("/acknowledge", {"counter": 3, "clerk": "\ud800"}, None),  # a lone surrogate
    ("/acknowledge", {"counter": 3, "nik": "3171014501900001"}, None),  # nothing extra rides along
    ("/acknowledge", None, b"{not json"),
    ("/acknowledge", None, b"[" * 5000),
    ("/close", {"reason": "timeout"}, None),  # the host's own reason
    ("/close", {"reason": "whatever"}, None),
    ("/close", {}, None),
    ("/close", [], None),
])
def test_odd_input_is_a_4xx_never_a_5xx(host: Host, suffix: str, body: Any, raw: bytes | None) -> None:
    request_id = host.engine.raise_help("kiosk-02")[0].id
    token = COUNTER if suffix == "/acknowledge" else KIOSK
    answer = host.call("POST", f"/v1/help-requests/{request_id}{suffix}", token, body=body, raw=raw)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:200])
    assert "3171014501900001" not in answer.text
    assert host.engine.help_request(request_id).state is HelpState.RAISED


@pytest.mark.parametrize("path", ["/v1/help-requests/no-such-id", "/v1/help-requests/" + "a" * 65,
                                  "/v1/help-requests/%2E%2E", "/v1/help-requests/a%20b",
                                  "/v1/help-requests/x/acknowledge", "/v1/help-requests?unknown=1"])
def test_odd_ids_and_queries_are_refused(host: Host, path: str) -> None:
    method = "POST" if path.endswith("acknowledge") else "GET"
    token = COUNTER if method == "POST" or "?" in path else KIOSK
    answer = host.call(method, path, token, body={"counter": 1} if method == "POST" else None)
    assert answer.status_code in (404, 422), (path, answer.status_code, answer.text[:200])
    assert answer.json()["error"] in ("help_request_not_found", "invalid_request", "not_found")


def test_conflicts_answer_409_with_the_state(host: Host) -> None:
    request_id = host.call("POST", "/v1/help-requests").json()["id"]
    touched = host.call("POST", f"/v1/help-requests/{request_id}/close", body={"reason": "touched"})
    assert refused(touched, 409) == "help_conflict" and touched.json()["state"] == "raised"
    host.call("POST", f"/v1/help-requests/{request_id}/acknowledge", COUNTER, body={"counter": 3})
    second = host.call("POST", f"/v1/help-requests/{request_id}/acknowledge", COUNTER, body={"counter": 5})
    assert refused(second, 409) == "help_conflict" and second.json()["counter"] == 3


def test_the_terminals_client_end_to_end(host: Host) -> None:
    kiosk, counter, board, stranger = (host.client(t) for t in (KIOSK, COUNTER, DISPLAY, OTHER_KIOSK))
    try:
        request = kiosk.raise_help("ignored: the token names the kiosk")
        assert request.kiosk == "kiosk-02" and kiosk.raise_help("kiosk-02").id == request.id
        assert [r.id for r in board.open_help_requests()] == [request.id]
        answered = counter.acknowledge_help(request.id, counter=3, actor="console-3/counter-3", clerk="rina")
        assert answered.state is HelpState.ACKNOWLEDGED and kiosk.help_request(request.id).counter == 3
        with pytest.raises(HelpConflict) as late:
            counter.acknowledge_help(request.id, counter=5, actor="console-5/counter-5")
        assert late.value.request.counter == 3
        with pytest.raises(QueueRequestRefused) as not_yours:
            stranger.close_help(request.id, CloseReason.CANCELLED, kiosk="kiosk-03")
        assert not_yours.value.code == "not_your_help_request"  # not "access denied": the token is fine
        with pytest.raises(HelpRequestNotFound):
            kiosk.help_request("no-such-request")
        with pytest.raises(QueueAccessDenied):
            kiosk.open_help_requests()  # a kiosk's role may not list them
        closed = kiosk.close_help(request.id, CloseReason.TOUCHED, kiosk="kiosk-02")
        assert closed.close_reason is CloseReason.TOUCHED and board.open_help_requests() == []
    finally:
        for client in (kiosk, counter, board, stranger):
            client.close()
