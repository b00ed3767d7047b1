"""``kiosk central-api``: run the reference central API (development, demos, tests), and
``kiosk central-api clear-lockouts``: lift enrollment lockouts on a running one (regional IT).

Lockouts live in the running server, so lifting one goes through its admin route over HTTP with
the admin token (``--admin-token`` or ``$KIOSK_CENTRAL_ADMIN_TOKEN``: the variable keeps it out of ``ps``).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path

log = logging.getLogger("central_api")

ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("central-api", help="run the reference central API (our model of MPP Digital)")
    parser.add_argument("--port", type=int, help="TCP port (0 = any free one); required to run the server")
    parser.add_argument("--db", type=Path, help="SQLite file for what the server keeps (its key is kept next to "
                        "it as <db>.key); required to run the server")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--enroll-code", action="append", default=[], metavar="CODE",
                        help="a one-time enrollment code to accept (repeatable; at least 16 characters); "
                             "none = a long random one is made and printed")
    parser.add_argument("--catalog", type=Path, help="service catalog JSON to serve (default: the shipped one)")
    parser.add_argument("--identities", type=Path, help="TOML test register: [[identity]] nik, name, photos; "
                        "[[registration]] nik, registration_number, profession")
    parser.add_argument("--admin-token", default="", help="enables /admin/... (status changes, faults, "
                        "enrollment lockouts)")
    parser.add_argument("--lockout-after", type=int, default=20, metavar="N",
                        help="refused enrollment codes from one address before it is locked out (default 20)")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 503 (0..1)")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every request this long")
    parser.add_argument("--drop-after-commit-rate", type=float, default=0.0,
                        help="share of requests processed and then cut off before the answer (0..1)")
    parser.set_defaults(handler=run)
    actions = parser.add_subparsers(dest="central_action", metavar="ACTION")
    clear = actions.add_parser("clear-lockouts", help="lift enrollment lockouts on a running server",
                               description="Lift the enrollment lockout of one client address, or of all, "
                               "on a running reference central API (its admin route, with the admin token).")
    clear.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:8600")
    clear.add_argument("--address", help="lift only this client address (default: every locked-out one)")
    clear.add_argument("--admin-token", dest="lockout_admin_token", default=None,
                       help=f"the server's admin token (default: ${ADMIN_TOKEN_ENV})")
    clear.set_defaults(handler=clear_lockouts)


def clear_lockouts(args: argparse.Namespace) -> int:
    """POST /admin/enroll-lockouts/clear; prints the addresses lifted. Exit 0 done, 1 refused or unreachable."""
    import requests

    token = args.lockout_admin_token or os.environ.get(ADMIN_TOKEN_ENV, "")
    if not token:
        print(f"Give the server's admin token: --admin-token or ${ADMIN_TOKEN_ENV}.", file=sys.stderr)
        return 2
    body = {"address": args.address} if args.address else None
    try:
        response = requests.post(args.url.rstrip("/") + "/admin/enroll-lockouts/clear", json=body,
                                 headers={"X-Admin-Token": token}, timeout=10)
    except requests.RequestException as exc:
        print(f"Cannot reach {args.url}: {type(exc).__name__}.", file=sys.stderr)
        return 1
    if response.status_code == 404:
        print("The server refused: wrong admin token, or it runs without --admin-token.", file=sys.stderr)
        return 1
    if response.status_code != 200:
        print(f"The server answered {response.status_code}: {response.text[:200]}", file=sys.stderr)
        return 1
    lifted = response.json().get("cleared", [])
    print("lifted: " + ", ".join(lifted) if lifted else "no address was locked out"
          + (f" ({args.address})" if args.address else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    from central_api.app import EnrollLimits, create_app, serve
    from central_api.matcher import IdentityRegister, load_identities, load_matcher, load_registrations
    from central_api.middleware import Faults
    from central_api.store import MIN_ENROLL_CODE_LENGTH, CentralStore
    from kiosk.catalog.services import default_catalog_path
    from kiosk.storage.store import StoreError

    if args.port is None or args.db is None:
        print("Cannot start: --port and --db are required to run the server.", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        faults = Faults(fail_rate=args.fail_rate, latency_ms=args.latency_ms,
                        drop_after_commit_rate=args.drop_after_commit_rate)
        if args.lockout_after < 1:
            raise ValueError("--lockout-after must be at least 1")
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
                     admin_token=args.admin_token, registrations=registrations,
                     enroll_limits=EnrollLimits(lockout_after=args.lockout_after))
    log.info("reference central API on %s:%d (db %s, %d test identities)", args.host, args.port, args.db,
             len(identities))
    try:
        serve(app, args.host, args.port)
    finally:
        store.close()
    return 0
