"""The kiosk's client for the MPP Digital central API (and our reference server, :mod:`central_api`).

Every call after enrollment is signed (:mod:`kiosk.sync.signing`). TLS certificates are always
verified: ``ca_file`` may name a local certificate authority (a regional test server), and there is
deliberately no switch to turn verification off.

Errors fall in two kinds, so the sync engine knows what to do:

* :class:`CentralUnavailable` — try again later: timeouts, refused or cut connections, a response
  lost half-way, 5xx, 429, and 409 "still being processed" / "attachments missing";
* :class:`CentralRejected` — the server understood and said no (4xx); retrying the same request
  cannot help, a person must look (``status``, ``code`` and the server's ``message`` say why).
  :class:`CentralAuthError` (401/403) is a device problem (not enrolled, clock far off, revoked),
  not a problem of the item being sent.

Face images travel only in request bodies, never in URLs or logs; NIKs are logged masked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from kiosk.sync.signing import sign_headers
from kiosk.utils.privacy import mask_nik

log = logging.getLogger(__name__)

CREDENTIALS_FILE = "central-device.json"
API_PREFIX = "/v1"


# -- errors -----------------------------------------------------------------------------------

class CentralError(Exception):
    """Any failure talking to the central API."""


class CentralUnavailable(CentralError):
    """Retryable: the server could not be reached or asked us to come back later."""


class CentralRejected(CentralError):
    """Not retryable: the server refused this request; ``message`` is the server's reason."""

    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(f"HTTP {status}{f' {code}' if code else ''}: {message}")
        self.status, self.message, self.code = status, message, code


class CentralAuthError(CentralRejected):
    """401/403: this device is not (or no longer) accepted; enroll again or fix the clock."""


class NotEnrolled(CentralError):
    """The kiosk has no device credentials yet; enroll it with a one-time code from the central API."""


# -- values -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceCredentials:
    """What enrollment gives a kiosk: its id at the central API and the shared signing secret; enrolled
    with its MPP's code, also that code and the MPP's booking key (base64url; a secret like ``secret``)."""

    device_id: str
    secret: str
    base_url: str = ""
    enrolled_at: str = ""
    mpp_code: str = ""
    booking_key: str = ""

    def __repr__(self) -> str:  # never print the secret
        return f"DeviceCredentials(device_id={self.device_id!r}, base_url={self.base_url!r})"

    def save(self, path: Path) -> None:
        """Write to ``path`` with mode 0600 (created so, never world-readable even for a moment)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(self), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> DeviceCredentials | None:
        """The saved credentials, or None when the kiosk was never enrolled."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CentralError(f"{path}: the device credentials cannot be read ({exc}); "
                               "enroll the kiosk again with a new code") from None
        try:
            return cls(device_id=str(data["device_id"]), secret=str(data["secret"]),
                       base_url=str(data.get("base_url", "")), enrolled_at=str(data.get("enrolled_at", "")),
                       mpp_code=str(data.get("mpp_code", "")), booking_key=str(data.get("booking_key", "")))
        except (KeyError, TypeError):
            raise CentralError(f"{path}: the device credentials are incomplete; enroll the kiosk again") from None


def credentials_path(data_dir: Path) -> Path:
    return Path(data_dir) / CREDENTIALS_FILE


PENDING_ENROLL_FILE = "central-enroll-pending.json"


def _enroll_request_id(data_dir: Path | None, base_url: str, code: str) -> str:
    """The request id of an enrollment with this code not yet answered, else a new one kept on disk (0600).

    Kept until the credentials are saved, so a retried ``kiosk sync enroll`` after a lost answer sends
    the same id and gets the same device back instead of "code refused". Only the code's hash is written.
    """
    key = hashlib.sha256(f"{base_url}\n{code}".encode()).hexdigest()
    if data_dir is None:
        return secrets.token_hex(16)
    path = Path(data_dir) / PENDING_ENROLL_FILE
    try:
        pending = json.loads(path.read_text(encoding="utf-8"))
        if pending.get("key") == key and isinstance(pending.get("request_id"), str):
            return str(pending["request_id"])
    except (OSError, ValueError, AttributeError):
        pass  # none yet, or unreadable: start a new request
    request_id = secrets.token_hex(16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"key": key, "request_id": request_id}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return request_id


@dataclass(frozen=True)
class IdentityResult:
    """The central API's 1:1 face check against the population register's photo for a NIK.

    ``reason`` is ``""`` for a match, ``"no_match"``, or ``"nik_not_registered"`` (no photo on
    file: the citizen must be checked at a counter). ``score`` is in [0, 1], higher = more alike.
    """

    matched: bool
    score: float
    reason: str = ""


@dataclass(frozen=True)
class ApplicationReceipt:
    """The central API's answer to an application: ``created`` False for an identical repeat."""

    id: str
    number: str
    status: str
    received_at: str
    created: bool


@dataclass(frozen=True)
class ApplicationStatus:
    id: str
    status: str
    note: str
    updated_at: str


@dataclass(frozen=True)
class PublicApplicationStatus:
    """What anyone holding the receipt may know: no NIK, no name, no note from the agency."""

    number: str
    status: str
    updated_at: str


@dataclass(frozen=True)
class RecordsResult:
    """Per-record outcome of a batch upload: accepted (new), duplicate (same again), conflicts (id reused)."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HeartbeatReceipt:
    """The central API took a heartbeat: our clock minus its clock, and when to send the next one."""

    clock_offset_seconds: float
    interval_seconds: int


# -- client -----------------------------------------------------------------------------------

class CentralClient:
    """One kiosk's connection to the central API; thread-compatible (use one per thread)."""

    def __init__(self, base_url: str, credentials: DeviceCredentials | None, *, ca_file: str | Path | None = None,
                 timeout: float = 10.0, data_dir: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._base_path = urlsplit(self.base_url).path.rstrip("/")
        self._clock_offset = 0.0  # server time minus ours, learned from a clock_skew answer
        self._session = requests.Session()
        # Verification stays on: a CA bundle path narrows trust, it never switches it off.
        self._session.verify = str(ca_file) if ca_file else True

    @classmethod
    def from_data_dir(cls, base_url: str, data_dir: Path, *, ca_file: str | Path | None = None,
                      timeout: float = 10.0) -> CentralClient:
        """A client with the credentials saved by an earlier :meth:`enroll` (None if never enrolled)."""
        return cls(base_url, DeviceCredentials.load(credentials_path(data_dir)), ca_file=ca_file, timeout=timeout,
                   data_dir=data_dir)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``{"ok": true, "time": ...}``; unsigned, works before enrollment."""
        return self._json(self._request("GET", "/health", signed=False))

    def enroll(self, code: str, device_name: str = "", mpp_code: str = "") -> DeviceCredentials:
        """Trade a one-time enrollment code for device credentials; saved (0600) in the data dir. With
        ``mpp_code`` (the site's ``[site] mpp_code``) the device is bound to that MPP and gets its
        booking key too (the queue host checks booking codes with it).

        A repeat with the same request id (after a lost answer) gets the same credentials back: with a
        data dir, the id is kept on disk until the credentials are saved (see :func:`_enroll_request_id`).
        """
        request_id = _enroll_request_id(self.data_dir, self.base_url, code)
        body = {"code": code, "device_name": device_name, "request_id": request_id}
        if mpp_code:
            body["mpp_code"] = mpp_code
        answer = self._json(self._request("POST", "/enroll", json_body=body, signed=False, retries_on_lost=2))
        creds = DeviceCredentials(device_id=answer["device_id"], secret=answer["secret"], base_url=self.base_url,
                                  enrolled_at=answer.get("enrolled_at", ""), mpp_code=str(answer.get("mpp_code") or ""),
                                  booking_key=str(answer.get("booking_key") or ""))
        self.credentials = creds
        if self.data_dir is not None:
            creds.save(credentials_path(self.data_dir))
            (Path(self.data_dir) / PENDING_ENROLL_FILE).unlink(missing_ok=True)
        log.info("enrolled at the central API as device %s", creds.device_id)
        return creds

    def verify_identity(self, nik: str, face_jpeg: bytes) -> IdentityResult:
        """1:1 check of a live face photo against the register's photo for ``nik``.

        Raises :class:`CentralRejected` (422 ``no_face``) when no single face can be read from the
        photo, and 503 from a server without the face matcher surfaces as :class:`CentralUnavailable`.
        """
        body = {"nik": nik, "face_jpeg_base64": base64.b64encode(face_jpeg).decode("ascii")}
        log.info("identity check for NIK %s (%d bytes of image)", mask_nik(nik), len(face_jpeg))
        answer = self._json(self._request("POST", "/identity/verify", json_body=body))
        return IdentityResult(matched=bool(answer["matched"]), score=float(answer["score"]),
                              reason=str(answer.get("reason", "")))

    def lookup_registration(self, nik: str) -> str | None:
        """A health worker's registration number (STR) by NIK, or None when the register has none."""
        answer = self._json(self._request("POST", "/registrations/lookup", json_body={"nik": nik}))
        return str(answer["registration_number"]) if answer.get("found") and answer.get("registration_number") else None

    def put_application(self, app_id: str, body: Mapping[str, Any]) -> ApplicationReceipt:
        """File one application under its client UUID (also the Idempotency-Key): safe to repeat."""
        payload = {"id": app_id, **body}
        response = self._request("POST", "/applications", json_body=payload, idempotency_key=app_id)
        answer = self._json(response)
        return ApplicationReceipt(id=answer["id"], number=answer.get("number", ""), status=answer["status"],
                                  received_at=answer.get("received_at", ""), created=response.status_code == 201)

    def missing_attachments(self, hashes: Iterable[str]) -> set[str]:
        """Which of these SHA-256 hashes the server does not have yet (so only those are uploaded)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return set()
        answer = self._json(self._request("POST", "/missing-attachments", json_body={"sha256": wanted}))
        return set(answer["missing"])

    def put_attachment(self, sha256: str, data: bytes, content_type: str) -> bool:
        """Upload one attachment by its hash; True if the server stored it now, False if it had it."""
        response = self._request("PUT", f"/attachments/{quote(sha256, safe='')}", raw_body=data,
                                 content_type=content_type, idempotency_key=sha256)
        return response.status_code == 201

    def application_status(self, app_id: str) -> ApplicationStatus:
        answer = self._json(self._request("GET", f"/applications/{quote(app_id, safe='')}"))
        return _status_from_json(answer)

    def public_application_status(self, app_id: str) -> PublicApplicationStatus | None:
        """What the receipt's QR shows anyone holding it (number and status, no personal data); unsigned,
        so a kiosk that was never enrolled can still answer "Cek status". None when the platform does not
        know the id (yet: the application may still be in a kiosk's outbox)."""
        try:
            answer = self._json(self._request("GET", f"/public/applications/{quote(app_id, safe='')}", signed=False))
        except CentralRejected as exc:
            if exc.status == 404:
                return None
            raise
        return PublicApplicationStatus(number=str(answer.get("number", "")), status=str(answer["status"]),
                                       updated_at=str(answer.get("updated_at", "")))

    def application_statuses(self, app_ids: Sequence[str]) -> list[ApplicationStatus]:
        """Statuses of many applications in one call (unknown ids are left out)."""
        if not app_ids:
            return []
        answer = self._json(self._request("POST", "/application-statuses", json_body={"ids": list(app_ids)}))
        return [_status_from_json(item) for item in answer["statuses"]]

    def catalog(self, etag: str | None = None) -> tuple[dict[str, Any] | None, str | None]:
        """The service catalog, or ``(None, etag)`` when ours (``etag``) is still current (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", "/catalog", extra_headers=headers)
        if response.status_code == 304:
            return None, etag
        return self._json(response), response.headers.get("ETag")

    def upload_records(self, kind: str, records: Sequence[tuple[str, Mapping[str, Any]]]) -> RecordsResult:
        """Upload a batch of ``(record_id, payload)`` of one kind; record ids are unique forever."""
        body = {"records": [{"id": rid, "payload": dict(payload)} for rid, payload in records]}
        batch_key = "batch-" + secrets.token_hex(8)
        answer = self._json(self._request("POST", f"/records/{quote(kind, safe='')}", json_body=body,
                                          idempotency_key=batch_key))
        return RecordsResult(accepted=list(answer.get("accepted", [])), duplicates=list(answer.get("duplicates", [])),
                             conflicts=dict(answer.get("conflicts", {})))

    def heartbeat(self, summary: Mapping[str, Any]) -> HeartbeatReceipt:
        """Send this device's health summary (:mod:`kiosk.sync.heartbeat`). The answer's time gives our
        clock's offset from the server's, measured at mid-flight, for the next summary."""
        started = time.time()
        answer = self._json(self._request("POST", "/heartbeat", json_body=dict(summary)))
        offset = (started + time.time()) / 2 - float(answer["server_time"])
        return HeartbeatReceipt(clock_offset_seconds=offset, interval_seconds=int(answer.get("interval_seconds", 60)))

    def get_json(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        """A signed GET of ``/v1`` + ``path`` (with ``query``, signed with it); the JSON answer."""
        return self._json(self._request("GET", path + ("?" + urlencode(query) if query else "")))

    def post_json(self, path: str, body: Any, *, idempotency_key: str | None = None) -> tuple[Any, int]:
        """A signed POST of ``body`` to ``/v1`` + ``path``: the JSON answer and its status (201 new, 200 repeat)."""
        response = self._request("POST", path, json_body=body, idempotency_key=idempotency_key)
        return self._json(response), response.status_code

    def server_now(self) -> float:
        """Unix time on the server's clock as far as this client knows it (what it signs with)."""
        return time.time() + self._clock_offset

    def upload_queue_stats(self, records: Sequence[tuple[str, Mapping[str, Any]]]) -> RecordsResult:
        """Daily queue statistics (kind ``queue_stats``)."""
        return self.upload_records("queue_stats", records)

    def upload_survey(self, records: Sequence[tuple[str, Mapping[str, Any]]]) -> RecordsResult:
        """Satisfaction survey answers (kind ``survey``)."""
        return self.upload_records("survey", records)

    # -- plumbing ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, json_body: Any = None, raw_body: bytes | None = None,
                 content_type: str | None = None, signed: bool = True, idempotency_key: str | None = None,
                 extra_headers: Mapping[str, str] | None = None, retries_on_lost: int = 0) -> requests.Response:
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
            content_type = "application/json"
        else:
            body = raw_body or b""
        full_path = self._base_path + API_PREFIX + path
        url = self.base_url + API_PREFIX + path
        # Each attempt is signed afresh (a new nonce): urllib3's Retry would resend a nonce the server
        # has seen and be refused as a replay (docs/NOTES.md, "Libraries weighed for issue 15").
        for attempt in range(2 + retries_on_lost):
            headers = dict(extra_headers or {})
            if content_type:
                headers["Content-Type"] = content_type
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            if signed:
                if self.credentials is None:
                    raise NotEnrolled("this kiosk is not enrolled at the central API yet")
                headers.update(sign_headers(self.credentials.device_id, self.credentials.secret, method, full_path,
                                            body, now=time.time() + self._clock_offset))
            try:
                response = self._session.request(method, url, data=body or None, headers=headers,
                                                 timeout=self.timeout)
            except requests.exceptions.SSLError as exc:
                raise CentralUnavailable(
                    f"{method} {path}: TLS certificate not trusted ({exc.__class__.__name__})") from exc
            except requests.RequestException as exc:
                if attempt < retries_on_lost:
                    continue
                log.warning("central API %s %s: %s", method, path, exc.__class__.__name__)
                raise CentralUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc
            if response.status_code == 401 and signed and attempt == 0 and self._learn_clock(response):
                continue  # our clock was off; signed again with the server's time
            return self._check(method, path, response)
        raise CentralUnavailable(f"{method} {path}: no answer")  # pragma: no cover - loop always returns

    def _learn_clock(self, response: requests.Response) -> bool:
        try:
            data = response.json()
        except ValueError:
            return False
        if not isinstance(data, dict) or data.get("error") != "clock_skew" or "server_time" not in data:
            return False
        self._clock_offset = float(data["server_time"]) - time.time()
        log.warning("kiosk clock differs from the central API by %.0f s; using the server's time", self._clock_offset)
        return True

    @staticmethod
    def _check(method: str, path: str, response: requests.Response) -> requests.Response:
        status = response.status_code
        if status < 400:
            return response
        code, message = "", response.reason or ""
        try:
            data = response.json()
            if isinstance(data, dict):
                code = str(data.get("error", ""))
                message = str(data.get("message", message))
        except ValueError:
            pass
        if status >= 500 or status in (408, 429) or (status == 409 and code in ("in_flight", "attachments_missing")):
            log.warning("central API %s %s: HTTP %d %s", method, path, status, code)
            raise CentralUnavailable(f"{method} {path}: HTTP {status} {code}: {message}")
        log.warning("central API refused %s %s: HTTP %d %s: %s", method, path, status, code, message)
        if status in (401, 403):
            raise CentralAuthError(status, message, code)
        raise CentralRejected(status, message, code)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise CentralUnavailable(f"the central API answered HTTP {response.status_code} without JSON") from exc


def _status_from_json(data: Mapping[str, Any]) -> ApplicationStatus:
    return ApplicationStatus(id=str(data["id"]), status=str(data["status"]), note=str(data.get("note", "")),
                             updated_at=str(data.get("updated_at", "")))


def registration_lookup(client: CentralClient) -> Callable[[str], str | None]:
    """``client.lookup_registration`` for the forms (``kiosk.applications.drafts.RegistrationLookup``):
    None when the register does not know the NIK *or* the central API cannot be reached (the
    citizen then types the number). Blocks: call it off the GUI thread."""
    def lookup(nik: str) -> str | None:
        try:
            return client.lookup_registration(nik)
        except CentralError as exc:
            log.warning("registration lookup for NIK %s failed: %s", mask_nik(nik), exc)
            return None
    return lookup
