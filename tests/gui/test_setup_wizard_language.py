"""The setup wizard tells why a connection test or an enrollment failed in the screen's language
(the English of requests and of the central API stays in the log), against real failures: a closed
loopback port and the reference central API refusing a code."""

from __future__ import annotations

import dataclasses
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from central_api.app import RunningCentral
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.ui.admin.setup_wizard import SetupWizard

ENGLISH = ("HTTPConnectionPool", "Max retries", "ConnectionError", "Connection refused", "POST /enroll",
           "not accepted", "must start")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def wizard(qtbot, config: Config, tmp_path: Path) -> Iterator[SetupWizard]:
    development = dataclasses.replace(config, central=dataclasses.replace(config.central, allow_insecure_http=True))
    widget = SetupWizard(development, tmp_path / "site.toml")
    qtbot.addWidget(widget)
    widget.resize(1080, 1600)
    widget.show()
    yield widget
    widget.shutdown()


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def wait_for_result(qtbot, label, starts: str) -> str:
    qtbot.waitUntil(lambda: label.text().startswith(starts), timeout=10_000)
    return str(label.text())


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_unreachable_queue_host_is_told_in_the_screens_language(qtbot, config: Config, tmp_path: Path,
                                                                   lang: str,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    wizard = SetupWizard(config, tmp_path / "site.toml", t=Translator(lang))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.go_to(2)
    type_into(qtbot, wizard.queue_url, f"http://127.0.0.1:{closed_port()}")
    with caplog.at_level(logging.WARNING):
        qtbot.mouseClick(wizard.queue_test, Qt.MouseButton.LeftButton)
        text = wait_for_result(qtbot, wizard.queue_result, wizard.t("setup.queue.failed", reason="")[:8])
    assert text == wizard.t("setup.queue.failed", reason=wizard.t("setup.problem.offline_queue"))
    assert not any(word in text for word in ENGLISH), text
    wizard.shutdown()
    assert "Connection refused" in caplog.text  # the English for IT is in the log


def test_enrollment_failures_against_a_real_central(qtbot, wizard: SetupWizard, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    wizard.go_to(3)
    type_into(qtbot, wizard.central_url, f"http://127.0.0.1:{closed_port()}")
    type_into(qtbot, wizard.enroll_code, "setup-code-1")
    qtbot.mouseClick(wizard.enroll_button, Qt.MouseButton.LeftButton)
    text = wait_for_result(qtbot, wizard.central_result, "Pendaftaran gagal")
    assert text == "Pendaftaran gagal: " + wizard.t("setup.problem.offline_central")
    assert not any(word in text for word in ENGLISH), text

    central = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=["setup-code-1"])
    try:
        type_into(qtbot, wizard.central_url, central.url)
        type_into(qtbot, wizard.enroll_code, "wrong-code")
        wizard.central_result.clear()
        with caplog.at_level(logging.WARNING):
            qtbot.mouseClick(wizard.enroll_button, Qt.MouseButton.LeftButton)
            text = wait_for_result(qtbot, wizard.central_result, "Pendaftaran gagal")
    finally:
        central.stop()
    assert text == "Pendaftaran gagal: " + wizard.t("setup.problem.not_accepted", code="enroll_refused",
                                                     status="403")
    assert not any(word in text for word in ENGLISH), text
    assert "enrollment code is not accepted" in caplog.text


def test_plain_http_is_refused_in_the_screens_language(qtbot, config: Config, tmp_path: Path) -> None:
    wizard = SetupWizard(config, tmp_path / "site.toml")
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        wizard.go_to(3)
        type_into(qtbot, wizard.central_url, f"http://127.0.0.1:{closed_port()}")
        type_into(qtbot, wizard.enroll_code, "setup-code-1")
        qtbot.mouseClick(wizard.enroll_button, Qt.MouseButton.LeftButton)
        text = wait_for_result(qtbot, wizard.central_result, "Pendaftaran gagal")
    finally:
        wizard.shutdown()
    assert text == "Pendaftaran gagal: " + wizard.t("setup.problem.https")
