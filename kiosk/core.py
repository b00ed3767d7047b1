"""Assembling the app's parts from the configuration, without any UI: the composition root.

:func:`build_core` is what every role starts from (and what tests start from): it checks the data
folder, opens the local queue and loads the service catalog. A broken catalog does not stop the
start-up: the kiosk then shows "service catalog unavailable" and the log says why.

The windows never open a store or a client: :func:`build_role_parts` builds what a role's windows
are handed (the application services, the survey store, the forms that label answers at the
counter) and :func:`open_sync` the background sync's outbox and engine. A part that cannot be built
leaves the kiosk issuing tickets, and the log says what IT has to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from kiosk.catalog.services import Catalog
from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config
from kiosk.queue.client import LocalQueue, QueueClient
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import OpeningHours, ServiceRule
from kiosk.staff.directory import StaffDirectory, StaffFileError
from kiosk.storage.data_dir import StartupError, prepare_data_dir
from kiosk.survey.store import SurveyStore

if TYPE_CHECKING:
    from kiosk.applications.services import ApplicationServices
    from kiosk.catalog.forms import FormSet
    from kiosk.complaints.clocks import WorkingCalendar
    from kiosk.complaints.desk import ComplaintDeskApi
    from kiosk.complaints.filing import ComplaintFiling
    from kiosk.identity.face_services import FaceServices
    from kiosk.sync.engine import SyncEngine
    from kiosk.sync.heartbeat import HeartbeatSender, Role
    from kiosk.sync.outbox import ApplicationStore

log = logging.getLogger(__name__)


@dataclass
class Core:
    config: Config
    catalog: Catalog | None
    catalog_error: str | None
    queue: QueueClient
    survey: SurveyStore  # the satisfaction survey: the kiosk and the counter record, reports read
    staff: StaffDirectory | None = None

    def close(self) -> None:
        self.queue.close()
        self.survey.close()


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
        priority_reserved_share=config.queue.priority_reserved_share,
        hours=opening_hours(config), help_timeout=timedelta(minutes=config.queue.help_timeout_minutes))


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
            staff = StaffDirectory.load(Path(config.counter.staff_file).expanduser()).with_role("clerk")
        except StaffFileError as exc:
            queue.close()
            raise StartupError(str(exc)) from None
    return Core(config=config, catalog=catalog, catalog_error=catalog_error, queue=queue,
                survey=open_survey_store(config), staff=staff)


# --- what the windows of a role are handed ------------------------------------------------------

KIOSK_ROLES = ("kiosk", "all-in-one")
COUNTER_ROLES = ("counter", "all-in-one")


def open_survey_store(config: Config) -> SurveyStore:
    """The satisfaction survey's store (``survey.db``); the file opens on first use, off the GUI thread."""
    return SurveyStore(config.data_dir / "survey.db")


def application_services(config: Config) -> ApplicationServices | None:
    """Forms, the local store and the camera as configured; None (ticket-only kiosk) when unusable.

    A broken forms file or an unusable applications database must not take the queue kiosk down:
    the kiosk then issues plain tickets and the log says what IT has to fix.
    """
    # Imported here: only kiosk roles pay for the forms, the outbox and numpy at start-up.
    from kiosk.applications.services import ApplicationServices
    from kiosk.camera.sources import source_from_config
    from kiosk.catalog.forms import FormsError, load_forms
    from kiosk.sync.outbox import ApplicationStore

    try:
        forms = load_forms()
    except FormsError as exc:
        log.error("application forms unavailable, the kiosk only issues tickets: %s", exc)
        return None
    try:
        store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                 number_prefix=config.central.application_number_prefix)
    except Exception as exc:  # StoreError (disk, key, damaged file): IT must act; citizens still get tickets
        log.error("applications database unavailable, the kiosk only issues tickets: %s", exc)
        return None
    lookup, on_close = None, None
    if config.central.api_url:  # the platform prefills the health worker's STR (SISDMK) when it knows it
        from kiosk.sync.central_client import CentralClient, registration_lookup  # requests: only with a central API

        client = CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                             ca_file=config.central.ca_file or None,
                                             timeout=config.central.timeout_seconds)
        lookup, on_close = registration_lookup(client), client.close
    return ApplicationServices(forms=forms, store=store, camera=lambda: source_from_config(config),
                               lookup_registration=lookup, owns_store=True, on_close=on_close)


def forms_for_labels() -> FormSet | None:
    """The application forms, to label the answers at the counter; None (answers by field id) when
    the forms file is broken: the console must still call tickets."""
    from kiosk.catalog.forms import FormsError, load_forms

    try:
        return load_forms()
    except FormsError as exc:
        log.warning("application forms unavailable, the counter shows answers by field id: %s", exc)
        return None


@dataclass
class RoleParts:
    """What the windows of one role are handed besides the core. The kiosk window that files with
    ``applications`` closes them when it shuts down."""

    applications: ApplicationServices | None = None
    face_services: FaceServices | None = None
    forms: FormSet | None = None
    complaints: ComplaintFiling | None = None  # "Sampaikan pengaduan" (kiosk) and "Pengaduan" (counter)
    complaint_outbox: ApplicationStore | None = None  # the outbox the filing owns (no applications' store)

    def close(self) -> None:
        """Close what these parts own (after the windows); the applications close with the kiosk window."""
        if self.complaint_outbox is not None:
            self.complaint_outbox.close()
            self.complaint_outbox = None


def build_role_parts(core: Core, role: str) -> RoleParts:
    """The application services and the face check for a kiosk; the forms that
    label the answers for a counter."""
    parts = RoleParts()
    if role in KIOSK_ROLES:
        if core.catalog is not None:
            parts.applications = application_services(core.config)  # None: tickets only (the log says why)
        if core.config.face.enabled:  # imported only then: OpenCV and the identity client cost ~0.9 s
            from kiosk.identity.face_services import face_services_from_config

            # consent answers are kept in the outbox (encrypted, synced to the central API's records)
            parts.face_services = face_services_from_config(
                core.config, consent_outbox=parts.applications.store if parts.applications is not None else None)
    if role in COUNTER_ROLES:
        # The application a citizen filed opens beside the ticket: the kiosk attached it to the
        # ticket in the queue, and the console reads it from there; the forms only label the answers.
        parts.forms = parts.applications.forms if parts.applications is not None else forms_for_labels()
    if role in KIOSK_ROLES or role in COUNTER_ROLES:
        parts.complaints, parts.complaint_outbox = complaint_filing(
            core.config, parts.applications.store if parts.applications is not None else None)
    return parts


def complaint_filing(config: Config, outbox: ApplicationStore | None
                     ) -> tuple[ComplaintFiling | None, ApplicationStore | None]:
    """Complaints filed on this device, saved to ``outbox`` (the applications' store of a kiosk) or to
    an outbox of its own (returned second, for its owner to close); the sync engine sends them to the
    central API. None when no outbox can be opened: the kiosk then does not offer complaints, and the
    log says why."""
    from kiosk.complaints.filing import ComplaintFiling
    from kiosk.sync.outbox import ApplicationStore

    owned = None
    if outbox is None:
        try:
            outbox = owned = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                              number_prefix=config.central.application_number_prefix)
        except Exception as exc:  # StoreError (disk, key, damaged file): IT must act; tickets still work
            log.error("complaints cannot be filed on this device, the outbox is unavailable: %s", exc)
            return None, None
    filing = ComplaintFiling(outbox, mpp_code=config.site.mpp_code,
                             status_url_template=config.complaints.status_url(config.central.api_url))
    return filing, owned


@dataclass
class SyncParts:
    """The background sync's own outbox store and engine (``[central] api_url`` set)."""

    config: Config
    store: ApplicationStore
    engine: SyncEngine

    @property
    def interval_seconds(self) -> float:
        return float(self.config.central.sync_interval_seconds)

    @property
    def api_url(self) -> str:
        return self.config.central.api_url

    def status(self) -> dict[str, Any]:
        """The outbox picture the sync panels show (:func:`kiosk.sync.engine.sync_status`)."""
        from kiosk.sync.engine import sync_status

        return sync_status(self.store, api_url=self.config.central.api_url)

    def close(self) -> None:
        self.engine.close()
        self.store.close()


def open_sync(config: Config) -> SyncParts:
    """The outbox and the sync engine to the central API. Raises StoreError (or the key file's error)
    for IT to fix; the caller keeps the kiosk running offline."""
    # Imported here: requests and the engine cost ~0.1 s, and only kiosks with a central API sync.
    from kiosk.sync.engine import engine_for_config
    from kiosk.sync.outbox import ApplicationStore

    store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                             number_prefix=config.central.application_number_prefix)
    try:
        engine = engine_for_config(config, store)
    except BaseException:
        store.close()
        raise
    return SyncParts(config=config, store=store, engine=engine)


# --- the complaint officer's console ---------------------------------------------------------

@dataclass
class ComplaintDeskParts:
    """What the officer's console is handed. ``desk`` is None when it cannot reach complaints at all;
    ``problem`` then says why (``no_central``: no ``[central] api_url``; ``not_enrolled``)."""

    desk: ComplaintDeskApi | None
    officers: StaffDirectory | None
    calendar: WorkingCalendar
    tz: ZoneInfo
    mpp_code: str
    problem: str = ""

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()


def build_complaint_desk(config: Config) -> ComplaintDeskParts:
    """The console's client over the central API's complaint endpoints, the complaint officers of the
    staff file (``roles`` with ``complaint_officer``) and the clocks' calendar. Raises StartupError
    for a staff file that cannot be read."""
    officers = None
    if config.counter.staff_file:
        try:
            officers = StaffDirectory.load(Path(config.counter.staff_file).expanduser()).with_role("complaint_officer")
        except StaffFileError as exc:
            raise StartupError(str(exc)) from None
    from kiosk.complaints.deadlines import complaint_calendar

    desk, problem = open_complaint_desk(config)
    return ComplaintDeskParts(desk, officers, complaint_calendar(config), ZoneInfo(config.site.timezone),
                              config.site.mpp_code, problem=problem)


def open_complaint_desk(config: Config) -> tuple[ComplaintDeskApi | None, str]:
    """The client of the central API's complaint endpoints and what stands in its way
    (:func:`kiosk.sync.complaint_desk.desk_for_config`)."""
    from kiosk.sync.complaint_desk import desk_for_config  # requests: only with a central API

    return desk_for_config(config)


# --- heartbeats to the central API (the fleet page of regional IT) ------------------------------

def open_heartbeat(config: Config, role: str, *, camera_present: Callable[[str], bool] | None = None,
                   queue_host_answers: Callable[[str], object] | None = None) -> HeartbeatSender | None:
    """The heartbeat of an enrolled device (``kiosk.sync.heartbeat``), not yet started; None without a
    central API or enrollment. The probes of the camera and the queue host live above this layer
    (``kiosk.setup.diagnostics``): the role's start-up hands them in; without them those say unknown."""
    if not config.central.api_url:
        return None
    from kiosk.printing.service import read_printer_status
    from kiosk.sync.central_client import CentralClient
    from kiosk.sync.heartbeat import ROLES, HealthCollector, HeartbeatSender, Probes

    client = CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                         ca_file=config.central.ca_file or None, timeout=config.central.timeout_seconds)
    if client.credentials is None:
        client.close()
        log.info("no heartbeat: this device is not enrolled at the central API")
        return None

    def printer() -> Any:  # the last print job's outcome (printer-status.json): no second talker on the port
        if config.printer.kind == "none":
            return "none"
        last = read_printer_status(config.data_dir)
        return "unknown" if last is None else last.get("reason") or "ok"  # paper_low, paper_out, cover_open...

    def camera() -> Any:
        used = config.face.enabled or config.camera.qr_scanning if role in KIOSK_ROLES else \
            role == "display" and config.display.status_camera
        if not used:
            return "unused"
        return "unknown" if camera_present is None else "ok" if camera_present(config.camera.device) else "missing"

    def queue_host() -> Any:
        if not config.queue.host_url or role == "queue-host":
            return "none"
        if queue_host_answers is None:
            return "unknown"
        try:
            queue_host_answers(config.queue.host_url)
        except Exception:  # any failure to answer is "unreachable" on the fleet page
            return "unreachable"
        return "reachable"

    probes = Probes(printer=printer, camera=camera, queue_host=queue_host)
    named = cast("Role", role if role in ROLES else "kiosk")  # the wire's roles: every role that runs
    return HeartbeatSender(client, HealthCollector(config, named, probes, server_now=client.server_now))
