"""How the terminals' queue client talks to the queue host: the session, the retries and the error answers.

Split from :mod:`kiosk.queue.http_client` (the ``QueueClient`` calls and the event stream). Network
trouble (connection refused or cut, timeouts, 5xx) is retried a few times with a short backoff for
the calls that are safe to repeat (reads, and ``issue`` whose ``request_id`` makes a repeat return
the same ticket), then surfaces as :class:`~kiosk.queue.client.QueueUnavailable`. Changing calls
(call-next, start, finish, ...) are sent once: repeating one that did reach the host would call a
second citizen or fail on the state the first attempt left. The loop is ours, not urllib3's
``Retry`` (docs/NOTES.md, "Libraries weighed for issue 15"). The host's error JSON is turned back
into the domain errors of :mod:`kiosk.queue.models` (``QuotaFull``, ``Closed``, ...). Expected
network failures are logged at WARNING, never ERROR.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from kiosk.queue.client import QueueUnavailable
from kiosk.queue.models import (
    ApplicationConflict,
    Closed,
    IllegalTransition,
    NotYourTicket,
    QueueError,
    QuotaFull,
    RecallLimitReached,
    RequestIdConflict,
    Ticket,
    TicketExpired,
    TicketNotFound,
    TicketState,
    UnknownService,
)
from kiosk.queue.wire import _time_from_json, ticket_from_json

log = logging.getLogger(__name__)

_BACKOFF_FIRST = 0.2  # seconds before the first retry; doubles each time
_BACKOFF_MAX = 2.0  # for a request
_COUNTER_IN_ACTOR = re.compile(r"counter-(\d+)$")
_RECALLED_TIMES = re.compile(r"already recalled (\d+) times")


class QueueAccessDenied(QueueError):
    """The queue host refused this device's token (401) or its role (403): IT must fix the setup."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status, self.message = status, message

    def __str__(self) -> str:
        return (f"the queue host refused this device (HTTP {self.status}: {self.message.rstrip('.')}); "
                "IT: check [queue] device_token in this device's configuration and the token's role "
                "on the queue host")


class QueueRequestRefused(QueueError):
    """The host refused a request with an error that has no exact domain counterpart here.

    ``code`` is the host's ``error`` code (``invalid_request`` for a body it could not validate),
    ``details`` the rest of its JSON; the message is the host's, ready to show to staff.
    """

    def __init__(self, status: int, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(status, code, message)
        self.status, self.code, self.message = status, code, message
        self.details = dict(details or {})

    def __str__(self) -> str:
        return self.message


class RemoteIllegalTransition(QueueRequestRefused):
    """A 409 ``illegal_transition`` whose ticket could not be read back to build :class:`IllegalTransition`.

    ``current_state`` is the ticket's state as the host reported it; ``action`` what was refused.
    """

    def __init__(self, status: int, message: str, current_state: TicketState | None, action: str,
                 details: Mapping[str, Any] | None = None) -> None:
        super().__init__(status, "illegal_transition", message, details)
        self.current_state, self.action = current_state, action


def backoff(attempt: int, ceiling: float) -> float:
    """Seconds to wait after the ``attempt``-th failure (1-based)."""
    return min(ceiling, _BACKOFF_FIRST * 2 ** max(0, attempt - 1))


def counter_of(actor: str) -> int | None:
    """The counter number in an actor like ``console-2/counter-3`` (the host records it in the audit)."""
    match = _COUNTER_IN_ACTOR.search(actor)
    return int(match.group(1)) if match else None


def segment(value: str | int) -> str:
    return quote(str(value), safe="")


class HttpTransport:
    """The session to the queue host's ``/v1`` and the reading of its answers; :class:`HttpQueue` adds the calls.

    ``timeout`` bounds connecting and each read of a request; ``retries`` is how many times a
    safe-to-repeat request is tried again after a network failure or a 5xx.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, retries: int = 2) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the queue host URL must start with http:// or https:// (got {base_url!r})")
        if timeout <= 0 or retries < 0:
            raise ValueError("timeout must be positive and retries not negative")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self._token = token
        self._session = self._new_session()
        self._closed = threading.Event()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # the queue host is on the building's LAN: no proxy from the environment
        session.headers["Authorization"] = f"Bearer {self._token}"
        session.headers["Accept"] = "application/json"
        return session

    # -- plumbing ------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, idempotent: bool, body: Any = None,
              params: Mapping[str, Any] | None = None) -> requests.Response:
        """The host's answer below 500, after retries for ``idempotent`` requests; else QueueUnavailable."""
        if self._closed.is_set():
            raise QueueUnavailable("the queue client is closed")
        url = f"{self.base_url}/v1{path}"
        attempts = 1 + (self.retries if idempotent else 0)
        reason = ""
        for attempt in range(1, attempts + 1):
            try:
                response = self._session.request(method, url, json=body, params=params,
                                                 timeout=(self.timeout, self.timeout))
            except requests.Timeout:
                reason = f"no answer within {self.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                reason = f"connection failed: {type(exc).__name__}"
            else:
                if response.status_code < 500:
                    return response
                reason = f"HTTP {response.status_code}"
                response.close()
            if attempt < attempts:
                delay = backoff(attempt, _BACKOFF_MAX)
                log.warning("queue host %s %s: %s; retrying in %.1f s (%d of %d)",
                            method, path, reason, delay, attempt, attempts - 1)
                if self._closed.wait(delay):
                    break
        log.warning("queue host unavailable for %s %s after %d attempt(s): %s", method, path, attempts, reason)
        raise QueueUnavailable(
            f"The queue host ({self.base_url}) cannot be reached ({reason}). Please try again in a moment; "
            "if this goes on, IT should check the network and the queue host.")

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            log.warning("queue host answered %s with something that is not JSON", response.status_code)
            raise QueueUnavailable(
                f"The queue host answered with something that is not the queue API (HTTP {response.status_code}); "
                "IT should check [queue] host_url.") from None

    def _call(self, method: str, path: str, *, idempotent: bool, body: Any = None,
              params: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
              empty_ok: bool = False) -> Any:
        """The decoded JSON answer (None for 204 when ``empty_ok``); errors raised as domain errors."""
        response = self._send(method, path, idempotent=idempotent, body=body, params=params)
        with response:
            if response.status_code == 204 and empty_ok:
                return None
            if 200 <= response.status_code < 300:
                return self._json(response)
            raise self._error(response, context or {})

    def _error(self, response: requests.Response, context: Mapping[str, Any]) -> QueueError:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        code = str(data.get("error") or ("invalid_request" if status in (400, 422) else f"http_{status}"))
        message = str(data.get("message") or data.get("detail") or f"The queue host answered HTTP {status}.")
        details = {k: v for k, v in data.items() if k not in ("error", "message")}
        if code == "not_your_ticket" and context.get("ticket_id"):  # the device is fine: this ticket is not its own
            with contextlib.suppress(QueueError):
                return NotYourTicket(self._ticket(str(context["ticket_id"]), retried=True))
        if status in (401, 403):
            return QueueAccessDenied(status, message)
        try:
            if code == "unknown_service":
                return UnknownService(str(data.get("service") or context.get("service", "")))
            if code == "ticket_not_found":
                return TicketNotFound(str(context.get("key", "")))
            if code == "quota_full":
                return QuotaFull(str(data["service"]), int(data["quota"]))
            if code == "closed":
                return Closed(_time_from_json(data.get("next_open")))
            if code == "request_id_conflict":
                return RequestIdConflict(str(context.get("request_id", "")), ticket_from_json(data["ticket"]))
            if code == "illegal_transition":
                return self._illegal_transition(status, message, data, context)
            if code in ("application_conflict", "ticket_expired") and context.get("ticket_id"):
                with contextlib.suppress(QueueError):  # the refusal matters more than the detail
                    ticket = self._ticket(str(context["ticket_id"]), retried=True)  # the domain errors carry the ticket
                    if code == "ticket_expired":
                        return TicketExpired(ticket)
                    return ApplicationConflict(ticket, str(data.get("application", "")))
        except (KeyError, TypeError, ValueError):
            log.warning("queue host sent a %s error (%s) this client cannot read fully", status, code)
        if status == 404 and code in ("not_found", "http_404"):  # no such route (an older host answered without a code)
            message = (f"The queue host has no {response.request.path_url} (HTTP 404); "
                       "IT should check [queue] host_url and the host's version.")
        return QueueRequestRefused(status, code, message, details)

    def _illegal_transition(self, status: int, message: str, data: Mapping[str, Any],
                            context: Mapping[str, Any]) -> QueueError:
        state = TicketState(data["state"]) if data.get("state") is not None else None
        action = str(context.get("action", "change"))
        ticket_id = context.get("ticket_id")
        ticket: Ticket | None = None
        if ticket_id is not None:
            with contextlib.suppress(QueueError):  # the refusal matters more than the detail
                ticket = self._ticket(str(ticket_id), retried=False)
        if ticket is None or state is None:
            return RemoteIllegalTransition(status, message, state, action, data)
        if action == "recall" and (match := _RECALLED_TIMES.search(message)):
            return RecallLimitReached(ticket, int(match.group(1)))
        return IllegalTransition(ticket, state, action)

    def _ticket(self, ticket_id: str, *, retried: bool) -> Ticket:
        """A ticket read back to build a domain error (which carries it)."""
        return ticket_from_json(self._call("GET", f"/tickets/{segment(ticket_id)}", idempotent=retried,
                                           context={"key": ticket_id}))
