"""``kiosk demo``'s own central API: the reference server on loopback, with this kiosk enrolled.

The demo calls :func:`start_demo_central` once at start; the server keeps its database under the
kiosk's data dir (``demo-central/``) so applications, the device and its secret survive a restart
of the demo. :meth:`DemoCentral.set_online` lets the presenter "unplug" the central API (every
request then fails with 503) and plug it back, to show items waiting and then draining.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central_api.app import RunningCentral
from central_api.matcher import IdentityRegister, load_identities, load_matcher
from kiosk.catalog.services import default_catalog_path
from kiosk.sync.central_client import CentralClient, DeviceCredentials, credentials_path

log = logging.getLogger(__name__)

DEMO_DIR = "demo-central"


@dataclass
class DemoCentral:
    """The running demo server: ``url`` for ``[central] api_url``, ``stop()`` at exit."""

    url: str
    server: RunningCentral
    credentials: DeviceCredentials
    admin_token: str = ""  # signs in to the fleet page (user "admin"); made anew at each start

    @property
    def fleet_url(self) -> str:
        """Regional IT's fleet page, where the demo's kiosk shows up within a minute of starting."""
        return self.url + "/fleet"

    def stop(self) -> None:
        self.server.stop()

    def set_online(self, online: bool) -> None:
        """Offline = every request fails with 503 (as if the link were down); online = normal."""
        self.server.faults.fail_rate = 0.0 if online else 1.0

    @property
    def online(self) -> bool:
        return self.server.faults.fail_rate < 1.0

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as ``url, stop = start_demo_central(...)`` (a str and a callable: hence Any)."""
        return iter((self.url, self.stop))


def start_demo_central(data_dir: Path, *, identities_file: Path | None = None, port: int = 0) -> DemoCentral:
    """Start the reference central API on 127.0.0.1 and make sure this kiosk is enrolled there.

    ``identities_file`` (TOML, see :func:`central_api.matcher.load_identities`) gives the demo a
    face register; without it identity checks answer ``nik_not_registered`` (or 503 when the
    matcher is not installed).
    """
    data_dir = Path(data_dir)
    server_dir = data_dir / DEMO_DIR
    code = "demo-" + secrets.token_urlsafe(12)
    register = None
    if identities_file is not None:
        register = IdentityRegister(load_identities(identities_file), load_matcher())
    admin_token = secrets.token_urlsafe(16)
    server = RunningCentral(server_dir / "central.sqlite3", port=port, enroll_codes=[code],
                            catalog_path=default_catalog_path(), register=register, admin_token=admin_token)
    try:
        saved = DeviceCredentials.load(credentials_path(data_dir))
        if saved is None or server.store.device(saved.device_id) is None:
            with CentralClient(server.url, None, data_dir=data_dir) as client:
                saved = client.enroll(code, device_name="demo-kiosk")
    except BaseException:
        server.stop()
        raise
    log.info("demo central API on %s (device %s); fleet page %s/fleet", server.url, saved.device_id, server.url)
    return DemoCentral(url=server.url, server=server, credentials=saved, admin_token=admin_token)
