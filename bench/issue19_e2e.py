"""Issue 19 end to end on loopback, as deployed: prints one JSON object.

* ``checkin_ms``: the kiosk's client (:class:`~kiosk.queue.http_client.HttpQueue`, what the kiosk's worker
  thread calls) checking in a booking → its ticket, against ``kiosk run queue-host`` as its own process
  (site config: bookings on, the MPP code, the central API) enrolled with ``kiosk sync enroll``; the
  bookings made at the reference central API (a thread of this process) for now in the site's time zone
  and downloaded by the host at start. Ten kiosks, five check-ins each (under the host's per-device
  throttle), one at a time.
* ``complaint_ms``: a complaint filed at a kiosk (its filing and outbox as kiosk/core.py builds them) →
  one ``sync_once`` of the kiosk's sync engine → visible in the officer's open list (the desk as
  kiosk/core.py builds it), with the three stages apart; the central API on SQLite.

Usage: ``nice .venv/bin/python bench/issue19_e2e.py [--checkins 50] [--complaints 20]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time as wallclock
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from central_api.app import RunningCentral  # noqa: E402
from kiosk.catalog.services import default_catalog_path  # noqa: E402
from kiosk.complaints.model import Category, NewComplaint  # noqa: E402
from kiosk.config.schema import Config  # noqa: E402
from kiosk.core import build_complaint_desk, complaint_filing, open_sync  # noqa: E402
from kiosk.queue.http_client import HttpQueue  # noqa: E402
from kiosk.sync.central_client import CentralClient  # noqa: E402

MPP = "MPP-BENCH"
TZ: Final = "Asia/Jakarta"
ADMIN = "admin-token-for-the-e2e-bench"
CODES = ("bench-e2e-host-code", "bench-e2e-kiosk-code", "bench-e2e-officer-code")
SERVICES = ("KTP-EL", "KK", "KIA")
KIOSKS = 10
PER_KIOSK = 5  # the host lets a kiosk try 10 codes at once, then one per 3 s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1), "max": round(ordered[-1], 1)}


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def write_site(folder: Path, central_url: str) -> tuple[Path, str, list[str]]:
    tokens = [f"bench-e2e-kiosk-token-{n:02d}-0123456789" for n in range(KIOSKS)]
    devices = folder / "devices.toml"
    devices.write_text("".join(f'[[device]]\nid = "kiosk-{n:02d}"\nrole = "kiosk"\ntoken = "{t}"\n'
                               for n, t in enumerate(tokens)), encoding="utf-8")
    port = free_port()
    site = folder / "site.toml"
    site.write_text(f'[site]\nmpp_code = "{MPP}"\ntimezone = "{TZ}"\n'
                    f'[device]\nrole = "queue-host"\nid = "queue-host"\ndata_dir = "{folder / "host"}"\n'
                    f'[queue_host]\nlisten = "127.0.0.1:{port}"\ndevices_file = "{devices}"\n'
                    f'[central]\napi_url = "{central_url}"\nallow_insecure_http = true\n'
                    '[bookings]\nenabled = true\n[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    return site, f"http://127.0.0.1:{port}", tokens


def wait_for(check: Any, what: str, seconds: float = 60) -> None:
    deadline = wallclock.monotonic() + seconds
    while not check():
        if wallclock.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {seconds:.0f} s")
        wallclock.sleep(0.1)


def downloaded(db: Path, count: int) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM bookings").fetchone()[0]) >= count
    except sqlite3.OperationalError:
        return False


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/v1/health", timeout=1).ok
    except requests.ConnectionError:
        return False


def bench_checkins(folder: Path, central: RunningCentral, count: int) -> dict[str, Any]:
    now = datetime.now(UTC).astimezone(ZoneInfo(TZ))
    made = []
    for n in range(count):
        answer = requests.post(central.url + "/admin/bookings", headers={"X-Admin-Token": ADMIN}, timeout=10, json={
            "mpp_code": MPP, "service_code": SERVICES[n % 3], "day": now.date().isoformat(),
            "slot": f"{now:%H:%M}", "nik": "3171011508900001"})
        answer.raise_for_status()
        made.append(answer.json())
    site, url, tokens = write_site(folder, central.url)
    enrolled = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(site), "sync", "enroll", CODES[0]],
                              env=clean_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    if enrolled.returncode != 0 or '"booking_key": true' not in enrolled.stdout:
        raise SystemExit(f"enrollment failed: {enrolled.stderr}")
    started = wallclock.perf_counter()
    host = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(site), "run", "queue-host"],
                            env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kiosks = [HttpQueue(url, token) for token in tokens]
    try:
        wait_for(lambda: healthy(url), "the queue host's start")
        serving = wallclock.perf_counter()
        wait_for(lambda: downloaded(folder / "host" / "queue.db", count), "the bookings' download")
        ready = wallclock.perf_counter()
        samples: list[float] = []
        for n, booking in enumerate(made):
            kiosk = kiosks[(n // PER_KIOSK) % KIOSKS]
            begin = wallclock.perf_counter()
            checked = kiosk.check_in_booking(booking["display_code"], kiosk="", request_id=str(uuid.uuid4()))
            samples.append((wallclock.perf_counter() - begin) * 1000)
            if checked.outcome != "issued" or checked.ticket is None:
                raise SystemExit(f"check-in {n}: {checked}")
    finally:
        for kiosk in kiosks:
            kiosk.close()
        host.terminate()
        host.wait(20)
    return {"checkin_ms": stats(samples), "host_start_s": round(serving - started, 2),
            "download_after_start_s": round(ready - serving, 2)}


def bench_complaints(folder: Path, central: RunningCentral, count: int) -> dict[str, Any]:
    base = Config()
    kiosk_config = dataclasses.replace(
        base, site=dataclasses.replace(base.site, mpp_code=MPP, timezone=TZ),
        device=dataclasses.replace(base.device, data_dir=str(folder / "kiosk")),
        central=dataclasses.replace(base.central, api_url=central.url, allow_insecure_http=True))
    officer_config = dataclasses.replace(kiosk_config, device=dataclasses.replace(
        kiosk_config.device, data_dir=str(folder / "officer")))
    for config, code in ((kiosk_config, CODES[1]), (officer_config, CODES[2])):
        with CentralClient(central.url, None, data_dir=config.data_dir) as client:
            client.enroll(code, device_name="bench", mpp_code=MPP)
    filing, outbox = complaint_filing(kiosk_config, None)
    assert filing is not None and outbox is not None
    sync, desk = open_sync(kiosk_config), build_complaint_desk(officer_config)
    assert desk.desk is not None
    stages: dict[str, list[float]] = {"complaint_ms": [], "file_ms": [], "sync_ms": [], "list_ms": []}
    try:
        for n in range(count):
            begin = wallclock.perf_counter()
            receipt = filing.file(NewComplaint(Category.FACILITIES, f"Kursi ruang tunggu nomor {n} patah.",
                                               phone="+6281234567890"))
            filed = wallclock.perf_counter()
            report = sync.engine.sync_once()
            synced = wallclock.perf_counter()
            listed = {c.id for c in desk.desk.list("open")}
            end = wallclock.perf_counter()
            if report.sent != 1 or receipt.id not in listed:
                raise SystemExit(f"complaint {n}: sent {report.sent}, listed {receipt.id in listed}")
            for name, (a, b) in {"complaint_ms": (begin, end), "file_ms": (begin, filed), "sync_ms": (filed, synced),
                                 "list_ms": (synced, end)}.items():
                stages[name].append((b - a) * 1000)
    finally:
        desk.close()
        sync.close()
        outbox.close()
    return {name: stats(samples) for name, samples in stages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkins", type=int, default=KIOSKS * PER_KIOSK)
    parser.add_argument("--complaints", type=int, default=20)
    args = parser.parse_args()
    if args.checkins > KIOSKS * PER_KIOSK:
        raise SystemExit(f"at most {KIOSKS * PER_KIOSK} check-ins (the host's per-kiosk throttle)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        central = RunningCentral(folder / "central.sqlite3", enroll_codes=CODES, catalog_path=default_catalog_path(),
                                 admin_token=ADMIN)
        try:
            result = {**bench_checkins(folder, central, args.checkins),
                      **bench_complaints(folder, central, args.complaints)}
        finally:
            central.stop()
    print(json.dumps({"checkins": args.checkins, "complaints": args.complaints, **result}))


if __name__ == "__main__":
    main()
