"""Lobby announcements: queued, in order, never cut off; silent but harmless without a voice."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

from PySide6.QtCore import Qt

from kiosk.core import Core
from kiosk.ui.board.announcer import Announcer
from kiosk.ui.board.window import DisplayWindow
from kiosk.ui.counter.console import CounterWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.utils.paths import assets_dir
from kiosk.voice.clips import PAUSE_MS, ClipLibrary, library_for


def make(lang: str = "id") -> tuple[Announcer, list[str], list[int]]:
    speaker = Speaker(enabled=False)
    chimes: list[int] = []
    announcer = Announcer(speaker, lang, chime=lambda: chimes.append(1))
    announcer.chime_ms = 5
    parts: list[str] = []
    announcer.announcing.connect(parts.append)
    return announcer, parts, chimes


def test_calls_queue_up_in_order_each_chime_then_twice(qtbot) -> None:
    announcer, parts, chimes = make()
    with qtbot.waitSignal(announcer.idle, timeout=3000):
        announcer.announce("A-012", 3)
        announcer.announce("B-001", 10)  # arrives while the first is still being said
    first = "Nomor antrean A dua belas, silakan menuju loket tiga."
    second = "Nomor antrean B satu, silakan menuju loket sepuluh."
    assert parts == ["chime", first, first, "chime", second, second]
    assert len(chimes) == 2
    assert not announcer.busy


def test_english_board(qtbot) -> None:
    announcer, parts, _ = make("en")
    with qtbot.waitSignal(announcer.idle, timeout=3000):
        announcer.announce("K-045", 12)
    assert parts[1] == "Queue number K forty-five, please go to counter twelve."


def test_a_bad_number_is_skipped_not_fatal(qtbot) -> None:
    announcer, parts, _ = make()
    announcer.announce("???", 1)
    announcer.announce("A-001", 1)
    qtbot.waitUntil(lambda: len(parts) == 3 and not announcer.busy, timeout=3000)
    assert parts[0] == "chime" and "A satu" in parts[1]


def test_board_announces_each_new_call(qtbot, core: Core) -> None:
    announcer, parts, _ = make()
    display = DisplayWindow(core.config, core.catalog, core.queue, announcer)
    counter = CounterWindow(core.config, core.catalog, core.queue, survey_store=core.survey)
    for window in (display, counter):
        qtbot.addWidget(window)
        window.show()
    core.queue.issue("KTP-EL", request_id="a")
    qtbot.waitUntil(lambda: display.board is not None and display.board.waiting_by_service.get("KTP-EL") == 1)
    with qtbot.waitSignal(announcer.idle, timeout=5000):
        qtbot.mouseClick(counter.buttons["call_next"], Qt.MouseButton.LeftButton)
    assert "Nomor antrean A satu, silakan menuju loket satu." in parts


def test_without_a_voice_the_sentence_is_pieced_together_from_word_clips(qtbot, tmp_path) -> None:
    speaker = Speaker(enabled=False)
    played: list[Path] = []
    clips = library_for("id", assets_dir() / "voice")
    assert clips is not None, "the shipped clip set must say every word"
    announcer = Announcer(speaker, "id", chime=lambda: None, clips=clips, play_wav=played.append)
    announcer.chime_ms = 5
    announcer.clip_time_scale = 0.01
    announcer.announce("A-012", 3)
    announcer.announce("B-120", 10)
    qtbot.waitUntil(lambda: len(played) == 4, timeout=30_000)  # each call twice, clip by clip length
    assert played[0] == played[1] and played[2] == played[3] and played[0] != played[2]
    with wave.open(str(played[2]), "rb") as wav:  # B-120: "nomor antrean B seratus dua puluh, ..."
        seconds = wav.getnframes() / wav.getframerate()
    expected = clip_seconds(clips, ["nomor", "antrean", "letter-b", "seratus", "dua", "puluh", "silakan",
                                    "menuju", "loket", "sepuluh"]) + PAUSE_MS / 1000
    assert abs(seconds - expected) < 0.01
    announcer.stop()
    speaker.shutdown()


def test_incomplete_clips_leave_the_chime(qtbot, tmp_path) -> None:
    folder = tmp_path / "id"
    folder.mkdir()
    shutil.copy(assets_dir() / "voice" / "id" / "nomor.wav", folder)
    assert library_for("id", tmp_path) is None  # a site's half-recorded set is not used at all
    speaker = Speaker(enabled=False)
    played: list[Path] = []
    chimes: list[int] = []
    announcer = Announcer(speaker, "id", chime=lambda: chimes.append(1), clips=ClipLibrary(folder),
                          play_wav=played.append)
    announcer.chime_ms = 5
    with qtbot.waitSignal(announcer.idle, timeout=3000):
        announcer.announce("A-001", 1)
    assert chimes == [1] and played == []
    speaker.shutdown()


def clip_seconds(clips: ClipLibrary, names: list[str]) -> float:
    total = 0.0
    for name in names:
        with wave.open(str(clips.folder / f"{name}.wav"), "rb") as wav:
            total += wav.getnframes() / wav.getframerate()
    return total
