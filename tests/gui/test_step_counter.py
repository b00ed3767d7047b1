"""The kiosk's step counter, clicked through: one total per path, shown from the service choice to
the ticket or receipt; it changes only when the citizen changes path ("fill it in at the counter")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_touch import click, named

from kiosk.applications.services import ApplicationServices
from kiosk.catalog.forms import load_forms
from kiosk.core import Core
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

VALID_NIK = "3171014501900001"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps", status_url_template="https://status.example/a/{number}")
    yield opened
    opened.close()


def make_kiosk(qtbot, core: Core, store: ApplicationStore) -> KioskWindow:
    services = ApplicationServices(forms=load_forms(), store=store, camera=None)
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), applications=services,
                         survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    return window


def recorder(window: KioskWindow) -> list[str]:
    seen: list[str] = []
    window.step_changed.connect(lambda step: seen.append(f"{step}: {window.header.step.text()}"))
    return seen


def pick(qtbot, window: KioskWindow, service: str) -> None:
    click(qtbot, window.screens[Step.SERVICE].tiles[service])
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, named(window, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(window, Step.IDENTIFY, "nextButton"))


def test_the_plain_ticket_path_counts_to_its_total(qtbot, core: Core, store: ApplicationStore) -> None:
    window = make_kiosk(qtbot, core, store)
    seen = recorder(window)
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    pick(qtbot, window, "KTP-EL")
    with qtbot.waitSignal(window.ticket_issued, timeout=5000):
        click(qtbot, named(window, Step.CONFIRM, "confirmButton"))
    assert seen == ["service: Langkah 1: pilih layanan", "requirements: Langkah 2 dari 5",
                    "identify: Langkah 3 dari 5", "confirm: Langkah 4 dari 5", "ticket: Langkah 5 dari 5"]


def test_changing_the_service_and_leaving_the_form_to_the_counter(qtbot, core: Core,
                                                                  store: ApplicationStore) -> None:
    """Back on the service list no stale total ("1 dari 5") is shown; the KIA form path has its own
    total; "fill it in at the counter" is a path change, the only time the total changes."""
    window = make_kiosk(qtbot, core, store)
    seen = recorder(window)
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
    click(qtbot, window.bar.back_button)
    pick(qtbot, window, "KIA")
    assert window.current_step == Step.FORM
    click(qtbot, named(window, Step.FORM, "formSkip"))
    click(qtbot, window.bar.back_button)  # back to the form: the application path again
    click(qtbot, named(window, Step.FORM, "formSkip"))
    with qtbot.waitSignal(window.ticket_issued, timeout=5000):
        click(qtbot, named(window, Step.CONFIRM, "confirmButton"))
    assert seen == ["service: Langkah 1: pilih layanan", "requirements: Langkah 2 dari 5",
                    "service: Langkah 1: pilih layanan", "requirements: Langkah 2 dari 7",
                    "identify: Langkah 3 dari 7", "form: Langkah 4 dari 7", "confirm: Langkah 4 dari 5",
                    "form: Langkah 4 dari 7", "confirm: Langkah 4 dari 5", "ticket: Langkah 5 dari 5"]
