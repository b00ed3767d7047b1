"""Fixtures for the sync tests: a reference central API on loopback and an enrolled kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_helpers import ADMIN_TOKEN, ENROLL_CODE

from central_api.app import RunningCentral
from central_api.middleware import Faults
from kiosk.catalog.services import default_catalog_path
from kiosk.sync.central_client import CentralClient, DeviceCredentials


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=[ENROLL_CODE, "second-code-2"],
                            catalog_path=default_catalog_path(), admin_token=ADMIN_TOKEN, faults=Faults(seed=7))
    yield server
    server.stop()


@pytest.fixture
def creds(central: RunningCentral) -> DeviceCredentials:
    with CentralClient(central.url, None) as client:
        return client.enroll(ENROLL_CODE, device_name="kiosk-test")


@pytest.fixture
def client(central: RunningCentral, creds: DeviceCredentials, data_dir: Path) -> Iterator[CentralClient]:
    with CentralClient(central.url, creds, data_dir=data_dir, timeout=5.0) as made:
        yield made
