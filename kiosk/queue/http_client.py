"""The terminals' client for the building's queue host (:mod:`kiosk.queue.host`) over HTTP.

:class:`HttpQueue` has the methods of :class:`~kiosk.queue.client.QueueClient`, so the screens work
the same whether the queue runs in this process or on the queue host. The session, the retries of
the calls that are safe to repeat and the reading of the host's error answers (turned back into the
domain errors of :mod:`kiosk.queue.models`) are :mod:`kiosk.queue.http_transport`; here are the
calls, one per ``QueueClient`` method, and the event stream's reader.

Only the wire format (:mod:`kiosk.queue.wire`) is shared with the host, so a terminal does not
import FastAPI. Expected network failures are logged at WARNING, never ERROR.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import requests

from kiosk.queue.availability import AvailabilitySnapshot, snapshot_from_json
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice
from kiosk.queue.client import CheckInThrottled, Listener, LookupThrottled, QueueUnavailable
from kiosk.queue.help import CloseReason, HelpConflict, HelpRequest, HelpRequestNotFound, help_from_json
from kiosk.queue.http_transport import (
    HttpTransport,
    QueueAccessDenied,
    QueueRequestRefused,
    RemoteIllegalTransition,
    backoff,
    counter_of,
    segment,
)
from kiosk.queue.models import (
    ApplicationView,
    BoardState,
    IssuedTicket,
    PriorityGroup,
    QueueError,
    Ticket,
    TicketNotFound,
    WaitPreview,
)
from kiosk.queue.status import is_status_token
from kiosk.queue.wire import (
    application_view_from_json,
    application_view_to_json,
    board_from_json,
    event_from_json,
    issued_from_json,
    preview_from_json,
    ticket_from_json,
)

__all__ = ["HttpQueue", "QueueAccessDenied", "QueueRequestRefused", "RemoteIllegalTransition"]

log = logging.getLogger(__name__)

_RECONNECT_MAX = 5.0  # for the event stream


class HttpQueue(HttpTransport):
    """:class:`~kiosk.queue.client.QueueClient` over the queue host's HTTP API (``/v1``).

    ``timeout`` bounds connecting and each read of a request; ``retries`` is how many times a
    safe-to-repeat request is tried again after a network failure or a 5xx. The host writes the
    device behind the token (and the counter) to the audit trail, so ``actor`` arguments only
    contribute their ``counter-<n>`` suffix. Methods may be called from several threads.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, retries: int = 2,
                 events_read_timeout: float = 45.0) -> None:
        super().__init__(base_url, token, timeout=timeout, retries=retries)
        # the host sends a keepalive every 15 s; a stream silent for longer than this is dead
        self.events_read_timeout = max(events_read_timeout, timeout)
        self._subs_lock = threading.Lock()
        self._subscriptions: set[_Subscription] = set()

    # -- QueueClient ---------------------------------------------------------------------------
    def issue(self, service_code: str, *, request_id: str, priority: PriorityGroup | None = None,
              lang: str = "id", nik_masked: str | None = None, identity_status: str = "none") -> IssuedTicket:
        body = {"service_code": service_code, "request_id": request_id,
                "priority": PriorityGroup(priority).value if priority is not None else None,
                "lang": lang, "nik_masked": nik_masked, "identity_status": identity_status}
        data = self._call("POST", "/tickets", idempotent=True, body=body,
                          context={"service": service_code, "request_id": request_id})
        return issued_from_json(data)

    def check_in_booking(self, code_text: str, *, kiosk: str, request_id: str, choice: CheckInChoice | None = None,
                         lang: str = "id") -> CheckInAnswer:
        """Safe to resend: the same ``request_id`` answers the same ticket. ``kiosk`` is the token's device."""
        body = {"code": code_text, "request_id": request_id, "lang": lang,
                "choice": CheckInChoice(choice).value if choice is not None else None}
        try:
            data = self._call("POST", "/bookings/check-in", idempotent=True, body=body,
                              context={"request_id": request_id})
        except QueueRequestRefused as exc:
            if exc.code == "too_many_check_ins":
                raise CheckInThrottled(int(exc.details.get("retry_after", 1) or 1)) from None
            raise
        return CheckInAnswer.from_json(data)

    def preview(self, service_code: str, priority: PriorityGroup | None = None) -> WaitPreview:
        params = {"priority": PriorityGroup(priority).value} if priority is not None else None
        data = self._call("GET", f"/services/{segment(service_code)}/preview", idempotent=True, params=params,
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
        body = {"counter": counter_of(actor), **extra}
        data = self._call("POST", f"/tickets/{segment(ticket_id)}/{name}", idempotent=False, body=body,
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
        data = self._call("GET", f"/tickets/{segment(ticket_id)}", idempotent=True, context={"key": ticket_id})
        return ticket_from_json(data)

    def find(self, number: str) -> Ticket:
        data = self._call("GET", f"/tickets/by-number/{segment(number)}", idempotent=True, context={"key": number})
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
            return dict(self._call("GET", f"/status/{segment(token)}", idempotent=True))
        except TicketNotFound:
            return None

    def status_by_number(self, number: str) -> dict[str, Any] | None:
        if not (0 < len(number) <= 20 and number.isascii() and number.replace("-", "").isalnum()):
            return None  # not the shape of a number ("A-012"): never ask the host
        try:
            return dict(self._call("GET", f"/tickets/by-number/{segment(number)}/status", idempotent=True,
                                   context={"key": number}))
        except TicketNotFound:
            return None
        except QueueRequestRefused as exc:
            if exc.code == "too_many_lookups":
                raise LookupThrottled(int(exc.details.get("retry_after", 1) or 1)) from None
            raise

    def attach_application(self, ticket_id: str, view: ApplicationView) -> ApplicationView:
        """PUT the view once: the kiosk's periodic pass (kiosk.applications.views) is the retry, so a
        hung host costs one timeout here, never a citizen's wait."""
        data = self._call("PUT", f"/tickets/{segment(ticket_id)}/application", idempotent=False,
                          body=application_view_to_json(view), context={"key": ticket_id, "ticket_id": ticket_id})
        return application_view_from_json(data)

    def application_of(self, ticket_id: str) -> ApplicationView | None:
        try:
            data = self._call("GET", f"/tickets/{segment(ticket_id)}/application", idempotent=True,
                              context={"key": ticket_id})
        except QueueRequestRefused as exc:
            if exc.code == "no_application":
                return None
            raise
        return application_view_from_json(data)

    # -- calls for staff from a kiosk (kiosk.queue.help) ---------------------------------------
    def _help(self, method: str, path: str, *, idempotent: bool, body: Any = None, request_id: str = "",
              action: str = "") -> Any:
        """A help request call's JSON; the host's help refusals as the domain's errors."""
        response = self._send(method, f"/help-requests{path}", idempotent=idempotent, body=body)
        with response:
            if 200 <= response.status_code < 300:
                return self._json(response)
            code, message = _refusal(response)
            if code == "help_request_not_found":
                raise HelpRequestNotFound(request_id)
            if code == "not_your_help_request":  # the device is fine: the request is another kiosk's
                raise QueueRequestRefused(response.status_code, code, message)
            error = self._error(response, {})
        if code == "help_conflict" and request_id:
            with contextlib.suppress(QueueError):  # the refusal matters more than the detail
                error = HelpConflict(self.help_request(request_id), action)
        raise error

    def raise_help(self, kiosk: str) -> HelpRequest:
        """Sent again after a network failure: the host answers the one open request, never a second."""
        return help_from_json(self._help("POST", "", idempotent=True))

    def help_request(self, request_id: str) -> HelpRequest:
        return help_from_json(self._help("GET", f"/{segment(request_id)}", idempotent=True, request_id=request_id))

    def open_help_requests(self) -> list[HelpRequest]:
        return [help_from_json(item) for item in self._help("GET", "", idempotent=True)]

    def acknowledge_help(self, request_id: str, *, counter: int, actor: str, clerk: str | None = None) -> HelpRequest:
        """Sent once: a repeat after a lost answer would be refused as already answered (by this counter)."""
        return help_from_json(self._help("POST", f"/{segment(request_id)}/acknowledge", idempotent=False,
                                         body={"counter": int(counter), "clerk": clerk}, request_id=request_id,
                                         action="acknowledge"))

    def close_help(self, request_id: str, reason: CloseReason, *, kiosk: str) -> HelpRequest:
        """Safe to repeat: closing a closed request answers it unchanged."""
        return help_from_json(self._help("POST", f"/{segment(request_id)}/close", idempotent=True,
                                         body={"reason": CloseReason(reason).value}, request_id=request_id,
                                         action="close"))

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
                delay = backoff(failures, _RECONNECT_MAX)
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


def _refusal(response: requests.Response) -> tuple[str, str]:
    """The ``error`` code and ``message`` of a refusal ("" when the answer has none)."""
    with contextlib.suppress(ValueError, AttributeError):
        data = response.json()
        if isinstance(data, dict):
            return str(data.get("error") or ""), str(data.get("message") or "")
    return "", ""


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
