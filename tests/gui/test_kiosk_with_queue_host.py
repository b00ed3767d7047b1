"""A kiosk and a counter console of a real building: the queue is the queue host, over HTTP."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from gui_touch import COUNTER_TOKEN, KIOSK_TOKEN
from PySide6.QtCore import Qt

from kiosk.config.schema import Config, QueueSection
from kiosk.core import Core, build_core
from kiosk.queue.http_client import HttpQueue
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step


def walk_to_confirm(kiosk: KioskWindow, core: Core) -> None:
    kiosk.start_normal()
    kiosk.choose_service(core.catalog.service("KTP-EL"))
    kiosk.after_requirements()
    for digit in "3171014501900001":
        kiosk.screens[Step.IDENTIFY]._type_digit(digit)
    kiosk.screens[Step.IDENTIFY]._submit()


def terminal(config: Config, url: str, token: str) -> Core:
    return build_core(dataclasses.replace(config, queue=QueueSection(host_url=url, device_token=token)))


def test_ticket_from_the_kiosk_is_called_at_the_counter(qtbot, config: Config, queue_host: str) -> None:
    kiosk_core = terminal(config, queue_host, KIOSK_TOKEN)
    counter_core = terminal(config, queue_host, COUNTER_TOKEN)
    try:
        assert isinstance(kiosk_core.queue, HttpQueue)
        kiosk = KioskWindow(kiosk_core.config, kiosk_core.catalog, kiosk_core.queue, Speaker(enabled=False),
                            survey_store=kiosk_core.survey)
        counter = CounterWindow(counter_core.config, counter_core.catalog, counter_core.queue,
                                survey_store=counter_core.survey)
        for window in (kiosk, counter):
            qtbot.addWidget(window)
            window.show()
        walk_to_confirm(kiosk, kiosk_core)
        with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000) as blocker:
            qtbot.mouseClick(kiosk.screens[Step.CONFIRM].confirm_button, Qt.MouseButton.LeftButton)
        assert blocker.args[0].ticket.number == "A-001"
        qtbot.waitUntil(lambda: counter.waiting_list.count() == 1 and "A-001" in counter.waiting_list.item(0).text(),
                        timeout=10_000)  # arrived through the host's event stream
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counter.current_number.text() == "A-001", timeout=10_000)
    finally:
        kiosk_core.close()
        counter_core.close()


def test_unreachable_host_tells_the_citizen_to_retry(qtbot, config: Config, tmp_path: Path) -> None:
    core = terminal(config, "http://127.0.0.1:9", KIOSK_TOKEN)  # nothing listens on port 9
    try:
        kiosk = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
        qtbot.addWidget(kiosk)
        kiosk.show()
        walk_to_confirm(kiosk, core)
        confirm = kiosk.screens[Step.CONFIRM]
        qtbot.mouseClick(confirm.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: confirm.error.isVisible(), timeout=15_000)
        assert "Sistem antrean belum terhubung" in confirm.error.text()
        assert confirm.confirm_button.text() == "Coba lagi"
    finally:
        core.close()


def test_kiosk_finds_a_finished_ticket_by_number_on_the_host_for_the_survey(qtbot, config: Config,
                                                                           queue_host: str) -> None:
    """ "Nilai layanan kami" in a multi-machine building: the number typed at the kiosk is looked up on
    the queue host (GET /v1/tickets/by-number/{number}); unknown and unfinished numbers say so."""
    from PySide6.QtWidgets import QPushButton

    from kiosk.queue.models import TicketNotFound

    kiosk_core = terminal(config, queue_host, KIOSK_TOKEN)
    counter_core = terminal(config, queue_host, COUNTER_TOKEN)
    try:
        issued = kiosk_core.queue.issue("KTP-EL", request_id="lan-survey")
        assert kiosk_core.queue.find("a-001").id == issued.ticket.id  # as typed, any case
        with pytest.raises(TicketNotFound):
            kiosk_core.queue.find("Z-999")
        kiosk = KioskWindow(kiosk_core.config, kiosk_core.catalog, kiosk_core.queue, Speaker(enabled=False),
                            survey_store=kiosk_core.survey)
        qtbot.addWidget(kiosk)
        kiosk.resize(1080, 1920)
        kiosk.show()
        survey_button = kiosk.screens[Step.WELCOME].findChild(QPushButton, "surveyButton")
        assert survey_button.isVisible()  # hidden in multi-machine buildings before the host could look up

        def rate(number: str) -> None:
            kiosk.wipe()
            qtbot.mouseClick(survey_button, Qt.MouseButton.LeftButton)
            flow = kiosk.survey
            letter, digits = number.split("-")
            qtbot.mouseClick(flow.findChild(QPushButton, f"prefix{letter}"), Qt.MouseButton.LeftButton)
            for digit in str(int(digits)):
                qtbot.mouseClick(flow.entry.keypad.findChild(QPushButton, f"key{digit}"), Qt.MouseButton.LeftButton)
            qtbot.mouseClick(flow.findChild(QPushButton, "surveyEntryNext"), Qt.MouseButton.LeftButton)

        rate("A-001")  # not served yet
        qtbot.waitUntil(lambda: "belum selesai" in kiosk.survey.entry.message.text(), timeout=10_000)
        called = counter_core.queue.call_next(1, ["KTP-EL"], actor="loket-01@counter-1")
        counter_core.queue.start(called.id, actor="loket-01@counter-1")
        counter_core.queue.finish(called.id, actor="loket-01@counter-1")
        rate("A-001")
        qtbot.waitUntil(lambda: kiosk.survey.pages.currentWidget() is kiosk.survey.intro, timeout=10_000)
        assert kiosk.survey.intro.counter.text() == "Loket 1"
        kiosk.shutdown()
    finally:
        kiosk_core.close()
        counter_core.close()
