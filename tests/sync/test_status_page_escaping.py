"""Stored HTML injection on the public status pages (issue 21, item 5), over real HTTP on loopback.

An application number is text a kiosk chose; the central API's receipt page and the queue host's
ticket page must show it as text, never as markup.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sync_helpers import ADMIN_TOKEN

from central_api.app import RunningCentral
from central_api.stores import utc_now
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import ApplicationView, ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import status_token
from kiosk.utils.html_template import HtmlTemplate

PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def get_page(url: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, headers={"Accept": "text/html"}, timeout=5)


def test_the_template_escapes_every_value_but_nests_what_it_rendered() -> None:
    inner = HtmlTemplate("<b>$text</b>").render(text="a & b")
    page = HtmlTemplate('<p title="$title">$body $price</p>').render(title='x" onclick="y', body=inner, price="$5")
    assert str(page) == '<p title="x&#34; onclick=&#34;y"><b>a &amp; b</b> $5</p>'


def test_central_status_page_escapes_a_stored_number(central: RunningCentral) -> None:
    app_id = str(uuid.uuid4())
    # Stored as it was before any validation at the door: the page must be safe whatever is in the store.
    central.store.insert_application(app_id, "dev-x", "0" * 64, {"number": PAYLOAD, "service_code": "KTP-EL"},
                                     {"id": app_id, "number": PAYLOAD, "status": "received",
                                      "received_at": utc_now()})
    with requests.Session() as session:
        session.trust_env = False
        changed = session.post(f"{central.url}/admin/applications/{app_id}/status", timeout=5,
                               headers={"X-Admin-Token": ADMIN_TOKEN}, json={"status": "needs_info"})
    assert changed.status_code == 200

    page = get_page(f"{central.url}/status/{app_id}")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert PAYLOAD not in page.text and "<img" not in page.text
    assert ESCAPED in page.text and "needs_info" in page.text


def test_central_status_page_of_an_unknown_id_is_still_a_page(central: RunningCentral) -> None:
    page = get_page(f"{central.url}/status/{uuid.uuid4()}")
    assert page.status_code == 200 and "Application not found yet" in page.text
    assert "<img" not in get_page(f"{central.url}/status/%3Cimg%20src=x%3E").text


def test_queue_host_status_page_stays_escaped(tmp_path: Path) -> None:
    rules = [ServiceRule("KTP", "A", daily_quota=50, typical_service_minutes=10)]
    engine = QueueEngine.open(tmp_path / "queue.db", rules, ZoneInfo("UTC"))
    server = RunningServer(create_app(engine, {"tok": DeviceGrant("kiosk-1", "kiosk")},
                                      counters_serving=lambda _c: 1), "127.0.0.1", 0)
    try:
        ticket = engine.issue("KTP", request_id="r1", lang="en").ticket
        engine.attach_application(ticket.id, ApplicationView(
            application_id=str(uuid.uuid4()), number=PAYLOAD, service_code="KTP", nik_masked="3171********0001",
            created_at=datetime.now(UTC), sync_state="sent"))

        page = get_page(f"{server.url}/v1/status/{status_token(ticket.id)}")
    finally:
        server.stop()
        engine.close()

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert PAYLOAD not in page.text and "<img" not in page.text
    assert ESCAPED in page.text and f"Number {ticket.number}" in page.text
