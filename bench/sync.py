"""Sync benchmark: the reference central API as a real process on loopback, the kiosk's store and
sync engine in this one. Prints one JSON object.

* ``save_p99_ms``: local save of one application with 3 photos (one FULL-sync transaction,
  encryption included) — target < 100 ms;
* ``drain_apps_per_s``: applications without attachments drained to the server — target ≥ 200/s;
* ``attachment_mb_per_s``: attachment bytes uploaded while draining applications with 3 photos
  each — target ≥ 20 MB/s.

Usage: ``.venv/bin/python bench/sync.py [--apps 1000] [--photo-kb 500] [--photo-apps 40]``
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
import time
import uuid
from pathlib import Path

import requests

BENCH_CODE = "bench-enroll-code-0001"  # the reference central API refuses codes under 16 characters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.sync.central_client import CentralClient  # noqa: E402
from kiosk.sync.engine import SyncEngine  # noqa: E402
from kiosk.sync.outbox import ApplicationStore  # noqa: E402
from kiosk.sync.outbox_values import Attachment, NewApplication  # noqa: E402

NIK = "3171011508900001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central-api", "--port", str(port), "--db",
                             str(work / "central.sqlite3"), "--enroll-code", BENCH_CODE],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the central API did not start")


def application(photos: list[bytes]) -> NewApplication:
    return NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={"alasan": "hilang"},
                          attachments=[Attachment(f"photo_{i}", "image/jpeg", p) for i, p in enumerate(photos)])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=1000, help="applications without attachments to drain")
    parser.add_argument("--photo-apps", type=int, default=40, help="applications with 3 photos to drain")
    parser.add_argument("--photo-kb", type=int, default=500, help="size of each photo")
    parser.add_argument("--saves", type=int, default=200, help="saves timed for the latency percentile")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        proc, url = start_server(work)
        try:
            kiosk_dir = work / "kiosk"
            store = ApplicationStore(kiosk_dir)
            client = CentralClient(url, None, data_dir=kiosk_dir)
            client.enroll(BENCH_CODE)
            engine = SyncEngine(store, client, backoff_base=0.01, backoff_max=0.1)

            # 1. local save latency, one application with 3 photos
            latencies = []
            for _ in range(args.saves):
                photos = [os.urandom(args.photo_kb * 1024) for _ in range(3)]
                app = application(photos)
                start = time.perf_counter()
                store.save(app)
                latencies.append((time.perf_counter() - start) * 1000)
            engine.drain(max_seconds=600)  # send them so the next phases start from an empty outbox

            # 2. drain throughput without attachments
            for _ in range(args.apps):
                store.save(application([]))
            start = time.perf_counter()
            plain = engine.drain(max_seconds=600)
            plain_seconds = time.perf_counter() - start

            # 3. attachment throughput
            for _ in range(args.photo_apps):
                store.save(application([os.urandom(args.photo_kb * 1024) for _ in range(3)]))
            start = time.perf_counter()
            photos = engine.drain(max_seconds=600)
            photo_seconds = time.perf_counter() - start
            client.close()
            store.close()
        finally:
            proc.terminate()
            proc.wait(10)

    result = {
        "save_one_app_3_photos_ms": {"p50": round(statistics.median(latencies), 2),
                                     "p99": round(percentile(latencies, 0.99), 2),
                                     "photo_kb": args.photo_kb, "saves": args.saves},
        "save_p99_target_ms": 100,
        "drain_apps_per_s": round(plain.sent / plain_seconds, 1),
        "drain_apps": plain.sent,
        "drain_target_apps_per_s": 200,
        "attachment_mb_per_s": round(photos.attachment_bytes / 1e6 / photo_seconds, 1),
        "attachment_mb": round(photos.attachment_bytes / 1e6, 1),
        "attachment_apps_per_s": round(photos.sent / photo_seconds, 1),
        "attachment_target_mb_per_s": 20,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
