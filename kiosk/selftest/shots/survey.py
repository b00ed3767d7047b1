"""Pictures of the survey screens for ``kiosk selftest`` (called from :mod:`kiosk.selftest.tour`)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QWidget

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES, Language
from kiosk.queue.models import Ticket
from kiosk.reports.seed import seed_month
from kiosk.selftest.scene import KIOSK_SIZES, letter_key, save_shot, scratch, tap, tap_keys, wait_for
from kiosk.survey.link import target_for
from kiosk.ui.counter.manager import ManagerWindow
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.survey.counter import SurveyWindow
from kiosk.ui.survey.flow import SurveyFlow
from kiosk.visit.flow import Step


def capture_survey(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            with scratch(config) as core:
                _walk_survey(core, lang, size, out / f"survey-{orientation}-{lang}", shots)
    with scratch(config) as core:
        ticket = _served_ticket(core, "KK")
        for lang in LANGUAGES:
            window = SurveyWindow(core.config, core.catalog, core.survey)
            window.resize(1280, 800)
            window.open_for(target_for(ticket, core.catalog), lang)
            save_shot(window, out / f"survey-counter-tablet-{lang}-1-intro.png", shots)
            tap(window, "surveyStart")
            save_shot(window, out / f"survey-counter-tablet-{lang}-2-question.png", shots)
            window.shutdown()
            window.deleteLater()
    capture_manager(config, out, shots)


def capture_manager(config: Config, out: Path, shots: list[Path]) -> None:
    """The performance panel over a seeded month (this month, weekdays)."""
    for lang in LANGUAGES:
        with scratch(config) as core:
            _manager_month(core, lang, out / f"manager-{lang}-month.png", shots)


def _manager_month(core: Core, lang: Language, path: Path, shots: list[Path]) -> None:
    today = date.today()
    assert core.catalog is not None
    seed_month(core.config.data_dir / "queue.db", core.config.data_dir / "survey.db", core.catalog,
               today.year, today.month, tickets=2000)
    window = ManagerWindow(dataclasses.replace(core.config, device=dataclasses.replace(core.config.device,
                                                                                        language=lang)))
    try:
        window.resize(1600, 900)
        window.show()
        window.show_period("month")
        wait_for(lambda: window.report is not None)
        save_shot(window, path, shots)
    finally:
        window.shutdown()
        window.deleteLater()


def _served_ticket(core: Core, service: str) -> Ticket:
    issued = core.queue.issue(service, request_id=f"survey-shot-{service}")
    core.queue.call_specific(3, issued.ticket.number, actor="selftest")
    core.queue.start(issued.ticket.id, actor="selftest")
    return core.queue.finish(issued.ticket.id, actor="selftest")


def _enter_ticket_number(window: QWidget, number: str) -> None:
    """The ticket's letter and digits on the survey's entry page, as the citizen taps them."""
    letter, digits = number.split("-")
    tap(window, f"prefix{letter}")
    tap_keys(window, str(int(digits)))


def _walk_survey(core: Core, lang: str, size: tuple[int, int], prefix: Path, shots: list[Path]) -> None:
    ticket = _served_ticket(core, "KTP-EL")
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")

        def shot(name: str) -> None:
            save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        shot("01-welcome")
        tap(window, "surveyButton")
        flow = window.screens[Step.SURVEY]
        assert isinstance(flow, SurveyFlow)
        _enter_ticket_number(window, ticket.number)
        shot("02-number")
        tap(window, "surveyEntryNext")
        wait_for(lambda: flow.pages.currentWidget() is flow.intro)
        shot("03-intro")
        tap(window, "surveyStart")
        shot("04-question-1")
        for score in (4, 3, 3, 4, 3, 4, 3):
            tap(window, f"answer{score}")
        tap(window, "backButton")  # back to question 7: the answer given shows chosen
        shot("05-question-7-chosen")
        tap(window, "textSize")
        shot("06-question-7-large-text")
        tap(window, "textSize")
        tap(window, "answer3")
        tap(window, "surveySkip")
        tap(window, "answer4")
        tap(window, "sex_female")
        tap(window, "age_band_60_plus")
        shot("07-about-1")
        tap(window, "aboutNext0")  # the about pages are numbered from 0
        shot("08-about-2")
        tap(window, "aboutNext1")
        tap(window, "kindComplaint")
        tap(window, "feedbackKeyboard")
        tap_keys(window, "kursi kurang", letter_key)
        shot("09-feedback")
        tap(window, "surveySend")
        wait_for(lambda: flow.pages.currentWidget() is flow.thanks)
        flow.thanks_timer.stop()  # the countdown back to welcome would change the picture
        shot("10-thanks")
        tap(window, "surveyDone")
        tap(window, "surveyButton")
        _enter_ticket_number(window, ticket.number)
        tap(window, "surveyEntryNext")
        wait_for(lambda: flow.entry.message.objectName() == "fieldError")  # this ticket was rated already
        shot("11-already-rated")
    finally:
        window.shutdown()
        window.deleteLater()
