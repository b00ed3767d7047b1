"""Fixtures for the central API's complaint tests: a reference central API on loopback (SQLite, or both
stores for a module that sets ``CENTRAL_STORES = BOTH``), an enrolled kiosk of MPP-3171 and its client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from central_pg import SQLITE, CentralDb, central_db_for, pg_cluster  # noqa: F401  # pg_cluster: a fixture
from complaint_helpers import ADMIN_TOKEN, ENROLL_CODES, enroll

from central_api.app import RunningCentral
from central_api.middleware import Faults
from kiosk.catalog.services import default_catalog_path
from kiosk.sync.central_client import CentralClient, DeviceCredentials


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    stores = getattr(metafunc.module, "CENTRAL_STORES", None)
    if stores and "central_db" in metafunc.fixturenames:
        metafunc.parametrize("central_db", stores, indirect=True)


@pytest.fixture
def central_db(request: pytest.FixtureRequest, tmp_path: Path) -> CentralDb:
    return central_db_for(getattr(request, "param", SQLITE), tmp_path / "central", request)


@pytest.fixture
def central(central_db: CentralDb) -> Iterator[RunningCentral]:
    server = RunningCentral(central_db.target, key_path=central_db.key_path, enroll_codes=ENROLL_CODES,
                            catalog_path=default_catalog_path(), admin_token=ADMIN_TOKEN, faults=Faults(seed=3))
    yield server
    server.stop()


@pytest.fixture
def creds(central: RunningCentral) -> DeviceCredentials:
    return enroll(central, ENROLL_CODES[0])


@pytest.fixture
def client(central: RunningCentral, creds: DeviceCredentials, tmp_path: Path) -> Iterator[CentralClient]:
    with CentralClient(central.url, creds, data_dir=tmp_path / "kiosk", timeout=5.0) as made:
        yield made
