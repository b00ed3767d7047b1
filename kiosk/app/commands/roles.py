"""``kiosk demo`` and ``kiosk run [ROLE]``: start a role: a window set, or the building's queue host."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk import __version__
from kiosk.app.commands.admin import first_run
from kiosk.app.commands.common import EXIT_CONFIG, EXIT_OK, Commands, site_config
from kiosk.config.schema import Config, config_path_from_env

if TYPE_CHECKING:
    from kiosk.queue.bookings import BookingDownloader
    from kiosk.queue.engine import QueueEngine
    from kiosk.sync.heartbeat import HeartbeatSender

log = logging.getLogger("kiosk")

GUI_ROLES = ("kiosk", "counter", "display", "all-in-one", "complaints")  # complaints: the officer's console


class DemoCentral(Protocol):
    """The demo's running reference central API (central_api.demo), as far as the demo needs it."""

    url: str
    admin_token: str

    @property
    def fleet_url(self) -> str: ...

    def booking_lines(self) -> list[str]: ...

    def stop(self) -> None: ...


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="kiosk, counter console and lobby display in one window set, offline")
    demo.set_defaults(handler=run_demo)
    run = commands.add_parser("run", help="run one role (as set up for this machine)")
    run.add_argument("role", nargs="?", choices=(*GUI_ROLES, "queue-host"),
                     help="default: [device] role from the config")
    run.add_argument("--windowed", action="store_true", help="do not go fullscreen (for testing)")
    run.set_defaults(handler=run_role)


def run_demo(args: argparse.Namespace) -> int:
    return _run_gui(site_config(args), "all-in-one", demo=True, windowed=True)


def run_role(args: argparse.Namespace) -> int:
    """One role; a real install without any configuration gets the setup wizard first."""
    if args.config is None and config_path_from_env() is None:
        outcome = first_run(windowed=args.windowed)
        if isinstance(outcome, int):
            return outcome
        args.config = Path(outcome.source)
    config = site_config(args)
    role = args.role or config.device.role
    if role == "queue-host":
        return _run_queue_host(config)
    return _run_gui(config, role, demo=False, windowed=args.windowed)


def _run_queue_host(config: Config) -> int:
    """The building's one allocator of numbers, serving terminals over HTTP until SIGTERM."""
    from kiosk.catalog.site import load_site_catalog
    from kiosk.core import open_engine
    from kiosk.queue.devices import DevicesError, load_devices
    from kiosk.queue.host import create_app
    from kiosk.queue.routes.access import DeviceGrant
    from kiosk.queue.routes.public import name_site
    from kiosk.queue.server import serve
    from kiosk.storage.data_dir import StartupError, prepare_data_dir
    from kiosk.storage.store import StoreError
    from kiosk.utils.log import setup_logging

    if not config.queue_host.devices_file:
        print(f"Configuration error: {config.source}: queue_host.devices_file: is required for the queue "
              "host (the terminals' tokens); see config/devices.example.toml.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        devices = load_devices(Path(config.queue_host.devices_file).expanduser())
        prepare_data_dir(config.data_dir)
        setup_logging(config.data_dir, config.logging.level)
        catalog, error = load_site_catalog(config)
        if catalog is None:
            raise StartupError(f"the service catalog is needed to issue numbers: {error}")
        engine = open_engine(config, catalog)
    except (DevicesError, StartupError, StoreError) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    tokens = {d.token: DeviceGrant(d.id, d.role) for d in devices}
    host, port = config.queue_host.address()
    counters = {s.code: len(s.counters) for s in catalog.services}
    log.info("queue host %s serving %d devices on %s:%d (data: %s)", __version__, len(devices), host, port,
             config.data_dir)
    heartbeat = _start_heartbeat(config)
    bookings = _start_bookings(config, engine)
    try:
        app = create_app(engine, tokens, counters_serving=lambda code: counters.get(code, 1))
        name_site(app, config.site.name)  # the phone status page names its MPP
        # What is alive now (FastAPI, pydantic's schemas, the modules) lives until exit: freezing it
        # keeps the collector from walking it again. A full collection took 36 ms under load
        # (bench/queue_host.py); every request in flight waited for it.
        gc.collect()
        gc.freeze()
        serve(app, host, port)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        if bookings is not None:
            bookings.stop()
        engine.close()
    return EXIT_OK


def _start_bookings(config: Config, engine: QueueEngine) -> BookingDownloader | None:
    """Bookings at the queue host (``[bookings]``): the rules, the key from the device credentials, and
    today's bookings downloaded every interval on their own thread (kiosk.queue.bookings). Without a key
    check-ins are refused as not ready; the downloader fetches the key (GET /v1/bookings/key) and keeps it."""
    from datetime import timedelta

    from kiosk.queue.bookings import BookingDownloader, BookingSettings
    from kiosk.sync.bookings_client import fetch_bookings, remember_booking_key, saved_booking_key
    from kiosk.sync.central_client import CentralClient, CentralError

    section, mpp = config.bookings, config.site.mpp_code
    engine.bookings.configure(BookingSettings(enabled=section.enabled, early_minutes=section.early_minutes,
                                              late_minutes=section.late_minutes, mpp_code=mpp))
    if not section.enabled:
        return None
    if not config.central.api_url:
        log.warning("bookings: no [central] api_url, so no booking key nor downloads; check-ins are refused")
        return None
    try:
        client = CentralClient.from_data_dir(config.central.api_url, config.data_dir, ca_file=config.central.ca_file
                                             or None, timeout=config.central.timeout_seconds)
    except CentralError as exc:
        log.error("bookings: the device credentials cannot be read (%s); check-ins are refused", exc)
        return None
    if client.credentials is None:
        client.close()
        log.warning("bookings: this queue host is not enrolled; check-ins are refused until it is enrolled "
                    "(kiosk sync enroll) and restarted")
        return None
    key = saved_booking_key(client.credentials, mpp)
    if key is not None:
        engine.bookings.set_key(key)
    downloader = BookingDownloader(engine.bookings, lambda day: fetch_bookings(client, mpp, day),
                                   lambda: remember_booking_key(client, mpp),
                                   timedelta(minutes=section.download_interval_minutes), on_stop=client.close)
    downloader.start()
    return downloader


def _start_heartbeat(config: Config) -> HeartbeatSender | None:
    """The queue host's health summary to the central API every minute (its own thread), when enrolled."""
    from kiosk.core import open_heartbeat

    try:
        heartbeat = open_heartbeat(config, "queue-host")
    except Exception as exc:  # a broken credentials file: the host still serves tickets
        log.error("no heartbeat to the central API: %s", exc)
        return None
    if heartbeat is not None:
        heartbeat.start()
    return heartbeat


def _run_gui(config: Config, role: str, *, demo: bool, windowed: bool) -> int:
    from kiosk.core import build_core
    from kiosk.storage.data_dir import StartupError, prepare_data_dir
    from kiosk.storage.store import StoreError
    from kiosk.utils.log import setup_logging

    demo_central: DemoCentral | None = None
    try:
        prepare_data_dir(config.data_dir)
        setup_logging(config.data_dir, config.logging.level)
        if demo and not config.central.api_url:
            demo_central, config = _start_demo_central(config)
        core = build_core(config)
    except (StartupError, StoreError) as exc:
        if demo_central is not None:
            demo_central.stop()
        print(f"Cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    log.info("MPP Kiosk %s starting role %s (config: %s, data: %s)", __version__, role, config.source,
             config.data_dir)
    from kiosk.queue.client import LocalQueue
    from kiosk.ui.app import run_gui

    # the one-machine demo keeps the queue in this process: its bookings too
    bookings = _start_bookings(config, core.queue.engine) if isinstance(core.queue, LocalQueue) else None
    try:
        return run_gui(core, role, demo=demo, windowed=windowed, demo_central=demo_central)
    except StartupError as exc:  # a role's own parts (the officers' staff file) cannot be read: IT fixes it
        print(f"Cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        if bookings is not None:
            bookings.stop()
        core.close()
        if demo_central is not None:
            demo_central.stop()


def _start_demo_central(config: Config) -> tuple[DemoCentral | None, Config]:
    """The demo's own MPP Digital: the reference central API on loopback, this device enrolled."""
    import dataclasses

    try:
        from central_api.demo import start_demo_central  # not in the kiosk build: the demo then runs offline

        central = start_demo_central(config.data_dir, mpp_code=config.site.mpp_code,
                                     timezone=config.site.timezone)
    except Exception as exc:  # the demo must still start: kiosk, counter and board work offline
        log.warning("demo central API could not start (%s); the demo runs offline", exc)
        return None, config
    print(f"Fleet page of the demo's central API (this kiosk appears within a minute): {central.fleet_url}\n"
          f"  sign in as user 'admin' with password {central.admin_token}", flush=True)
    print("Today's demo bookings ('Saya sudah booking' at the kiosk):\n  " + "\n  ".join(central.booking_lines()),
          flush=True)
    # every 5 s (the shortest allowed): a presenter should see an application leave within moments;
    # bookings on: the demo central made today's (central_api.demo), downloaded every minute
    return central, dataclasses.replace(config, central=dataclasses.replace(
        config.central, api_url=central.url, allow_insecure_http=True, sync_interval_seconds=5),
        bookings=dataclasses.replace(config.bookings, enabled=True, download_interval_minutes=1))
