""""Cek status" answers: a ticket's code at the queue (in-process and over HTTP), an application's code at
the central API's public status (real server on loopback), or in the kiosk's outbox while not sent."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import requests
from sync_helpers import ADMIN_TOKEN, application_body

from central_api.app import RunningCentral
from kiosk.i18n import Translator
from kiosk.printing.status import DEMO_STATUS_URL_TEMPLATE, status_url
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.sync.central_client import CentralClient
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication
from kiosk.visit.qr_codes import QrReading, classify_qr
from kiosk.visit.status_check import StatusChecker

NIK = "3171011508900001"


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def ticket_reading(ticket_id: str) -> QrReading:
    reading = classify_qr(status_url(DEMO_STATUS_URL_TEMPLATE, ticket_id))
    assert reading.kind == "ticket_status"
    return reading


def test_a_ticket_code_tells_where_the_ticket_stands(core) -> None:
    queue = core.queue
    first = queue.issue("KTP-EL", request_id="r-1")
    second = queue.issue("KTP-EL", request_id="r-2")
    checker = StatusChecker(queue)
    report = checker.check(ticket_reading(second.ticket.id))
    assert report.kind == "ticket" and report.ticket is not None
    assert report.ticket["number"] == second.ticket.number and report.ticket["people_ahead"] == 1
    heading, lines = report.lines(Translator("id"))
    assert heading == f"Nomor {second.ticket.number}" and "1 orang di depan Anda" in lines[1]

    queue.call_next(3, ["KTP-EL"], actor="clerk@counter-3")
    queue.call_next(4, ["KTP-EL"], actor="clerk@counter-4")
    called = checker.check(ticket_reading(second.ticket.id))
    assert called.ticket["state"] == "called" and called.ticket["counter"] == 4
    assert called.lines(Translator("en"))[1] == ["You are called! Please go to counter 4."]
    assert "nik" not in str(called.ticket).lower() and first.ticket.id not in str(called.ticket)


def test_unknown_codes_and_codes_not_ours(core) -> None:
    checker = StatusChecker(core.queue)
    assert checker.check(ticket_reading(str(uuid.uuid4()))).kind == "not_found"
    assert checker.check(classify_qr("https://example.com/promo")).kind == "not_ours"
    assert checker.check(QrReading("ikd", NIK)).kind == "not_ours"
    assert checker.check(QrReading("unknown")).lines(Translator("id"))[1] == [
        "Kode QR ini bukan tiket MPP. Tunjukkan QR pada tiket antrean atau tanda terima permohonan."]


def test_ticket_code_over_http_and_a_queue_host_that_is_down(core) -> None:
    server = RunningServer(create_app(core.queue.engine, {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}))
    kiosk_queue = HttpQueue(server.url, "tok-kiosk", timeout=5)
    dead = HttpQueue(f"http://127.0.0.1:{closed_port()}", "tok-kiosk", timeout=0.5, retries=0)
    try:
        issued = kiosk_queue.issue("KTP-EL", request_id="r-http")
        report = StatusChecker(kiosk_queue).check(ticket_reading(issued.ticket.id))
        assert report.kind == "ticket" and report.ticket["number"] == issued.ticket.number
        assert StatusChecker(kiosk_queue).check(ticket_reading(str(uuid.uuid4()))).kind == "not_found"
        report = StatusChecker(dead).check(ticket_reading(issued.ticket.id))
    finally:
        kiosk_queue.close()
        dead.close()
        server.stop()
    assert report.kind == "unavailable"
    assert report.lines(Translator("id"))[1] == [
        "Status belum dapat diperiksa sekarang. Coba lagi sebentar lagi, atau tanya petugas."]


def test_an_application_code_asks_the_central_public_status(central: RunningCentral, client: CentralClient,
                                                            core) -> None:
    body = application_body(number="APP-20261123-0042")
    client.put_application(body["id"], body)
    requests.post(f"{central.url}/admin/applications/{body['id']}/status", json={"status": "needs_info"},
                  headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=5).raise_for_status()
    reading = classify_qr(f"{central.url}/status/{body['id']}")
    assert reading == QrReading("application_status", body["id"])
    checker = StatusChecker(core.queue, central_url=central.url)  # never enrolled: the public status is unsigned
    try:
        report = checker.check(reading)
        assert report.kind == "application" and report.application is not None
        assert (report.application.number, report.application.state) == ("APP-20261123-0042", "needs_info")
        assert report.lines(Translator("id")) == ("Permohonan APP-20261123-0042",
                                                   ["Perlu kelengkapan. Silakan datang ke loket layanan."])
        unknown = checker.check(QrReading("application_status", str(uuid.uuid4())))
        assert unknown.kind == "not_found" and "belum sampai" in unknown.lines(Translator("id"))[1][0]
    finally:
        checker.close()


def test_an_application_still_in_the_outbox_or_with_the_platform_down(data_dir: Path, core) -> None:
    store = ApplicationStore(data_dir, status_url_template="http://127.0.0.1:9/status/{id}")
    try:
        saved = store.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK,
                                          fields={"alasan": "hilang"}, attachments=[], ticket_number="A001",
                                          lang="id"))
        checker = StatusChecker(core.queue, central_url=f"http://127.0.0.1:{closed_port()}", timeout=0.5,
                                outbox=store)
        report = checker.check(QrReading("application_status", saved.id))
        assert report.kind == "application" and report.application.state == "on_kiosk"
        assert report.application.number == saved.number
        assert report.lines(Translator("en"))[1] == ["Saved on the kiosk and being sent to the agency."]
        elsewhere = checker.check(QrReading("application_status", str(uuid.uuid4())))
        assert elsewhere.kind == "unavailable"  # the platform did not answer: do not claim "not found"
        checker.close()
    finally:
        store.close()

