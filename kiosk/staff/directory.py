"""Staff accounts for the counter console: who is signed in at a counter, checked by a PIN.

PINs are stored only as slow, salted hashes (stdlib ``hashlib.scrypt``) in a TOML file::

    [[staff]]
    id = "rina"
    name = "Rina Wulandari"
    pin_hash = "scrypt$16384$8$1$<salt b64>$<hash b64>"
    roles = ["clerk", "complaint_officer"]   # optional; default ["clerk"]

A ``complaint_officer`` may sign in at the complaint officer's console (``kiosk run complaints``); a
``clerk`` at a counter.
Guessing is slowed twice: by the KDF and by a lockout after :data:`MAX_ATTEMPTS` wrong PINs for one
staff id. No Qt here; the console runs :meth:`StaffDirectory.sign_in` off the GUI thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
MAX_ATTEMPTS = 5
LOCKOUT_SECONDS = 60.0
_MAXMEM = 64 * 1024 * 1024


def hash_pin(pin: str) -> str:
    """``scrypt$n$r$p$salt_b64$hash_b64`` for ``pin`` with a fresh random salt."""
    salt = os.urandom(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)))


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored`` (compared in constant time); False for a malformed hash."""
    try:
        n, r, p, salt, expected = _parse_hash(stored)
    except ValueError:
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(expected)), expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("pin_hash must look like scrypt$n$r$p$salt$hash (made by kiosk.staff.directory.hash_pin)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("pin_hash has a non-numeric cost or invalid base64") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * r * n > _MAXMEM:
        raise ValueError(f"pin_hash has unusable scrypt costs n={n} r={r} p={p}")
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("pin_hash salt or hash is too short")
    return n, r, p, salt, digest


# -- the directory ----------------------------------------------------------------------------

class StaffError(Exception):
    """A sign-in was refused; the subclasses say why."""


class StaffFileError(StaffError):
    """The staff file cannot be used; the message names the file and the entry."""


class UnknownStaff(StaffError):
    def __init__(self, staff_id: str) -> None:
        super().__init__(staff_id)
        self.staff_id = staff_id

    def __str__(self) -> str:
        return f"no staff account {self.staff_id!r}"


class WrongPin(StaffError):
    def __init__(self, staff_id: str, attempts_left: int) -> None:
        super().__init__(staff_id, attempts_left)
        self.staff_id, self.attempts_left = staff_id, attempts_left

    def __str__(self) -> str:
        return f"wrong PIN for {self.staff_id!r}; {self.attempts_left} attempts left"


class LockedOut(StaffError):
    def __init__(self, staff_id: str, seconds_left: float) -> None:
        super().__init__(staff_id, seconds_left)
        self.staff_id, self.seconds_left = staff_id, seconds_left

    def __str__(self) -> str:
        return f"{self.staff_id!r} is locked for {self.seconds_left:.0f} s after too many wrong PINs"


#: What a member may do: serve at a counter, handle complaints (the officer's console).
ROLES = ("clerk", "complaint_officer")


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    pin_hash: str
    roles: tuple[str, ...] = ("clerk",)


class StaffDirectory:
    """Who may sign in at a counter, with a per-account lockout after repeated wrong PINs.

    ``clock`` is a monotonic seconds clock (injected by tests). Thread-safe: sign-ins may run on a
    worker thread.
    """

    def __init__(self, members: Iterable[StaffMember], *, clock: Callable[[], float] = time.monotonic,
                 max_attempts: int = MAX_ATTEMPTS, lockout_seconds: float = LOCKOUT_SECONDS) -> None:
        self._members: dict[str, StaffMember] = {}
        for member in members:
            if member.id in self._members:
                raise StaffFileError(f"staff id {member.id!r} appears twice")
            self._members[member.id] = member
        self._clock = clock
        self.max_attempts, self.lockout_seconds = max_attempts, lockout_seconds
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | str, **options: Any) -> StaffDirectory:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise StaffFileError(f"staff file {path} cannot be read ({exc.strerror or exc})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise StaffFileError(f"staff file {path} is not valid TOML: {exc}") from None
        return cls(parse_staff(data, str(path)), **options)

    @property
    def members(self) -> tuple[StaffMember, ...]:
        return tuple(self._members.values())

    def with_role(self, role: str) -> StaffDirectory:
        """The members who have ``role``, with the same lockout settings (a directory of their own)."""
        return StaffDirectory([m for m in self._members.values() if role in m.roles], clock=self._clock,
                              max_attempts=self.max_attempts, lockout_seconds=self.lockout_seconds)

    def member(self, staff_id: str) -> StaffMember:
        try:
            return self._members[staff_id]
        except KeyError:
            raise UnknownStaff(staff_id) from None

    def locked_for(self, staff_id: str) -> float:
        """Seconds until ``staff_id`` may try again (0 when not locked)."""
        with self._lock:
            return self._locked_left(staff_id)

    def _locked_left(self, staff_id: str) -> float:
        until = self._locked_until.get(staff_id)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._locked_until[staff_id]
            self._failures.pop(staff_id, None)
            return 0.0
        return left

    def sign_in(self, staff_id: str, pin: str) -> StaffMember:
        """The member when ``pin`` is right; raises :class:`WrongPin`, :class:`LockedOut` or
        :class:`UnknownStaff`. A locked account is refused without checking the PIN."""
        member = self.member(staff_id)
        with self._lock:
            left = self._locked_left(staff_id)
            if left > 0:
                raise LockedOut(staff_id, left)
        ok = verify_pin(pin, member.pin_hash)  # slow: outside the lock
        with self._lock:
            left = self._locked_left(staff_id)  # another attempt may have locked it meanwhile
            if left > 0:
                raise LockedOut(staff_id, left)
            if ok:
                self._failures.pop(staff_id, None)
                return member
            failures = self._failures.get(staff_id, 0) + 1
            self._failures[staff_id] = failures
            if failures >= self.max_attempts:
                self._locked_until[staff_id] = self._clock() + self.lockout_seconds
                raise LockedOut(staff_id, self.lockout_seconds)
            raise WrongPin(staff_id, self.max_attempts - failures)


def parse_staff(data: Mapping[str, Any], where: str = "staff file") -> list[StaffMember]:
    """The ``[[staff]]`` entries of a parsed TOML document, with errors naming the bad entry."""
    entries = data.get("staff", [])
    if not isinstance(entries, list):
        raise StaffFileError(f"{where}: 'staff' must be a list of [[staff]] tables")
    members: list[StaffMember] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = f"{where}: [[staff]] entry {index}"
        if not isinstance(entry, dict):
            raise StaffFileError(f"{label} is not a table")
        staff_id = entry.get("id")
        if isinstance(staff_id, str) and staff_id.strip():
            label += f" (id {staff_id!r})"
        staff_id, name, pin_hash = (_required_text(entry, key, label) for key in ("id", "name", "pin_hash"))
        unknown = sorted(set(entry) - {"id", "name", "pin_hash", "roles"})
        if unknown:
            raise StaffFileError(f"{label}: unknown key(s) {', '.join(unknown)}")
        if "/" in staff_id or any(c.isspace() for c in staff_id):
            raise StaffFileError(f"{label}: 'id' must not contain '/' or spaces (it is part of the audit actor)")
        if staff_id in seen:
            raise StaffFileError(f"{label}: id appears twice")
        seen.add(staff_id)
        try:
            _parse_hash(pin_hash)
        except ValueError as exc:
            raise StaffFileError(f"{label}: {exc}") from None
        members.append(StaffMember(staff_id, name.strip(), pin_hash, _roles(entry, label)))
    return members


def _roles(entry: Mapping[str, Any], label: str) -> tuple[str, ...]:
    roles = entry.get("roles", ["clerk"])
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        raise StaffFileError(f"{label}: 'roles' must be a non-empty list, e.g. [\"clerk\", \"complaint_officer\"]")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise StaffFileError(f"{label}: unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
    return tuple(dict.fromkeys(roles))


def _required_text(entry: Mapping[str, Any], key: str, label: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise StaffFileError(f"{label}: '{key}' is missing or empty")
    return value
