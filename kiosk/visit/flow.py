"""The citizen's walk through the kiosk, as data: which steps a service needs, and what was chosen.

Kept free of Qt so the rules ("a service that needs identity asks for the NIK", "the face step
comes between NIK and confirm when a face check is available") are tested without a screen, and so
the face-check issue only has to register its step, not rewire screens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import Enum

from kiosk.applications.drafts import ApplicationDraft
from kiosk.catalog.forms import Form
from kiosk.catalog.services import Catalog, Service
from kiosk.citizen.nik import Nik
from kiosk.citizen.travel_document import TravelDocument
from kiosk.queue.client import QueueUnavailable
from kiosk.queue.models import Closed, IssuedTicket, PriorityGroup, QuotaFull


class Step(str, Enum):
    WELCOME = "welcome"
    PRIORITY = "priority"
    SERVICE = "service"
    REQUIREMENTS = "requirements"
    IDENTIFY = "identify"
    TRAVEL_DOCUMENT = "travel_document"  # "Paspor / KITAS": the number instead of a NIK (issue 16)
    WITHOUT_NIK = "without_nik"  # what happens without a NIK, said before queueing (face, form, desk)
    FACE = "face"
    CONFIRM = "confirm"
    TICKET = "ticket"
    FORM = "form"              # an application form (services with one): after the NIK, instead of CONFIRM
    DOCUMENTS = "documents"
    SUMMARY = "summary"
    RECEIPT = "receipt"        # ticket number + application number: the end of the application path
    SURVEY = "survey"          # "Nilai layanan kami": rating a finished ticket (kiosk.ui.survey)
    STATUS = "status"          # "Cek status": a ticket's or receipt's QR held to the camera (ui.kiosk.status_check)
    BOOKING = "booking"        # "Saya sudah booking": a booking's code scanned or typed (ui.kiosk.booking)
    COMPLAINT = "complaint"    # "Sampaikan pengaduan": category to receipt, one screen (ui.kiosk.complaint)


FINAL_STEPS = frozenset({Step.TICKET, Step.RECEIPT})  # nothing left to go back to; the screen times out


class Identity(str, Enum):
    """How the citizen identified themselves on the identify step."""

    NIK = "nik"
    NO_NIK = "no_nik"                    # "Saya tidak membawa KTP / tidak tahu NIK"
    TRAVEL_DOCUMENT = "travel_document"  # "Paspor / KITAS"


def steps_for(service: Service | None, *, face_check_available: bool = False,
              form: Form | None = None, identity: Identity = Identity.NIK) -> list[Step]:
    """The steps a citizen goes through for ``service`` (counted on screen as "step 2 of 5").

    A service with an application ``form`` asks for it after the NIK and ends on a receipt that
    carries both the queue number and the application number: one visit to the kiosk, one path.
    Without a NIK (issue 16) the face check and the form are left out (the 1:1 match and MPP Digital's
    application both need the NIK) and a step says so, and why, before the citizen queues.
    """
    steps = [Step.SERVICE]
    if service is None:
        return steps
    steps.append(Step.REQUIREMENTS)
    if service.identity_required and identity is not Identity.NIK:
        steps.append(Step.IDENTIFY)
        if identity is Identity.TRAVEL_DOCUMENT:
            steps.append(Step.TRAVEL_DOCUMENT)
        return steps + [Step.WITHOUT_NIK, Step.CONFIRM, Step.TICKET]
    if service.identity_required:
        steps.append(Step.IDENTIFY)
        if service.face_check and face_check_available:
            steps.append(Step.FACE)
    if form is not None and service.application_form and service.identity_required:
        steps.append(Step.FORM)
        if form.documents:
            steps.append(Step.DOCUMENTS)
        return steps + [Step.SUMMARY, Step.RECEIPT]
    steps += [Step.CONFIRM, Step.TICKET]
    return steps


def step_position(steps: list[Step], step: Step) -> tuple[int, int] | None:
    """Where ``step`` stands on the citizen's path, for the header's "Langkah n dari total".

    The rule, so the count never jumps under a citizen: on the service list there is no path yet,
    so no total is claimed ("Langkah 1: pilih layanan", also when they come back to change the
    service: None here). Once a service is chosen the total is the length of the path they are on,
    counted to the end, and the ticket or receipt shows the last number ("5 dari 5"), so the count
    ends where it said it would. The total changes only when the path does: leaving the form to the
    counter (or going back to it) swaps the application path for the plain ticket path. Steps off
    the path (survey, status check) show no count.
    """
    if step == Step.SERVICE or step not in steps:
        return None
    return steps.index(step) + 1, len(steps)


@dataclass
class CitizenSession:
    """Everything one citizen chose; replaced by a fresh one when the kiosk is wiped."""

    lang: str
    large_text: bool = False
    priority: PriorityGroup | None = None
    service: Service | None = None
    nik: Nik | None = None
    issued: IssuedTicket | None = None
    application: ApplicationDraft | None = None   # the form in progress; wiped with the session
    saved_application: object | None = None       # the store's SavedApplication once saved
    form_skipped: bool = False                    # "fill it in at the counter": the plain ticket path
    face_verified: bool = False                   # the live face check matched the NIK (kiosk.camera)
    identity: Identity = Identity.NIK             # how they identified (no NIK, passport/KITAS: issue 16)
    travel_document: TravelDocument | None = None  # the passport/KITAS number; never leaves the kiosk
    wanted: Service | None = None                 # the service a NIK-only visitor wanted: they queue for the desk
    booked: str = ""                              # a booking's ticket (ui.kiosk.booking): "new", or "again"
    _request: tuple[tuple[object, ...], str] | None = field(default=None, repr=False)

    def identity_status(self) -> str:
        """What the counter must still check: nothing, or the identity (unless the face check verified it)."""
        if self.nik is None:
            return self.identity.value if self.identity is not Identity.NIK else "none"
        return "verified" if self.face_verified else "to_verify_at_counter"

    def identify_without_nik(self, identity: Identity, document: TravelDocument | None = None) -> None:
        """No NIK typed: the ticket is marked so the clerk checks the identity (and nothing NIK-bound runs)."""
        self.back_to_wanted()
        self.nik, self.face_verified = None, False
        self.identity, self.travel_document = identity, document

    def identify_by_nik(self, nik: Nik) -> None:
        self.back_to_wanted()
        self.nik, self.face_verified = nik, False  # a new NIK needs a new face check
        self.identity, self.travel_document = Identity.NIK, None

    def forget_identity(self) -> None:
        """A new service was chosen: how they identify is asked again."""
        self.nik, self.face_verified, self.wanted = None, False, None
        self.identity, self.travel_document = Identity.NIK, None

    def back_to_wanted(self) -> None:
        """Back before the desk was chosen (Back, or a NIK remembered after all): the wanted service again."""
        if self.wanted is not None:
            self.service, self.wanted = self.wanted, None

    def go_to_desk(self, desk: Service) -> None:
        """A service that needs a NIK, and none given: the ticket is for the information desk instead."""
        if self.wanted is None:
            self.wanted = self.service
        self.service = desk

    def steps(self, *, face_check_available: bool = False, form: Form | None = None) -> list[Step]:
        """This citizen's path (:func:`steps_for`), counted for the service they wanted and as they identified.
        A booking's ticket is off the walk-in path, like the status check: no steps to count."""
        if self.booked:
            return []
        return steps_for(self.path_service, face_check_available=face_check_available, form=form,
                         identity=self.identity)

    @property
    def path_service(self) -> Service | None:
        """The service the path was counted for (the wanted one, also once the ticket is for the desk)."""
        return self.wanted or self.service

    def request_id(self) -> str:
        """A ticket request id that stays the same while the request is the same.

        Retrying after a lost answer must reuse it (the queue then returns the ticket it already
        made instead of a second one); changing the service or priority must not.
        """
        key = (self.service.code if self.service else None, self.priority,
               self.nik.digits if self.nik else None, self.identity,
               self.travel_document.number if self.travel_document else None)
        if self._request is None or self._request[0] != key:
            self._request = (key, str(uuid.uuid4()))
        return self._request[1]


def without_nik_outcome(service: Service, catalog: Catalog) -> str:
    """What a citizen without a NIK can do for ``service`` (the rule: ``Service.nik_required``).

    ``"queue"``: they queue for it and the clerk checks their identity; ``"desk"``: the service needs a
    NIK, so they get a ticket to the catalog's information desk instead; ``"no_desk"``: it needs a NIK
    and the catalog names no desk (they are told to ask at the information desk, without a ticket).
    """
    if not service.nik_required:
        return "queue"
    desk = catalog.desk()
    return "desk" if desk is not None and desk.code != service.code else "no_desk"


def issue_problem(exc: BaseException) -> str | None:
    """The text key telling the citizen why no ticket came: the day's quota is used up, the MPP is
    closed, or the queue cannot be reached (try again). None for anything unexpected."""
    if isinstance(exc, QuotaFull):
        return "confirm.error.quota_full"
    if isinstance(exc, Closed):
        return "confirm.error.closed"
    if isinstance(exc, QueueUnavailable):
        return "confirm.error.offline"
    return None
