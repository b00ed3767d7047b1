"""The setup wizard's enrollment sends the MPP code typed on its site page: the device is bound to
that MPP at the central API and its credentials carry the MPP's booking key (issue 19)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from central_api.app import RunningCentral
from kiosk.config.schema import Config
from kiosk.sync.central_client import DeviceCredentials, credentials_path
from kiosk.ui.admin.setup_wizard import SetupWizard


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_enrollment_sends_the_site_s_mpp_code(qtbot, config: Config, tmp_path: Path) -> None:
    development = dataclasses.replace(config, central=dataclasses.replace(config.central, allow_insecure_http=True))
    wizard = SetupWizard(development, tmp_path / "site.toml")
    qtbot.addWidget(wizard)
    wizard.resize(1080, 1600)
    wizard.show()
    central = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=["setup-code-1"])
    try:
        click(qtbot, wizard.role.buttons["kiosk"])
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "site"
        type_into(qtbot, wizard.site_code, "MPP-BGR")
        wizard.go_to(3)
        assert wizard.page_name == "central"
        type_into(qtbot, wizard.central_url, central.url)
        type_into(qtbot, wizard.enroll_code, "setup-code-1")
        click(qtbot, wizard.enroll_button)
        qtbot.waitUntil(lambda: wizard.central_result.text() == wizard.t("setup.central.enrolled"), timeout=10_000)
        saved = DeviceCredentials.load(credentials_path(config.data_dir))
        assert saved is not None and saved.mpp_code == "MPP-BGR" and len(saved.booking_key) == 43
        assert central.app.state.bookings.device_mpp(saved.device_id) == "MPP-BGR"
    finally:
        central.stop()
        wizard.shutdown()
