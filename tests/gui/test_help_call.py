"""'Minta bantuan / Call staff' driven by clicks: the kiosk's controller against a real queue host on loopback
(raised, answered from a counter, closed by a touch; the host down, then back), the counter console's panel
and the lobby board's corner.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from gui_touch import click
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.core import Core
from kiosk.queue.client import QueueClient
from kiosk.queue.engine import QueueEngine
from kiosk.queue.help import CloseReason, HelpState
from kiosk.queue.host import create_app
from kiosk.queue.http_client import HttpQueue
from kiosk.queue.models import ServiceRule
from kiosk.queue.routes.access import DeviceGrant
from kiosk.queue.server import RunningServer
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.kiosk.help import HelpCall, HelpStage, kiosk_help
from kiosk.ui.qt.tasks import TaskRunner

KIOSK_TOKEN = "help-kiosk-token-0123456789"
COUNTER_TOKEN = "help-counter-token-012345678"
TOKENS = {KIOSK_TOKEN: DeviceGrant("kiosk-02", "kiosk"), COUNTER_TOKEN: DeviceGrant("console-3", "counter")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QueueEngine]:
    opened = QueueEngine.open(tmp_path / "host.db", [ServiceRule("KTP-EL", "A", 100, 10)], ZoneInfo("Asia/Jakarta"))
    yield opened
    opened.close()


@pytest.fixture
def host(engine: QueueEngine) -> Iterator[str]:
    server = RunningServer(create_app(engine, TOKENS))
    yield server.url
    server.stop()


class Kiosk:
    """A window with a help button and the controller, as the kiosk window will hold them."""

    def __init__(self, qtbot, queue: QueueClient, lang: str = "id") -> None:
        self.window = QWidget()
        self.window.resize(1080, 1920)
        self.button = QPushButton("Minta bantuan")
        self.button.setObjectName("helpButton")
        QVBoxLayout(self.window).addWidget(self.button)
        self.runner = TaskRunner("test-kiosk-help", self.window)
        self.kept_alive = 0
        self.call = HelpCall(self.window, self.button, queue, self.runner, "kiosk-02", lambda: lang,
                             keep_alive=self._alive, poll_ms=150, retry_ms=200)
        qtbot.addWidget(self.window)
        self.window.show()

    def _alive(self) -> None:
        self.kept_alive += 1

    def title(self) -> str:
        return self.call.overlay.title.text() if self.call.overlay.isVisible() else ""

    def stop(self) -> None:
        self.call.stop()
        self.runner.stop()


def test_raised_answered_at_a_counter_then_closed_by_a_touch(qtbot, host: str, engine: QueueEngine) -> None:
    kiosk_queue, counter_queue = HttpQueue(host, KIOSK_TOKEN, timeout=3), HttpQueue(host, COUNTER_TOKEN, timeout=3)
    kiosk = Kiosk(qtbot, kiosk_queue)
    try:
        click(qtbot, kiosk.button)
        qtbot.waitUntil(lambda: kiosk.title() == "Petugas sudah dipanggil, mohon tunggu", timeout=5000)
        assert kiosk.call.overlay.cancel_button.isVisible()  # before an answer: cancel, not close
        [request] = engine.open_help_requests()
        assert request.kiosk == "kiosk-02" and request.state is HelpState.RAISED
        qtbot.mouseClick(kiosk.call.overlay, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))  # a touch while waiting
        assert kiosk.call.stage is HelpStage.RAISED and engine.help_request(request.id).open

        counter_queue.acknowledge_help(request.id, counter=3, actor="console-3/counter-3", clerk="rina")
        qtbot.waitUntil(lambda: kiosk.title() == "Petugas segera datang", timeout=5000)
        assert kiosk.kept_alive > 0  # the window was kept from idling out while the citizen waited

        qtbot.mouseClick(kiosk.call.overlay, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))  # staff came: a touch
        assert not kiosk.call.overlay.isVisible() and kiosk.call.stage is HelpStage.IDLE
        qtbot.waitUntil(lambda: not engine.help_request(request.id).open, timeout=5000)
        assert engine.help_request(request.id).close_reason is CloseReason.TOUCHED
        assert [e["type"] for e in engine.help_events(request.id)] == ["help_raised", "help_acknowledged",
                                                                       "help_closed"]
    finally:
        kiosk.stop()
        kiosk_queue.close()
        counter_queue.close()


def test_a_second_tap_raises_no_second_request_and_cancel_closes_it(qtbot, host: str, engine: QueueEngine) -> None:
    queue = HttpQueue(host, KIOSK_TOKEN, timeout=3)
    kiosk = Kiosk(qtbot, queue, lang="en")
    try:
        click(qtbot, kiosk.button)
        kiosk.call.request()  # the button again (under the overlay a finger cannot reach it)
        qtbot.waitUntil(lambda: kiosk.title() == "Staff have been called, please wait", timeout=5000)
        assert len(engine.open_help_requests()) == 1 and len(engine.help_events()) == 1
        click(qtbot, kiosk.call.overlay.cancel_button)
        assert not kiosk.call.overlay.isVisible()
        qtbot.waitUntil(lambda: engine.open_help_requests() == [], timeout=5000)
        assert engine.help_events()[-1]["detail"]["reason"] == "cancelled"
    finally:
        kiosk.stop()
        queue.close()


def test_a_wiped_session_closes_the_open_request(qtbot, host: str, engine: QueueEngine) -> None:
    queue = HttpQueue(host, KIOSK_TOKEN, timeout=3)
    kiosk = Kiosk(qtbot, queue)
    try:
        click(qtbot, kiosk.button)
        qtbot.waitUntil(lambda: kiosk.call.stage is HelpStage.RAISED, timeout=5000)
        kiosk.call.end_session()  # what the window's wipe() calls
        assert not kiosk.call.overlay.isVisible()
        qtbot.waitUntil(lambda: engine.open_help_requests() == [], timeout=5000)
        assert engine.help_events()[-1]["detail"]["reason"] == "session_ended"
    finally:
        kiosk.stop()
        queue.close()


def test_host_down_says_ask_the_desk_and_the_call_goes_through_when_it_is_back(qtbot, engine: QueueEngine) -> None:
    port = free_port()
    queue = HttpQueue(f"http://127.0.0.1:{port}", KIOSK_TOKEN, timeout=1, retries=0)
    kiosk = Kiosk(qtbot, queue)
    server = None
    try:
        click(qtbot, kiosk.button)
        qtbot.waitUntil(lambda: kiosk.title() == "Panggil petugas di meja informasi", timeout=5000)
        assert "terus mencoba" in kiosk.call.overlay.hint.text()
        qtbot.wait(500)  # a few retries fail meanwhile, nothing else changes
        assert kiosk.call.stage is HelpStage.OFFLINE and engine.open_help_requests() == []
        server = RunningServer(create_app(engine, TOKENS), "127.0.0.1", port)  # the host is back
        qtbot.waitUntil(lambda: kiosk.title() == "Petugas sudah dipanggil, mohon tunggu", timeout=5000)
        assert [r.kiosk for r in engine.open_help_requests()] == ["kiosk-02"]
    finally:
        kiosk.stop()
        queue.close()
        if server is not None:
            server.stop()


def test_unsent_call_cancelled_stops_retrying(qtbot, engine: QueueEngine) -> None:
    queue = HttpQueue(f"http://127.0.0.1:{free_port()}", KIOSK_TOKEN, timeout=1, retries=0)
    kiosk = Kiosk(qtbot, queue)
    try:
        click(qtbot, kiosk.button)
        qtbot.waitUntil(lambda: kiosk.call.stage is HelpStage.OFFLINE, timeout=5000)
        click(qtbot, kiosk.call.overlay.cancel_button)
        assert kiosk.call.stage is HelpStage.IDLE and not kiosk.call.retry_timer.isActive()
    finally:
        kiosk.stop()
        queue.close()


def test_the_counter_console_shows_the_call_and_answers_it_by_a_click(qtbot, core: Core) -> None:
    request = core.queue.raise_help("kiosk-02")
    console = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    other = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    for window in (console, other):
        qtbot.addWidget(window)
        window.resize(1600, 900)
        window.show()
    try:
        panel = console.help_requests
        qtbot.waitUntil(lambda: panel.isVisible() and bool(panel.texts), timeout=5000)
        assert panel.texts[0].text().startswith("Kios 2 meminta bantuan · 0:0")
        before = panel.texts[0].text()
        qtbot.waitUntil(lambda: panel.texts[0].text() != before, timeout=3000)  # the age counts on
        qtbot.waitUntil(lambda: request.id in other.help_requests.buttons, timeout=5000)
        click(qtbot, panel.buttons[request.id])
        qtbot.waitUntil(lambda: core.queue.help_request(request.id).state is HelpState.ACKNOWLEDGED, timeout=5000)
        answered = core.queue.help_request(request.id)
        assert answered.counter == console.counter and answered.acknowledged_by == console._actor
        qtbot.waitUntil(lambda: request.id not in panel.buttons and "datang" in panel.texts[0].text(), timeout=5000)
        click(qtbot, other.help_requests.buttons[request.id])  # the other clerk, a moment too late
        qtbot.waitUntil(lambda: "sudah ditangani" in other.help_requests.note.text(), timeout=5000)
        core.queue.close_help(request.id, CloseReason.TOUCHED, kiosk="kiosk-02")
        qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)
    finally:
        for window in (console, other):
            window.shutdown()


def test_the_board_corner_shows_which_kiosk_calls(qtbot, core: Core) -> None:
    board = DisplayWindow(core.config, core.catalog, core.queue)
    qtbot.addWidget(board)
    board.resize(1920, 1080)
    board.show()
    corner = board.help_corner
    try:
        qtbot.wait(200)
        assert not corner.isVisible()
        request = core.queue.raise_help("kiosk-02")
        qtbot.waitUntil(lambda: corner.isVisible(), timeout=6000)
        assert corner.lines[0].text().startswith("Kios 2 meminta bantuan · 0:0")
        core.queue.acknowledge_help(request.id, counter=3, actor="c/counter-3", clerk="rina")
        qtbot.waitUntil(lambda: "petugas datang" in corner.lines[0].text(), timeout=6000)
        assert "rina" not in corner.lines[0].text()
        core.queue.close_help(request.id, CloseReason.TOUCHED, kiosk="kiosk-02")
        qtbot.waitUntil(lambda: not corner.isVisible(), timeout=6000)
    finally:
        board.shutdown()


def test_in_the_kiosk_window_by_its_help_button(qtbot, core: Core) -> None:
    """The real kiosk window, its bottom bar's help button and its runner (the one-machine setup: in-process queue)."""
    from kiosk.ui.kiosk.window import KioskWindow
    from kiosk.ui.qt.speech import Speaker

    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    call = kiosk_help(window)  # what the window's __init__ will call
    call.poll_timer.setInterval(150)
    try:
        window.start_normal()  # a screen with Back and Cancel
        click(qtbot, window.bar.help_button)
        qtbot.waitUntil(lambda: call.overlay.isVisible() and call.stage is HelpStage.RAISED, timeout=5000)
        assert call.overlay.geometry() == window.rect()  # over the whole screen, card in the lower part
        [request] = core.queue.open_help_requests()
        assert request.kiosk == core.config.device.id
        core.queue.acknowledge_help(request.id, counter=1, actor="loket/counter-1")
        qtbot.waitUntil(lambda: call.overlay.title.text() == "Petugas segera datang", timeout=5000)
        call.end_session()  # what wipe() calls: the idle wipe or Cancel
        assert not call.overlay.isVisible()
        qtbot.waitUntil(lambda: core.queue.open_help_requests() == [], timeout=5000)
    finally:
        call.stop()
        window.shutdown()


@pytest.mark.parametrize("size", [(1024, 680), (1366, 728)])
def test_the_console_still_fits_with_calls_showing(qtbot, core: Core, size: tuple[int, int]) -> None:
    from fit_checks import cut_off

    for kiosk in ("kiosk-02", "kiosk-03", "kiosk-11"):
        core.queue.raise_help(kiosk)
    console = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    qtbot.addWidget(console)
    console.setGeometry(0, 0, *size)
    console.show()
    try:
        panel = console.help_requests
        qtbot.waitUntil(lambda: len(panel.buttons) == 3, timeout=5000)
        qtbot.wait(100)
        assert console.console.minimumSizeHint().height() <= console.height()
        for name, action in console.buttons.items():
            assert action.height() >= action.minimumSizeHint().height(), name
        assert cut_off([*panel.texts, *panel.buttons.values(), *console.buttons.values()], f"console {size}") == []
        assert console.rect().contains(panel.geometry().translated(panel.mapTo(console, panel.rect().topLeft())
                                                                   - panel.pos()))
    finally:
        console.shutdown()
