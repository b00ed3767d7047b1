"""Where a ticket stands by its typed number (issue 19, item 3): the in-process queue and a real queue host
on loopback answer alike, with no more than the lobby board shows, and the host slows a device down
that asks too often (numbers are easy to guess)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.queue.client import LocalQueue, LookupThrottled
from kiosk.queue.engine import QueueEngine
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ApplicationView, ServiceRule
from kiosk.queue.routes import lookup
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.queue.status import NUMBER_STANDING_FIELDS
from kiosk.visit.status_check import StatusChecker

RULES = [ServiceRule("KTP", "A", daily_quota=500, typical_service_minutes=10)]
TOKENS = {"tok-kiosk": DeviceGrant("kiosk-1", "kiosk"), "tok-kiosk-2": DeviceGrant("kiosk-2", "kiosk"),
          "tok-display": DeviceGrant("board-1", "display")}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "queue.db", RULES, ZoneInfo("Asia/Jakarta"))
    yield opened
    opened.close()


@pytest.fixture
def host(engine: QueueEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(lookup, "DEFAULT_LIMITS", lookup.LookupLimits(burst=5, per_second=0.5))
    server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", 0)
    yield server.url
    server.stop()


def test_local_and_remote_answer_alike_with_nothing_personal(engine: QueueEngine, host: str) -> None:
    from datetime import UTC, datetime

    engine.issue("KTP", request_id="first")
    mine = engine.issue("KTP", request_id="mine", lang="en", nik_masked="3171********0001").ticket
    engine.attach_application(mine.id, ApplicationView(
        application_id="3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", number="APP-20261123-0007", service_code="KTP",
        nik_masked="3171********0001", created_at=datetime.now(UTC), sync_state="pending"))
    local, remote = LocalQueue(engine, None), HttpQueue(host, "tok-kiosk")
    try:
        here, there = local.status_by_number("A-002"), remote.status_by_number("a-002")
        assert here is not None and there is not None
        assert set(here) == set(there) == set(NUMBER_STANDING_FIELDS)
        assert {k: v for k, v in here.items() if k != "updated_at"} == {
            k: v for k, v in there.items() if k != "updated_at"}
        assert here["number"] == "A-002" and here["state"] == "issued" and here["people_ahead"] == 1
        assert "APP-" not in str(there) and "3171" not in str(there) and mine.id not in str(there)
        assert local.status_by_number("A-077") is None and remote.status_by_number("A-077") is None
        assert remote.status_by_number("A 1/../x") is None  # not a number's shape: nothing asked of anyone
    finally:
        remote.close()


def test_the_checker_reads_what_was_typed(engine: QueueEngine) -> None:
    engine.issue("KTP", request_id="one")
    checker = StatusChecker(LocalQueue(engine, None))
    assert checker.check_number("a1").kind == "ticket" and checker.check_number("A 001").ticket["number"] == "A-001"
    missing = checker.check_number("A-77")
    assert missing.kind == "not_found" and missing.typed_number == "A-077"
    assert checker.check_number("77").kind == "not_found"  # no letter: not a number the queue writes


def test_a_device_asking_too_often_is_told_to_wait(engine: QueueEngine, host: str) -> None:
    engine.issue("KTP", request_id="one")
    with requests.Session() as http:
        http.trust_env = False
        ask = lambda token: http.get(f"{host}/v1/tickets/by-number/A-001/status",  # noqa: E731
                                     headers={"Authorization": f"Bearer {token}"}, timeout=5)
        answers = [ask("tok-kiosk") for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert refused.json()["error"] == "too_many_lookups" and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["retry_after"] == int(refused.headers["Retry-After"])
        assert ask("tok-kiosk-2").status_code == 200  # per device: another kiosk is not slowed down
        assert ask("tok-display").status_code == 403  # a lobby board does not look numbers up
        assert http.get(f"{host}/v1/tickets/by-number/A-001/status", timeout=5).status_code == 401
    remote = HttpQueue(host, "tok-kiosk")
    try:
        with pytest.raises(LookupThrottled) as refused_again:
            remote.status_by_number("A-001")
        assert refused_again.value.retry_after >= 1
        assert StatusChecker(remote).check_number("A-1").kind == "throttled"
    finally:
        remote.close()


def test_the_bucket_refills_with_time() -> None:
    throttle = lookup.LookupThrottle(lookup.LookupLimits(burst=2, per_second=0.25))
    assert throttle.take("k", now=0.0) == 0 and throttle.take("k", now=0.0) == 0
    assert throttle.take("k", now=0.0) == pytest.approx(4.0)
    assert throttle.take("other", now=0.0) == 0
    assert throttle.take("k", now=4.0) == 0  # one more after 4 s
    assert throttle.take("k", now=4.0) > 0
