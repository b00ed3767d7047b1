"""The ticket status page behind the QR code, on a real queue host on loopback (no device token)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.printing.status import status_token_from_url, status_url, status_url_template
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import TOKEN_LENGTH, status_token

JAKARTA = ZoneInfo("Asia/Jakarta")
RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
TOKENS = {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk")}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # arrivals in a strict order (ties would be ordered by random id)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def host(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, QueueEngine]]:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, JAKARTA, clock=clock)
    server = RunningServer(create_app(engine, TOKENS, counters_serving=lambda _c: 1), "127.0.0.1", 0)
    try:
        yield server.url, engine
    finally:
        server.stop()
        engine.close()


def get(url: str, html: bool = False) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"} if html else {"Accept": "application/json"}
        return session.get(url, headers=headers, timeout=5)


def test_token_is_unguessable_and_not_the_number() -> None:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(2000)]
    tokens = {status_token(i) for i in ids}
    assert len(tokens) == len(ids)
    assert all(len(t) == TOKEN_LENGTH for t in tokens)
    assert status_token(ids[0]) == status_token(ids[0])  # kiosk and host agree without a shared secret


def test_status_follows_the_ticket_from_waiting_to_called_to_done(host: tuple[str, QueueEngine]) -> None:
    base, engine = host
    first = engine.issue("KTP", request_id="r1")
    mine = engine.issue("KTP", request_id="r2", nik_masked="3171********0001", lang="en",
                        identity_status="to_verify_at_counter")
    url = status_url(status_url_template("", base), mine.ticket.id)
    assert url.startswith(f"{base}/v1/status/") and mine.ticket.number not in url
    assert status_token_from_url(url) == status_token(mine.ticket.id)

    answer = get(url)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    data = answer.json()
    assert data["number"] == mine.ticket.number and data["state"] == "issued" and data["valid_today"]
    assert data["people_ahead"] == 1 and data["estimated_wait_minutes"] > 0
    assert "3171" not in answer.text and mine.ticket.id not in answer.text  # no NIK, no device-API id

    page = get(url, html=True)
    assert page.headers["content-type"].startswith("text/html")
    assert f"Number {mine.ticket.number}" in page.text and "1 person ahead of you" in page.text  # not "1 people"
    assert 'http-equiv="refresh"' in page.text

    engine.call_next(4, ["KTP"], actor="t")  # the first ticket
    engine.finish(engine.start(first.ticket.id, actor="t").id, actor="t")
    engine.call_next(4, ["KTP"], actor="t")
    data = get(url).json()
    assert data["state"] == "called" and data["counter"] == 4 and data["people_ahead"] == 0
    assert "Please go to counter 4" in get(url, html=True).text

    engine.finish(engine.start(mine.ticket.id, actor="t").id, actor="t")
    assert get(url).json()["state"] == "done"


def test_yesterdays_ticket_says_expired(host: tuple[str, QueueEngine], clock: Clock) -> None:
    base, engine = host
    issued = engine.issue("KTP", request_id="old")
    clock.now += timedelta(days=1)
    url = f"{base}/v1/status/{status_token(issued.ticket.id)}"
    data = get(url).json()
    assert data["valid_today"] is False and data["people_ahead"] == 0
    assert "sudah tidak berlaku" in get(url, html=True).text  # the ticket was taken in Indonesian


def test_unknown_and_malformed_tokens(host: tuple[str, QueueEngine]) -> None:
    base, engine = host
    engine.issue("KTP", request_id="x")
    missing = get(f"{base}/v1/status/{'A' * TOKEN_LENGTH}")
    assert missing.status_code == 404 and missing.json()["error"] == "ticket_not_found"
    page = get(f"{base}/v1/status/{'B' * TOKEN_LENGTH}", html=True)
    assert page.status_code == 404 and "Tiket tidak ditemukan" in page.text
    assert get(f"{base}/v1/status/short").status_code == 422
    assert get(f"{base}/v1/status/{'%21' * TOKEN_LENGTH}").status_code in (404, 422)


def test_a_new_ticket_is_found_at_once(host: tuple[str, QueueEngine]) -> None:
    """Unknown tokens rescan at most once a second; tickets issued over HTTP are indexed on issue."""
    base, _engine = host
    get(f"{base}/v1/status/{'C' * TOKEN_LENGTH}")  # a miss: starts the rescan pause
    with requests.Session() as session:
        session.trust_env = False
        issued = session.post(f"{base}/v1/tickets", json={"service_code": "KTP", "request_id": "h1"},
                              headers={"Authorization": "Bearer tok-kiosk"}, timeout=5).json()
    assert get(f"{base}/v1/status/{status_token(issued['ticket']['id'])}").status_code == 200


@pytest.mark.parametrize(("url", "expected"), [
    ("http://10.0.0.5:8700/v1/status/AbCdEfGhIjKlMnOpQrStUv", "AbCdEfGhIjKlMnOpQrStUv"),
    ("https://antrean.example.go.id/cek?token=AbCdEfGhIjKlMnOpQrSt_-", "AbCdEfGhIjKlMnOpQrSt_-"),
    ("  https://x.example/s/AbCdEfGhIjKlMnOpQrStUv/  ", "AbCdEfGhIjKlMnOpQrStUv"),
    ("https://x.example/v1/status/too-short", None),
    ("A-012", None),
    ("3171012345678901", None),
    ("ftp://x.example/v1/status/AbCdEfGhIjKlMnOpQrStUv", None),
    ("", None),
])
def test_status_token_from_scanned_text(url: str, expected: str | None) -> None:
    assert status_token_from_url(url) == expected


def test_status_url_templates() -> None:
    assert status_url_template("", "http://10.0.0.5:8700/") == "http://10.0.0.5:8700/v1/status/{token}"
    assert status_url_template("https://a.example/s/{token}", "http://h") == "https://a.example/s/{token}"
    with pytest.raises(ValueError, match="token"):
        status_url("https://a.example/s/", "x")
    ids = itertools.count()
    assert len({status_url("https://a.example/{token}", str(next(ids))) for _ in range(50)}) == 50


def test_an_application_filed_with_the_ticket_shows_its_number_and_how_far_it_got(
        host: tuple[str, QueueEngine]) -> None:
    """Only the number and a plain state reach the status page: never the answers or the NIK."""
    from kiosk.queue.models import ApplicationView

    base, engine = host
    issued = engine.issue("KTP", request_id="with-form", lang="id")
    view = ApplicationView(application_id="3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", number="APP-20261123-0007",
                           service_code="KTP", nik_masked="3171********0001", created_at=datetime.now(UTC),
                           sync_state="pending", answers={"alamat": "Jl. Contoh 12"})
    engine.attach_application(issued.ticket.id, view)
    url = status_url(status_url_template("", base), issued.ticket.id)
    answer = get(url).json()
    assert answer["application"] == {"number": "APP-20261123-0007", "state": "on_kiosk"}
    page = get(url, html=True).text
    assert "Permohonan APP-20261123-0007: Tersimpan di kios dan sedang dikirim ke instansi." in page
    assert "Contoh 12" not in page and "3171" not in page and "Contoh 12" not in str(answer)

    engine.attach_application(issued.ticket.id, dataclasses.replace(view, sync_state="sent"))
    assert get(url).json()["application"]["state"] == "received"
