"""``kiosk sync now`` as a real process, killed with SIGKILL at random points of a drain again and
again: after a final run everything has arrived exactly once, attachments intact."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sync_helpers import ENROLL_CODE, NIK

from central_api.app import RunningCentral
from kiosk.sync.central_client import CentralClient
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def kiosk_command(site: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--config", str(site), "sync", *args]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def requests_seen(central: RunningCentral) -> int:
    """Signed requests the server has taken so far (each leaves its nonce)."""
    return central.store.count("nonces")


@pytest.fixture
def site(tmp_path: Path, central: RunningCentral) -> Path:
    data = tmp_path / "kiosk-data"
    path = tmp_path / "site.toml"
    path.write_text(f'[device]\ndata_dir = "{data}"\n[central]\napi_url = "{central.url}"\n'
                    'allow_insecure_http = true\n', encoding="utf-8")
    with CentralClient(central.url, None, data_dir=data) as client:
        client.enroll(ENROLL_CODE)
    return path


def test_sigkill_at_random_points_never_loses_or_duplicates(central: RunningCentral, site: Path) -> None:
    data = site.parent / "kiosk-data"
    shared = os.urandom(5000)
    with ApplicationStore(data) as store:
        ids = [store.save(NewApplication(
            id=str(uuid.uuid4()), service_code="STR-PERAWAT", nik=NIK, fields={"i": i},
            attachments=[Attachment("ijazah", "image/jpeg", os.urandom(3000) + i.to_bytes(4, "big")),
                         Attachment("pas_foto", "image/jpeg", shared)])).id for i in range(300)]
    central.faults.latency_ms = 12  # a drain takes a while, so kills land in the middle of it
    rng = random.Random(20261123)
    kills_mid_drain = 0
    runs = 0
    while kills_mid_drain < 20 and runs < 60:
        runs += 1
        proc = subprocess.Popen(kiosk_command(site, "now", "--max-seconds", "30"), env=child_env(), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = requests_seen(central)
        deadline = time.monotonic() + 20
        while requests_seen(central) == seen and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until this run is talking to the server (start-up time varies with load)
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills_mid_drain += 1
        proc.wait(10)
    assert kills_mid_drain >= 20, f"only {kills_mid_drain} kills landed during a drain in {runs} runs"
    assert 0 < central.store.count_applications() < 300  # the kills really interrupted the drain

    central.faults.off()
    final = subprocess.run(kiosk_command(site, "now", "--max-seconds", "60"), env=child_env(), cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert report["stopped"] == "drained" and report["counts"]["sent"] == 300

    assert central.store.application_ids() == ids  # each once, in order
    with ApplicationStore(data) as store:
        assert store.counts() == {"pending": 0, "sending": 0, "sent": 300, "rejected": 0}
        assert any(item.attempts >= 2 for item in store.items(limit=300))  # some were cut off mid-send
        for app_id in ids:
            for attachment in store.outgoing_application(app_id).attachments:
                stored = central.store.attachment(attachment.sha256)
                assert stored is not None and hashlib.sha256(stored).hexdigest() == attachment.sha256

    status = subprocess.run(kiosk_command(site, "status"), env=child_env(), cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert shown["counts"]["sent"] == 300 and shown["enrolled"] is True and shown["waiting"] == []


def test_sync_now_without_an_address_says_which_key(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{tmp_path / "d"}"\n', encoding="utf-8")
    result = subprocess.run(kiosk_command(site, "now"), env=child_env(), cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "central.api_url" in result.stderr


def test_central_api_command_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    import socket

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central-api", "--port", str(port), "--db",
                             str(tmp_path / "c.sqlite3"), "--enroll-code", "cli-code-1-long-enough",
                             "--fail-rate", "0.0"],
                            env=child_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, "the central API did not start"
                time.sleep(0.1)
        with CentralClient(url, None, data_dir=tmp_path / "k") as client:
            client.enroll("cli-code-1-long-enough")
            assert client.catalog()[0]["services"]
    finally:
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught: death by SIGTERM is the clean stop
        assert proc.wait(15) in (0, -signal.SIGTERM)


def test_central_api_refuses_a_bad_fault_rate(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk", "central-api", "--port", "0", "--db",
                             str(tmp_path / "c.sqlite3"), "--fail-rate", "1.5"], env=child_env(), cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "fail_rate must be between 0 and 1" in result.stderr


def test_enroll_and_retry_from_the_command_line(tmp_path: Path, central: RunningCentral) -> None:
    data = tmp_path / "kiosk-data"
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\ndata_dir = "{data}"\n[central]\napi_url = "{central.url}"\n'
                    'allow_insecure_http = true\n', encoding="utf-8")
    enrolled = subprocess.run(kiosk_command(site, "enroll", "second-code-2"), env=child_env(), cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["enrolled"] is True
    assert (data / "central-device.json").stat().st_mode & 0o777 == 0o600
    again = subprocess.run(kiosk_command(site, "enroll", "second-code-2"), env=child_env(), cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "not accepted" in again.stderr
    with ApplicationStore(data) as store:
        store.save(NewApplication(id=str(uuid.uuid4()), service_code="KTP-EL", nik=NIK, fields={}))
        seq = store.due()[0].seq
        store.mark_rejected(seq, "HTTP 422 invalid_request: fixed by IT since")
    retried = subprocess.run(kiosk_command(site, "retry", str(seq)), env=child_env(), cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert retried.returncode == 0 and json.loads(retried.stdout) == {"requeued": True}
    sent = subprocess.run(kiosk_command(site, "now"), env=child_env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert sent.returncode == 0 and json.loads(sent.stdout)["sent"] == 1
