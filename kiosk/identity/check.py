"""What happens after a live face: the 1:1 identity call and its outcomes, as plain rules.

* verified → the ticket says identity checked;
* not matched → one more try (a fresh liveness check and photo), then "please go to the information desk";
* central API unavailable or this kiosk offline → the ticket is issued marked "identity to be verified at
  the counter", and the face picture is kept *encrypted* (AES-256-GCM, key file 0600) only until the
  counter has verified the citizen or the day ends (:class:`PendingFaces`).

The client is ``kiosk.sync.central_client.CentralClient`` (anything with its ``verify_identity``);
no Qt here, so the rules are tested without a screen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Protocol

from kiosk.queue.models import EventType, QueueEvent
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.sync.central_client import CentralError, CentralRejected, CentralUnavailable, IdentityResult, NotEnrolled
from kiosk.utils.log import event
from kiosk.utils.privacy import mask_nik

log = logging.getLogger(__name__)


class IdentityClient(Protocol):
    def verify_identity(self, nik: str, face_jpeg: bytes) -> IdentityResult: ...


class IdentityOutcome(str, Enum):
    VERIFIED = "verified"
    RETRY = "retry"  # not matched, a try is left: do the live check again
    GO_TO_DESK = "go_to_desk"  # not matched twice (or no register photo): the information desk helps
    DEFERRED = "deferred"  # could not ask: verified at the counter; the photo is kept encrypted until then

    @property
    def ticket_status(self) -> str:
        """What the ticket / the counter sees (``CitizenSession.identity_status`` vocabulary)."""
        return "verified" if self is IdentityOutcome.VERIFIED else "to_verify_at_counter"


@dataclass(frozen=True)
class IdentityDecision:
    outcome: IdentityOutcome
    attempt: int
    score: float | None = None
    reason: str = ""  # no_match, nik_not_registered, unavailable, rejected

    def evidence(self) -> dict[str, object]:
        return {"outcome": self.outcome.value, "attempt": self.attempt,
                "score": None if self.score is None else round(self.score, 3), "reason": self.reason}


class IdentityCheck:
    """One citizen's identity verification: counts tries, maps answers and failures to outcomes."""

    def __init__(self, client: IdentityClient | None, *, max_attempts: int = 2) -> None:
        self.client = client
        self.max_attempts = max_attempts
        self.attempts = 0

    def verify(self, nik: str, face_jpeg: bytes) -> IdentityDecision:
        """Ask the central API once. Network trouble never raises: it becomes DEFERRED."""
        self.attempts += 1
        if self.client is None:
            decision = IdentityDecision(IdentityOutcome.DEFERRED, self.attempts, reason="offline")
        else:
            try:
                result = self.client.verify_identity(nik, face_jpeg)
            except (CentralUnavailable, NotEnrolled):
                decision = IdentityDecision(IdentityOutcome.DEFERRED, self.attempts, reason="unavailable")
            except CentralRejected as exc:
                # e.g. 422 no_face: the picture could not be used; another try, then the desk
                decision = self._not_matched(None, exc.code or "rejected")
            except CentralError:
                decision = IdentityDecision(IdentityOutcome.DEFERRED, self.attempts, reason="unavailable")
            else:
                if result.matched:
                    decision = IdentityDecision(IdentityOutcome.VERIFIED, self.attempts, result.score)
                elif result.reason == "nik_not_registered":
                    decision = IdentityDecision(IdentityOutcome.GO_TO_DESK, self.attempts, result.score,
                                                "nik_not_registered")
                else:
                    decision = self._not_matched(result.score, result.reason or "no_match")
        event(log, "face.identity", "identity check for NIK %s: %s", mask_nik(nik), decision.evidence())
        return decision

    def close(self) -> None:
        """Release the client's connections (a session's check ends with the session)."""
        close = getattr(self.client, "close", None)
        if callable(close):
            close()

    def _not_matched(self, score: float | None, reason: str) -> IdentityDecision:
        outcome = IdentityOutcome.RETRY if self.attempts < self.max_attempts else IdentityOutcome.GO_TO_DESK
        return IdentityDecision(outcome, self.attempts, score, reason)


_REF = re.compile(r"[A-Za-z0-9_-]{1,64}")

#: Queue events after which a kept face has no use left: the clerk started serving (the e-KTP was
#: checked at the counter), finished, or the ticket was cancelled. A no-show may come back later
#: the same day, so its face stays until the day ends.
COUNTER_DONE_EVENTS = frozenset({EventType.STARTED, EventType.FINISHED, EventType.CANCELLED})


def face_to_release(queue_event: QueueEvent) -> str | None:
    """The pending-face reference (the ticket's request id) that ``queue_event`` makes unnecessary."""
    ticket = queue_event.ticket
    if queue_event.type in COUNTER_DONE_EVENTS and ticket.identity_status == "to_verify_at_counter":
        return ticket.request_id if _REF.fullmatch(ticket.request_id) else None
    return None


class PendingFaces:
    """Face pictures awaiting counter verification: encrypted on disk, gone after verification or the day.

    ``folder/<day>/<ref>.bin`` — sealed with AES-256-GCM; the associated data is ``day/ref`` so a file
    moved to another ticket does not open. :meth:`purge` (run at start-up and by the daily reset) deletes
    every day before today.
    """

    KEY_FILE = "pending-faces.key"

    def __init__(self, folder: Path, today: Callable[[], date] = date.today) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._sealer = Sealer(load_or_create_key(self.folder / self.KEY_FILE, create=True))
        self._today = today

    def _path(self, ref: str, day: date) -> Path:
        if not _REF.fullmatch(ref):
            raise ValueError("a pending-face reference is 1-64 letters, digits, '-' or '_'")
        return self.folder / day.isoformat() / f"{ref}.bin"

    def keep(self, ref: str, face_jpeg: bytes) -> Path:
        day = self._today()
        path = self._path(ref, day)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(self._sealer.seal(face_jpeg, f"{day.isoformat()}/{ref}"))
        tmp.replace(path)
        return path

    def load(self, ref: str) -> bytes | None:
        """Today's picture for ``ref`` (for the clerk's check), or None when there is none."""
        day = self._today()
        try:
            sealed = self._path(ref, day).read_bytes()
        except FileNotFoundError:  # never kept, or released (possibly by another thread) just now
            return None
        return self._sealer.open(sealed, f"{day.isoformat()}/{ref}")

    def release(self, ref: str) -> bool:
        """The counter verified the citizen: delete the picture now. True if one was there."""
        path = self._path(ref, self._today())
        existed = path.is_file()
        path.unlink(missing_ok=True)
        return existed

    def purge(self) -> int:
        """Delete every picture from before today; returns how many went."""
        today = self._today().isoformat()
        removed = 0
        for day_dir in self.folder.iterdir():
            if day_dir.is_dir() and day_dir.name < today:
                for file in day_dir.iterdir():
                    file.unlink(missing_ok=True)
                    removed += 1
                day_dir.rmdir()
        return removed
