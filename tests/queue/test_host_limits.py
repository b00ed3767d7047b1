"""The queue host refuses a body before reading it (no token) or while reading it (too large): issue 21, item 1.

Real server on loopback in a thread of this process (its RSS is this process's), raw HTTP from a
socket so the tests control exactly what is sent and when; the 200 MB sender is a subprocess.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import textwrap
import time as wallclock
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import MAX_BODY_BYTES, create_app
from kiosk.queue.models import (
    MAX_ANSWER_LENGTH,
    MAX_ANSWERS,
    MAX_ANSWERS_TOTAL,
    MAX_DOCUMENT_KINDS,
    MAX_PHOTOS_PER_KIND,
    ServiceRule,
)
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer

KIOSK = "tok-kiosk-limits"
TOKENS = {KIOSK: DeviceGrant("kiosk-1", "kiosk"), "tok-counter-limits": DeviceGrant("console-1", "counter")}
RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
TIMEOUT = 10.0


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[str, int, QueueEngine]]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"))
    server = RunningServer(create_app(engine, TOKENS, keepalive_seconds=0.3), "127.0.0.1", 0)
    yield server.host, server.port, engine
    server.stop()
    engine.close()


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one answer (Content-Length framed, as the host answers)."""
    sock.settimeout(TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def headers_only(host: tuple[str, int, QueueEngine], method: str, path: str, headers: dict[str, str]) -> tuple[
        int, dict[str, str], dict[str, str]]:
    """Send only the head of a request announcing a body, and read the answer without sending the body."""
    with socket.create_connection(host[:2], timeout=TIMEOUT) as sock:
        sock.sendall(request_head(method, path, headers))
        status, answer_headers, body = read_answer(sock)
    return status, answer_headers, json.loads(body)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


SENDER = textwrap.dedent("""
    import socket, sys
    host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sock = socket.create_connection((host, port), timeout=30)
    head = (f"POST /v1/tickets HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n"
            f"Content-Length: {size}\\r\\n\\r\\n").encode()
    sock.sendall(head + b'{"service_code": "' )
    chunk = b"A" * (1 << 20)
    sent = 0
    try:
        while sent < size - 20:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the host may close once it has answered
    try:
        print(sock.recv(200).split(b"\\r\\n")[0].decode(), sent, flush=True)
    except OSError as exc:
        print("no answer", exc, sent, flush=True)
""")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="RSS read from /proc")
def test_a_200_mb_body_without_a_token_is_refused_unread(host: tuple[str, int, QueueEngine]) -> None:
    before = rss_mb()
    sender = subprocess.run([sys.executable, "-c", SENDER, host[0], str(host[1]), str(200 * 1024 * 1024)],
                            capture_output=True, text=True, timeout=120)
    growth = rss_mb() - before
    assert sender.stdout.startswith("HTTP/1.1 401"), (sender.stdout, sender.stderr)
    assert growth < 30, f"the host grew by {growth:.0f} MB while refusing an unauthenticated body"


def test_no_token_is_401_before_the_body_arrives(host: tuple[str, int, QueueEngine]) -> None:
    for auth in ({}, {"Authorization": "Bearer not-a-device"}):
        status, headers, body = headers_only(host, "POST", "/v1/tickets",
                                             {"Content-Type": "application/json", "Content-Length": "400000000",
                                              **auth})
        assert status == 401 and body["error"] == "unauthorized" and body["message"]
        assert headers["www-authenticate"].startswith("Bearer")


def test_oversize_body_with_a_valid_token_is_413_before_it_is_read(host: tuple[str, int, QueueEngine]) -> None:
    status, _, body = headers_only(host, "PUT", "/v1/tickets/x/application",
                                   {"Authorization": f"Bearer {KIOSK}", "Content-Type": "application/json",
                                    "Content-Length": str(MAX_BODY_BYTES + 1)})
    assert status == 413 and body["error"] == "too_large" and str(MAX_BODY_BYTES) in body["message"]


def test_oversize_invalid_body_is_413_not_parsed(host: tuple[str, int, QueueEngine]) -> None:
    """Today's code parsed it and answered 422: now the size decides, before any parsing."""
    payload = b"{" + b"x" * (MAX_BODY_BYTES + 10)
    with socket.create_connection(host[:2], timeout=TIMEOUT) as sock:
        sock.sendall(request_head("POST", "/v1/tickets", {"Authorization": f"Bearer {KIOSK}",
                                                          "Content-Type": "application/json",
                                                          "Content-Length": str(len(payload))}) + payload)
        status, _, body = read_answer(sock)
    assert status == 413 and json.loads(body)["error"] == "too_large"


def chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_chunked_oversize_body_is_413_as_soon_as_the_limit_is_passed(host: tuple[str, int, QueueEngine]) -> None:
    piece = b"A" * 65536
    sent = 0
    with socket.create_connection(host[:2], timeout=TIMEOUT) as sock:
        sock.sendall(request_head("PUT", "/v1/tickets/x/application", {
            "Authorization": f"Bearer {KIOSK}", "Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        deadline = wallclock.monotonic() + TIMEOUT
        while not select.select([sock], [], [], 0)[0]:
            assert sent < 64 * 1024 * 1024 and wallclock.monotonic() < deadline, "no answer to a growing body"
            sock.sendall(chunked(piece))
            sent += len(piece)
        status, _, body = read_answer(sock)
    assert status == 413 and json.loads(body)["error"] == "too_large"
    assert sent > MAX_BODY_BYTES


def test_chunked_body_within_the_limit_still_works(host: tuple[str, int, QueueEngine]) -> None:
    payload = json.dumps({"service_code": "KTP", "request_id": f"req-{uuid.uuid4().hex[:8]}"}).encode()
    with socket.create_connection(host[:2], timeout=TIMEOUT) as sock:
        sock.sendall(request_head("POST", "/v1/tickets", {
            "Authorization": f"Bearer {KIOSK}", "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
                     + chunked(payload[:10]) + chunked(payload[10:]) + b"0\r\n\r\n")
        status, _, body = read_answer(sock)
    assert status == 201, body
    assert json.loads(body)["ticket"]["service_code"] == "KTP"


def test_the_largest_application_view_fits_the_limit(host: tuple[str, int, QueueEngine]) -> None:
    """The limit is no tighter than the models: the worst legal view (all escapes) is accepted."""
    emoji = "\U0001f600"  # one character, 12 bytes as JSON: the worst case per character
    full = MAX_ANSWERS_TOTAL // MAX_ANSWER_LENGTH
    answers = {f"f{i:0>63}": (emoji * MAX_ANSWER_LENGTH if i < full else "") for i in range(MAX_ANSWERS)}
    documents = {f"d{i:0>63}": MAX_PHOTOS_PER_KIND for i in range(MAX_DOCUMENT_KINDS)}
    view = {"application_id": "a" * 64, "number": "N" * 64, "service_code": "KTP", "nik_masked": "3171********0001",
            "created_at": datetime.now(UTC).isoformat(), "sync_state": "pending", "answers": answers,
            "documents": documents, "details_deleted": False}
    ticket_body = json.dumps({"service_code": "KTP", "request_id": f"req-{uuid.uuid4().hex[:8]}"}).encode()
    auth = {"Authorization": f"Bearer {KIOSK}", "Content-Type": "application/json"}
    with socket.create_connection(host[:2], timeout=TIMEOUT) as sock:
        sock.sendall(request_head("POST", "/v1/tickets", {**auth, "Content-Length": str(len(ticket_body))})
                     + ticket_body)
        status, _, body = read_answer(sock)
        assert status == 201, body
        ticket_id = json.loads(body)["ticket"]["id"]
        payload = json.dumps(view, indent=1).encode()
        assert 240_000 < len(payload) <= MAX_BODY_BYTES  # near the worst case, and it fits
        sock.sendall(request_head("PUT", f"/v1/tickets/{ticket_id}/application",
                                  {**auth, "Content-Length": str(len(payload))}) + payload)
        status, _, body = read_answer(sock)
    assert status == 201, body
