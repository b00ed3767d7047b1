"""``kiosk demo``: its kiosk sends heartbeats to the demo's own central API and shows up on the fleet
page, whose address (and sign-in) the demo prints (issue 22)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
import requests

from central_api.demo import DemoCentral
from kiosk.app.commands.roles import _start_demo_central
from kiosk.config.schema import Config
from kiosk.core import open_heartbeat
from kiosk.sync.central_client import DeviceCredentials, credentials_path


def test_the_demo_kiosk_shows_up_on_the_demo_fleet_page(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    central, demo_config = _start_demo_central(config)
    assert central is not None
    try:
        printed = capsys.readouterr().out
        assert central.fleet_url in printed and central.admin_token in printed
        heartbeat = open_heartbeat(demo_config, "all-in-one")
        assert heartbeat is not None
        try:
            assert heartbeat.beat_once()
        finally:
            heartbeat.stop()
        session = requests.Session()
        signed_in = session.post(central.url + "/fleet/login", data={"name": "admin", "password": central.admin_token},
                                 timeout=5)
        assert signed_in.status_code == 200
        rows = re.findall(r'data-device="([^"]+)" data-light="(\w+)"', signed_in.text)
        device = DeviceCredentials.load(credentials_path(demo_config.data_dir))
        assert device is not None and rows == [(device.device_id, "green")]
        assert requests.get(central.fleet_url, timeout=5).status_code == 401
    finally:
        central.stop()


def test_the_gui_roles_and_the_queue_host_start_their_heartbeat(config: Config) -> None:
    """The role start-ups' wiring (kiosk.ui.app, kiosk.app.commands.roles): started on its own thread with
    the diagnostics' camera and queue host probes; nothing at all without a central API."""
    from kiosk.app.commands import roles
    from kiosk.ui import app as gui

    central, demo_config = _start_demo_central(config)
    assert central is not None
    try:
        core = SimpleNamespace(config=config)  # only the configuration is read
        assert gui._start_heartbeat(core, "kiosk") is None  # type: ignore[arg-type]  # a stand-in Core
        assert roles._start_heartbeat(config) is None
        demo_core = SimpleNamespace(config=demo_config)
        for started in (gui._start_heartbeat(demo_core, "kiosk"),  # type: ignore[arg-type]  # a stand-in Core
                        roles._start_heartbeat(demo_config)):
            assert started is not None
            try:
                assert started._thread is not None and started._thread.daemon and started.beat_once()
            finally:
                started.stop()
        assert isinstance(central, DemoCentral)
        roles_seen = sorted(json.loads(row["summary"])["role"] for row in _latest_rows(central))
        assert roles_seen == ["queue-host"]  # one device: the queue host's beat came last
    finally:
        central.stop()


def _latest_rows(central: DemoCentral) -> list[dict[str, str]]:
    with central.server.store.reading() as conn:
        return [dict(r) for r in conn.execute("SELECT summary FROM fleet_latest").fetchall()]
