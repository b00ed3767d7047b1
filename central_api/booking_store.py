"""What the bookings keep in the central database: each MPP's booking key, which MPP each device
belongs to, the day's serial counter per MPP, and the bookings. Their own tables and schema version
(``bookings``, kept by :meth:`~central_api.stores.CentralStore.ensure_schema`), SQLite or PostgreSQL.

* A booking key (32 random bytes per MPP, the HMAC key of its booking codes) is sealed at rest with
  the central store's key file (AES-256-GCM, bound to its MPP): a database dump alone reveals none.
  It is never logged.
* A device's MPP is fixed at its first claim (enrollment with ``mpp_code``, or its first booking
  request): a queue host of one MPP never gets another's key or bookings.
* Serials: one row per (MPP, day), bumped by ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in
  the transaction that inserts the booking. PostgreSQL holds the row locked until that commit (two
  worker processes creating at once get consecutive serials); SQLite has one writer.
* The citizen's NIK is sealed (bound to the booking's code); only its masked form is listed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from central_api.stores import Conn, Migrations, utc_now
from kiosk.booking.code import new_booking_key
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.utils.privacy import mask_nik

MAX_SERIAL = 65535  # the code holds the serial in 16 bits


def _tables(blob: str) -> str:
    return f"""
CREATE TABLE booking_keys (mpp_code VARCHAR(32) PRIMARY KEY, key_enc {blob} NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE booking_devices (device_id VARCHAR(64) PRIMARY KEY, mpp_code VARCHAR(32) NOT NULL,
    bound_at TEXT NOT NULL);
CREATE TABLE booking_serials (mpp_code VARCHAR(32) NOT NULL, day VARCHAR(10) NOT NULL, last_serial INTEGER NOT NULL,
    PRIMARY KEY (mpp_code, day));
CREATE TABLE bookings (code VARCHAR(24) PRIMARY KEY, mpp_code VARCHAR(32) NOT NULL, day VARCHAR(10) NOT NULL,
    slot VARCHAR(5) NOT NULL, service_code VARCHAR(40) NOT NULL, serial INTEGER NOT NULL, nik_enc {blob} NOT NULL,
    nik_masked VARCHAR(20) NOT NULL, state VARCHAR(12) NOT NULL, request_id VARCHAR(64) UNIQUE,
    created_at TEXT NOT NULL, cancelled_at TEXT, UNIQUE (mpp_code, day, serial));
"""


MIGRATIONS = Migrations("bookings", sqlite=[_tables("BLOB")], postgresql=[_tables("BYTEA")])

_COLUMNS = "code, mpp_code, day, slot, service_code, serial, nik_masked, state, created_at, cancelled_at"


class BookingDatabase(Protocol):
    """What the bookings need of the central store (:class:`central_api.stores.CentralStore` has it)."""

    key_path: Path

    def transaction(self) -> contextlib.AbstractContextManager[Conn]: ...
    def reading(self) -> contextlib.AbstractContextManager[Conn]: ...
    def ensure_schema(self, migrations: Migrations) -> None: ...


class DayFull(Exception):
    """All 65,535 serials of this MPP and day are taken."""


@dataclass(frozen=True)
class StoredBooking:
    code: str  # canonical: 24 characters, no hyphens
    mpp_code: str
    day: str
    slot: str
    service_code: str
    serial: int
    nik_masked: str
    state: str
    created_at: str
    cancelled_at: str | None

    def to_json(self) -> dict[str, Any]:
        """The booking as ``GET /v1/bookings`` lists it (:class:`central_api.booking_contract.Booking`)."""
        return {"code": self.code, "service_code": self.service_code, "day": self.day, "slot": self.slot,
                "nik_masked": self.nik_masked, "state": self.state, "created_at": self.created_at,
                "cancelled_at": self.cancelled_at}


def _stored(row: Any) -> StoredBooking:
    return StoredBooking(code=str(row["code"]), mpp_code=str(row["mpp_code"]), day=str(row["day"]),
                         slot=str(row["slot"]), service_code=str(row["service_code"]), serial=int(row["serial"]),
                         nik_masked=str(row["nik_masked"]), state=str(row["state"]), created_at=str(row["created_at"]),
                         cancelled_at=None if row["cancelled_at"] is None else str(row["cancelled_at"]))


# What makes a booking's code from its serial (the store allocates the serial, the caller knows the rest).
CodeMaker = Callable[[int, bytes], str]


class BookingStore:
    """The bookings' tables in the central database; thread-safe as far as the store is."""

    def __init__(self, db: BookingDatabase) -> None:
        self.db = db
        db.ensure_schema(MIGRATIONS)
        self._sealer = Sealer(load_or_create_key(db.key_path, create=False, what="the central database"))

    # -- keys and devices ---------------------------------------------------------------------

    def key(self, mpp_code: str) -> bytes:
        """The MPP's booking key, made (32 random bytes) at its first use; the same for every caller."""
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO booking_keys (mpp_code, key_enc, created_at) VALUES (?, ?, ?)"
                         " ON CONFLICT (mpp_code) DO NOTHING",
                         (mpp_code, self._sealer.seal(new_booking_key(), f"booking-key:{mpp_code}"), utc_now()))
            row = conn.execute("SELECT key_enc FROM booking_keys WHERE mpp_code = ?", (mpp_code,)).fetchone()
        return self._sealer.open(bytes(row["key_enc"]), f"booking-key:{mpp_code}")

    def claim(self, device_id: str, mpp_code: str) -> str:
        """Bind the device to ``mpp_code`` unless it is bound already; the MPP it belongs to (compare!)."""
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO booking_devices (device_id, mpp_code, bound_at) VALUES (?, ?, ?)"
                         " ON CONFLICT (device_id) DO NOTHING", (device_id, mpp_code, utc_now()))
            row = conn.execute("SELECT mpp_code FROM booking_devices WHERE device_id = ?", (device_id,)).fetchone()
        return str(row["mpp_code"])

    def device_mpp(self, device_id: str) -> str | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT mpp_code FROM booking_devices WHERE device_id = ?", (device_id,)).fetchone()
        return None if row is None else str(row["mpp_code"])

    # -- bookings -----------------------------------------------------------------------------

    def create(self, *, mpp_code: str, service_code: str, day: date, slot: str, nik: str,
               make_code: CodeMaker, request_id: str | None = None) -> tuple[StoredBooking, bool]:
        """A new booking with the next serial of its MPP and day; ``(booking, created)``. With a
        ``request_id`` already used, the booking it made (``created`` False). :class:`DayFull` past
        65,535 bookings in a day (nothing stored)."""
        if request_id is not None:
            found = self._by_request(request_id)
            if found is not None:
                return found, False
        key = self.key(mpp_code)
        for _attempt in range(3):
            made = self._insert(mpp_code, service_code, day, slot, nik, make_code, key, request_id)
            if made is not None:
                return made, True
            found = self._by_request(request_id) if request_id is not None else None
            if found is not None:  # the same request at the same moment made it
                return found, False
        raise DayFull("no free booking code was found; try again")  # 2^-40 collisions, three times: never

    def _insert(self, mpp_code: str, service_code: str, day: date, slot: str, nik: str, make_code: CodeMaker,
                key: bytes, request_id: str | None) -> StoredBooking | None:
        """One try: the next serial and the booking, in one transaction; None when a unique column was
        taken (the same ``request_id`` at the same moment, or the same code by chance)."""
        now = utc_now()
        with self.db.transaction() as conn:
            serial = int(conn.execute(
                "INSERT INTO booking_serials (mpp_code, day, last_serial) VALUES (?, ?, 1)"
                " ON CONFLICT (mpp_code, day) DO UPDATE SET last_serial = booking_serials.last_serial + 1"
                " RETURNING last_serial", (mpp_code, day.isoformat())).fetchone()["last_serial"])
            if serial > MAX_SERIAL:
                raise DayFull(f"{mpp_code} has {MAX_SERIAL} bookings on {day.isoformat()} already")
            code = make_code(serial, key)
            made = conn.execute(
                f"INSERT INTO bookings ({_COLUMNS}, nik_enc, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING code",
                (code, mpp_code, day.isoformat(), slot, service_code, serial, mask_nik(nik), "booked", now, None,
                 self._sealer.seal(nik.encode("ascii"), f"booking-nik:{code}"), request_id)).fetchall()
        if not made:
            return None
        return StoredBooking(code, mpp_code, day.isoformat(), slot, service_code, serial, mask_nik(nik), "booked",
                             now, None)

    def _by_request(self, request_id: str) -> StoredBooking | None:
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM bookings WHERE request_id = ?", (request_id,)).fetchone()
        return None if row is None else _stored(row)

    def get(self, code: str) -> StoredBooking | None:
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM bookings WHERE code = ?", (code,)).fetchone()
        return None if row is None else _stored(row)

    def nik(self, code: str) -> str | None:
        """The full NIK of a booking (MPP Digital's own use; never listed to devices)."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT nik_enc FROM bookings WHERE code = ?", (code,)).fetchone()
        return None if row is None else self._sealer.open(bytes(row["nik_enc"]), f"booking-nik:{code}").decode()

    def cancel(self, code: str) -> StoredBooking | None:
        """Cancel a booking (a second cancel changes nothing); None when no booking has this code."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE bookings SET state = 'cancelled', cancelled_at = ?"
                         " WHERE code = ? AND state = 'booked'", (utc_now(), code))
            row = conn.execute(f"SELECT {_COLUMNS} FROM bookings WHERE code = ?", (code,)).fetchone()
        return None if row is None else _stored(row)

    def day(self, mpp_code: str, day: date) -> list[StoredBooking]:
        """Every booking of the MPP on ``day`` (cancelled ones too), by slot then serial."""
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM bookings WHERE mpp_code = ? AND day = ?"
                                " ORDER BY slot, serial", (mpp_code, day.isoformat())).fetchall()
        return [_stored(r) for r in rows]
