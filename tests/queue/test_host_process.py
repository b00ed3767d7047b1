"""``kiosk run queue-host`` as a real process: starts from the config, serves, stops on SIGTERM, and
after a SIGKILL mid-load restarts with no number reused and no ticket lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.queue.status import status_token

KIOSK_TOKEN = "kiosk-token-0123456789abcdef"
COUNTER_TOKEN = "counter-token-0123456789abcdef"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    devices = tmp_path / "devices.toml"
    devices.write_text(f'[[device]]\nid = "kiosk-01"\nrole = "kiosk"\ntoken = "{KIOSK_TOKEN}"\n'
                       f'[[device]]\nid = "loket-01"\nrole = "counter"\ntoken = "{COUNTER_TOKEN}"\n',
                       encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text(f'[device]\nrole = "queue-host"\ndata_dir = "{tmp_path / "data"}"\n'
                      '[site]\nname = "MPP Kota Uji"\n'
                      f'[queue_host]\nlisten = "127.0.0.1:{free_port()}"\ndevices_file = "{devices}"\n',
                      encoding="utf-8")
    return config


def start(site: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = site.read_text().split("127.0.0.1:")[1].split('"')[0]
    url = f"http://127.0.0.1:{port}"
    stderr = site.parent / "host-stderr.log"
    with stderr.open("ab") as sink:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(site), "run"],
                                stdout=subprocess.DEVNULL, stderr=sink)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"queue host exited: {stderr.read_text()}")
        try:
            if requests.get(f"{url}/v1/health", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("queue host did not start within 30 s")


@pytest.fixture
def host(site: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc, url = start(site)
    yield proc, url
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def issue(url: str, request_id: str) -> requests.Response:
    return requests.post(f"{url}/v1/tickets", json={"service_code": "KTP-EL", "request_id": request_id},
                         headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}, timeout=5)


def test_serves_and_stops_cleanly_on_sigterm(host: tuple[subprocess.Popen[bytes], str]) -> None:
    proc, url = host
    response = issue(url, "first")
    assert response.status_code == 201
    assert response.json()["ticket"]["number"] == "A-001"
    page = requests.get(f"{url}/v1/status/{status_token(response.json()['ticket']['id'])}",
                        headers={"Accept": "text/html"}, timeout=5)
    assert page.status_code == 200 and "MPP Kota Uji" in page.text  # the phone page names its MPP
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: death by SIGTERM is the clean stop
    assert proc.wait(15) in (0, -signal.SIGTERM)


def test_missing_devices_file_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(f'[device]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "run", "queue-host"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "queue_host.devices_file" in result.stderr


def test_sigkill_mid_load_loses_nothing_and_reuses_no_number(site: Path) -> None:
    proc, url = start(site)
    answered: dict[str, str] = {}  # request id -> number the host confirmed
    attempted: list[str] = []
    stop = threading.Event()

    def kiosk() -> None:
        while not stop.is_set():
            request_id = str(uuid.uuid4())
            attempted.append(request_id)
            try:
                response = issue(url, request_id)
            except requests.RequestException:
                return
            if response.ok:
                answered[request_id] = response.json()["ticket"]["number"]

    workers = [threading.Thread(target=kiosk) for _ in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 10
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    stop.set()
    for worker in workers:
        worker.join(10)
    assert len(answered) >= 40

    proc, url = start(site)
    try:
        # Every ticket the host confirmed is still there with the same number ...
        for request_id, number in answered.items():
            again = issue(url, request_id)
            assert again.status_code == 200, again.text
            assert again.json()["ticket"]["number"] == number
        # ... requests cut off by the kill were either committed (and come back) or not (and get a new one),
        # and the numbering continues after the highest number ever given: none is reused.
        retried = {rid: issue(url, rid).json()["ticket"]["number"] for rid in attempted if rid not in answered}
        numbers = list(answered.values()) + list(retried.values())
        assert len(numbers) == len(set(numbers))
        fresh = issue(url, "after-restart").json()["ticket"]["number"]
        assert fresh not in numbers
        assert int(fresh.split("-")[1]) == len(set(numbers)) + 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
