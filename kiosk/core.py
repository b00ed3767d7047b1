"""Assembling the app's parts from the configuration, without any UI.

:func:`build_core` is what every role starts from (and what tests start from): it checks the data
folder, opens the local queue and loads the service catalog. A broken catalog does not stop the
start-up: the kiosk then shows "service catalog unavailable" and the log says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.catalog.services import Catalog
from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config
from kiosk.queue.client import LocalQueue, QueueClient
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import OpeningHours, ServiceRule
from kiosk.staff.directory import StaffDirectory, StaffFileError
from kiosk.storage.data_dir import StartupError, prepare_data_dir

log = logging.getLogger(__name__)


@dataclass
class Core:
    config: Config
    catalog: Catalog | None
    catalog_error: str | None
    queue: QueueClient
    staff: StaffDirectory | None = None

    def close(self) -> None:
        self.queue.close()


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
