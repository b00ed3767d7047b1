"""``kiosk sync now|status|enroll``: the sync engine from the command line (regional IT, cron, tests)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from kiosk.app.commands.common import Commands, site_config
from kiosk.config.schema import Config

log = logging.getLogger("kiosk.sync")


def register(commands: Commands) -> None:
    parser = commands.add_parser("sync", help="send waiting applications to the central API, or show the outbox")
    actions = parser.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    now = actions.add_parser("now", help="drain the outbox, pull statuses and the catalog; prints a JSON report")
    now.add_argument("--max-seconds", type=float, default=60.0,
                     help="keep retrying with backoff this long (default 60; 0 = one attempt)")
    actions.add_parser("status", help="print the outbox counts, waiting and rejected items as JSON")
    enroll = actions.add_parser("enroll", help="enroll this kiosk with a one-time code from the central API")
    enroll.add_argument("code")
    requeue = actions.add_parser("retry", help="send a rejected item again (after fixing the cause)")
    requeue.add_argument("seq", type=int, help="the item's seq from 'kiosk sync status'")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    return run(site_config(args), args)


def run(config: Config, args: argparse.Namespace) -> int:
    from kiosk.storage.store import StoreError
    from kiosk.sync.central_client import CentralClient, CentralError, credentials_path
    from kiosk.sync.engine import CATALOG_CACHE_FILE, SyncEngine, sync_status
    from kiosk.sync.outbox import ApplicationStore

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                 number_prefix=config.central.application_number_prefix)
    except StoreError as exc:
        print(f"Cannot open the applications store: {exc}", file=sys.stderr)
        return 2
    try:
        if args.sync_command == "status":
            enrolled = credentials_path(config.data_dir).exists()
            print(json.dumps(sync_status(store, enrolled=enrolled, api_url=config.central.api_url), indent=2,
                             ensure_ascii=False))
            return 0
        if args.sync_command == "retry":
            ok = store.requeue(args.seq)
            print(json.dumps({"requeued": ok}))
            return 0 if ok else 1
        if not config.central.api_url:
            print(f"Configuration error: {config.source}: central.api_url: is empty; set the central API's "
                  "address to sync.", file=sys.stderr)
            return 2
        try:
            client = CentralClient.from_data_dir(config.central.api_url, config.data_dir,
                                                 ca_file=config.central.ca_file or None,
                                                 timeout=config.central.timeout_seconds)
        except CentralError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        with client:
            if args.sync_command == "enroll":
                try:
                    creds = client.enroll(args.code, device_name=config.device.id, mpp_code=config.site.mpp_code)
                except CentralError as exc:
                    print(f"Enrollment failed: {exc}", file=sys.stderr)
                    return 1
                print(json.dumps({"enrolled": True, "device_id": creds.device_id, "mpp_code": creds.mpp_code,
                                  "booking_key": bool(creds.booking_key)}))
                return 0
            engine = SyncEngine(store, client, catalog_cache=Path(config.data_dir) / CATALOG_CACHE_FILE,
                                retention_days=config.central.retention_days)
            report = engine.sync_once(max_seconds=args.max_seconds or None)
            print(json.dumps({**report.to_json(), "counts": store.counts()}, ensure_ascii=False), flush=True)
            return 0 if report.stopped == "drained" else 1
    finally:
        store.close()
