"""Assembling the app's parts from the configuration, without any UI.

:func:`build_core` is what every role starts from (and what tests start from): it checks the data
folder, opens the local queue and loads the service catalog. A broken catalog does not stop the
start-up: the kiosk then shows "service catalog unavailable" and the log says why.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.catalog.services import Catalog, CatalogError, default_catalog_path, load_catalog
from kiosk.config.schema import Config
from kiosk.queue.client import LocalQueue, QueueClient
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import OpeningHours, ServiceRule
from kiosk.staff.directory import StaffDirectory, StaffFileError

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 50 * 1024 * 1024


class StartupError(Exception):
    """Something regional IT must fix before the app can run (printed, exit code 2)."""


@dataclass
class Core:
    config: Config
    catalog: Catalog | None
    catalog_error: str | None
    queue: QueueClient
    staff: StaffDirectory | None = None

    def close(self) -> None:
        self.queue.close()


def prepare_data_dir(path: Path) -> None:
    """Make sure the data folder exists, is writable and has room, or say what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"data folder {path} cannot be created ({exc.strerror}). "
                           "Set [device] data_dir to a writable folder.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(f"data folder {path} is read-only for this user. "
                           "Give the app write permission, or set [device] data_dir to another folder.")
    probe = path / ".write-test"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"data folder {path} cannot be written ({exc.strerror}). "
                           "Check the disk and the folder's permissions.") from None
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise StartupError(f"the disk holding {path} is full ({free // (1024 * 1024)} MB free; "
                           f"at least {MIN_FREE_BYTES // (1024 * 1024)} MB needed). Free some space.")


def catalog_path(config: Config) -> Path:
    return Path(config.kiosk.catalog_path).expanduser() if config.kiosk.catalog_path else default_catalog_path()


def load_site_catalog(config: Config) -> tuple[Catalog | None, str | None]:
    """The catalog with this building's counter assignment, or the reason it is unavailable."""
    try:
        catalog = load_catalog(catalog_path(config))
    except CatalogError as exc:
        log.error("service catalog unavailable: %s", exc)
        return None, str(exc)
    overrides = {c.number: c.services for c in config.counters if c.services}
    if overrides:
        catalog = catalog.with_counters(overrides)
    log.info("service catalog %s: %d services", catalog.version, len(catalog.services))
    return catalog, None


def service_rules(catalog: Catalog | None) -> list[ServiceRule]:
    if catalog is None:
        return []
    return [ServiceRule(code=s.code, prefix=s.ticket_prefix, daily_quota=s.daily_quota,
                        typical_service_minutes=s.typical_service_minutes) for s in catalog.services]


def opening_hours(config: Config) -> OpeningHours | None:
    hours = config.site.hours()
    if hours is None:
        return None
    weekdays = frozenset(("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) for d in config.site.open_days)
    return OpeningHours(open=hours[0], close=hours[1], weekdays=weekdays)


def open_engine(config: Config, catalog: Catalog | None) -> QueueEngine:
    """The ticket engine on this machine's queue database (the demo's queue, or the queue host's)."""
    return QueueEngine.open(
        config.data_dir / "queue.db", service_rules(catalog), ZoneInfo(config.site.timezone),
        priority_ratio=config.queue.priority_ratio, max_recalls=config.queue.max_recalls,
        hours=opening_hours(config))


def open_local_queue(config: Config, catalog: Catalog | None) -> LocalQueue:
    return LocalQueue(open_engine(config, catalog), catalog)


def build_core(config: Config) -> Core:
    """Everything a role needs. Raises StartupError or StoreError for IT to fix.

    With ``[queue] host_url`` the queue is the building's queue host over HTTP; without it, an
    engine inside this process (the one-machine demo).
    """
    prepare_data_dir(config.data_dir)
    catalog, catalog_error = load_site_catalog(config)
    queue: QueueClient
    if config.queue.host_url:
        from kiosk.queue.http_client import HttpQueue  # only terminals of a building need requests

        queue = HttpQueue(config.queue.host_url, config.queue.device_token)
        log.info("queue: building queue host at %s", config.queue.host_url)
    else:
        queue = open_local_queue(config, catalog)
    staff = None
    if config.counter.staff_file and config.device.role in ("counter", "all-in-one"):
        try:
            staff = StaffDirectory.load(Path(config.counter.staff_file).expanduser())
        except StaffFileError as exc:
            queue.close()
            raise StartupError(str(exc)) from None
    return Core(config=config, catalog=catalog, catalog_error=catalog_error, queue=queue, staff=staff)
