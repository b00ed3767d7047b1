"""The reference central API's body limit uses the queue host's middleware: a chunked oversize body is 413
(it was 400: the limit's error surfaced inside FastAPI's body parsing), and a declared oversize body is
refused before it is sent. Issue 21, items 1 and 12."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from central_pg import BOTH
from sync_helpers import application_body, sha

from central_api.app import RunningCentral
from central_api.contract import MAX_ATTACHMENT_BYTES, MAX_IDENTITY_BYTES, MAX_JSON_BYTES
from central_api.middleware import BodyLimit
from kiosk.sync.central_client import DeviceCredentials
from kiosk.sync.signing import sign_headers

CENTRAL_STORES = BOTH  # the tests using `central` run on SQLite and on PostgreSQL


def pieces(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def test_chunked_oversize_body_is_413(central: RunningCentral, creds: DeviceCredentials) -> None:
    application = application_body(fields={"x": "y" * (2 * MAX_JSON_BYTES)})
    body = json.dumps(application).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": application["id"],
               **sign_headers(creds.device_id, creds.secret, "POST", "/v1/applications", body)}
    # a generator makes requests send the body chunked, with no Content-Length
    reply = requests.post(central.url + "/v1/applications", data=pieces(body), headers=headers, timeout=30)
    assert reply.status_code == 413, reply.text
    assert reply.json()["error"] == "too_large" and str(MAX_JSON_BYTES) in reply.json()["message"]
    assert central.store.count_applications() == 0


def test_chunked_body_within_the_limit_is_filed(central: RunningCentral, creds: DeviceCredentials) -> None:
    application = application_body()
    body = json.dumps(application).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": application["id"],
               **sign_headers(creds.device_id, creds.secret, "POST", "/v1/applications", body)}
    reply = requests.post(central.url + "/v1/applications", data=pieces(body, 100), headers=headers, timeout=30)
    assert reply.status_code in (200, 201), reply.text
    assert central.store.count_applications() == 1


def test_declared_oversize_body_is_413_before_it_is_sent(central: RunningCentral) -> None:
    where = urlsplit(central.url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 400000000\r\n\r\n")
        answer = b""
        while b"}" not in answer:
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413"
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"] == "too_large"


@pytest.mark.parametrize(("method", "path", "signed"), [
    ("POST", "/v1/enroll", False),
    ("POST", "/v1/records/survey", True),
    ("POST", "/v1/identity/verify", True),
    ("PUT", "/v1/attachments/{sha}", True),
    ("PUT", "/admin/faults", False),
])
def test_every_chunked_oversize_body_is_413_in_the_error_shape(central: RunningCentral, creds: DeviceCredentials,
                                                               method: str, path: str, signed: bool) -> None:
    """Whatever reads the body (FastAPI's JSON parsing, the signature check's read of an attachment),
    a chunked body past the path's limit is answered 413 ``too_large``, never 400."""
    limit = BodyLimit.limit_for(path.split("{")[0] + ("0" * 64 if "{" in path else ""))
    assert limit in (MAX_JSON_BYTES, MAX_IDENTITY_BYTES + 1024, MAX_ATTACHMENT_BYTES)
    body = b'{"x": "' + b"y" * (limit + 10) + b'"}'
    path = path.format(sha=sha(body))
    headers = {"Content-Type": "application/json"}
    if signed:
        headers.update(sign_headers(creds.device_id, creds.secret, method, path, body))
    reply = requests.request(method, central.url + path, data=pieces(body), headers=headers, timeout=60)
    assert reply.status_code == 413, reply.text[:200]
    assert reply.json() == {"error": "too_large", "message": f"The body is larger than the {limit} bytes allowed here."}
