"""Fixtures for the sync tests: a reference central API on loopback and an enrolled kiosk.

``central`` runs on SQLite; a module that exercises the store sets ``CENTRAL_STORES = BOTH``
(from tests/central_pg.py) and its tests that use ``central`` run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from central_pg import SQLITE, CentralDb, central_db_for, pg_cluster  # noqa: F401  # pg_cluster: a fixture
from sync_helpers import ADMIN_TOKEN, ENROLL_CODE

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
    """A fresh central database: SQLite unless the test is parametrized (see above)."""
    return central_db_for(getattr(request, "param", SQLITE), tmp_path / "central", request)


@pytest.fixture
def central(central_db: CentralDb) -> Iterator[RunningCentral]:
    server = RunningCentral(central_db.target, key_path=central_db.key_path,
                            enroll_codes=[ENROLL_CODE, "second-code-2"],
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
