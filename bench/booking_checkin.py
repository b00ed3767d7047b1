"""Booking check-in at the queue host (issue 19): tap → ticket, measured at the host's door. Prints one JSON object.

A queue host runs as its own process (this script with ``--serve``: the real app and engine, bookings on,
a key of its own) on loopback; this process is the kiosks, each request over one keep-alive HTTP
connection per device, one after another (a citizen's tap is one request, not a load test):

* ``on_time_ms``: ``POST /v1/bookings/check-in`` of a booking whose slot is now: verify the code, the
  one transaction (check-in row, numbered ticket, audit event), the answer; p50/p95/max;
* ``early_ms``: an early citizen: the ``choose`` answer, then the same code with ``choice: booked``
  (two requests, as the kiosk sends them); p50/p95 of the pair;
* ``again_ms``: the same booking again from another kiosk (``already_issued``);
* ``refused_ms``: a code with one character altered (``forged``).

Half the bookings were downloaded (``replace_day``), half are checked from their code alone. Devices
are many (one per 5 requests) so the per-device throttle never answers 429 here.

Usage: ``nice .venv/bin/python bench/booking_checkin.py [--bookings 300]``
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time as wallclock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.booking.code import BookingCodeFields, encode_booking_code  # noqa: E402

TZ = ZoneInfo("Asia/Jakarta")
MPP = "MPP-BENCH"
SERVICES = ("KTP-EL", "KK", "AKTA-LAHIR")
DEVICES = 200


def serve(folder: Path, port: int, key: bytes, downloaded: list[dict[str, object]]) -> None:
    """The queue host process: the engine with bookings on, today's downloaded half stored."""
    from kiosk.queue.bookings import BookingSettings
    from kiosk.queue.engine import QueueEngine
    from kiosk.queue.host import create_app
    from kiosk.queue.models import ServiceRule
    from kiosk.queue.routes.access import DeviceGrant
    from kiosk.queue.server import serve as run

    rules = [ServiceRule(code, prefix, 100_000, 10) for code, prefix in zip(SERVICES, "ABC", strict=True)]
    engine = QueueEngine.open(folder / "queue.db", rules, TZ)
    engine.bookings.configure(BookingSettings(enabled=True, early_minutes=30, late_minutes=15, mpp_code=MPP), key)
    engine.bookings.replace_day(datetime.now(UTC).astimezone(TZ).date(), downloaded)
    tokens = {f"bench-kiosk-token-{n:04d}": DeviceGrant(f"kiosk-{n:04d}", "kiosk") for n in range(DEVICES)}
    run(create_app(engine, tokens), "127.0.0.1", port)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2), "max": round(ordered[-1], 2)}


class Kiosks:
    """One keep-alive session per device; each device sends a few requests (under the throttle's burst)."""

    def __init__(self, url: str) -> None:
        self.url, self.sessions, self.turn = url, [requests.Session() for _ in range(DEVICES)], 0

    def post(self, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        device = (self.turn // 5) % DEVICES
        self.turn += 1
        session = self.sessions[device]
        start = wallclock.perf_counter()
        answer = session.post(f"{self.url}/v1/bookings/check-in", json=body, timeout=10,
                              headers={"Authorization": f"Bearer bench-kiosk-token-{device:04d}"})
        elapsed = (wallclock.perf_counter() - start) * 1000
        answer.raise_for_status()
        return elapsed, answer.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        spec = json.loads(Path(args.serve).read_text(encoding="utf-8"))
        serve(Path(spec["folder"]), spec["port"], bytes.fromhex(spec["key"]), spec["downloaded"])
        return
    key = os.urandom(32)
    local = datetime.now(UTC).astimezone(TZ)
    today, now_slot = local.date(), local.time().replace(second=0, microsecond=0)
    later = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    if (local + timedelta(hours=2)).date() != today:
        raise SystemExit("run this before 22:00 in Jakarta (the early bookings must be today)")

    def make(serial: int, slot: time) -> str:
        return encode_booking_code(BookingCodeFields(MPP, today, slot, SERVICES[serial % 3], serial), key)

    on_time = [make(n, now_slot) for n in range(1, args.bookings + 1)]
    early = [make(n, later) for n in range(args.bookings + 1, args.bookings // 3 + args.bookings + 1)]
    downloaded = [{"code": c.replace("-", ""), "service_code": SERVICES[n % 3], "day": today.isoformat(),
                   "slot": f"{now_slot:%H:%M}", "nik_masked": "3171********0001", "state": "booked",
                   "created_at": "2026-01-01T08:00:00+07:00", "cancelled_at": None}
                  for n, c in enumerate(on_time[::2], start=1)]
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        spec = Path(folder) / "spec.json"
        spec.write_text(json.dumps({"folder": folder, "port": port, "key": key.hex(), "downloaded": downloaded}))
        host = subprocess.Popen([sys.executable, __file__, "--serve", str(spec)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = wallclock.monotonic() + 30
            while True:
                try:
                    if requests.get(f"{url}/v1/health", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                if wallclock.monotonic() > deadline:
                    raise SystemExit("the queue host did not start")
                wallclock.sleep(0.1)
            kiosks = Kiosks(url)
            for n in range(5):  # warm-up: the first requests build the app's caches
                kiosks.post({"code": "0" * 24, "request_id": f"warm-{n}"})
            results: dict[str, list[float]] = {"on_time_ms": [], "early_ms": [], "again_ms": [], "refused_ms": []}
            for n, code in enumerate(on_time):
                elapsed, answer = kiosks.post({"code": code, "request_id": f"t-{n}"})
                assert answer["outcome"] == "issued", answer
                results["on_time_ms"].append(elapsed)
            for n, code in enumerate(early):
                first, answer = kiosks.post({"code": code, "request_id": f"e-{n}"})
                assert answer["outcome"] == "choose", answer
                second, answer = kiosks.post({"code": code, "request_id": f"e-{n}", "choice": "booked"})
                assert answer["outcome"] == "issued", answer
                results["early_ms"].append(first + second)
            for n, code in enumerate(on_time[: len(early)]):
                elapsed, answer = kiosks.post({"code": code, "request_id": f"a-{n}"})
                assert answer["outcome"] == "already_issued", answer
                results["again_ms"].append(elapsed)
            for n, code in enumerate(on_time[: len(early)]):
                altered = code[:-1] + ("0" if code[-1] != "0" else "1")
                elapsed, answer = kiosks.post({"code": altered, "request_id": f"f-{n}"})
                assert answer["refusal"] == "forged", answer
                results["refused_ms"].append(elapsed)
        finally:
            host.terminate()
            host.wait(10)
    print(json.dumps({"bookings": args.bookings, "downloaded": len(downloaded),
                      **{name: stats(samples) for name, samples in results.items()}}))


if __name__ == "__main__":
    main()
