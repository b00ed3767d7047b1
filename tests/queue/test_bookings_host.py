"""Booking check-in at a real queue host on loopback (issue 19): kiosks over HTTP, two at once, a throttled
guesser, strict bodies, and a host that has no key yet."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.booking.code import booking_qr_text
from kiosk.queue.bookings import BookingSettings
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.client import CheckInThrottled, LocalQueue
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.routes import bookings as booking_routes
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.routes.lookup import LookupLimits
from kiosk.queue.server import RunningServer
from tests.queue.test_bookings import KEY, MPP, RULES, SETTINGS, TZ, code

TOKENS = {"tok-kiosk-1": DeviceGrant("kiosk-1", "kiosk"), "tok-kiosk-2": DeviceGrant("kiosk-2", "kiosk"),
          "tok-counter": DeviceGrant("console-1", "counter")}
NINE = datetime(2025, 6, 16, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "queue.db", RULES, TZ, clock=lambda: NINE)
    opened.bookings.configure(SETTINGS, KEY)
    yield opened
    opened.close()


@pytest.fixture
def host(engine: QueueEngine) -> Iterator[str]:
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    yield server.url
    server.stop()


def ticket_ids(engine: QueueEngine) -> list[str]:
    with engine.db.reading() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM tickets").fetchall()]


def test_a_kiosk_checks_in_over_http_as_in_process(engine: QueueEngine, host: str) -> None:
    remote = HttpQueue(host, "tok-kiosk-1")
    try:
        answer = remote.check_in_booking(booking_qr_text(code("09:10")), kiosk="ignored", request_id="r1", lang="en")
        assert answer.outcome == "issued" and answer.ticket is not None
        assert answer.ticket.ticket.booking == "09:10" and answer.ticket.ticket.lang == "en"
        assert engine.events()[-1]["actor"] == "kiosk-1"  # the token's device, not the body
        early = remote.check_in_booking(code("10:30", serial=2), kiosk="k", request_id="r2")
        assert early.outcome == "choose" and early.choices == (CheckInChoice.BOOKED, CheckInChoice.WALK_IN)
        kept = remote.check_in_booking(code("10:30", serial=2), kiosk="k", request_id="r2",
                                       choice=CheckInChoice.BOOKED)
        local = LocalQueue(engine, None).check_in_booking(code("10:30", serial=2), kiosk="k", request_id="r3")
        assert kept.ticket is not None and local.ticket is not None and local.outcome == "already_issued"
        assert local.ticket.ticket == kept.ticket.ticket
        refused = remote.check_in_booking(code()[:-3], kiosk="k", request_id="r4")
        assert refused.refusal is CheckInRefusal.MALFORMED
    finally:
        remote.close()


def test_two_kiosks_at_once_get_one_ticket(engine: QueueEngine, host: str) -> None:
    clients = [HttpQueue(host, token) for token in ("tok-kiosk-1", "tok-kiosk-2") for _ in range(4)]
    start = threading.Barrier(len(clients))
    answers: list[CheckInAnswer] = []
    lock = threading.Lock()

    def tap(client: HttpQueue, n: int) -> None:
        start.wait()
        answer = client.check_in_booking(code(), kiosk="k", request_id=f"tap-{n}")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=tap, args=(client, n)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for client in clients:
        client.close()
    assert len(answers) == len(clients)
    assert sorted(a.outcome for a in answers) == ["already_issued"] * (len(clients) - 1) + ["issued"]
    assert len({a.ticket.ticket.id for a in answers if a.ticket}) == 1 and len(ticket_ids(engine)) == 1


def test_two_engines_on_one_file_at_once_issue_one_ticket(tmp_path: Path) -> None:
    """Two processes' worth of connections: the write lock and the code's key decide, not this process's lock."""
    engines = [QueueEngine.open(tmp_path / "queue.db", RULES, TZ, clock=lambda: NINE) for _ in range(2)]
    for one in engines:
        one.bookings.configure(SETTINGS, KEY)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def tap(n: int) -> None:
        start.wait()
        outcomes.append(engines[n % 2].bookings.check_in(code(), kiosk=f"k{n}", request_id=f"t{n}").outcome)

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert sorted(outcomes) == ["already_issued"] * 7 + ["issued"] and len(ticket_ids(engines[0])) == 1
    finally:
        for one in engines:
            one.close()


def test_a_device_guessing_codes_is_slowed_down(engine: QueueEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(booking_routes, "CHECK_IN_LIMITS", LookupLimits(burst=3, per_second=0.01))
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    guesser, other = HttpQueue(server.url, "tok-kiosk-1"), HttpQueue(server.url, "tok-kiosk-2")
    try:
        for n in range(3):
            assert guesser.check_in_booking(f"{n:024d}", kiosk="k", request_id=f"g{n}").outcome == "refused"
        with pytest.raises(CheckInThrottled) as caught:
            guesser.check_in_booking(code(), kiosk="k", request_id="g9")
        assert caught.value.retry_after >= 1 and ticket_ids(engine) == []
        assert other.check_in_booking(code(), kiosk="k", request_id="o1").outcome == "issued"  # its own bucket
        raw = requests.post(f"{server.url}/v1/bookings/check-in", json={"code": code(), "request_id": "x"},
                            headers={"Authorization": "Bearer tok-kiosk-1"}, timeout=10)
        assert raw.status_code == 429 and raw.json()["error"] == "too_many_check_ins" and raw.headers["Retry-After"]
    finally:
        guesser.close()
        other.close()
        server.stop()


@pytest.mark.parametrize("body", [
    {"code": "x" * 121, "request_id": "r"},
    {"code": "", "request_id": "r"},
    {"code": "ABCD", "request_id": ""},
    {"code": "ABCD", "request_id": "r", "choice": "later"},
    {"code": "ABCD", "request_id": "r", "nik": "3171234567890001"},  # nothing rides along
    {"code": 12345, "request_id": "r"},
    {"code": "\ud800", "request_id": "r"},
])
def test_odd_bodies_are_refused_with_422(host: str, body: dict[str, object]) -> None:
    answer = requests.post(f"{host}/v1/bookings/check-in", json=body, timeout=10,
                           headers={"Authorization": "Bearer tok-kiosk-1"})
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_request"


def test_only_kiosks_check_in(host: str) -> None:
    answer = requests.post(f"{host}/v1/bookings/check-in", json={"code": code(), "request_id": "r"}, timeout=10,
                           headers={"Authorization": "Bearer tok-counter"})
    assert answer.status_code == 403


def test_a_host_without_a_key_says_not_ready(tmp_path: Path) -> None:
    engine = QueueEngine.open(tmp_path / "queue.db", RULES, TZ, clock=lambda: NINE)
    engine.bookings.configure(BookingSettings(enabled=True, mpp_code=MPP))
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    remote = HttpQueue(server.url, "tok-kiosk-1")
    try:
        answer = remote.check_in_booking(code(), kiosk="k", request_id="r")
        assert (answer.outcome, answer.refusal) == ("refused", CheckInRefusal.NOT_READY)
    finally:
        remote.close()
        server.stop()
        engine.close()
