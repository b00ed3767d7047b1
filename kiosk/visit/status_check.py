""""Cek status" at the kiosk and on the lobby board: a QR code held to the camera, or at the kiosk the
ticket's number typed on the screen → where it stands.

Only our own codes are looked up, and only at our own services: a ticket's status token at the
building's queue (the terminal's queue client), an application's id at the central platform's public
status (unsigned, no personal data) and, while it has not arrived there, in this kiosk's own outbox.
The address printed in the code is never fetched: anyone can print a QR code pointing anywhere.
A typed number (:meth:`StatusChecker.check_number`) is only today's ticket at the building's queue,
answered with no more than the lobby board shows (:func:`kiosk.queue.status.number_standing`); the
queue host limits how often one kiosk may ask (numbers are easy to guess).
No Qt here; :meth:`StatusChecker.check` blocks (network), so screens run it on a worker thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kiosk.i18n import Translator
from kiosk.queue.client import LookupThrottled, QueueClient, QueueUnavailable
from kiosk.queue.status import ticket_status_lines
from kiosk.survey.link import normalise_number
from kiosk.visit.qr_codes import QrKind, QrReading

if TYPE_CHECKING:
    from kiosk.config.schema import Config
    from kiosk.sync.central_client import CentralClient

log = logging.getLogger(__name__)

StatusKind = Literal["ticket", "application", "not_found", "not_ours", "unavailable", "throttled"]
APPLICATION_STATES = ("received", "in_review", "needs_info", "approved", "rejected", "completed", "on_kiosk")
_NUMBER = re.compile(r"[A-Z]{1,3}-[0-9]{3,4}")  # a ticket number as the queue writes it, "A-012"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
LOOKUP_KINDS: tuple[QrKind, ...] = ("ticket_status", "application_status")  # the codes StatusChecker answers


def can_look_up(reading: QrReading) -> bool:
    """Whether "Cek status" answers this code; anything else (an IKD, a stranger's code) is not ours.

    Screens ask this before starting a lookup, so a wrong code gets a hint and scanning goes on.
    """
    return reading.kind in LOOKUP_KINDS


@dataclass(frozen=True)
class ApplicationStanding:
    """What anyone holding the receipt may learn: the number and the state, nothing personal.

    ``state`` is the platform's (received … completed), or ``on_kiosk`` while the application is
    still in this kiosk's outbox.
    """

    number: str
    state: str
    updated_at: str = ""


@dataclass(frozen=True)
class StatusReport:
    kind: StatusKind
    ticket: Mapping[str, Any] | None = None  # kiosk.queue.status.ticket_status's answer
    application: ApplicationStanding | None = None
    application_ref: str = ""  # what the code named, for the "not found" case
    typed_number: str = ""  # the number typed, for its "not found" case ("A-077")

    def lines(self, t: Translator) -> tuple[str, list[str]]:
        """The heading (the number, large) and the sentences to show and read aloud."""
        if self.kind == "ticket" and self.ticket is not None:
            return t("printing.status.number", number=self.ticket["number"]), ticket_status_lines(t, self.ticket)
        if self.kind == "application" and self.application is not None:
            state = self.application.state if self.application.state in APPLICATION_STATES else "received"
            return (t("status_check.application_number", number=self.application.number),
                    [t(f"status_check.application.{state}")])
        if self.kind == "not_found" and self.typed_number:
            return "", [t("status_number.not_found", number=self.typed_number)]
        if self.kind == "throttled":
            return "", [t("status_number.throttled")]
        if self.kind == "not_found":
            key = "status_check.application_not_found" if self.application_ref else "printing.status.not_found"
            return "", [t(key)]
        if self.kind == "not_ours":
            return "", [t("status_check.not_ours")]
        return "", [t("status_check.unavailable")]


class StatusChecker:
    """Answers a scanned code. One per screen; call :meth:`check` from one worker thread at a time.

    ``central_url`` (``[central] api_url``; empty = no platform) answers for applications;
    ``outbox`` (a ``kiosk.sync.outbox.ApplicationStore``, on the kiosk that filed them) for those not
    sent yet. The central client is made on first use, on the worker thread.
    """

    def __init__(self, queue: QueueClient, *, central_url: str = "", ca_file: str = "", timeout: float = 5.0,
                 outbox: Any = None) -> None:
        self.queue = queue
        self.central_url = central_url
        self.ca_file = ca_file
        self.timeout = timeout
        self.outbox = outbox
        self._central: CentralClient | None = None

    @classmethod
    def from_config(cls, config: Config, queue: QueueClient, outbox: Any = None) -> StatusChecker:
        return cls(queue, central_url=config.central.api_url, ca_file=config.central.ca_file,
                   timeout=min(config.central.timeout_seconds, 8.0), outbox=outbox)

    def check(self, reading: QrReading) -> StatusReport:
        if reading.kind == "ticket_status":
            try:
                status = self.queue.status(reading.value)
            except QueueUnavailable as exc:
                log.warning("status check: queue unavailable (%s)", exc)
                return StatusReport("unavailable")
            return StatusReport("ticket", ticket=status) if status is not None else StatusReport("not_found")
        if reading.kind == "application_status":
            return self._application(reading.value)
        return StatusReport("not_ours")

    def check_number(self, typed: str) -> StatusReport:
        """Where today's ticket with the typed number stands ("a12", "A-12" and "A 012" are "A-012")."""
        number = normalise_number(typed)
        if not _NUMBER.fullmatch(number):
            return StatusReport("not_found", typed_number=number)
        try:
            status = self.queue.status_by_number(number)
        except LookupThrottled as exc:
            log.warning("status check by number: throttled by the queue host (%d s)", exc.retry_after)
            return StatusReport("throttled", typed_number=number)
        except QueueUnavailable as exc:
            log.warning("status check by number: queue unavailable (%s)", exc)
            return StatusReport("unavailable", typed_number=number)
        if status is None:
            return StatusReport("not_found", typed_number=number)
        return StatusReport("ticket", ticket=status, typed_number=number)

    def _application(self, ref: str) -> StatusReport:
        central_failed = False
        if self.central_url and _UUID.fullmatch(ref):
            from kiosk.sync.central_client import CentralError

            try:
                public = self._client().public_application_status(ref)
            except CentralError as exc:
                log.warning("status check: central API unavailable (%s)", exc)
                public, central_failed = None, True
            if public is not None:
                return StatusReport("application", application=ApplicationStanding(
                    public.number, public.status, public.updated_at))
        local = self._from_outbox(ref)
        if local is not None:
            return StatusReport("application", application=local)
        if central_failed or not self.central_url:
            return StatusReport("unavailable", application_ref=ref)
        return StatusReport("not_found", application_ref=ref)

    def _from_outbox(self, ref: str) -> ApplicationStanding | None:
        if self.outbox is None or not _UUID.fullmatch(ref):
            return None
        try:
            state = self.outbox.status(ref)
        except Exception as exc:  # a damaged store must not break the status screen
            log.warning("status check: local applications unreadable (%s)", exc)
            return None
        if state is None:
            return None
        if state.central_status:
            return ApplicationStanding(state.number, state.central_status, state.status_updated_at or "")
        return ApplicationStanding(state.number, "on_kiosk", state.created_at or "")

    def _client(self) -> CentralClient:
        if self._central is None:
            from kiosk.sync.central_client import CentralClient

            self._central = CentralClient(self.central_url, None, ca_file=self.ca_file or None, timeout=self.timeout)
        return self._central

    def close(self) -> None:
        if self._central is not None:
            self._central.close()
            self._central = None
