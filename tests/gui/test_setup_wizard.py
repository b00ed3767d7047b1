"""The first-run setup wizard, walked by clicks: it writes a configuration that loads, tests the
queue host for real, refuses bad values on the page they belong to, and keeps what it does not ask."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config, ConfigError, load_config
from kiosk.config.site_file import write_site_config
from kiosk.core import open_engine
from kiosk.queue.host import create_app
from kiosk.queue.server import RunningServer
from kiosk.staff.directory import verify_pin
from kiosk.ui.admin.setup_wizard import SetupWizard

PIN = "4826"


@pytest.fixture
def wizard(qtbot, config: Config, tmp_path: Path) -> Iterator[SetupWizard]:
    widget = SetupWizard(config, tmp_path / "site.toml")
    qtbot.addWidget(widget)
    widget.resize(1080, 1600)
    widget.show()
    yield widget
    widget.shutdown()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_walk_writes_a_valid_configuration(qtbot, wizard: SetupWizard, config: Config, tmp_path: Path) -> None:
    catalog, _ = load_site_catalog(config)
    engine = open_engine(config, catalog)
    server = RunningServer(create_app(engine, {}))
    try:
        assert wizard.page_name == "role"
        click(qtbot, wizard.role.buttons["kiosk"])
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "site"
        type_into(qtbot, wizard.site_name, "MPP Kota Bogor")
        type_into(qtbot, wizard.site_code, "MPP-BGR")
        type_into(qtbot, wizard.device_id, "kiosk-lobby-2")
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "queue"
        type_into(qtbot, wizard.queue_url, server.url)
        type_into(qtbot, wizard.queue_token, "k" * 24)
        click(qtbot, wizard.queue_test)
        qtbot.waitUntil(lambda: "ms" in wizard.queue_result.text(), timeout=10_000)
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "central"
        click(qtbot, wizard.next_button)
        click(qtbot, wizard.printer_kind.buttons["file"])
        tickets = tmp_path / "tickets"
        tickets.mkdir()
        type_into(qtbot, wizard.printer_target, str(tickets))
        click(qtbot, wizard.printer_test)
        qtbot.waitUntil(lambda: wizard.printer_result.text() == wizard.t("setup.printer.test_ok"), timeout=20_000)
        assert any(tickets.iterdir())  # the sample ticket really went to the "printer"
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "camera"
        click(qtbot, wizard.next_button)
        click(qtbot, wizard.language.buttons["en"])
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "pin"
        type_into(qtbot, wizard.pin_first, PIN)
        type_into(qtbot, wizard.pin_second, PIN)
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "summary"
        assert "MPP-BGR" in wizard.summary.text() and PIN not in wizard.summary.text()
        with qtbot.waitSignal(wizard.saved, timeout=10_000):
            click(qtbot, wizard.next_button)
    finally:
        server.stop()
        engine.close()
    written = load_config(tmp_path / "site.toml")
    assert (written.device.role, written.device.id, written.device.language) == ("kiosk", "kiosk-lobby-2", "en")
    assert written.device.fullscreen is True
    assert (written.site.name, written.site.mpp_code) == ("MPP Kota Bogor", "MPP-BGR")
    assert (written.queue.host_url, written.printer.kind, written.printer.target) == (server.url, "file",
                                                                                      str(tmp_path / "tickets"))
    assert verify_pin(PIN, written.admin.pin_hash) and not verify_pin("1234", written.admin.pin_hash)
    assert wizard.result == written


def test_bad_values_stop_on_their_page(qtbot, wizard: SetupWizard) -> None:
    click(qtbot, wizard.next_button)
    type_into(qtbot, wizard.site_code, "mpp bogor")
    click(qtbot, wizard.next_button)
    assert wizard.page_name == "site"
    assert "site.mpp_code" in wizard.message.text()
    type_into(qtbot, wizard.site_code, "MPP-BGR")
    click(qtbot, wizard.next_button)
    assert wizard.page_name == "queue"
    type_into(qtbot, wizard.queue_url, "http://10.0.0.5:8700")
    click(qtbot, wizard.next_button)  # a queue host needs this device's token
    assert wizard.page_name == "queue" and "queue.device_token" in wizard.message.text()


def test_pin_rules_and_mismatch(qtbot, wizard: SetupWizard) -> None:
    wizard.go_to(7)
    assert wizard.page_name == "pin"
    click(qtbot, wizard.next_button)  # a first install must set a PIN
    assert wizard.page_name == "pin" and wizard.message.text()
    type_into(qtbot, wizard.pin_first, "1111")
    type_into(qtbot, wizard.pin_second, "1111")
    click(qtbot, wizard.next_button)
    assert wizard.page_name == "pin" and "mudah" in wizard.message.text()
    type_into(qtbot, wizard.pin_second, "4827")
    type_into(qtbot, wizard.pin_first, "4826")
    click(qtbot, wizard.next_button)
    assert wizard.page_name == "pin" and "tidak sama" in wizard.message.text()


def test_test_connection_to_a_stopped_queue_host_says_so(qtbot, wizard: SetupWizard) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wizard.go_to(2)
    type_into(qtbot, wizard.queue_url, f"http://127.0.0.1:{port}")
    click(qtbot, wizard.queue_test)
    qtbot.waitUntil(lambda: wizard.queue_result.text().startswith("Tidak terhubung"), timeout=10_000)


def test_rerun_keeps_keys_it_does_not_ask_and_the_old_pin(qtbot, config: Config, tmp_path: Path) -> None:
    from kiosk.staff.admin_gate import make_pin_hash

    path = tmp_path / "site.toml"
    old_hash = make_pin_hash(PIN)
    path.write_text(f'[kiosk]\nidle_timeout_seconds = 90\n\n[admin]\npin_hash = "{old_hash}"\n\n'
                    '[[counters]]\nnumber = 3\nname = "Loket 3"\n', encoding="utf-8")
    existing = load_config(path)
    wizard = SetupWizard(existing, path)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        wizard.go_to(7)
        assert wizard.pin_note.text()  # "leave empty to keep the current PIN"
        click(qtbot, wizard.next_button)
        assert wizard.page_name == "summary"
        with qtbot.waitSignal(wizard.saved, timeout=10_000):
            click(qtbot, wizard.next_button)
    finally:
        wizard.shutdown()
    written = load_config(path)
    assert written.kiosk.idle_timeout_seconds == 90
    assert written.admin.pin_hash == old_hash
    assert [c.name for c in written.counters] == ["Loket 3"]


def test_writer_refuses_an_invalid_result_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nname = "MPP Lama"\n', encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="device.role"):
        write_site_config(path, {"device": {"role": "toaster"}})
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    config = write_site_config(path, {"site": {"name": 'MPP "Baru" \\ Kota'}})
    assert config.site.name == 'MPP "Baru" \\ Kota'
    assert tomllib.loads(path.read_text(encoding="utf-8"))["site"]["name"] == 'MPP "Baru" \\ Kota'


def test_camera_page_shows_a_live_picture_of_the_chosen_camera(qtbot, config: Config, tmp_path: Path) -> None:
    """The configured camera stand-in (a folder of pictures, as in a demo) is offered and previewed."""
    import dataclasses

    faces = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "faces"
    with_pictures = dataclasses.replace(config, camera=dataclasses.replace(config.camera, device=str(faces)))
    wizard = SetupWizard(with_pictures, tmp_path / "site.toml")
    qtbot.addWidget(wizard)
    wizard.resize(1080, 1600)
    wizard.show()
    try:
        wizard.go_to(5)
        assert wizard.page_name == "camera"
        qtbot.waitUntil(lambda: wizard.camera_choice is not None, timeout=10_000)
        assert wizard.cameras[0] == str(faces)
        qtbot.waitUntil(lambda: wizard._preview is not None and wizard._preview.frames_shown > 0, timeout=15_000)
        wizard.go_to(6)  # leaving the page stops the camera
        assert wizard._feed is None and wizard._preview is None
    finally:
        wizard.shutdown()


def test_enrollment_refuses_plain_http_without_the_development_flag(qtbot, wizard: SetupWizard) -> None:
    wizard.go_to(3)
    type_into(qtbot, wizard.central_url, "http://mpp.example.go.id/api")
    type_into(qtbot, wizard.enroll_code, "setup-code-1")
    click(qtbot, wizard.enroll_button)
    qtbot.waitUntil(lambda: "https://" in wizard.central_result.text(), timeout=10_000)


def test_enrollment_through_the_sync_client_against_the_reference_central(qtbot, config: Config,
                                                                        tmp_path: Path) -> None:
    import dataclasses

    from central_api.app import RunningCentral
    from kiosk.setup.diagnostics import check_central

    development = dataclasses.replace(config, central=dataclasses.replace(config.central, allow_insecure_http=True))
    wizard = SetupWizard(development, tmp_path / "site.toml")
    qtbot.addWidget(wizard)
    wizard.resize(1080, 1600)
    wizard.show()
    central = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=["setup-code-1"])
    try:
        wizard.go_to(3)
        assert wizard.page_name == "central"
        type_into(qtbot, wizard.central_url, central.url)
        type_into(qtbot, wizard.enroll_code, "wrong-code")
        click(qtbot, wizard.enroll_button)
        qtbot.waitUntil(lambda: wizard.central_result.text().startswith("Pendaftaran gagal"), timeout=10_000)
        type_into(qtbot, wizard.enroll_code, "setup-code-1")
        click(qtbot, wizard.enroll_button)
        qtbot.waitUntil(lambda: wizard.central_result.text() == wizard.t("setup.central.enrolled"), timeout=10_000)
        enrolled = dataclasses.replace(config, central=dataclasses.replace(config.central, api_url=central.url))
        level, detail, _advice = check_central(enrolled)
        assert level == "ok" and "device enrolled" in detail
    finally:
        central.stop()
        wizard.shutdown()
