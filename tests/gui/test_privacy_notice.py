"""The privacy notice of UU 27/2022 at the NIK step and before an application (issue 20, item 5), by clicks.

One line always shown; its button opens the full notice in place (who holds the data, why, the legal
basis, how long, where to ask) and "Bacakan" reads it whether or not it is open.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_touch import click, named
from test_application_flow import STATUS_URL, make_kiosk, walk_to_form

from kiosk.core import Core
from kiosk.sync.outbox import ApplicationStore
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.visit.flow import Step


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps", status_url_template=STATUS_URL)
    yield opened
    opened.close()


@pytest.fixture
def kiosk(qtbot, core: Core, store: ApplicationStore) -> Iterator[KioskWindow]:
    window = make_kiosk(qtbot, core, store, camera=None)
    yield window
    window.shutdown()


def test_the_nik_step_gives_the_notice_and_reads_it(qtbot, kiosk: KioskWindow, core: Core) -> None:
    click(qtbot, named(kiosk, Step.WELCOME, "startButton"))
    click(qtbot, kiosk.screens[Step.SERVICE].tiles["KTP-EL"])
    click(qtbot, named(kiosk, Step.REQUIREMENTS, "nextButton"))
    identify = kiosk.screens[Step.IDENTIFY]
    notice = identify.privacy
    assert notice is not None and not notice.text.isVisible()
    toggle = named(kiosk, Step.IDENTIFY, "privacyToggle")
    assert toggle.isVisible() and toggle.text() == "Privasi data"  # beside "Lanjut", no row of its own
    next_button = named(kiosk, Step.IDENTIFY, "nextButton").geometry()
    assert next_button.top() <= toggle.geometry().center().y() <= next_button.bottom()
    assert "Data pribadi Anda dilindungi UU 27/2022." in identify.spoken_text()
    click(qtbot, named(kiosk, Step.IDENTIFY, "privacyToggle"))
    text = notice.text.text()
    assert notice.text.isVisible()
    assert f"Pemerintah Daerah penyelenggara {core.config.site.name}" in text  # the controller
    assert "UU 27/2022 Pasal 20" in text and "meja informasi" in text  # the legal basis, where to ask
    assert "{" not in text
    assert text in identify.spoken_text()  # "Bacakan" reads it
    kiosk.set_language("en")
    assert notice.text.text().startswith(f"Held by the local government running {core.config.site.name}.")
    assert named(kiosk, Step.IDENTIFY, "privacyToggle").text() == "Close privacy"
    click(qtbot, named(kiosk, Step.IDENTIFY, "privacyToggle"))
    assert not notice.text.isVisible()
    assert notice.notice(kiosk.t) in identify.spoken_text()  # read aloud closed too
    kiosk.wipe()
    assert not notice.toggle.isChecked()


def test_the_application_gives_its_notice_on_the_first_question_only(qtbot, kiosk: KioskWindow, core: Core) -> None:
    walk_to_form(qtbot, kiosk, "KIA")
    form = kiosk.screens[Step.FORM]
    notice = form.privacy
    assert notice is not None and notice.isVisible() and notice.toggle.isVisible()
    assert notice.summary.text() == "Data pribadi Anda dilindungi UU 27/2022." and notice.summary.isVisible()
    click(qtbot, notice.toggle)
    days = core.config.central.retention_days
    assert f"dihapus dari kiosk {days} hari setelah diterima MPP Digital" in notice.text.text()
    assert notice.text.text() in form.spoken_text()
    for digit in "3171010101150002":  # the child's NIK: on to the second question
        click(qtbot, named(kiosk, Step.FORM, f"key{digit}"))
    click(qtbot, named(kiosk, Step.FORM, "formNext"))
    assert form.index == 1
    assert not notice.isVisible() and not notice.toggle.isVisible()
    assert notice.text.text() not in form.spoken_text()
