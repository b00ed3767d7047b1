"""The manager's performance panel, opened from the counter console by a click."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.core import Core
from kiosk.ui.counter.console import CounterWindow


def test_performance_panel_shows_today_and_saves_the_pdf(qtbot, core: Core) -> None:
    for i in range(3):
        core.queue.issue("KTP-EL", request_id=f"m{i}")
    ticket = core.queue.call_next(1, ["KTP-EL"], actor="test")
    assert ticket is not None
    core.queue.start(ticket.id, actor="test")
    core.queue.finish(ticket.id, actor="test")
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(counter)
    counter.resize(1600, 900)
    counter.show()
    try:
        qtbot.mouseClick(counter.findChild(QPushButton, "performanceButton"), Qt.MouseButton.LeftButton)
        manager = counter.manager
        assert manager is not None and manager.isVisible()
        tickets = manager.findChild(QLabel, "tileValue")
        qtbot.waitUntil(lambda: manager.report is not None)
        assert tickets.text() == "3"
        assert manager.table.rowCount() == 1 and manager.table.item(0, 2).text() == "1"
        assert manager.tiles["served"][1].text() == "1"  # type: ignore[attr-defined]
        qtbot.mouseClick(manager.findChild(QPushButton, "periodMonth"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: manager.report is not None and manager.report.period == "month")
        qtbot.mouseClick(manager.findChild(QPushButton, "saveReport"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: manager.status.text().startswith("Laporan tersimpan"))
        saved = Path(manager.status.text().split(": ", 1)[1])
        assert saved.exists() and saved.read_bytes().startswith(b"%PDF")
    finally:
        counter.shutdown()
