"""``kiosk central-api``: run the reference central API (development, demos, tests)."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from pathlib import Path

log = logging.getLogger("central_api")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("central-api", help="run the reference central API (our model of MPP Digital)")
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 = any free one)")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file for what the server keeps")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--enroll-code", action="append", default=[], metavar="CODE",
                        help="a one-time enrollment code to accept (repeatable; at least 16 characters); "
                             "none = a long random one is made and printed")
    parser.add_argument("--catalog", type=Path, help="service catalog JSON to serve (default: the shipped one)")
    parser.add_argument("--identities", type=Path, help="TOML test register: [[identity]] nik, name, photos; "
                        "[[registration]] nik, registration_number, profession")
    parser.add_argument("--admin-token", default="", help="enables /admin/... (status changes, faults)")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 503 (0..1)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every request this long")
    parser.add_argument("--drop-after-commit-rate", type=float, default=0.0,
                        help="share of requests processed and then cut off before the answer (0..1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from central_api.app import create_app, serve
    from central_api.matcher import IdentityRegister, load_identities, load_matcher, load_registrations
    from central_api.middleware import Faults
    from central_api.store import MIN_ENROLL_CODE_LENGTH, CentralStore
    from kiosk.catalog.services import default_catalog_path
    from kiosk.storage.store import StoreError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        faults = Faults(fail_rate=args.fail_rate, latency_ms=args.latency_ms,
                        drop_after_commit_rate=args.drop_after_commit_rate)
        identities = load_identities(args.identities) if args.identities else []
        registrations = load_registrations(args.identities) if args.identities else {}
        codes = list(args.enroll_code) or [secrets.token_urlsafe(18)]  # 144 random bits: not guessable
        short = [c for c in codes if len(c) < MIN_ENROLL_CODE_LENGTH]
        if short:
            raise ValueError(f"an enrollment code must have at least {MIN_ENROLL_CODE_LENGTH} characters "
                             "(leave --enroll-code out to have a long random one made)")
        store = CentralStore(args.db)
    except (ValueError, StoreError) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    if not args.enroll_code:
        print(f"enrollment code: {codes[0]}", flush=True)
    store.add_enroll_codes(codes, min_length=MIN_ENROLL_CODE_LENGTH)
    register = IdentityRegister(identities, load_matcher() if identities else None)
    app = create_app(store, catalog_path=args.catalog or default_catalog_path(), register=register, faults=faults,
                     admin_token=args.admin_token, registrations=registrations)
    log.info("reference central API on %s:%d (db %s, %d test identities)", args.host, args.port, args.db,
             len(identities))
    try:
        serve(app, args.host, args.port)
    finally:
        store.close()
    return 0
