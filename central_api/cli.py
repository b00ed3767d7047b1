"""``kiosk central-api``: run the reference central API (development, demos, tests),
``kiosk central-api clear-lockouts``: lift enrollment lockouts on a running one (regional IT), and
``kiosk central-api bookings add|list|cancel``: MPP Digital's bookings on a running one
(:mod:`central_api.booking_cli`).

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

from central_api.booking_cli import register_bookings

log = logging.getLogger("central_api")

ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("central-api", help="run the reference central API (our model of MPP Digital)")
    parser.add_argument("--port", type=int, help="TCP port (0 = any free one); required to run the server")
    parser.add_argument("--db", help="where the server keeps its data: a SQLite file (its key is kept next to it "
                        "as <db>.key) or a PostgreSQL URL postgresql://user@host:5432/dbname (then give --key); "
                        "required to run the server")
    parser.add_argument("--key", type=Path, help="the sealing key's file (made at the first start, mode 0600); "
                        "required with PostgreSQL, default <db>.key for SQLite")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes (default 1); more than 1 needs a PostgreSQL database")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--enroll-code", action="append", default=[], metavar="CODE",
                        help="a one-time enrollment code to accept (repeatable; at least 16 characters); "
                             "none = a long random one is made and printed")
    parser.add_argument("--catalog", type=Path, help="service catalog JSON to serve (default: the shipped one)")
    parser.add_argument("--identities", type=Path, help="TOML test register: [[identity]] nik, name, photos; "
                        "[[registration]] nik, registration_number, profession")
    parser.add_argument("--admin-token", default=os.environ.get(ADMIN_TOKEN_ENV, ""),
                        help=f"enables /admin/... (status changes, faults, enrollment lockouts); default "
                        f"${ADMIN_TOKEN_ENV} (keeps it out of ps)")
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
    register_bookings(actions)


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
    from central_api.stores import MIN_ENROLL_CODE_LENGTH, StoreUnavailable, is_postgres_url
    from central_api.workers import LOG_FORMAT, ServerSettings, build_app, serve_workers
    from kiosk.storage.store import StoreError

    if args.port is None or args.db is None:
        print("Cannot start: --port and --db are required to run the server.", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    settings = ServerSettings(
        db=args.db, key=str(args.key) if args.key else None, catalog=str(args.catalog) if args.catalog else None,
        identities=str(args.identities) if args.identities else None, admin_token=args.admin_token,
        lockout_after=args.lockout_after, faults={"fail_rate": args.fail_rate, "latency_ms": args.latency_ms,
                                                  "drop_after_commit_rate": args.drop_after_commit_rate})
    codes = list(args.enroll_code) or [secrets.token_urlsafe(18)]  # 144 random bits: not guessable
    try:
        if args.lockout_after < 1:
            raise ValueError("--lockout-after must be at least 1")
        if args.workers < 1:
            raise ValueError("--workers must be at least 1")
        if args.workers > 1 and not is_postgres_url(args.db):
            raise ValueError("--workers above 1 needs a PostgreSQL database (--db postgresql://...): a SQLite "
                             "file is served by one process")
        short = [c for c in codes if len(c) < MIN_ENROLL_CODE_LENGTH]
        if short:
            raise ValueError(f"an enrollment code must have at least {MIN_ENROLL_CODE_LENGTH} characters "
                             "(leave --enroll-code out to have a long random one made)")
        settings.make_faults()
        store = settings.open_store()
    except (ValueError, StoreError, StoreUnavailable) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    try:
        store.add_enroll_codes(codes, min_length=MIN_ENROLL_CODE_LENGTH)
        app = build_app(settings, store)  # with workers too: bad settings stop here, not in every worker
    except ValueError as exc:
        store.close()
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    if not args.enroll_code:
        print(f"enrollment code: {codes[0]}", flush=True)
    log.info("reference central API on %s:%d (db %s, %d worker%s)", args.host, args.port, store.where, args.workers,
             "" if args.workers == 1 else "s")
    if args.workers > 1:
        store.close()  # the workers open their own
        serve_workers(settings, args.host, args.port, args.workers)
        return 0
    from central_api.app import serve

    try:
        serve(app, args.host, args.port)
    finally:
        store.close()
    return 0
