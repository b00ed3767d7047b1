"""``kiosk central-api`` as one process or as several uvicorn worker processes on one PostgreSQL database.

Every worker builds the same app from the same :class:`ServerSettings` (handed over in the
environment, :data:`SETTINGS_ENV`: uvicorn starts workers by importing :func:`app_from_env`).
The parent opens the store once before the workers start (migrations, the key, the enrollment
codes), so workers only open it. What must be shared by all workers lives in the database (nonces,
in-flight claims, applications, devices); what does not is kept per worker: the device cache,
enrollment rate limits and lockouts (each worker counts its own: with N workers a guesser gets up
to N times the attempts, still hopeless against 144-bit codes, and an admin's ``clear-lockouts``
reaches the worker that answers it: repeat it, or restart the service), and the fault settings.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from central_api.app import EnrollLimits, create_app
from central_api.matcher import IdentityRegister, load_identities, load_matcher, load_registrations
from central_api.middleware import Faults
from central_api.stores import CentralStore, open_store
from kiosk.catalog.services import default_catalog_path

SETTINGS_ENV = "KIOSK_CENTRAL_WORKER_SETTINGS"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("central_api")


@dataclass(frozen=True)
class ServerSettings:
    """What ``kiosk central-api`` was started with, minus the enrollment codes (already in the database)."""

    db: str
    key: str | None = None
    catalog: str | None = None
    identities: str | None = None
    admin_token: str = ""
    lockout_after: int = 20
    faults: dict[str, float] = field(default_factory=dict)

    def make_faults(self) -> Faults:
        """The fault settings (ValueError when out of range)."""
        return Faults(fail_rate=self.faults.get("fail_rate", 0.0), latency_ms=int(self.faults.get("latency_ms", 0)),
                      drop_after_commit_rate=self.faults.get("drop_after_commit_rate", 0.0))

    def open_store(self) -> CentralStore:
        return open_store(self.db, Path(self.key) if self.key else None)


def build_app(settings: ServerSettings, store: CentralStore) -> FastAPI:
    """The app over ``store`` as ``settings`` say (raises ValueError for bad fault or register settings)."""
    faults = settings.make_faults()
    identities_path = Path(settings.identities) if settings.identities else None
    identities = load_identities(identities_path) if identities_path else []
    registrations = load_registrations(identities_path) if identities_path else {}
    register = IdentityRegister(identities, load_matcher() if identities else None)
    return create_app(store, catalog_path=Path(settings.catalog) if settings.catalog else default_catalog_path(),
                      register=register, faults=faults, admin_token=settings.admin_token,
                      registrations=registrations, enroll_limits=EnrollLimits(lockout_after=settings.lockout_after))


def app_from_env() -> FastAPI:
    """uvicorn's factory in each worker process: the settings from :data:`SETTINGS_ENV`, its own store."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    settings = ServerSettings(**json.loads(os.environ[SETTINGS_ENV]))
    store = settings.open_store()
    app = build_app(settings, store)
    app.router.on_shutdown.append(store.close)
    log.info("worker %d serving (db %s)", os.getpid(), store.where)
    return app


def serve_workers(settings: ServerSettings, host: str, port: int, workers: int) -> None:
    """Run ``workers`` uvicorn worker processes on one port until interrupted."""
    os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))
    uvicorn.run("central_api.workers:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_config=None, access_log=False, timeout_graceful_shutdown=5)
