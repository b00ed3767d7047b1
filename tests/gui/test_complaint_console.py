"""The complaint officer's console, driven by clicks against a real reference central API on loopback:
complaints are filed through its endpoint, the officer signs in, lists, responds, forwards, closes,
exports for SP4N-LAPOR!, and sees an overdue complaint flagged and a clear banner when the API stops."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from complaint_central import enroll, file_complaint, start_central
from gui_touch import click
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from central_api.app import RunningCentral
from kiosk.complaints.model import Category
from kiosk.config.schema import Config
from kiosk.core import build_complaint_desk
from kiosk.i18n import Translator
from kiosk.staff.directory import hash_pin
from kiosk.ui.complaints.window import ComplaintConsole

PIN = "2468"
T = Translator("id")


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    server = start_central(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def filed(central: RunningCentral, tmp_path: Path) -> dict[str, dict]:
    """An old complaint (20 days, never answered: overdue) and one filed today, by another device."""
    client = enroll(central, tmp_path / "kiosk", code="complaint-desk-code-1-b")
    try:
        return {"old": file_complaint(client, days_ago=20),
                "new": file_complaint(client, category=Category.FACILITIES, text="Toilet lantai 2 rusak.")}
    finally:
        client.close()


@pytest.fixture
def console(qtbot, config: Config, central: RunningCentral, filed: dict, tmp_path: Path) -> Iterator[ComplaintConsole]:
    staff = tmp_path / "staff.toml"
    staff.write_text(f'[[staff]]\nid = "dewi"\nname = "Dewi Lestari"\npin_hash = "{hash_pin(PIN)}"\n'
                     'roles = ["complaint_officer"]\n\n'
                     f'[[staff]]\nid = "rina"\nname = "Rina Wulandari"\npin_hash = "{hash_pin(PIN)}"\n',
                     encoding="utf-8")
    enroll(central, config.data_dir).close()
    online = dataclasses.replace(
        config, central=dataclasses.replace(config.central, api_url=central.url, allow_insecure_http=True,
                                            timeout_seconds=3),
        counter=dataclasses.replace(config.counter, staff_file=str(staff)))
    parts = build_complaint_desk(online)
    exports = tmp_path / "exports"
    window = ComplaintConsole(parts, language="id", choose_export_path=lambda name: exports / name)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield window
    window.shutdown()
    parts.close()


def sign_in(qtbot, window: ComplaintConsole) -> None:
    window.sign_in.staff_list.setCurrentRow(0)
    for digit in PIN:
        click(qtbot, window.sign_in.pin_keypad.findChild(QPushButton, f"key{digit}"))
    click(qtbot, window.sign_in.sign_in_button)
    qtbot.waitUntil(lambda: window.list_page.table.rowCount() == 2, timeout=10_000)


def open_row(qtbot, window: ComplaintConsole, row: int) -> None:
    table = window.list_page.table
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.pages.currentWidget() is window.detail


def act(qtbot, window: ComplaintConsole, button: str, text: str, state: str) -> None:
    window.detail.editor.setFocus()
    qtbot.keyClicks(window.detail.editor, text)
    click(qtbot, window.detail.buttons[button])
    qtbot.waitUntil(lambda: window.detail.record is not None and window.detail.record.state == state, timeout=10_000)


def test_only_complaint_officers_may_sign_in(console: ComplaintConsole) -> None:
    names = [console.sign_in.staff_list.item(i).text() for i in range(console.sign_in.staff_list.count())]
    assert names == ["Dewi Lestari"]  # Rina is a clerk only
    assert not console.sign_in.counter_picker.isVisible()


def test_sign_in_list_respond_forward_close_export(qtbot, console: ComplaintConsole, central: RunningCentral,
                                                   filed: dict, tmp_path: Path) -> None:
    sign_in(qtbot, console)
    page = console.list_page
    assert page.tab_buttons["overdue"].text() == T("complaint_console.tab.overdue", n=1)
    assert [page.table.item(r, 0).text() for r in range(2)] == [filed["old"]["reference"], filed["new"]["reference"]]
    assert page.table.item(0, 6).text() == T("complaint_console.overdue_flag")  # the oldest, never answered
    assert page.table.item(1, 6).text() == ""

    open_row(qtbot, console, 1)
    assert console.detail.text.text() == "Toilet lantai 2 rusak."
    act(qtbot, console, "respond", "Terima kasih, kami periksa hari ini.", "responded")
    assert console.detail.editor.toPlainText() == ""  # sent: the draft is done
    console.detail.agency.setFocus()
    qtbot.keyClicks(console.detail.agency, "Dinas PU Kota")
    act(qtbot, console, "forward", "Diteruskan ke Dinas PU untuk perbaikan.", "forwarded")
    console.detail.outcome.setCurrentIndex(console.detail.outcome.findData("resolved"))
    act(qtbot, console, "close", "Toilet sudah diperbaiki.", "closed")
    assert not any(b.isEnabled() for b in console.detail.buttons.values())
    assert console.detail.events.count() == 3

    assert console.parts.desk is not None and not console.runner.busy
    stored = console.parts.desk.get(filed["new"]["id"])  # what the central API keeps
    assert (stored.state, stored.forwarded_to, stored.outcome) == ("closed", "Dinas PU Kota", "resolved")
    assert [e.officer for e in stored.events] == ["dewi"] * 3

    click(qtbot, console.detail.back_button)
    click(qtbot, page.tab_buttons["closed"])
    assert page.table.rowCount() == 1
    console.export_since.setDate(console.export_since.date().addDays(-40))
    console.export_referrals.setChecked(False)
    click(qtbot, console.export_button)
    qtbot.waitUntil(lambda: "2 pengaduan" in console.export_message.text(), timeout=10_000)
    written = next((tmp_path / "exports").iterdir()).read_text(encoding="utf-8")
    assert filed["old"]["reference"] in written and "Dinas PU Kota" in written


def test_offline_banner_keeps_the_typed_response(qtbot, console: ComplaintConsole, central: RunningCentral,
                                                 filed: dict) -> None:
    sign_in(qtbot, console)
    assert not console.banner.isVisible()
    open_row(qtbot, console, 0)  # the overdue one
    assert console.detail.first_clock.text().startswith("⚠")
    central.stop()
    window = console
    window.detail.editor.setFocus()
    qtbot.keyClicks(window.detail.editor, "Mohon maaf, kami tindak lanjuti.")
    click(qtbot, window.detail.buttons["respond"])
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.banner.text() == "⚠ " + T("complaint_console.offline")
    assert window.detail.editor.toPlainText() == "Mohon maaf, kami tindak lanjuti."
    assert window.detail.message.text() == T("complaint_console.kept_for_retry")
    first = window.pending[filed["old"]["id"]]
    click(qtbot, window.detail.back_button)
    open_row(qtbot, window, 0)  # away and back: still there, and a retry reuses the action's id
    assert window.detail.editor.toPlainText() == "Mohon maaf, kami tindak lanjuti."
    click(qtbot, window.detail.buttons["respond"])
    qtbot.waitUntil(lambda: window.detail.buttons["respond"].isEnabled(), timeout=10_000)
    assert window.pending[filed["old"]["id"]].action_id == first.action_id


def test_nothing_empty_is_sent_and_signing_out_forgets(qtbot, console: ComplaintConsole, filed: dict) -> None:
    sign_in(qtbot, console)
    open_row(qtbot, console, 1)
    click(qtbot, console.detail.buttons["respond"])  # nothing typed
    assert console.detail.message.text() == T("complaint_rules.action_problem.text_empty")
    qtbot.keyClicks(console.detail.editor, "Jawaban")
    click(qtbot, console.detail.buttons["forward"])  # no agency
    assert console.detail.message.text() == T("complaint_rules.action_problem.agency_missing")
    assert not console.runner.busy and console.detail.record is not None
    assert console.detail.record.state == "received"  # nothing went to the central API
    click(qtbot, console.sign_out_button)
    assert console.pages.currentWidget() is console.sign_in
    assert console.list_page.table.rowCount() == 0 and console.detail.drafts == {}
    assert console.sign_in.staff_list.selectedItems() == []
