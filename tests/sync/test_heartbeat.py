"""The device's side of heartbeats (issue 22): the summary carries nothing personal, matches the
central API's contract, and a device that was offline sends one summary when it comes back, not a flood."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sync_helpers import ADMIN_TOKEN, NIK

from central_api.app import RunningCentral
from central_api.fleet_contract import HeartbeatBody
from central_api.fleet_store import FleetStore
from kiosk.config.schema import CentralSection, Config, PrinterSection, SiteSection
from kiosk.core import open_heartbeat
from kiosk.sync.central_client import CentralClient, DeviceCredentials, credentials_path
from kiosk.sync.heartbeat import HealthCollector, HeartbeatSender, Probes, config_hash
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import NewApplication

CITIZEN = "BUDI SANTOSO"


def fleet(central: RunningCentral) -> FleetStore:
    store: FleetStore = central.app.state.fleet
    return store


@pytest.fixture
def sender(central: RunningCentral, creds: DeviceCredentials, config: Config) -> Iterator[HeartbeatSender]:
    client = CentralClient(central.url, creds, data_dir=config.data_dir, timeout=5.0)
    collector = HealthCollector(config, "kiosk", server_now=client.server_now)
    made = HeartbeatSender(client, collector, interval_seconds=0.05)
    yield made
    made.stop()


def test_the_summary_carries_nothing_personal_and_keeps_the_contract(config: Config) -> None:
    """Built from typed fields only: a NIK typed into the site's name or region, and an application with a
    NIK and a citizen's name waiting in the outbox, reach the summary as counts and nothing else."""
    config = dataclasses.replace(config, site=SiteSection(name=f"MPP {NIK}", region=f"Jawa {NIK} Barat"))
    store = ApplicationStore(config.data_dir)
    try:
        store.save(NewApplication(id="3f2c9a8e-4b1d-4c6e-9f0a-1b2c3d4e5f60", service_code="KTP-EL", nik=NIK,
                                  fields={"nama": CITIZEN}, attachments=[], ticket_number="A001", lang="id"))
    finally:
        store.close()
    probes = Probes(printer=lambda: "paper_low", camera=lambda: "ok", queue_host=lambda: "reachable")
    wire = HealthCollector(config, "kiosk", probes).collect(clock_offset_seconds=-1.25).to_wire()
    text = json.dumps(wire, ensure_ascii=False)
    assert NIK not in text and NIK[:5] not in text and CITIZEN not in text and CITIZEN.title() not in text
    assert wire["outbox_waiting"] == 1 and isinstance(wire["outbox_oldest_seconds"], int)
    assert (wire["printer"], wire["clock_offset_seconds"], wire["region"]) == ("paper_low", -1.25, "Jawa … Barat")
    HeartbeatBody.model_validate(wire)  # what the kiosk builds, the server takes


def test_failing_or_odd_probes_do_not_lose_the_heartbeat(config: Config) -> None:
    def broken() -> str:
        raise OSError("usb gone")

    probes = Probes(printer=broken, camera=lambda: "on fire", queue_host=broken)  # type: ignore[arg-type,return-value]
    summary = HealthCollector(config, "counter", probes).collect()
    assert (summary.printer, summary.camera, summary.queue_host) == ("unknown", "unknown", "unknown")
    HeartbeatBody.model_validate(summary.to_wire())


def test_the_config_hash_moves_with_the_configuration_but_not_with_its_secrets(config: Config) -> None:
    moved = dataclasses.replace(config, site=SiteSection(mpp_code="MPP-9999"))
    assert config_hash(moved) != config_hash(config)
    secret = dataclasses.replace(config, queue=dataclasses.replace(config.queue, device_token="another-token"))
    assert config_hash(secret) == config_hash(config)


def test_an_offline_device_sends_only_its_latest_summary_when_it_comes_back(
        central: RunningCentral, sender: HeartbeatSender) -> None:
    central.faults.fail_rate = 1.0  # the link is down: every request fails
    assert [sender.beat_once() for _ in range(5)] == [False] * 5
    central.faults.fail_rate = 0.0
    assert sender.beat_once()
    assert fleet(central).count_history() == 1  # one summary, not six
    assert (sender.stats.sent, sender.stats.failed, sender.stats.last_error) == (1, 5, "")


def test_the_clock_offset_measured_at_one_heartbeat_travels_in_the_next(
        central: RunningCentral, sender: HeartbeatSender, creds: DeviceCredentials) -> None:
    assert sender.beat_once() and sender.beat_once()
    history = fleet(central).history(creds.device_id, 0)
    assert history[0].summary["clock_offset_seconds"] is None
    assert abs(history[1].summary["clock_offset_seconds"]) < 1.0


def test_the_thread_beats_until_stopped_and_survives_an_outage(central: RunningCentral,
                                                               sender: HeartbeatSender) -> None:
    central.faults.fail_rate = 1.0
    sender.start(first_delay_seconds=0)
    deadline = time.monotonic() + 5
    while sender.stats.failed < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    central.faults.fail_rate = 0.0
    while sender.stats.sent < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    sender.stop()
    assert sender.stats.failed >= 3 and sender.stats.sent >= 2
    assert fleet(central).count_history() == sender.stats.sent


def test_a_revoked_device_backs_off(central: RunningCentral, sender: HeartbeatSender, creds: DeviceCredentials) -> None:
    requests.post(f"{central.url}/admin/devices/{creds.device_id}/revoke", headers={"X-Admin-Token": ADMIN_TOKEN},
                  timeout=5).raise_for_status()
    sender.start(first_delay_seconds=0)
    time.sleep(0.4)  # eight intervals: a refused device waits ten between tries
    sender.stop()
    assert sender.stats.failed == 1 and sender.stats.sent == 0


def test_the_composition_root_builds_it_for_an_enrolled_device_only(
        central: RunningCentral, config: Config, data_dir: Path) -> None:
    config = dataclasses.replace(config, central=CentralSection(api_url=central.url, allow_insecure_http=True),
                                 printer=PrinterSection(kind="file", target=str(data_dir)))
    assert open_heartbeat(dataclasses.replace(config, central=CentralSection()), "kiosk") is None
    assert open_heartbeat(config, "kiosk") is None  # not enrolled yet
    with CentralClient(central.url, None, data_dir=data_dir) as client:
        client.enroll("second-code-2")
    assert credentials_path(data_dir).exists()
    (data_dir / "printer-status.json").write_text(json.dumps({"ok": False, "needs_attention": True,
                                                              "reason": "paper_out"}))
    heartbeat = open_heartbeat(config, "kiosk", camera_present=lambda device: False,
                               queue_host_answers=lambda url: None)
    assert heartbeat is not None
    try:
        assert heartbeat.beat_once()
    finally:
        heartbeat.stop()
    latest = fleet(central).latest()[0].summary
    assert (latest["printer"], latest["queue_host"], latest["role"]) == ("paper_out", "none", "kiosk")
    assert latest["camera"] == "missing"  # QR reading uses it ([camera] qr_scanning), and it is not there
