"""The ``kiosk`` command: every role and every tool for regional IT starts here.

Exit codes: 0 fine, 1 a check failed (selftest), 2 the configuration or the data folder needs
fixing (the message says which file and key, or which folder).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from pathlib import Path

from kiosk import __version__
from kiosk.config.schema import Config, ConfigError, config_path_from_env, load_config

log = logging.getLogger("kiosk")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
GUI_ROLES = ("kiosk", "counter", "display", "all-in-one")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="MPP Kiosk: lobby kiosk, counter console, "
                                     "lobby display and queue for a Mal Pelayanan Publik.")
    parser.add_argument("--version", action="version", version=f"MPP Kiosk {__version__}")
    parser.add_argument("--config", type=Path, help="site configuration (TOML); default: $KIOSK_CONFIG, "
                        "then ~/.config/mpp-kiosk/site.toml, then built-in demo settings")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("demo", help="kiosk, counter console and lobby display in one window set, offline")

    run = commands.add_parser("run", help="run one role (as set up for this machine)")
    run.add_argument("role", nargs="?", choices=(*GUI_ROLES, "queue-host"),
                     help="default: [device] role from the config")
    run.add_argument("--windowed", action="store_true", help="do not go fullscreen (for testing)")

    selftest = commands.add_parser("selftest", help="check this installation and save a picture of every screen")
    selftest.add_argument("--out", type=Path, required=True, help="folder for selftest.json and the PNGs")

    config_cmd = commands.add_parser("config", help="configuration tools")
    config_sub = config_cmd.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_sub.add_parser("check", help="validate the configuration and print the effective values")

    setup = commands.add_parser("setup", help="first-run setup wizard: writes the site configuration")
    setup.add_argument("--windowed", action="store_true", help="a window instead of the full screen")
    admin = commands.add_parser("admin", help="admin tools")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    admin_sub.add_parser("hash-pin", help="print the [admin] pin_hash value for a new admin PIN")

    survey = commands.add_parser("survey", help="satisfaction survey (SKM/IKM) tools")
    survey_sub = survey.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    survey_ikm = survey_sub.add_parser("ikm", help="IKM of paper survey sheets (CSV: U1..U9, optional demographics)")
    survey_ikm.add_argument("--csv", type=Path, required=True, help="one row per respondent, header row first")

    report = commands.add_parser("report", help="performance report (PDF, optional CSV) for a day or a month")
    report.add_argument("--period", choices=("day", "month"), required=True)
    report.add_argument("--date", required=True, help="YYYY-MM-DD (any day of the month for --period month)")
    report.add_argument("--out", type=Path, required=True, help="the PDF to write")
    report.add_argument("--csv", type=Path, help="also write CSV tables into this folder")
    report.add_argument("--lang", choices=("id", "en"), default="id")
    report.add_argument("--enqueue", action="store_true",
                        help="with --period day: also queue that day's figures and survey answers for MPP Digital")

    from central_api.cli import add_parser as add_central_api_command
    from kiosk.app.commands.face import add_parser as add_camera_commands
    from kiosk.app.commands.printing import add_parser as add_print_test_command
    from kiosk.app.commands.sync import add_parser as add_sync_command

    add_camera_commands(commands)
    add_print_test_command(commands)
    add_sync_command(commands)
    add_central_api_command(commands)
    return parser


def resolve_config(args: argparse.Namespace) -> Config:
    return load_config(args.config if args.config is not None else config_path_from_env())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command in ("setup", "admin"):
        from kiosk.app.commands.admin import hash_pin_command, setup_command

        if args.command == "admin":
            return hash_pin_command()
        return setup_command(args.config, windowed=args.windowed)
    if args.command == "run" and args.config is None and config_path_from_env() is None:
        from kiosk.app.commands.admin import first_run  # a real install without configuration: the setup wizard

        outcome = first_run(windowed=args.windowed)
        if isinstance(outcome, int):
            return outcome
        args.config = Path(outcome.source)
    try:
        config = resolve_config(args)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "config":
        return _config_check(config)
    if args.command == "survey":
        from kiosk.app.commands.survey import survey_ikm

        return survey_ikm(args.csv)
    if args.command == "report":
        from kiosk.app.commands.reports import run_report

        if args.enqueue and args.period != "day":
            parser.error("--enqueue needs --period day (one upload per day)")
        return run_report(config, args.period, args.date, args.out, args.csv, args.lang, enqueue=args.enqueue)
    if args.command == "sync":
        from kiosk.app.commands.sync import run as run_sync

        return run_sync(config, args)
    if args.command in ("models", "face"):
        from kiosk.app.commands.face import run as run_camera_command

        return run_camera_command(config, args)
    if args.command == "print-test":
        from kiosk.app.commands.printing import run_print_test
        from kiosk.ui.qt.printing import system_sink  # Qt only for [printer] kind = "system"

        return run_print_test(config, args, system_sink=system_sink)
    if args.command == "central-api":
        from central_api.cli import run as run_central_api

        return run_central_api(args)
    if args.command == "selftest":
        from kiosk.selftest.run import run_selftest

        return run_selftest(config, args.out)
    if args.command == "demo":
        return _run_gui(config, "all-in-one", demo=True, windowed=True)
    if args.command == "run":
        role = args.role or config.device.role
        if role == "queue-host":
            return _run_queue_host(config)
        return _run_gui(config, role, demo=False, windowed=args.windowed)
    parser.error(f"unknown command {args.command}")
    return EXIT_CONFIG


def _config_check(config: Config) -> int:
    import dataclasses

    data = dataclasses.asdict(config)
    print(json.dumps({"source": config.source, "data_dir": str(config.data_dir), "config": data},
                     indent=2, ensure_ascii=False, default=str))
    return EXIT_OK


def _run_queue_host(config: Config) -> int:
    """The building's one allocator of numbers, serving terminals over HTTP until SIGTERM."""
    from kiosk.catalog.site import load_site_catalog
    from kiosk.core import open_engine
    from kiosk.queue.devices import DevicesError, load_devices
    from kiosk.queue.host import DeviceGrant, create_app, serve
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
    try:
        app = create_app(engine, tokens, counters_serving=lambda code: counters.get(code, 1))
        # What is alive now (FastAPI, pydantic's schemas, the modules) lives until exit: freezing it
        # keeps the collector from walking it again. A full collection took 36 ms under load
        # (bench/queue_host.py); every request in flight waited for it.
        gc.collect()
        gc.freeze()
        serve(app, host, port)
    finally:
        engine.close()
    return EXIT_OK


def _run_gui(config: Config, role: str, *, demo: bool, windowed: bool) -> int:
    from kiosk.core import build_core
    from kiosk.storage.data_dir import StartupError, prepare_data_dir
    from kiosk.storage.store import StoreError
    from kiosk.utils.log import setup_logging

    demo_central = None
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
    from kiosk.ui.app import run_gui

    try:
        return run_gui(core, role, demo=demo, windowed=windowed, demo_central=demo_central)
    finally:
        core.close()
        if demo_central is not None:
            demo_central.stop()


def _start_demo_central(config: Config) -> tuple[object, Config]:
    """The demo's own MPP Digital: the reference central API on loopback, this device enrolled."""
    import dataclasses

    from central_api.demo import start_demo_central

    try:
        central = start_demo_central(config.data_dir)
    except Exception as exc:  # the demo must still start: kiosk, counter and board work offline
        log.warning("demo central API could not start (%s); the demo runs offline", exc)
        return None, config
    # every 5 s (the shortest allowed): a presenter should see an application leave within moments
    return central, dataclasses.replace(config, central=dataclasses.replace(
        config.central, api_url=central.url, sync_interval_seconds=5))
