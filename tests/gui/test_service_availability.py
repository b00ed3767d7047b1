"""Quota full, closed and closing soon are told on the service list, before anything is typed (issue 17, item 3).

Driven by clicks on the kiosk window over the in-process queue (the one-machine setup). :func:`wire`
connects the availability read to the two screens as the window does it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from gui_touch import click
from PySide6.QtWidgets import QPushButton

from kiosk.core import Core, service_rules
from kiosk.queue.availability import AvailabilitySnapshot, availability
from kiosk.queue.models import OpeningHours, QuotaFull
from kiosk.ui.kiosk.availability import AvailabilityWatch
from kiosk.ui.kiosk.requirements import RequirementsScreen
from kiosk.ui.kiosk.service_choice import ServiceScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

JAKARTA = ZoneInfo("Asia/Jakarta")
HOURS = OpeningHours(time(8), time(15), frozenset(range(5)))


@pytest.fixture
def kiosk(qtbot, core: Core) -> Iterator[KioskWindow]:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window


def wire(window: KioskWindow, read: Callable[[], AvailabilitySnapshot] | None = None) -> AvailabilityWatch:
    """What KioskWindow._build_screens does: one watch, read on the window's runner, shown by both screens."""
    site = window.config.site
    watch = AvailabilityWatch(read or (lambda: window.queue.availability(site.closing_soon_minutes)),
                              window.runner, window)
    service, requirements = window.screens[Step.SERVICE], window.screens[Step.REQUIREMENTS]
    assert isinstance(service, ServiceScreen) and isinstance(requirements, RequirementsScreen)
    service.watch_availability(watch)
    requirements.watch_availability(watch)
    return watch


def at(core: Core, local: datetime) -> Callable[[], AvailabilitySnapshot]:
    """The domain's answer for this catalog at ``local`` (Jakarta), as a queue with those ticket hours gives it."""
    rules = service_rules(core.catalog)
    return lambda: availability(rules, {}, HOURS, JAKARTA, local.replace(tzinfo=JAKARTA), timedelta(minutes=30))


def next_button(window: KioskWindow) -> QPushButton:
    found = window.screens[Step.REQUIREMENTS].findChild(QPushButton, "nextButton")
    assert found is not None
    return found


def show_list(qtbot, window: KioskWindow, watch: AvailabilityWatch) -> None:
    with qtbot.waitSignal(watch.changed, timeout=5000):
        click(qtbot, window.screens[Step.WELCOME].findChild(QPushButton, "startButton"))
    assert window.current_step == Step.SERVICE


def test_a_full_service_is_marked_on_the_list_and_never_leads_to_the_nik(qtbot, kiosk: KioskWindow,
                                                                        core: Core) -> None:
    i = 0
    with pytest.raises(QuotaFull):
        while True:
            core.queue.issue("KIA", request_id=f"fill-{i}")
            i += 1
    watch = wire(kiosk)
    show_list(qtbot, kiosk, watch)
    service = kiosk.screens[Step.SERVICE]
    assert service.badges["KIA"].isVisible() and service.badges["KIA"].text() == "Kuota habis"
    assert not service.badges["KTP-EL"].isVisible()  # open: no word at all
    click(qtbot, service.tiles["KIA"])
    assert kiosk.current_step == Step.REQUIREMENTS
    notice = kiosk.screens[Step.REQUIREMENTS].availability_notice
    assert notice.isVisible()
    assert "Tanyakan ke meja informasi" in notice.text()
    assert "layanan Kependudukan lain" in notice.text()  # KTP-EL of the same agency still gives numbers
    assert "daring" not in notice.text()
    assert not next_button(kiosk).isEnabled()  # no NIK typed for nothing
    assert notice.text() in kiosk.screens[Step.REQUIREMENTS].spoken_text()
    click(qtbot, kiosk.bar.lang_en)
    assert "Ask at the information desk." in notice.text()
    click(qtbot, kiosk.bar.back_button)
    assert kiosk.current_step == Step.SERVICE
    assert service.badges["KIA"].text() == "Quota full"
    click(qtbot, service.tiles["KTP-EL"])
    qtbot.waitUntil(lambda: kiosk.screens[Step.REQUIREMENTS].availability_notice.isHidden(), timeout=5000)
    click(qtbot, next_button(kiosk))
    assert kiosk.current_step == Step.IDENTIFY
    assert len(core.queue.waiting(["KIA"])) == i


def test_closed_says_when_it_opens_and_what_to_do_now(qtbot, kiosk: KioskWindow, core: Core) -> None:
    watch = wire(kiosk, at(core, datetime(2025, 6, 20, 16, 0)))  # a Friday after closing
    show_list(qtbot, kiosk, watch)
    service = kiosk.screens[Step.SERVICE]
    assert {service.badges[s.code].text() for s in core.catalog.services} == {"Tutup"}
    click(qtbot, service.tiles["KK"])
    notice = kiosk.screens[Step.REQUIREMENTS].availability_notice
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert "Tanyakan ke meja informasi" in notice.text()
    assert "hari Senin pukul 08:00" in notice.text()
    assert "lain yang masih buka" not in notice.text()  # every service is closed: not offered
    assert not next_button(kiosk).isEnabled()


def test_closing_soon_shows_the_time_and_lets_the_citizen_go_on(qtbot, kiosk: KioskWindow, core: Core) -> None:
    watch = wire(kiosk, at(core, datetime(2025, 6, 16, 14, 40)))
    show_list(qtbot, kiosk, watch)
    service = kiosk.screens[Step.SERVICE]
    assert service.badges["KTP-EL"].text() == "Segera tutup (15:00)"
    assert service.badges["KTP-EL"].objectName() == "banner"  # the highlight, not the alarm
    click(qtbot, service.tiles["KTP-EL"])
    notice = kiosk.screens[Step.REQUIREMENTS].availability_notice
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert "15:00" in notice.text()
    click(qtbot, next_button(kiosk))
    assert kiosk.current_step == Step.IDENTIFY


def test_a_failed_read_shows_nothing_rather_than_a_wrong_badge(qtbot, kiosk: KioskWindow) -> None:
    def unreachable() -> AvailabilitySnapshot:
        raise ConnectionError("queue host down")

    watch = wire(kiosk, unreachable)
    show_list(qtbot, kiosk, watch)
    service = kiosk.screens[Step.SERVICE]
    assert not any(badge.isVisible() for badge in service.badges.values())
    click(qtbot, service.tiles["KIA"])
    assert not kiosk.screens[Step.REQUIREMENTS].availability_notice.isVisible()
    click(qtbot, next_button(kiosk))  # unknown: the confirm step still asks the engine
    assert kiosk.current_step == Step.IDENTIFY


def test_a_priority_citizen_is_never_turned_away_by_a_full_quota(qtbot, kiosk: KioskWindow, core: Core) -> None:
    """UU 25/2009 art. 29 (issue 20, item 4): the list and the requirements say so, and the ticket is issued."""
    i = 0
    with pytest.raises(QuotaFull):
        while True:
            core.queue.issue("KTP-EL", request_id=f"fill-{i}")
            i += 1
    watch = wire(kiosk)
    show_list(qtbot, kiosk, watch)
    click(qtbot, kiosk.screens[Step.SERVICE].tiles["KTP-EL"])
    notice = kiosk.screens[Step.REQUIREMENTS].availability_notice
    assert "Warga prioritas (lansia, penyandang disabilitas" in notice.text()  # the walk-in is told the rule
    assert not next_button(kiosk).isEnabled()
    click(qtbot, kiosk.findChild(QPushButton, "homeButton"))  # start again, as a priority citizen
    click(qtbot, kiosk.screens[Step.WELCOME].findChild(QPushButton, "priorityButton"))
    with qtbot.waitSignal(watch.changed, timeout=5000):
        click(qtbot, kiosk.screens[Step.PRIORITY].findChild(QPushButton, "priority_elderly"))
    badge = kiosk.screens[Step.SERVICE].badges["KTP-EL"]
    assert badge.text() == "Prioritas tetap dilayani" and badge.objectName() == "banner"  # not the alarm style
    click(qtbot, kiosk.screens[Step.SERVICE].tiles["KTP-EL"])
    assert notice.text() == ("Kuota antrean layanan ini untuk hari ini sudah habis. Warga prioritas tetap dilayani "
                             "walaupun kuota habis (UU 25/2009 pasal 29). Silakan lanjutkan.")
    assert notice.objectName() == "banner"
    click(qtbot, next_button(kiosk))
    assert kiosk.current_step == Step.IDENTIFY
    for digit in "3171014501900001":
        click(qtbot, kiosk.screens[Step.IDENTIFY].findChild(QPushButton, f"key{digit}"))
    click(qtbot, kiosk.screens[Step.IDENTIFY].findChild(QPushButton, "nextButton"))
    assert kiosk.current_step == Step.CONFIRM
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=5000):
        click(qtbot, kiosk.screens[Step.CONFIRM].findChild(QPushButton, "confirmButton"))
    assert kiosk.current_step == Step.TICKET
    assert kiosk.session.issued.ticket.number == f"A-{i + 1:03d}"  # one past the quota
