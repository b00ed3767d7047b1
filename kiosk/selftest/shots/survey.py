"""Pictures of the survey screens for ``kiosk selftest`` (called from :mod:`kiosk.selftest.tour`)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from kiosk.config.schema import Config
from kiosk.i18n import LANGUAGES
from kiosk.selftest.scene import KIOSK_SIZES, save_shot, scratch_core, wait_for
from kiosk.survey.link import target_for
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.ui.survey.counter import SurveyWindow
from kiosk.ui.survey.flow import SurveyFlow
from kiosk.visit.flow import Step


def capture_survey(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in KIOSK_SIZES.items():
        for lang in LANGUAGES:
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                core = scratch_core(config, Path(scratch))
                try:
                    _walk_survey(core, lang, size, out / f"survey-{orientation}-{lang}", shots)
                finally:
                    core.close()
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        core = scratch_core(config, Path(scratch))
        try:
            ticket = _served_ticket(core, "KK")
            for lang in LANGUAGES:
                window = SurveyWindow(core.config, core.catalog, _store(core))
                window.resize(1280, 800)
                window.open_for(target_for(ticket, core.catalog), lang)
                save_shot(window, out / f"survey-counter-tablet-{lang}-1-intro.png", shots)
                window.flow._start_questions()
                save_shot(window, out / f"survey-counter-tablet-{lang}-2-question.png", shots)
                window.shutdown()
                window.flow.store.close()
                window.deleteLater()
        finally:
            core.close()
    capture_manager(config, out, shots)


def capture_manager(config: Config, out: Path, shots: list[Path]) -> None:
    """The performance panel over a seeded month (this month, weekdays)."""
    from datetime import date

    from kiosk.reports.seed import seed_month
    from kiosk.ui.counter.manager import ManagerWindow

    for lang in LANGUAGES:
        with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
            core = scratch_core(config, Path(scratch))
            try:
                today = date.today()
                assert core.catalog is not None
                seed_month(core.config.data_dir / "queue.db", core.config.data_dir / "survey.db", core.catalog,
                           today.year, today.month, tickets=2000)
                window = ManagerWindow(dataclasses.replace(core.config, device=dataclasses.replace(
                    core.config.device, language=lang)))
                window.resize(1600, 900)
                window.show()
                window.show_period("month")
                wait_for(lambda: window.report is not None)
                save_shot(window, out / f"manager-{lang}-month.png", shots)
                window.shutdown()
                window.deleteLater()
            finally:
                core.close()


def _store(core: object):  # type: ignore[no-untyped-def]
    from kiosk.survey.store import SurveyStore

    return SurveyStore(core.config.data_dir / "survey.db")  # type: ignore[attr-defined]


def _served_ticket(core: object, service: str):  # type: ignore[no-untyped-def]
    queue = core.queue  # type: ignore[attr-defined]
    issued = queue.issue(service, request_id=f"survey-shot-{service}")
    queue.call_specific(3, issued.ticket.number, actor="selftest")
    queue.start(issued.ticket.id, actor="selftest")
    return queue.finish(issued.ticket.id, actor="selftest")


def _walk_survey(core: object, lang: str, size: tuple[int, int], prefix: Path, shots: list[Path]) -> None:
    ticket = _served_ticket(core, "KTP-EL")
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False))  # type: ignore[attr-defined]
    try:
        window.resize(*size)
        window.show()
        window.set_language(lang)

        def shot(name: str) -> None:
            save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)

        shot("01-welcome")
        window.start_survey()
        flow: SurveyFlow = window.screens[Step.SURVEY]  # type: ignore[assignment]
        letter, digits = ticket.number.split("-")
        flow._pick_letter(letter)
        for digit in str(int(digits)):
            flow._type_digit(digit)
        shot("02-number")
        flow._check_number()
        wait_for(lambda: flow.pages.currentWidget() is flow.intro)
        shot("03-intro")
        flow._start_questions()
        shot("04-question-1")
        for score in (4, 3, 3, 4, 3, 4):
            flow._answer(score)
        flow.answers[flow.index] = 3
        flow._show_question()
        shot("05-question-7-chosen")
        window.set_large_text(True)
        shot("06-question-7-large-text")
        window.set_large_text(False)
        flow._answer(3)
        flow._skip()
        flow._answer(4)
        flow._choose("sex", "female")
        flow._choose("age_band", "60_plus")
        shot("07-about-1")
        flow._next_page()
        shot("08-about-2")
        flow._next_page()
        flow._set_kind("complaint")
        flow.feedback_text.setText("kursi kurang")
        flow._toggle_keyboard()
        shot("09-feedback")
        flow._send()
        wait_for(lambda: flow.pages.currentWidget() is flow.thanks)
        flow.thanks_timer.stop()
        shot("10-thanks")
        window.wipe()
        window.start_survey()
        flow._pick_letter(letter)
        for digit in str(int(digits)):
            flow._type_digit(digit)
        flow._check_number()
        wait_for(lambda: flow._entry_error is not None)
        shot("11-already-rated")
    finally:
        window.shutdown()
        window.deleteLater()
