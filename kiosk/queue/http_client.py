"""The terminals' client for the building's queue host (:mod:`kiosk.queue.host`) over HTTP.

:class:`HttpQueue` has the methods of :class:`~kiosk.queue.client.QueueClient`, so the screens work
the same whether the queue runs in this process or on the queue host. The host's error JSON is
turned back into the domain errors of :mod:`kiosk.queue.models` (``QuotaFull``, ``Closed``, ...).

Network trouble (connection refused or cut, timeouts, 5xx) is retried a few times with a short
backoff for the calls that are safe to repeat (reads, and ``issue`` whose ``request_id`` makes a
repeat return the same ticket), then surfaces as :class:`QueueUnavailable`. Changing calls
(call-next, start, finish, ...) are sent once: repeating one that did reach the host would call a
second citizen or fail on the state the first attempt left. The loop is ours, not urllib3's
``Retry`` (docs/NOTES.md, "Libraries weighed for issue 15").

Only the wire format (:mod:`kiosk.queue.wire`) is shared with the host, so a terminal does not
import FastAPI. Expected network failures are logged at WARNING, never ERROR.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from kiosk.queue.availability import AvailabilitySnapshot, snapshot_from_json
from kiosk.queue.client import Listener, QueueUnavailable
from kiosk.queue.models import (
    ApplicationConflict,
    ApplicationView,
    BoardState,
    Closed,
    IllegalTransition,
    IssuedTicket,
    NotYourTicket,
    PriorityGroup,
    QueueError,
    QuotaFull,
    RecallLimitReached,
    RequestIdConflict,
    Ticket,
    TicketExpired,
    TicketNotFound,
    TicketState,
    UnknownService,
    WaitPreview,
)
from kiosk.queue.status import is_status_token
from kiosk.queue.wire import (
    _time_from_json,
    application_view_from_json,
    application_view_to_json,
    board_from_json,
    event_from_json,
    issued_from_json,
    preview_from_json,
    ticket_from_json,
)

log = logging.getLogger(__name__)

_BACKOFF_FIRST = 0.2  # seconds before the first retry; doubles each time
_BACKOFF_MAX = 2.0  # for a request
_RECONNECT_MAX = 5.0  # for the event stream
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


def _backoff(attempt: int, ceiling: float) -> float:
    """Seconds to wait after the ``attempt``-th failure (1-based)."""
    return min(ceiling, _BACKOFF_FIRST * 2 ** max(0, attempt - 1))


def _counter_of(actor: str) -> int | None:
    """The counter number in an actor like ``console-2/counter-3`` (the host records it in the audit)."""
    match = _COUNTER_IN_ACTOR.search(actor)
    return int(match.group(1)) if match else None


def _segment(value: str | int) -> str:
    return quote(str(value), safe="")


class HttpQueue:
    """:class:`~kiosk.queue.client.QueueClient` over the queue host's HTTP API (``/v1``).

    ``timeout`` bounds connecting and each read of a request; ``retries`` is how many times a
    safe-to-repeat request is tried again after a network failure or a 5xx. The host writes the
    device behind the token (and the counter) to the audit trail, so ``actor`` arguments only
    contribute their ``counter-<n>`` suffix. Methods may be called from several threads.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, retries: int = 2,
                 events_read_timeout: float = 45.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the queue host URL must start with http:// or https:// (got {base_url!r})")
        if timeout <= 0 or retries < 0:
            raise ValueError("timeout must be positive and retries not negative")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        # the host sends a keepalive every 15 s; a stream silent for longer than this is dead
        self.events_read_timeout = max(events_read_timeout, timeout)
        self._token = token
        self._session = self._new_session()
        self._closed = threading.Event()
        self._subs_lock = threading.Lock()
        self._subscriptions: set[_Subscription] = set()

    def __repr__(self) -> str:
        return f"HttpQueue({self.base_url!r})"

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
                delay = _backoff(attempt, _BACKOFF_MAX)
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
                return NotYourTicket(self.get(str(context["ticket_id"])))
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
                    ticket = self.get(str(context["ticket_id"]))  # the domain errors carry the ticket
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
                ticket = ticket_from_json(self._call("GET", f"/tickets/{_segment(ticket_id)}", idempotent=False))
        if ticket is None or state is None:
            return RemoteIllegalTransition(status, message, state, action, data)
        if action == "recall" and (match := _RECALLED_TIMES.search(message)):
            return RecallLimitReached(ticket, int(match.group(1)))
        return IllegalTransition(ticket, state, action)

    # -- QueueClient ---------------------------------------------------------------------------
    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | None = None,
              lang: str = "id", nik_masked: str | None = None, identity_status: str = "none") -> IssuedTicket:
        body = {"service_code": service_code, "request_id": request_id,
                "priority": PriorityGroup(priority).value if priority is not None else None,
                "lang": lang, "nik_masked": nik_masked, "identity_status": identity_status}
        data = self._call("POST", "/tickets", idempotent=True, body=body,
                          context={"service": service_code, "request_id": request_id})
        return issued_from_json(data)

    def preview(self, service_code: str, priority: PriorityGroup | None = None) -> WaitPreview:
        params = {"priority": PriorityGroup(priority).value} if priority is not None else None
        data = self._call("GET", f"/services/{_segment(service_code)}/preview", idempotent=True, params=params,
                          context={"service": service_code})
        return preview_from_json(data)

    def availability(self, closing_soon_minutes: int) -> AvailabilitySnapshot:
        return snapshot_from_json(self._call("GET", "/services/availability", idempotent=True,
                                             params={"closing_soon_minutes": int(closing_soon_minutes)}))

    def call_next(self, counter: int, services: Sequence[str], *, actor: str,
                  priority_only: bool = False) -> Ticket | None:
        data = self._call("POST", f"/counters/{int(counter)}/call-next", idempotent=False,
                          body={"services": list(services), "priority_only": priority_only},
                          context={"action": "call"}, empty_ok=True)
        return ticket_from_json(data) if data is not None else None

    def call_specific(self, counter: int, number: str, *, actor: str) -> Ticket:
        data = self._call("POST", f"/counters/{int(counter)}/call", idempotent=False, body={"number": number},
                          context={"key": number, "action": "call"})
        return ticket_from_json(data)

    def finish_and_call_next(self, counter: int, services: Sequence[str], finishing: str | None, *, actor: str,
                             priority_only: bool = False) -> tuple[Ticket | None, Ticket | None]:
        """One request, one transaction at the host: never retried (a lost answer is read back by the console)."""
        data = self._call("POST", f"/counters/{int(counter)}/finish-and-call-next", idempotent=False,
                          body={"services": list(services), "priority_only": priority_only, "finish": finishing},
                          context={"key": finishing or "", "ticket_id": finishing, "action": "finish"})
        finished, called = data.get("finished"), data.get("called")
        return (ticket_from_json(finished) if finished is not None else None,
                ticket_from_json(called) if called is not None else None)

    def undo_finish(self, counter: int, finished_id: str, called_id: str | None, *, actor: str) -> Ticket:
        data = self._call("POST", f"/counters/{int(counter)}/undo-finish", idempotent=False,
                          body={"finished": finished_id, "called": called_id},
                          context={"key": finished_id, "ticket_id": finished_id, "action": "take back the finish"})
        return ticket_from_json(data)

    def next_up(self, counter: int, services: Sequence[str]) -> Ticket | None:
        if not services:
            return None
        data = self._call("GET", f"/counters/{int(counter)}/next-up", idempotent=True,
                          params={"services": ",".join(services)}, empty_ok=True)
        return ticket_from_json(data) if data is not None else None

    def _act(self, ticket_id: str, name: str, action: str, actor: str, **extra: Any) -> Ticket:
        body = {"counter": _counter_of(actor), **extra}
        data = self._call("POST", f"/tickets/{_segment(ticket_id)}/{name}", idempotent=False, body=body,
                          context={"key": ticket_id, "ticket_id": ticket_id, "action": action,
                                   "service": extra.get("to_service", "")})
        return ticket_from_json(data)

    def recall(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "recall", "recall", actor)

    def start(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "start", "start", actor)

    def finish(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "finish", "finish", actor)

    def no_show(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "no-show", "mark no-show", actor)

    def reactivate(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "reactivate", "reactivate", actor)

    def transfer(self, ticket_id: str, to_service: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "transfer", "transfer", actor, to_service=to_service)

    def cancel(self, ticket_id: str, *, actor: str) -> Ticket:
        return self._act(ticket_id, "cancel", "cancel", actor)

    def get(self, ticket_id: str) -> Ticket:
        data = self._call("GET", f"/tickets/{_segment(ticket_id)}", idempotent=True, context={"key": ticket_id})
        return ticket_from_json(data)

    def find(self, number: str) -> Ticket:
        data = self._call("GET", f"/tickets/by-number/{_segment(number)}", idempotent=True, context={"key": number})
        return ticket_from_json(data)

    def waiting(self, services: Sequence[str] | None = None) -> list[Ticket]:
        params = {"services": ",".join(services)} if services is not None else None
        data = self._call("GET", "/waiting", idempotent=True, params=params)
        return [ticket_from_json(item) for item in data]

    def current_at(self, counter: int) -> Ticket | None:
        data = self._call("GET", f"/counters/{int(counter)}/current", idempotent=True, empty_ok=True)
        return ticket_from_json(data) if data is not None else None

    def counter_stats(self, counter: int) -> dict[str, Any]:
        return dict(self._call("GET", f"/counters/{int(counter)}/stats", idempotent=True))

    def board(self, recent: int = 8) -> BoardState:
        return board_from_json(self._call("GET", "/board", idempotent=True, params={"recent": recent}))

    def status(self, token: str) -> dict[str, Any] | None:
        if not is_status_token(token):
            return None  # never ask the host about something that cannot be a token
        try:
            return dict(self._call("GET", f"/status/{_segment(token)}", idempotent=True))
        except TicketNotFound:
            return None

    def attach_application(self, ticket_id: str, view: ApplicationView) -> ApplicationView:
        """PUT the view once: the kiosk's periodic pass (kiosk.applications.views) is the retry, so a
        hung host costs one timeout here, never a citizen's wait."""
        data = self._call("PUT", f"/tickets/{_segment(ticket_id)}/application", idempotent=False,
                          body=application_view_to_json(view), context={"key": ticket_id, "ticket_id": ticket_id})
        return application_view_from_json(data)

    def application_of(self, ticket_id: str) -> ApplicationView | None:
        try:
            data = self._call("GET", f"/tickets/{_segment(ticket_id)}/application", idempotent=True,
                              context={"key": ticket_id})
        except QueueRequestRefused as exc:
            if exc.code == "no_application":
                return None
            raise
        return application_view_from_json(data)

    def subscribe(self, listener: Listener, on_resync: Callable[[], None] | None = None) -> Callable[[], None]:
        """Call ``listener(QueueEvent)`` for each event of the host's stream, on a "queue-events" thread.

        The stream reconnects by itself (with backoff) until the returned function is called.
        Events committed while it was disconnected are not replayed one by one: after every
        reconnection ``on_resync()`` is called instead, and the view redraws from the host's state
        (the board and waiting lists are small; replaying a long outage event by event would
        announce stale calls).
        """
        if self._closed.is_set():
            raise QueueUnavailable("the queue client is closed")
        subscription = _Subscription(self, listener, on_resync)
        with self._subs_lock:
            self._subscriptions.add(subscription)
        subscription.start()

        def unsubscribe() -> None:
            with self._subs_lock:
                self._subscriptions.discard(subscription)
            subscription.stop()

        return unsubscribe

    def close(self) -> None:
        self._closed.set()
        with self._subs_lock:
            subscriptions = list(self._subscriptions)
            self._subscriptions.clear()
        for subscription in subscriptions:
            subscription.stop()
        self._session.close()


class _Subscription:
    """One reader of ``/v1/events`` on its own thread and session; :meth:`stop` ends it promptly."""

    def __init__(self, client: HttpQueue, listener: Listener, on_resync: Callable[[], None] | None) -> None:
        self._client = client
        self._listener = listener
        self._on_resync = on_resync
        self._connections = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self.thread = threading.Thread(target=self._run, name="queue-events", daemon=False)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            response = self._response
        if response is not None:
            _abort(response)
        if self.thread is not threading.current_thread() and self.thread.ident is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                log.warning("the queue event reader did not stop within %.1f s", timeout)

    def _run(self) -> None:
        client = self._client
        url = f"{client.base_url}/v1/events"
        session = client._new_session()
        session.headers["Accept"] = "text/event-stream"
        failures = 0
        try:
            while not self._stop.is_set():
                problem = self._read_once(session, url)
                if self._stop.is_set():
                    break
                if problem is None:  # connected, then the stream ended (host restarting)
                    failures = 0
                    problem = "the stream ended"
                failures += 1
                delay = _backoff(failures, _RECONNECT_MAX)
                if failures == 1 or failures % 10 == 0:
                    log.warning("queue event stream from %s: %s; reconnecting in %.1f s", client.base_url,
                                problem, delay)
                self._stop.wait(delay)
        finally:
            session.close()

    def _read_once(self, session: requests.Session, url: str) -> str | None:
        """Read one connection's events; None if it was up and then ended, else what went wrong."""
        client = self._client
        try:
            response = session.get(url, stream=True, timeout=(client.timeout, client.events_read_timeout))
        except requests.RequestException as exc:
            return f"cannot connect ({type(exc).__name__})"
        with self._lock:
            if self._stop.is_set():
                response.close()
                return None
            self._response = response
        try:
            if response.status_code in (401, 403):
                return str(QueueAccessDenied(response.status_code, _message_of(response)))
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            self._connections += 1
            if self._connections > 1:
                log.info("queue event stream from %s is back; resynchronising", client.base_url)
                self._resync()
            for kind, data in _sse_events(response.iter_lines(chunk_size=1024)):
                if self._stop.is_set():
                    return None
                if kind == "resync":  # the host dropped a backlog this reader could not keep up with
                    log.warning("queue event stream from %s fell behind; resynchronising", client.base_url)
                    self._resync()
                    continue
                self._deliver(kind, data)
            return None
        except (requests.RequestException, OSError, AttributeError, ValueError) as exc:
            # AttributeError/ValueError: urllib3 reading a response another thread just closed
            if self._stop.is_set():
                return None
            if isinstance(exc, requests.exceptions.ConnectionError) and "timed out" in str(exc).lower():
                return f"silent for {client.events_read_timeout:g} s"
            return f"connection lost ({type(exc).__name__})"
        finally:
            with self._lock:
                self._response = None
            response.close()

    def _resync(self) -> None:
        if self._on_resync is None:
            return
        try:
            self._on_resync()
        except Exception:
            log.exception("queue resync callback %r failed", self._on_resync)

    def _deliver(self, kind: str, data: str) -> None:
        try:
            event = event_from_json(json.loads(data))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("queue event %r could not be read (%s); skipped", kind, exc)
            return
        try:
            self._listener(event)
        except Exception:
            log.exception("queue listener %r failed on %s", self._listener, event.type.value)


def _message_of(response: requests.Response) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(response.json().get("message") or "")
    return ""


def _sse_events(lines: Iterator[bytes]) -> Iterator[tuple[str, str]]:
    """``(event type, data)`` per Server-Sent Event; comments (keepalives) are skipped."""
    kind = "message"
    data: list[str] = []
    for raw in lines:
        line = raw.decode("utf-8", errors="replace")
        if not line:
            if data:
                yield kind, "\n".join(data)
            kind, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            kind = value
        elif name == "data":
            data.append(value)


def _abort(response: requests.Response) -> None:
    """Wake a thread blocked reading ``response``: shut its socket down, then close it."""
    raw = getattr(response, "raw", None)
    sock = None
    connection = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        response.close()
