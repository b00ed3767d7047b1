"""``kiosk central-api bookings add|list|cancel``: make, list and cancel bookings on a running reference
central API (our model of what citizens do at MPP Digital), through its admin routes with the admin
token (``--admin-token`` or ``$KIOSK_CENTRAL_ADMIN_TOKEN``).

Exit codes: 0 done, 1 the server refused (the message says why) or cannot be reached, 2 no admin token.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"
# An MPP's zone ([site] timezone): "today" and the slot are its wall clock, not this machine's (often UTC).
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def register_bookings(actions: argparse._SubParsersAction) -> None:
    """Add ``bookings`` under ``kiosk central-api``."""
    parser = actions.add_parser("bookings", help="make, list or cancel bookings on a running server",
                                description="Bookings as MPP Digital makes them, on a running reference central "
                                "API (its admin routes, with the admin token).")
    verbs = parser.add_subparsers(dest="booking_action", metavar="VERB", required=True)
    add = verbs.add_parser("add", help="book a visit: prints the booking code and the QR's text")
    _common(add)
    add.add_argument("--mpp", required=True, help="the MPP's code, as [site] mpp_code (e.g. MPP-DEMO)")
    add.add_argument("--service", required=True, help="the service's code in the catalog (e.g. KTP-EL)")
    add.add_argument("--day", default=None, help="YYYY-MM-DD (default: today in --timezone)")
    add.add_argument("--slot", required=True, help="the slot's start, HH:MM in the MPP's time zone")
    add.add_argument("--nik", required=True, help="the citizen's NIK (checked, kept sealed, listed masked)")
    _zone(add)
    add.set_defaults(handler=add_booking)
    listing = verbs.add_parser("list", help="the bookings of an MPP for a day, cancelled ones too")
    _common(listing)
    listing.add_argument("--mpp", required=True, help="the MPP's code")
    listing.add_argument("--day", default=None, help="YYYY-MM-DD (default: today in --timezone)")
    listing.add_argument("--json", action="store_true", help="print the server's JSON")
    _zone(listing)
    listing.set_defaults(handler=list_bookings)
    cancel = verbs.add_parser("cancel", help="cancel a booking by its code")
    _common(cancel)
    cancel.add_argument("code", help="the booking code (with or without hyphens)")
    cancel.set_defaults(handler=cancel_booking)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:8600")
    parser.add_argument("--admin-token", dest="booking_admin_token", default=None,
                        help=f"the server's admin token (default: ${ADMIN_TOKEN_ENV})")


def _zone(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timezone", choices=ZONES, default=ZONES[0],
                        help="the MPP's time zone, its [site] timezone (default: Asia/Jakarta); sets today")


def _today(args: argparse.Namespace) -> str:
    """``--day``, else today in the MPP's zone: a machine on UTC is on yesterday's date until 07:00 WIB."""
    return str(args.day or datetime.now(UTC).astimezone(ZoneInfo(args.timezone)).date().isoformat())


def _call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer); status 0 when the server cannot be reached or answered no JSON, -1 without
    an admin token (nothing sent)."""
    import requests

    token = args.booking_admin_token or os.environ.get(ADMIN_TOKEN_ENV, "")
    if not token:
        return -1, {"message": f"Give the server's admin token: --admin-token or ${ADMIN_TOKEN_ENV}."}
    try:
        response = requests.request(method, args.url.rstrip("/") + path, headers={"X-Admin-Token": token},
                                    timeout=10, **kwargs)
    except requests.RequestException as exc:
        return 0, {"message": f"Cannot reach {args.url}: {type(exc).__name__}."}
    try:
        answer = response.json()
    except ValueError:
        return 0, {"message": f"The server answered {response.status_code} without JSON."}
    if not isinstance(answer, dict):
        return 0, {"message": f"The server answered {response.status_code} with something else."}
    if response.status_code == 404 and answer.get("message") == "Not found.":  # the hidden admin routes' answer
        answer = {"message": "The server refused: wrong admin token, or it runs without --admin-token."}
    return response.status_code, answer


def _fail(status: int, what: str, answer: dict[str, Any]) -> int:
    """Say why on stderr; exit code 2 without a token (a usage problem), 1 otherwise."""
    message = answer.get("message", answer)
    print(message if status == -1 else f"{what}: {message}", file=sys.stderr)
    return 2 if status == -1 else 1


def add_booking(args: argparse.Namespace) -> int:
    body = {"mpp_code": args.mpp, "service_code": args.service, "day": _today(args),
            "slot": args.slot, "nik": args.nik, "request_id": secrets.token_hex(12)}
    status, answer = _call(args, "POST", "/admin/bookings", json=body)
    if status not in (200, 201):
        return _fail(status, "Not booked", answer)
    print(f"booked {answer['service_code']} on {answer['day']} at {answer['slot']} for NIK {answer['nik_masked']}\n"
          f"code: {answer['display_code']}\nQR:   {answer['qr_text']}")
    return 0


def list_bookings(args: argparse.Namespace) -> int:
    day = _today(args)
    status, answer = _call(args, "GET", "/admin/bookings", params={"mpp_code": args.mpp, "day": day})
    if status != 200:
        return _fail(status, "Cannot list", answer)
    if args.json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return 0
    bookings = answer["bookings"]
    print(f"{len(bookings)} booking{'' if len(bookings) == 1 else 's'} of {answer['mpp_code']} on {answer['day']}")
    for b in bookings:
        print(f"  {b['slot']}  {b['service_code']:<22} {b['state']:<9}  {b['display_code']}  {b['nik_masked']}")
    return 0


def cancel_booking(args: argparse.Namespace) -> int:
    status, answer = _call(args, "POST", f"/admin/bookings/{quote(args.code.strip(), safe='')}/cancel")
    if status != 200:
        return _fail(status, "Not cancelled", answer)
    print(f"cancelled {answer['display_code']} ({answer['service_code']} on {answer['day']} at {answer['slot']})")
    return 0
