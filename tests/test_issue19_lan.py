"""Issue 19 end to end over the LAN set-up: real processes, real HTTP, nothing faked.

Bookings: the reference central API on loopback (MPP Digital), bookings made through its admin route for
today in the site's time zone (WIT, nine hours from this machine's UTC: a slot read in the wrong zone
would be "early" or "late"), ``kiosk sync enroll`` and ``kiosk run queue-host`` as processes with a site
config, the kiosks and the counter as :class:`HttpQueue` clients.

Complaints: the kiosk's filing as kiosk/core.py builds it (its own outbox), the sync engine as
kiosk/core.py builds it, the central API down for the first round and up (same port, same database) for
the second, the officer's desk as kiosk/core.py builds it, and the public status page by plain GET.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import time as wallclock
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from central_pg import free_port
from complaint_central import ENROLL_CODE, MPP_CODE, enroll, start_central

from kiosk.catalog.services import default_catalog_path
from kiosk.complaints.desk import OfficerAction
from kiosk.complaints.filing import COMPLAINT_KIND
from kiosk.complaints.model import Category, NewComplaint
from kiosk.config.schema import Config
from kiosk.core import build_complaint_desk, complaint_filing, open_sync
from kiosk.i18n import Translator
from kiosk.queue.checkin import CheckInAnswer, CheckInChoice, CheckInRefusal
from kiosk.queue.http_client import HttpQueue

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SITE_TZ = "Asia/Jayapura"
ADMIN = "admin-token-for-the-lan-test"
KIOSK_TOKENS = {"kiosk-01": "kiosk-01-token-0123456789abcdef", "kiosk-02": "kiosk-02-token-0123456789abcdef"}
COUNTER_TOKEN = "loket-01-token-0123456789abcdef"
NIK = "9171011508900001"  # Jayapura (province 91)


# --- the queue host's site -------------------------------------------------------------------------

def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def write_site(folder: Path, central_url: str) -> tuple[Path, str]:
    """The queue host's site.toml (bookings on, the central API, the MPP code) and its devices file."""
    devices = folder / "devices.toml"
    devices.write_text("".join(f'[[device]]\nid = "{name}"\nrole = "kiosk"\ntoken = "{token}"\n'
                               for name, token in KIOSK_TOKENS.items())
                       + f'[[device]]\nid = "loket-01"\nrole = "counter"\ntoken = "{COUNTER_TOKEN}"\n',
                       encoding="utf-8")
    port = free_port()
    site = folder / "site.toml"
    site.write_text(f'[site]\nmpp_code = "{MPP_CODE}"\ntimezone = "{SITE_TZ}"\n'
                    f'[device]\nrole = "queue-host"\nid = "queue-host"\ndata_dir = "{folder / "data"}"\n'
                    f'[queue_host]\nlisten = "127.0.0.1:{port}"\ndevices_file = "{devices}"\n'
                    f'[central]\napi_url = "{central_url}"\nallow_insecure_http = true\n'
                    '[bookings]\nenabled = true\nearly_minutes = 30\nlate_minutes = 15\n', encoding="utf-8")
    return site, f"http://127.0.0.1:{port}"


def start_host(site: Path, url: str) -> subprocess.Popen[bytes]:
    """``kiosk run queue-host`` as its own process; answers /v1/health within 30 s."""
    stderr = site.parent / "host-stderr.log"
    with stderr.open("ab") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(site), "run", "queue-host"],
                                env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink)
    deadline = wallclock.monotonic() + 30
    while wallclock.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"queue host exited: {stderr.read_text()}")
        try:
            if requests.get(f"{url}/v1/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            wallclock.sleep(0.1)
    proc.kill()
    raise AssertionError("queue host did not start within 30 s")


def stop_host(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def stored_bookings(data_dir: Path, *, at_least: int, within: float = 15.0) -> dict[str, str]:
    """The host's downloaded bookings (code → state), read from its database once ``at_least`` are there."""
    deadline = wallclock.monotonic() + within
    rows: dict[str, str] = {}
    while wallclock.monotonic() < deadline:
        if (data_dir / "queue.db").exists():
            with sqlite3.connect(f"file:{data_dir / 'queue.db'}?mode=ro", uri=True, timeout=5) as conn:
                try:
                    rows = dict(conn.execute("SELECT code, state FROM bookings").fetchall())
                except sqlite3.OperationalError:  # the host is still making its tables
                    rows = {}
            if len(rows) >= at_least:
                return rows
        wallclock.sleep(0.1)
    raise AssertionError(f"the host stored {len(rows)} bookings, not {at_least}")


def site_now() -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(SITE_TZ))


def book(central_url: str, slot: datetime, service: str = "KTP-EL") -> dict[str, Any]:
    """A booking made at MPP Digital (its admin route) for ``slot``'s day and minute, site time."""
    answer = requests.post(central_url + "/admin/bookings", headers={"X-Admin-Token": ADMIN}, timeout=10, json={
        "mpp_code": MPP_CODE, "service_code": service, "day": slot.date().isoformat(),
        "slot": f"{slot:%H:%M}", "nik": NIK})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.fixture
def lan(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The central API with today's bookings, the enrolled host as a process, kiosks and a counter."""
    central = start_central(tmp_path, admin_token=ADMIN, catalog_path=default_catalog_path())
    host: subprocess.Popen[bytes] | None = None
    clients: list[HttpQueue] = []
    try:
        now = site_now().replace(second=0, microsecond=0)
        later = now + timedelta(minutes=90)
        on_time = book(central.url, now)
        early = book(central.url, later) if later.date() == now.date() else None  # after 22:30 WIT: none
        cancelled = book(central.url, now, "KK")
        assert requests.post(f"{central.url}/admin/bookings/{cancelled['code']}/cancel", timeout=10,
                             headers={"X-Admin-Token": ADMIN}).status_code == 200
        site, url = write_site(tmp_path, central.url)
        enrolled = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(site), "sync", "enroll", ENROLL_CODE],
                                  env=clean_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert enrolled.returncode == 0 and '"booking_key": true' in enrolled.stdout, enrolled.stderr
        host = start_host(site, url)
        clients = [HttpQueue(url, token) for token in (*KIOSK_TOKENS.values(), COUNTER_TOKEN)]
        yield {"central": central, "host": host, "data": tmp_path / "data", "now": now, "on_time": on_time,
               "early": early, "cancelled": cancelled, "kiosks": clients[:2], "counter": clients[2]}
    finally:
        for client in clients:
            client.close()
        if host is not None:
            stop_host(host)
        central.stop()


def check_in(kiosk: HttpQueue, booking: dict[str, Any], key: str = "display_code",
             choice: CheckInChoice | None = None, request_id: str | None = None) -> CheckInAnswer:
    return kiosk.check_in_booking(booking[key], kiosk="ignored-the-token-says", choice=choice,
                                  request_id=request_id or str(uuid.uuid4()))


def test_bookings_check_in_over_the_lan(lan: dict[str, Any]) -> None:
    first_kiosk, second_kiosk = lan["kiosks"]
    counter: HttpQueue = lan["counter"]
    on_time, early, cancelled = lan["on_time"], lan["early"], lan["cancelled"]
    rows = stored_bookings(lan["data"], at_least=3 if early else 2)  # downloaded by the host's own thread at start
    assert rows == {on_time["code"]: "booked", cancelled["code"]: "cancelled",
                    **({early["code"]: "booked"} if early else {})}
    made_after = book(lan["central"].url, lan["now"], "KK")  # after the download ...
    lan["central"].stop()  # ... and MPP Digital goes away

    walk_in = first_kiosk.issue("KTP-EL", request_id="walk-in-1").ticket  # older than every booked ticket
    first = check_in(first_kiosk, on_time, key="qr_text")  # scanned
    assert first.outcome == "issued" and first.ticket is not None, first
    assert first.booking is not None and first.booking.nik_masked.startswith("9171")  # from the download
    booked = first.ticket.ticket
    assert booked.booking == on_time["slot"] and booked.service_code == "KTP-EL"
    again = check_in(second_kiosk, on_time)  # typed at another kiosk
    assert again.outcome == "already_issued" and again.ticket is not None and again.ticket.ticket.id == booked.id

    offline = check_in(second_kiosk, made_after)  # never downloaded: its code alone
    assert offline.outcome == "issued" and offline.booking is not None and offline.booking.nik_masked == ""
    refused = check_in(first_kiosk, cancelled)
    assert refused.outcome == "refused" and refused.refusal is CheckInRefusal.CANCELLED and refused.ticket is None

    if early is not None:
        ask = check_in(first_kiosk, early, request_id="early-1")  # 90 min before its slot
        assert ask.outcome == "choose" and CheckInChoice.BOOKED in ask.choices, ask
        kept = check_in(first_kiosk, early, choice=CheckInChoice.BOOKED, request_id="early-1")
        assert kept.outcome == "issued" and kept.ticket is not None and kept.ticket.ticket.booking == early["slot"]

    waiting = {t.id: t for t in counter.waiting(["KTP-EL"])}  # the counter's list over HTTP
    assert waiting[booked.id].booking == on_time["slot"] and waiting[walk_in.id].booking is None
    calls = [counter.call_next(1, ["KTP-EL"], actor="loket-01") for _ in range(3)]
    # the due booked ticket ahead of the older walk-in; the early one not before its slot
    assert [c.id if c is not None else None for c in calls] == [booked.id, walk_in.id, None]


def test_complaints_through_the_outbox_to_the_officer_and_the_status_page(tmp_path: Path) -> None:
    port = free_port()
    central_folder = tmp_path / "central"
    central_folder.mkdir()
    central = start_central(central_folder, port=port)
    url = central.url
    enroll(central, tmp_path / "kiosk").close()
    enroll(central, tmp_path / "officer", ENROLL_CODE + "-b").close()
    central.stop()  # MPP Digital is down when the citizen files

    base = Config()
    kiosk_config = dataclasses.replace(
        base, site=dataclasses.replace(base.site, mpp_code=MPP_CODE),
        device=dataclasses.replace(base.device, data_dir=str(tmp_path / "kiosk")),
        central=dataclasses.replace(base.central, api_url=url, allow_insecure_http=True, timeout_seconds=2))
    filing, outbox = complaint_filing(kiosk_config, None)
    assert filing is not None and outbox is not None
    sync = open_sync(kiosk_config)
    desk = None
    try:
        text = "Petugas loket 3 meminta uang tambahan agar berkas cepat selesai."
        receipt = filing.file(NewComplaint(Category.FEES, text, service_code="KTP-EL", phone="+6281234567890",
                                           share_contact=True))
        assert receipt.status_url.startswith(url + "/complaints/" + receipt.reference + "/")
        assert sync.engine.sync_once().stopped == "unavailable"
        assert outbox.counts(COMPLAINT_KIND)["pending"] == 1  # the outbox holds it

        central = start_central(central_folder, port=port)  # back, same port and database
        report = sync.engine.sync_once()
        assert report.sent == 1 and outbox.counts(COMPLAINT_KIND)["sent"] == 1, report
        assert sync.engine.sync_once().sent == 0  # sent once
        with central.store.reading() as conn:
            assert conn.execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == 1

        officer_config = dataclasses.replace(kiosk_config, device=dataclasses.replace(
            kiosk_config.device, data_dir=str(tmp_path / "officer")))
        desk = build_complaint_desk(officer_config)
        assert desk.desk is not None and desk.problem == ""
        [listed] = desk.desk.list("open")
        assert (listed.id, listed.reference, listed.text, listed.phone) == (receipt.id, receipt.reference, text,
                                                                            "+6281234567890")
        responded = desk.desk.act(receipt.id, OfficerAction("respond", "Kami periksa bersama kepala loket.", "siti"))
        assert responded.state == "responded" and responded.first_response_at is not None
        closed = desk.desk.act(receipt.id, OfficerAction("close", "Petugas sudah ditegur.", "siti",
                                                         outcome="resolved"))
        assert closed.state == "closed" and desk.desk.list("open") == []

        page = requests.get(receipt.status_url, timeout=10)  # the receipt's QR, on a phone
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        said = Translator("id")
        assert receipt.reference in page.text and said("complaint_rules.state.closed") in page.text
        assert said("complaint_rules.outcome.resolved") in page.text
        assert "81234567890" not in page.text and "uang tambahan" not in page.text and "siti" not in page.text
    finally:
        if desk is not None:
            desk.close()
        sync.close()
        outbox.close()
        central.stop()


def test_the_demo_downloads_its_central_s_bookings_into_its_queue(tmp_path: Path) -> None:
    """``kiosk demo`` as a process (offscreen): it prints today's booking codes of its own central API, and
    its in-process queue downloads them (the rows in its data folder, the cancelled one marked)."""
    out = tmp_path / "demo.out"
    env = {**clean_env(), "KIOSK_DATA_DIR": str(tmp_path / "demo"), "QT_QPA_PLATFORM": "offscreen"}
    with out.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo"], env=env, cwd=ROOT, stdout=sink,
                                stderr=subprocess.DEVNULL)
    try:
        deadline = wallclock.monotonic() + 40
        printed: dict[str, str] = {}
        while wallclock.monotonic() < deadline and len(printed) < 4:
            assert proc.poll() is None, out.read_text()
            # "  11:45  KTP-EL      booked     05J0-8BR2-R70V-T001-WJJX-V14W"
            printed = {line.split()[-1].replace("-", ""): line.split()[2] for line in out.read_text().splitlines()
                       if line.startswith("  ") and len(line.split()) == 4 and line.split()[-1].count("-") == 5}
            wallclock.sleep(0.1)
        assert len(printed) == 4 and sorted(printed.values()) == ["booked"] * 3 + ["cancelled"], out.read_text()
        assert stored_bookings(tmp_path / "demo", at_least=4, within=30) == printed
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise


def test_central_api_bookings_add_books_today_in_the_mpp_s_zone(tmp_path: Path) -> None:
    """``kiosk central-api bookings add`` without ``--day`` books today *in the MPP's time zone*, not in the
    machine's: run from a machine whose clock is on another date than Jakarta's now, it must still book
    Jakarta's today (the slot is Jakarta's wall clock), else the queue host refuses it as another day."""
    jakarta = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta"))
    machine = next(zone for zone in ("Etc/GMT+12", "Etc/GMT-14")  # UTC-12 or UTC+14: one is on another date
                   if datetime.now(UTC).astimezone(ZoneInfo(zone)).date() != jakarta.date())
    central = start_central(tmp_path, admin_token=ADMIN, catalog_path=default_catalog_path())
    try:
        command = [sys.executable, "-m", "kiosk", "central-api", "bookings"]
        common = ["--url", central.url, "--admin-token", ADMIN, "--mpp", MPP_CODE]
        env = {**clean_env(), "TZ": machine}
        added = subprocess.run([*command, "add", *common, "--service", "KTP-EL", "--slot", "09:30", "--nik", NIK],
                               env=env, capture_output=True, text=True, timeout=60)  # WIB by default
        assert added.returncode == 0, added.stderr
        assert f"on {jakarta.date().isoformat()} at 09:30" in added.stdout
        listed = subprocess.run([*command, "list", *common, "--timezone", "Asia/Jakarta"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0 and f"1 booking of {MPP_CODE} on {jakarta.date().isoformat()}" in listed.stdout
    finally:
        central.stop()
