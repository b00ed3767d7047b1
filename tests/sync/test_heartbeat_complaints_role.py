"""A complaint officer's PC (``[device] role = "complaints"``) reports its own role on the fleet page:
the composition root sends "complaints" (no longer cast to "kiosk"), the real central API accepts it and
regional IT's fleet page lists it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import requests
from sync_helpers import ADMIN_TOKEN

from central_api.app import RunningCentral
from central_api.fleet_store import FleetStore
from kiosk.config.schema import CentralSection, Config
from kiosk.core import open_heartbeat
from kiosk.sync.central_client import CentralClient


def test_a_complaints_desk_beats_as_complaints_and_the_fleet_page_shows_it(
        central: RunningCentral, config: Config, data_dir: Path) -> None:
    config = dataclasses.replace(config, central=CentralSection(api_url=central.url, allow_insecure_http=True),
                                 device=dataclasses.replace(config.device, role="complaints", id="pengaduan-01"))
    with CentralClient(central.url, None, data_dir=data_dir) as client:
        client.enroll("second-code-2")
    heartbeat = open_heartbeat(config, config.device.role, camera_present=lambda device: True,
                               queue_host_answers=lambda url: None)
    assert heartbeat is not None
    try:
        assert heartbeat.beat_once()  # False when the server refuses the body (422)
    finally:
        heartbeat.stop()
    fleet: FleetStore = central.app.state.fleet
    latest = fleet.latest()[0].summary
    assert (latest["role"], latest["device_name"], latest["camera"]) == ("complaints", "pengaduan-01", "unused")
    page = requests.get(central.url + "/fleet", headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=10)
    assert page.status_code == 200
    assert '<td data-label="Peran / Role">complaints</td>' in page.text
