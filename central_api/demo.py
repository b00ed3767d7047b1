"""``kiosk demo``'s own central API: the reference server on loopback, with this kiosk enrolled.

The demo calls :func:`start_demo_central` once at start; the server keeps its database under the
kiosk's data dir (``demo-central/``) so applications, the device and its secret survive a restart
of the demo. :meth:`DemoCentral.set_online` lets the presenter "unplug" the central API (every
request then fails with 503) and plug it back, to show items waiting and then draining.

It also plays MPP Digital's bookings: the device is enrolled with the demo's MPP code (so its
credentials carry the MPP's booking key), and a few bookings are made for today (one on time, one
early, one late, one cancelled), their codes in :attr:`DemoCentral.bookings` and
:meth:`DemoCentral.booking_lines` for the presenter to type or show as QR.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from central_api.app import RunningCentral
from central_api.booking_contract import NewBookingBody
from central_api.bookings import BookingDesk, BookingRefused, admin_json
from central_api.matcher import IdentityRegister, load_identities, load_matcher
from kiosk.catalog.services import default_catalog_path
from kiosk.sync.bookings_client import remember_booking_key
from kiosk.sync.central_client import CentralClient, CentralError, DeviceCredentials, credentials_path

log = logging.getLogger(__name__)

DEMO_DIR = "demo-central"
DEMO_MPP_CODE = "MPP-DEMO"  # the configuration's default [site] mpp_code
# (what, minutes from now, service, NIK, cancelled): on time, early, late, and one cancelled
DEMO_BOOKINGS = (("on time", 0, "KTP-EL", "3171011508900001", False),
                 ("early", 120, "KK", "3171014101950002", False),
                 ("late", -120, "KIA", "3273012306850003", False),
                 ("cancelled", 60, "AKTA-LAHIR", "3578015202000004", True))


@dataclass
class DemoCentral:
    """The running demo server: ``url`` for ``[central] api_url``, ``stop()`` at exit."""

    url: str
    server: RunningCentral
    credentials: DeviceCredentials
    admin_token: str = ""  # signs in to the fleet page (user "admin"); made anew at each start
    bookings: list[dict[str, Any]] = field(default_factory=list)  # today's demo bookings (admin_json shapes)

    @property
    def fleet_url(self) -> str:
        """Regional IT's fleet page, where the demo's kiosk shows up within a minute of starting."""
        return self.url + "/fleet"

    def stop(self) -> None:
        self.server.stop()

    def booking_lines(self) -> list[str]:
        """Today's demo bookings, one line each, for the presenter: slot, service, state, code."""
        return [f"{b['slot']}  {b['service_code']:<11} {b['state']:<9}  {b['display_code']}" for b in self.bookings]

    def set_online(self, online: bool) -> None:
        """Offline = every request fails with 503 (as if the link were down); online = normal."""
        self.server.faults.fail_rate = 0.0 if online else 1.0

    @property
    def online(self) -> bool:
        return self.server.faults.fail_rate < 1.0

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as ``url, stop = start_demo_central(...)`` (a str and a callable: hence Any)."""
        return iter((self.url, self.stop))


def start_demo_central(data_dir: Path, *, identities_file: Path | None = None, port: int = 0,
                       mpp_code: str = DEMO_MPP_CODE, timezone: str = "Asia/Jakarta") -> DemoCentral:
    """Start the reference central API on 127.0.0.1 and make sure this kiosk is enrolled there (for
    ``mpp_code``, with its booking key), with a few bookings for today in the building's ``timezone``
    (the queue host reads slots in it).

    ``identities_file`` (TOML, see :func:`central_api.matcher.load_identities`) gives the demo a
    face register; without it identity checks answer ``nik_not_registered`` (or 503 when the
    matcher is not installed).
    """
    data_dir = Path(data_dir)
    server_dir = data_dir / DEMO_DIR
    code = "demo-" + secrets.token_urlsafe(12)
    register = None
    if identities_file is not None:
        register = IdentityRegister(load_identities(identities_file), load_matcher())
    admin_token = secrets.token_urlsafe(16)
    server = RunningCentral(server_dir / "central.sqlite3", port=port, enroll_codes=[code],
                            catalog_path=default_catalog_path(), register=register, admin_token=admin_token)
    try:
        saved = DeviceCredentials.load(credentials_path(data_dir))
        if saved is None or server.store.device(saved.device_id) is None:
            with CentralClient(server.url, None, data_dir=data_dir) as client:
                saved = client.enroll(code, device_name="demo-kiosk", mpp_code=mpp_code)
        elif saved.mpp_code != mpp_code or not saved.booking_key:  # enrolled by an older demo: fetch the key
            saved = _with_booking_key(server.url, saved, data_dir, mpp_code)
        local_now = datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)  # slots are the building's wall clock
        bookings = demo_bookings(server.app.state.booking_desk, mpp_code, local_now)
    except BaseException:
        server.stop()
        raise
    log.info("demo central API on %s (device %s); fleet page %s/fleet", server.url, saved.device_id, server.url)
    return DemoCentral(url=server.url, server=server, credentials=saved, admin_token=admin_token, bookings=bookings)


def _with_booking_key(url: str, saved: DeviceCredentials, data_dir: Path, mpp_code: str) -> DeviceCredentials:
    with CentralClient(url, saved, data_dir=data_dir) as client:
        try:
            remember_booking_key(client, mpp_code)
        except CentralError as exc:  # bound to another MPP by an older demo: bookings just do not check in
            log.warning("demo: no booking key for %s (%s)", mpp_code, exc)
        return client.credentials or saved


def demo_bookings(desk: BookingDesk, mpp_code: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Today's demo bookings: made at the first start of the day, the same ones after a restart.
    ``now`` is the building's local time (slots are local); default: the machine's."""
    now = now or datetime.now()
    today = now.date()
    existing = desk.store.day(mpp_code, today)
    if not existing:
        for _what, minutes, service, nik, cancelled in DEMO_BOOKINGS:
            slot = _slot_today(now, minutes, today)
            try:
                booking, _created = desk.create(NewBookingBody(
                    mpp_code=mpp_code, service_code=service, day=today.isoformat(), slot=slot, nik=nik,
                    request_id="demo-" + hashlib.sha256(f"{mpp_code} {today} {service}".encode()).hexdigest()[:32]))
            except BookingRefused as exc:
                log.warning("demo booking for %s not made: %s", service, exc.message)
                continue
            if cancelled:
                desk.store.cancel(booking.code)
        existing = desk.store.day(mpp_code, today)
    return [admin_json(b) for b in existing]


def _slot_today(now: datetime, minutes: int, today: date) -> str:
    """``now`` + ``minutes`` on a quarter hour, kept within today."""
    at = now + timedelta(minutes=minutes)
    at = max(datetime.combine(today, datetime.min.time()), min(at, datetime.combine(today, datetime.max.time())))
    return f"{at.hour:02d}:{at.minute // 15 * 15:02d}"
