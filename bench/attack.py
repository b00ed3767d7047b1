"""Issue 21's attacks, rerun against both HTTP services as real processes on loopback; prints JSON.

What it measures (each figure is what the note of the issue reports):

* **oversize bodies**: a 200 MB body without a token, and a 400 MB invalid body with a valid one,
  streamed over a raw socket until the server answers; the server process's RSS and peak RSS
  (``VmHWM``) before and after, and how many MB went out before the answer;
* **enrollment guessing**: random codes from four threads for ``--guess-seconds``; guesses/s tried,
  how many reached the code check (403) and how many were throttled (429);
* **odd inputs**: the hand-made cases of the issue (huge and non-ASCII headers, lone surrogates,
  deep nesting, NaN, year-9999 dates, a full NIK as a masked one, a 100 KB service code, loose
  booleans) against both services: the statuses seen and every 5xx;
* **ownership**: a second kiosk writing the first kiosk's application view on the queue host; a
  second device reading the first device's application, filing with its attachment hash and
  replaying its body on the central API.

Usage: ``.venv/bin/python bench/attack.py [--guess-seconds 5]``. Targets only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_host import free_port, start_host, token, write_site  # a sibling bench script

ROOT = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "bench-admin-" + secrets.token_hex(8)
CODES = [f"bench-attack-code-{i}-{secrets.token_hex(8)}" for i in range(2)]
TIMEOUT = 30.0


def memory_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def start_central(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "kiosk", "central-api", "--port", str(port), "--db", str(work / "central.sqlite3"),
               "--admin-token", ADMIN_TOKEN]
    for code in CODES:
        command += ["--enroll-code", code]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/v1/health", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("central API did not start within 30 s")


# -- oversize bodies ----------------------------------------------------------------------------

def stream_body(url: str, path: str, headers: dict[str, str], total_mb: int, pid: int) -> dict[str, Any]:
    """Send a ``total_mb`` body 1 MB at a time until the server answers (or closes); memory around it."""
    before = memory_mb(pid)
    parts = urlsplit(url)
    chunk = b"[" + b"1," * (512 * 1024 - 1) + b"1"  # ~1 MB of JSON-looking bytes, never closed
    head = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json",
            f"Content-Length: {total_mb * len(chunk)}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    sent = 0
    status = None
    with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as sock:
        sock.sendall("\r\n".join(head).encode("latin-1"))
        sock.setblocking(False)
        for _ in range(total_mb):
            try:
                reply = sock.recv(4096)
            except BlockingIOError:
                reply = b""
            if reply:
                status = int(reply.split(b" ", 2)[1])
                break
            try:
                sock.setblocking(True)
                sock.settimeout(TIMEOUT)
                sock.sendall(chunk)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
        if status is None:
            sock.setblocking(True)
            sock.settimeout(TIMEOUT)
            try:
                reply = sock.recv(4096)
                status = int(reply.split(b" ", 2)[1]) if reply else None
            except (ConnectionResetError, TimeoutError):
                status = None
    time.sleep(0.3)
    return {"status": status, "mb_sent_before_answer": sent, "memory_mb_before": before,
            "memory_mb_after": memory_mb(pid)}


# -- enrollment guessing ------------------------------------------------------------------------

def guess_codes(url: str, seconds: float, threads: int = 4) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def guess() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            answer = session.post(f"{url}/v1/enroll", json={"code": secrets.token_urlsafe(12),
                                                            "request_id": uuid.uuid4().hex}, timeout=TIMEOUT)
            with lock:
                statuses[answer.status_code] += 1

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    tried = sum(statuses.values())
    return {"seconds": seconds, "guesses": tried, "guesses_per_s": round(tried / seconds, 1),
            "reached_the_code_check_per_s": round(statuses[403] / seconds, 2),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


# -- odd inputs ---------------------------------------------------------------------------------

def deep(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def queue_cases(kiosk: str, admin: str) -> list[tuple[str, str, str, dict[str, str], bytes]]:
    ticket = '{"service_code": "KTP-EL", "request_id": "%s"%s}'
    auth = {"Authorization": f"Bearer {kiosk}", "Content-Type": "application/json"}
    cases = [
        ("surrogate in service", "POST", "/v1/tickets", auth,
         (ticket % (uuid.uuid4(), "")).replace("KTP-EL", "\\ud800").encode()),
        ("surrogate in request id", "POST", "/v1/tickets", auth, (ticket % ("\\udfff", "")).encode()),
        ("256-deep nesting", "POST", "/v1/tickets", auth, (ticket % (uuid.uuid4(), ', "x": ' + deep(256))).encode()),
        ("NaN", "POST", "/v1/tickets", auth, (ticket % (uuid.uuid4(), ', "x": NaN')).encode()),
        ("huge integer", "POST", "/v1/tickets", auth, (ticket % (uuid.uuid4(), ', "x": 1' + "0" * 400)).encode()),
        ("full NIK as masked", "POST", "/v1/tickets", auth,
         (ticket % (uuid.uuid4(), ', "nik_masked": "3171011508900001"')).encode()),
        ("100 KB service code", "POST", "/v1/tickets", auth, (ticket % (uuid.uuid4(), "")).replace(
            "KTP-EL", "A" * 100_000).encode()),
        ("priority_only 0", "POST", "/v1/counters/1/call-next", {**auth, "Authorization": f"Bearer {admin}"},
         b'{"services": ["KTP-EL"], "priority_only": 0}'),
        ("non-ASCII token", "GET", "/v1/waiting", {"Authorization": "Bearer \xe9\xff"}, b""),
        ("unknown path", "GET", "/v1/nothing-here", auth, b""),
    ]
    return cases


def central_cases(device: Any) -> list[tuple[str, str, str, dict[str, str], bytes]]:
    """The central API's cases; ``device`` (enrolled credentials) signs those that must pass the signature."""
    from kiosk.sync.signing import sign_headers

    json_type = {"Content-Type": "application/json"}
    admin = {**json_type, "X-Admin-Token": ADMIN_TOKEN}

    def application(fields: str = '{"alasan": "hilang"}', created_at: str = "2026-12-06T09:00:00.000+07:00",
                    nik: str = "3171011508900001") -> tuple[str, str, str, dict[str, str], bytes]:
        app_id = str(uuid.uuid4())
        body = (f'{{"id": "{app_id}", "number": "APP-1", "service_code": "KTP-EL", "nik": "{nik}", '
                f'"fields": {fields}, "created_at": "{created_at}"}}').encode()
        headers = {**json_type, "Idempotency-Key": app_id,
                   **sign_headers(device.device_id, device.secret, "POST", "/v1/applications", body)}
        return "", "POST", "/v1/applications", headers, body

    def named(name: str, case: tuple[str, str, str, dict[str, str], bytes]) -> tuple[str, str, str, dict[str, str],
                                                                                    bytes]:
        return (name, *case[1:])

    signed = sign_headers(device.device_id, device.secret, "GET", "/v1/catalog", b"")
    return [
        ("timestamp 10**400", "GET", "/v1/catalog", {**signed, "X-Timestamp": "1" + "0" * 400}, b""),
        ("non-ASCII signature", "GET", "/v1/catalog", {**signed, "X-Signature": "\xe9" * 64}, b""),
        ("non-ASCII nonce", "GET", "/v1/catalog", {**signed, "X-Nonce": "\xe9" * 16}, b""),
        ("100 KB nonce", "GET", "/v1/catalog", {**signed, "X-Nonce": "n" * 100_000}, b""),
        named("surrogate in fields", application('{"alasan": "\\ud800"}')),
        named("256-deep fields", application(deep(256))),
        named("NaN in fields", application('{"x": NaN}')),
        named("Infinity in fields", application('{"x": Infinity}')),
        named("created_at year 9999 -23:59", application(created_at="9999-12-31T23:59:59-23:59")),
        named("NIK failing the date rule", application(nik="3171014513900001")),
        ("surrogate enroll code", "POST", "/v1/enroll", json_type,
         b'{"code": "\\ud800\\ud800\\ud800\\ud800", "request_id": "abcdefgh1234"}'),
        ("256-deep enroll", "POST", "/v1/enroll", json_type, ('{"code": ' + deep(256) + "}").encode()),
        ("unknown path", "GET", "/v1/nothing-here", {}, b""),
        ("non-ASCII admin token", "PUT", "/admin/faults", {**json_type, "X-Admin-Token": "\xe9\xff"}, b"{}"),
        ("NaN latency", "PUT", "/admin/faults", admin, b'{"latency_ms": NaN}'),
        ("fail_rate 5", "PUT", "/admin/faults", admin, b'{"fail_rate": 5}'),  # last: when accepted, all fail
    ]


def run_cases(url: str, cases: list[tuple[str, str, str, dict[str, str], bytes]]) -> dict[str, Any]:
    seen: dict[str, int] = {}
    for name, method, path, headers, body in cases:
        encoded = {k: v.encode("utf-8", "surrogatepass").decode("latin-1") if not v.isascii() else v
                   for k, v in headers.items()}
        try:
            answer = requests.request(method, url + path, headers=encoded, data=body or None, timeout=TIMEOUT)
            seen[name] = answer.status_code
        except requests.RequestException as exc:
            seen[name] = -1
            print(f"{name}: {exc}", file=sys.stderr)
    return {"requests": len(cases), "statuses": seen,
            "5xx": sorted(name for name, status in seen.items() if status >= 500 or status < 0)}


# -- ownership ------------------------------------------------------------------------------------

def queue_ownership(url: str) -> dict[str, Any]:
    def call(method: str, path: str, who: str, body: Any = None) -> requests.Response:
        return requests.request(method, url + path, json=body, timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {token(who)}"})

    issued = call("POST", "/v1/tickets", "kiosk-00", {"service_code": "KTP-EL", "request_id": str(uuid.uuid4())})
    ticket_id = issued.json()["ticket"]["id"]
    view = {"application_id": str(uuid.uuid4()), "number": "APP-1", "service_code": "KTP-EL",
            "nik_masked": "3171********0001", "created_at": "2026-12-06T09:00:00+07:00", "sync_state": "pending",
            "answers": {"alasan": "hilang"}}
    own = call("PUT", f"/v1/tickets/{ticket_id}/application", "kiosk-00", view)
    forged = call("PUT", f"/v1/tickets/{ticket_id}/application", "kiosk-01",
                  {**view, "answers": {"alasan": "forged"}})
    shown = call("GET", f"/v1/tickets/{ticket_id}/application", "loket-00").json()
    return {"owner_put": own.status_code, "other_kiosk_put": forged.status_code,
            "counter_sees_forged_answers": shown.get("answers") == {"alasan": "forged"}}


def enroll_devices(url: str) -> list[Any]:
    """Two kiosks enrolled with the two codes (the second call returns the same two: idempotent)."""
    from kiosk.sync.central_client import CentralClient

    with CentralClient(url, None) as enrolling:
        return [enrolling.enroll(code) for code in CODES]


def central_ownership(url: str, devices: list[Any]) -> dict[str, Any]:
    from kiosk.sync.signing import sign_headers


    def signed(who: int, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        creds = devices[who]
        headers.update(sign_headers(creds.device_id, creds.secret, method, path, data))
        if body is not None and not isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
        return requests.request(method, url + path, data=data or None, headers=headers, timeout=TIMEOUT)

    photo = os.urandom(2000)
    digest = hashlib.sha256(photo).hexdigest()
    uploaded = signed(0, "PUT", f"/v1/attachments/{digest}", photo, **{"Content-Type": "image/jpeg"})
    app_id = str(uuid.uuid4())
    body = {"id": app_id, "number": "APP-20261206-0001", "service_code": "KTP-EL", "nik": "3171011508900001",
            "fields": {"alasan": "hilang"}, "lang": "id", "created_at": "2026-12-06T09:00:00.000+07:00",
            "attachments": [{"kind": "ktp_photo", "content_type": "image/jpeg", "sha256": digest, "size": 2000}]}
    filed = signed(0, "POST", "/v1/applications", body, **{"Idempotency-Key": app_id})
    missing = signed(1, "POST", "/v1/missing-attachments", {"sha256": [digest]}).json().get("missing", [])
    other_id = str(uuid.uuid4())
    return {"owner_uploads": uploaded.status_code, "owner_files": filed.status_code,
            "other_reads_status": signed(1, "GET", f"/v1/applications/{app_id}").status_code,
            "other_sees_hash_as_present": digest not in missing,
            "other_files_with_borrowed_hash": signed(1, "POST", "/v1/applications", {**body, "id": other_id},
                                                     **{"Idempotency-Key": other_id}).status_code,
            "other_replays_body": signed(1, "POST", "/v1/applications", body,
                                         **{"Idempotency-Key": app_id}).status_code}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guess-seconds", type=float, default=5.0)
    parser.add_argument("--oversize-mb", type=int, default=200)
    args = parser.parse_args()
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mpp-attack-") as folder:
        work = Path(folder)
        site, queue_url = write_site(work, kiosks=2, counters=1)
        host = start_host(site, queue_url)
        central, central_url = start_central(work)
        try:
            kiosk = token("kiosk-00")
            result["queue_host"] = {
                "oversize_no_token": stream_body(queue_url, "/v1/tickets", {}, args.oversize_mb, host.pid),
                "oversize_invalid_with_token": stream_body(queue_url, "/v1/tickets",
                                                           {"Authorization": f"Bearer {kiosk}"},
                                                           2 * args.oversize_mb, host.pid),
                "odd_inputs": run_cases(queue_url, queue_cases(kiosk, token("admin"))),
                "ownership": queue_ownership(queue_url),
            }
            devices = enroll_devices(central_url)
            result["central_api"] = {
                "oversize_unsigned": stream_body(central_url, "/v1/applications", {}, args.oversize_mb, central.pid),
                "ownership": central_ownership(central_url, devices),
                "enrollment_guessing": guess_codes(central_url, args.guess_seconds),
                "odd_inputs": run_cases(central_url, central_cases(devices[0])),
            }
        finally:
            for proc in (host, central):
                proc.terminate()
                proc.wait(timeout=10)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
