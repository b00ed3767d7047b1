"""Which steps a citizen walks through, and the ticket request id that makes retries safe."""

from __future__ import annotations

import dataclasses

from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.citizen.nik import parse_nik
from kiosk.queue.models import PriorityGroup
from kiosk.visit.flow import CitizenSession, Step, steps_for

CATALOG = load_catalog(default_catalog_path())


def test_steps_for_a_service_needing_identity() -> None:
    service = CATALOG.service("KTP-EL")
    assert steps_for(service) == [Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.CONFIRM, Step.TICKET]


def test_face_step_slots_in_between_nik_and_confirm_when_available() -> None:
    service = CATALOG.service("KTP-EL")
    assert service.face_check
    assert steps_for(service, face_check_available=True) == [
        Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.FACE, Step.CONFIRM, Step.TICKET]


def test_no_identity_no_nik_step() -> None:
    service = dataclasses.replace(CATALOG.service("KTP-EL"), identity_required=False)
    assert steps_for(service, face_check_available=True) == [
        Step.SERVICE, Step.REQUIREMENTS, Step.CONFIRM, Step.TICKET]


def test_request_id_is_stable_for_the_same_request_only() -> None:
    session = CitizenSession(lang="id", service=CATALOG.service("KTP-EL"), nik=parse_nik("3171014501900001"))
    first = session.request_id()
    assert session.request_id() == first  # a retry reuses it
    session.priority = PriorityGroup.PREGNANT
    assert session.request_id() != first  # a different request gets a new one
    assert session.identity_status() == "to_verify_at_counter"
    assert CitizenSession(lang="id").identity_status() == "none"
