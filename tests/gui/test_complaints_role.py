"""A machine set up as the complaint officer's desk (``[device] role = "complaints"``, issue 19): the
setup wizard offers the role, and ``kiosk run`` without a role argument then opens the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app.cli import main
from kiosk.config.schema import Config, load_config
from kiosk.ui import app as gui_app
from kiosk.ui.admin.setup_wizard import PAGES, SetupWindow, SetupWizard

PIN = "4826"


@pytest.fixture
def wizard(qtbot: QtBot, config: Config, tmp_path: Path) -> Iterator[SetupWizard]:
    widget = SetupWizard(config, tmp_path / "site.toml")
    qtbot.addWidget(widget)
    widget.resize(1080, 1600)
    widget.show()
    yield widget
    widget.shutdown()


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_wizard_offers_the_complaints_desk_and_writes_it(qtbot: QtBot, wizard: SetupWizard, tmp_path: Path) -> None:
    choice = wizard.findChild(QPushButton, "role_complaints")
    assert choice is not None and choice.isVisible()
    assert choice.text() == wizard.t("setup.role.complaints") and "(" in choice.text()  # the one-line explanation
    click(qtbot, choice)
    for _page in range(PAGES.index("pin")):  # the defaults on every page between: no queue host, no printer
        click(qtbot, wizard.next_button)
    assert wizard.page_name == "pin", wizard.message.text()
    qtbot.keyClicks(wizard.pin_first, PIN)
    qtbot.keyClicks(wizard.pin_second, PIN)
    click(qtbot, wizard.next_button)
    assert wizard.page_name == "summary"
    with qtbot.waitSignal(wizard.saved, timeout=10_000):
        click(qtbot, wizard.next_button)
    written = load_config(tmp_path / "site.toml")
    assert written.device.role == "complaints"
    assert written.device.fullscreen is False  # a desk PC: the console keeps its window frame


def test_kiosk_run_without_a_role_opens_the_console_of_a_complaints_desk(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The role comes from the configuration; the app's own start-up runs until its event loop. That loop
    is a local one here, which notes the windows shown and ends: quitting the test's QApplication itself
    would leave it closing down for the tests after this one."""
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\nrole = "complaints"\nfullscreen = false\ndata_dir = "{tmp_path}/data"\n'
                    '[kiosk]\nspeech = "off"\n', encoding="utf-8")
    shown: list[str] = []

    class OneLoop:
        def exec(self) -> int:
            loop = QEventLoop()

            def stop() -> None:
                shown.extend(w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible())
                loop.quit()

            QTimer.singleShot(200, stop)
            return loop.exec()

    monkeypatch.setattr(gui_app, "application", OneLoop)
    monkeypatch.setattr(gui_app, "stop_on_sigterm", lambda app, before_quit=None: None)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    assert main(["--config", str(site), "run", "--windowed"]) == 0
    assert "complaintConsole" in shown
    assert not {"kioskWindow", "counterWindow", "displayWindow"} & set(shown), shown


def test_the_six_roles_fit_a_landscape_screen_without_scrolling(qtbot: QtBot, config: Config, tmp_path: Path) -> None:
    """``kiosk setup``'s window: two columns where the widest label fits twice (1920 × 1080), one on a
    portrait screen (1080 × 1920)."""
    window = SetupWindow(config, tmp_path / "site.toml")
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    try:
        role = window.wizard.role
        qtbot.waitUntil(lambda: role.isVisible() and role.columns == 1)
        window.resize(1920, 1080)
        qtbot.waitUntil(lambda: role.columns == 2)
        scroll = window.wizard.stack.currentWidget()
        assert isinstance(scroll, QScrollArea)
        qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)
        for choice in role.buttons.values():
            corner = choice.mapTo(scroll.viewport(), choice.rect().bottomRight())
            assert scroll.viewport().rect().contains(corner), choice.objectName()
    finally:
        window.shutdown()
