"""Which services can still give a number now, for the service list's badges and the requirements screen.

Before issue 17 a citizen learnt "quota full" or "closed" on the confirm step, after choosing, reading
and typing a NIK, with the advice to apply online. Now one read of every service
(:meth:`kiosk.queue.client.QueueClient.availability`) runs off the GUI thread each time the list is
shown; the screens show its answer. A failed read shows nothing (no badge, nothing blocked): the
confirm step still refuses with the engine's own answer, so a wrong promise costs a step, a wrong
"Tutup" would send a citizen home. An answer older than :data:`STALE_SECONDS` is not shown either.
"""

from __future__ import annotations

import logging
import time as wallclock
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal

from kiosk.i18n import Translator
from kiosk.queue.availability import Availability, AvailabilitySnapshot, ServiceAvailability
from kiosk.ui.qt.tasks import Refresher, TaskRunner

log = logging.getLogger(__name__)

STALE_SECONDS = 120.0  # an answer older than this says nothing (a kiosk left on the list all lunch break)
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AvailabilityWatch(QObject):
    """The latest availability of every service, read on ``runner`` when a screen asks."""

    changed = Signal()

    def __init__(self, read: Callable[[], AvailabilitySnapshot], runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot: AvailabilitySnapshot | None = None
        self._received = 0.0
        self._refresher = Refresher(runner, read, self._arrived, self._failed)  # one read under way at most

    def refresh(self) -> None:
        self._refresher.request()

    def of(self, service_code: str) -> ServiceAvailability | None:
        """The service's state, or None when unknown (no answer yet, a failed or stale one)."""
        if self._snapshot is None or wallclock.monotonic() - self._received > STALE_SECONDS:
            return None
        return self._snapshot.of(service_code)

    @property
    def at(self) -> datetime | None:
        return self._snapshot.at if self._snapshot is not None else None

    def _arrived(self, snapshot: AvailabilitySnapshot) -> None:
        self._snapshot, self._received = snapshot, wallclock.monotonic()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        log.warning("service availability unavailable (no badges shown): %s", exc)
        self._snapshot = None
        self.changed.emit()


def badge(t: Translator, state: ServiceAvailability | None, priority: bool = False) -> str:
    """The tile's word: "Kuota habis", "Tutup", "Segera tutup (15:00)", or "" (open, or not known); for a
    ``priority`` citizen a used-up quota reads "Prioritas tetap dilayani" (they are never refused for it)."""
    if state is None or state.state is Availability.OPEN:
        return ""
    if priority and state.state is Availability.QUOTA_FULL:
        return t("availability.priority_served")
    if state.state is Availability.CLOSING_SOON and state.closes_at is not None:
        return t("availability.closing_soon", time=f"{state.closes_at:%H:%M}")
    if state.state is Availability.CLOSING_SOON:
        return ""
    return t("availability.quota_full" if state.state is Availability.QUOTA_FULL else "availability.closed")


def when(t: Translator, moment: datetime, now: datetime) -> str:
    """"hari ini pukul 08:00", "besok pukul 08:00", "hari Senin pukul 08:00" (both in the building's time)."""
    moment = moment.astimezone(now.tzinfo)
    time = f"{moment:%H:%M}"
    if moment.date() == now.date():
        return t("availability.today", time=time)
    if moment.date() == now.date() + timedelta(days=1):
        return t("availability.tomorrow", time=time)
    return t("availability.on_day", day=t(f"availability.weekday.{WEEKDAY_KEYS[moment.weekday()]}"), time=time)


def notice(t: Translator, state: ServiceAvailability | None, now: datetime | None,
           other_agency_service: str | None, priority: bool = False) -> str:
    """What the requirements screen says; for a full or closed service, what the citizen can do here and now.

    ``other_agency_service``: the agency's short name when another of its services can still give a
    number (then "Tekan Kembali untuk memilih layanan ... lain"), else None. ``priority``: the citizen
    chose priority service, which a used-up quota does not refuse (UU 25/2009 art. 29): they are told
    they may go on; a walk-in citizen is told that priority citizens still are served.
    """
    if state is None or state.state is Availability.OPEN:
        return ""
    if state.state is Availability.CLOSING_SOON:
        return (t("availability.closing_soon_notice", time=f"{state.closes_at:%H:%M}")
                if state.closes_at is not None else "")
    full = state.state is Availability.QUOTA_FULL
    if full and priority:
        return t("availability.quota_full_notice") + " " + t("availability.priority_beyond_quota")
    parts = [t("availability.quota_full_notice" if full else "availability.closed_notice")]
    if full:
        parts.append(t("availability.quota_full_priority"))
    if other_agency_service is not None:
        parts.append(t("availability.other_service", agency=other_agency_service))
    parts.append(t("availability.ask_desk"))
    if state.next_open is not None and now is not None:
        parts.append(t("availability.come_back", when=when(t, state.next_open, now)))
    return " ".join(parts)
