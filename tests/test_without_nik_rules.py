"""Identifying without a NIK (issue 16), the rules below the screens: the path, the ticket's mark, the
NIK-only services and the information desk of the catalog."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from kiosk.catalog.forms import default_forms_path, load_forms
from kiosk.catalog.services import Catalog, CatalogError, default_catalog_path, load_catalog, parse_catalog
from kiosk.citizen.nik import parse_nik
from kiosk.citizen.travel_document import parse_travel_document
from kiosk.queue.models import IDENTITY_STATUSES, identity_checked_at_counter
from kiosk.visit.flow import CitizenSession, Identity, Step, steps_for, without_nik_outcome


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_catalog_path())


def test_without_a_nik_face_and_form_are_left_out_and_said_before_queueing(catalog: Catalog) -> None:
    kk = catalog.service("KK")  # face check and an application form, with a NIK
    form = load_forms(default_forms_path()).form_for("KK")
    assert form is not None and form.documents
    assert steps_for(kk, face_check_available=True, form=form) == [
        Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.FACE, Step.FORM, Step.DOCUMENTS, Step.SUMMARY,
        Step.RECEIPT]
    assert steps_for(kk, face_check_available=True, form=form, identity=Identity.NO_NIK) == [
        Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.WITHOUT_NIK, Step.CONFIRM, Step.TICKET]
    assert steps_for(kk, face_check_available=True, identity=Identity.TRAVEL_DOCUMENT) == [
        Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.TRAVEL_DOCUMENT, Step.WITHOUT_NIK, Step.CONFIRM,
        Step.TICKET]


def test_the_ticket_is_marked_for_the_counter_and_carries_no_number(catalog: Catalog) -> None:
    session = CitizenSession(lang="id", service=catalog.service("KTP-EL"))
    assert session.identity_status() == "none"
    session.identify_without_nik(Identity.NO_NIK)
    assert session.identity_status() == "no_nik" and session.nik is None
    session.identify_without_nik(Identity.TRAVEL_DOCUMENT, parse_travel_document("a1234567"))
    assert session.identity_status() == "travel_document" and session.nik is None
    for status in ("no_nik", "travel_document", "to_verify_at_counter"):
        assert status in IDENTITY_STATUSES and identity_checked_at_counter(status)
    assert not identity_checked_at_counter("verified") and not identity_checked_at_counter("none")
    first = session.request_id()
    session.identify_by_nik(parse_nik("3171014501900001"))
    assert session.identity_status() == "to_verify_at_counter" and session.travel_document is None
    assert session.request_id() != first  # another request: not the passport's ticket returned


def test_nik_only_services_go_to_the_information_desk(catalog: Catalog) -> None:
    ikd = catalog.service("IKD")
    assert ikd.nik_required and not catalog.service("KTP-EL").nik_required  # a lost KTP is the daily case
    assert without_nik_outcome(ikd, catalog) == "desk"
    assert without_nik_outcome(catalog.service("SIP-BIDAN-BARU"), catalog) == "queue"
    no_desk = dataclasses.replace(catalog, information_desk=None)
    assert without_nik_outcome(ikd, no_desk) == "no_desk"
    session = CitizenSession(lang="id", service=ikd)
    session.identify_without_nik(Identity.NO_NIK)
    desk = catalog.desk()
    assert desk is not None and not desk.identity_required
    session.go_to_desk(desk)
    assert session.service is desk and session.wanted is ikd and session.path_service is ikd
    session.identify_by_nik(parse_nik("3171014501900001"))  # remembered it after all
    assert session.service is ikd and session.wanted is None


def _shipped() -> dict[str, object]:
    return json.loads(default_catalog_path().read_text(encoding="utf-8"))


def test_catalog_checks_its_information_desk() -> None:
    data = _shipped()
    data["information_desk"] = "KTP-EL"
    with pytest.raises(CatalogError, match="information_desk.*without identity_required"):
        parse_catalog(data, "test")
    data["information_desk"] = "INFOO"
    with pytest.raises(CatalogError, match="not one of the services.*INFO"):
        parse_catalog(data, "test")


def test_a_catalog_from_before_issue_16_still_loads() -> None:
    data = copy.deepcopy(_shipped())
    del data["information_desk"]
    for service in data["services"]:  # type: ignore[attr-defined]
        service.pop("nik_required", None)
    old = parse_catalog(data, "test")
    assert old.desk() is None and not any(s.nik_required for s in old.services)
    data["services"][0]["nik_required"] = "yes"  # type: ignore[index]
    with pytest.raises(CatalogError, match="nik_required"):
        parse_catalog(data, "test")
