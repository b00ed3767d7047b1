"""The admin door of a locked-down kiosk: the corner gesture, the admin PIN and its lockout.

No Qt here: :class:`CornerTaps` is fed tap positions and times by the window, :class:`AdminGate`
checks the PIN (scrypt, from :mod:`kiosk.staff.directory`) and slows guessing. Both are plain objects the
tests drive directly.

Where the PIN lives: ``[admin] pin_hash`` in the site configuration (written by ``kiosk setup``).
When it is empty the documented demo PIN :data:`DEMO_PIN` opens the menu, a warning is logged at
start and diagnostics flags it, so a real install is never left on it unnoticed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from kiosk.config.schema import Config
from kiosk.staff.directory import LockedOut, StaffDirectory, StaffMember, WrongPin, hash_pin

log = logging.getLogger(__name__)

DEMO_PIN = "1234"
PIN_MIN_DIGITS, PIN_MAX_DIGITS = 4, 8
MAX_ATTEMPTS = 3
LOCKOUT_SECONDS = 120.0
TAPS_NEEDED = 5
TAP_WINDOW_SECONDS = 3.0
CORNER_FRACTION = 0.08  # of the short screen side: ~86 px on a 1080 px kiosk
CORNER_MIN_PX = 60

# Exit codes of a GUI role, for the service manager: "exit to desktop" stops for good (0, so
# systemd's Restart=on-failure leaves it stopped), "restart" asks to be started again.
EXIT_TO_DESKTOP = 0
EXIT_RESTART = 75  # EX_TEMPFAIL: a failure exit, so Restart=on-failure starts the app again

_ADMIN_ID = "admin"


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be an admin PIN (an i18n key), or None when it can."""
    if not pin.isdigit() or not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        return "admin.pin.rule"
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210" or pin == DEMO_PIN:
        return "admin.pin.too_simple"
    return None


def make_pin_hash(pin: str) -> str:
    """The value for ``[admin] pin_hash``; refuses PINs :func:`pin_problem` rejects."""
    problem = pin_problem(pin)
    if problem is not None:
        raise ValueError(f"unusable admin PIN ({problem})")
    return hash_pin(pin)


AttemptResult = Literal["ok", "wrong", "locked"]


@dataclass(frozen=True)
class Attempt:
    result: AttemptResult
    attempts_left: int = 0
    seconds_left: float = 0.0


class AdminGate:
    """Checks the admin PIN; after :data:`MAX_ATTEMPTS` wrong PINs it refuses all tries for
    :data:`LOCKOUT_SECONDS` and logs the lockout (a warning: someone is guessing at the kiosk)."""

    def __init__(self, pin_hash: str, *, clock: Callable[[], float] = time.monotonic,
                 max_attempts: int = MAX_ATTEMPTS, lockout_seconds: float = LOCKOUT_SECONDS) -> None:
        self.uses_demo_pin = not pin_hash
        stored = pin_hash or _demo_hash()
        self._directory = StaffDirectory([StaffMember(_ADMIN_ID, "Admin", stored)], clock=clock,
                                         max_attempts=max_attempts, lockout_seconds=lockout_seconds)

    @classmethod
    def from_config(cls, config: Config, *, clock: Callable[[], float] = time.monotonic,
                    max_attempts: int = MAX_ATTEMPTS, lockout_seconds: float = LOCKOUT_SECONDS) -> AdminGate:
        gate = cls(config.admin.pin_hash, clock=clock, max_attempts=max_attempts, lockout_seconds=lockout_seconds)
        if gate.uses_demo_pin:
            log.warning("no admin PIN set ([admin] pin_hash in %s): the demo PIN opens the admin menu; "
                        "run 'kiosk setup' to set one", config.source)
        return gate

    def locked_for(self) -> float:
        return self._directory.locked_for(_ADMIN_ID)

    def try_pin(self, pin: str) -> Attempt:
        """Slow (scrypt): run it off the GUI thread."""
        try:
            self._directory.sign_in(_ADMIN_ID, pin)
        except WrongPin as exc:
            log.info("admin PIN wrong; %d attempts left", exc.attempts_left)
            return Attempt("wrong", attempts_left=exc.attempts_left)
        except LockedOut as exc:
            log.warning("admin PIN locked for %.0f s after %d wrong PINs", exc.seconds_left,
                        self._directory.max_attempts)
            return Attempt("locked", seconds_left=exc.seconds_left)
        log.info("admin menu opened")
        return Attempt("ok")


_DEMO_HASH: list[str] = []


def _demo_hash() -> str:
    if not _DEMO_HASH:
        _DEMO_HASH.append(hash_pin(DEMO_PIN))
    return _DEMO_HASH[0]


@dataclass
class CornerTaps:
    """Five taps in the top-left corner within three seconds open the admin PIN pad.

    The corner is small and the count resets on any tap elsewhere, so a citizen's ordinary use
    never opens it by accident.
    """

    taps_needed: int = TAPS_NEEDED
    window_seconds: float = TAP_WINDOW_SECONDS
    _times: list[float] = field(default_factory=list)

    @staticmethod
    def corner_size(width: int, height: int) -> int:
        return max(CORNER_MIN_PX, round(min(width, height) * CORNER_FRACTION))

    def tap(self, x: int, y: int, width: int, height: int, now: float) -> bool:
        """Record one tap; True when it completes the gesture (the count then starts over)."""
        size = self.corner_size(width, height)
        if x > size or y > size:
            self._times.clear()
            return False
        self._times = [t for t in self._times if now - t <= self.window_seconds] + [now]
        if len(self._times) >= self.taps_needed:
            self._times.clear()
            return True
        return False
