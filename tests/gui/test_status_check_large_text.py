"""Large text and fit on "Cek status" (issue 17, item 2; issue 19, item 3: by typed number).

Each state a citizen can meet — scanning with a hint, the answer, a camera that failed, the keys to
type the number, a typed number not issued today — is shown in normal and in large text, portrait and
landscape: every text grows by at least 1.2×, nothing is cut off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fit_checks import cut_off, shown
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from test_status_check import click, make_window, qr_picture, text_of, with_camera

from kiosk.config.schema import Config
from kiosk.printing.status import DEMO_STATUS_URL_TEMPLATE, status_url
from kiosk.ui.kiosk.status_check import StatusCheckScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.visit.flow import Step

SIZES = [(1080, 1920), (1920, 1080)]


def status_states(qtbot, config: Config, core, folder: Path, size: tuple[int, int], large_text: bool,
                  lang: str = "id") -> Iterator[tuple[str, KioskWindow, StatusCheckScreen]]:
    """The status screen in each state, in a fresh window per camera picture (the camera decides the state)."""
    issued = core.queue.issue("KTP-EL", request_id=f"status-{size[0]}-{large_text}-{lang}")
    broken = folder / "camera.mp4"
    broken.write_bytes(b"not a video")
    cameras = {
        "hint": (qr_picture(folder, "https://example.com/promo", "promo.png"),
                 lambda w: "MPP" in text_of(w, "statusMessage")),
        "answer": (qr_picture(folder, status_url(DEMO_STATUS_URL_TEMPLATE, issued.ticket.id), "ticket.png"),
                   lambda w: text_of(w, "statusNumber") != ""),
        "camera failed": (broken, lambda w: w.status_check.state == "camera"),
    }
    for state, (camera, arrived) in cameras.items():
        window = make_window(qtbot, with_camera(config, camera), core.queue, core.catalog, size)
        try:
            window.set_language(lang)
            window.set_large_text(large_text)
            window.show_step(Step.STATUS)
            qtbot.waitUntil(lambda w=window, a=arrived: a(w), timeout=10_000)
            qtbot.wait(5)
            assert window.status_check is not None
            yield state, window, window.status_check
        finally:
            window.shutdown()
    window = make_window(qtbot, with_camera(config, folder / "no-camera.png"), core.queue, core.catalog, size)
    try:  # no camera: the keys; then a typed number that was not issued today, said under it
        window.set_language(lang)
        window.set_large_text(large_text)
        click(qtbot, window, "statusButton")
        screen = window.status_check
        assert screen is not None and screen.state == "typing"
        qtbot.wait(5)
        yield "typing", window, screen
        for name in ("prefixA", "key7", "key7", "statusCheckNumber"):
            click(qtbot, screen, name)
        qtbot.waitUntil(lambda: text_of(screen, "statusEntryMessage") != "", timeout=10_000)
        qtbot.wait(5)
        yield "typed not found", window, screen
    finally:
        window.shutdown()


def texts(screen: QWidget) -> list[QWidget]:
    return [w for w in screen.findChildren(QWidget)
            if shown(w) and isinstance(w, (QLabel, QPushButton)) and w.text()]


def type_px(widget: QWidget) -> int:
    return QFontInfo(widget.font()).pixelSize()


@pytest.mark.parametrize("size", SIZES)
def test_large_text_enlarges_every_text_of_the_status_screen(qtbot, config: Config, core, tmp_path: Path,
                                                            size: tuple[int, int]) -> None:
    normal = {(state, w.accessibleName() or w.objectName()): type_px(w)
              for state, _window, screen in status_states(qtbot, config, core, tmp_path, size, False)
              for w in texts(screen)}
    same, checked = [], 0
    for state, _window, screen in status_states(qtbot, config, core, tmp_path, size, True):
        for widget in texts(screen):
            before = normal.get((state, widget.accessibleName() or widget.objectName()))
            if before is None:
                continue
            checked += 1
            if type_px(widget) < 1.2 * before:
                same.append(f"{state}: {widget.objectName()} '{widget.text()[:30]}' {before} → {type_px(widget)} px")
    assert checked >= 20  # heading, message, keys and buttons of five states
    assert same == [], "\n" + "\n".join(same)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_status_screen_fits_with_large_text(qtbot, config: Config, core, tmp_path: Path,
                                               size: tuple[int, int], lang: str) -> None:
    problems: list[str] = []
    for state, window, screen in status_states(qtbot, config, core, tmp_path, size, True, lang):
        needed = screen.layout().totalMinimumSize()
        area = window.stack.size()
        if needed.width() > area.width() or needed.height() > area.height():
            problems.append(f"{state} needs {needed.toTuple()} but has {area.toTuple()}")
        problems += cut_off(screen.findChildren(QWidget), state)
    assert problems == [], "\n" + "\n".join(problems)
