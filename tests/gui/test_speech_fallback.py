"""Issue 16 item 4: a voice that always works — speech-dispatcher, else espeak-ng, else the word clips,
else no button at all, and the walk still works by clicks. Qt may have no audio device here, so the
speaker gets a player that keeps what would have been played."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_touch import click, named
from PySide6.QtCore import QTimer

from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.ui.admin.qt_checks import voice_finding
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.audio_guide import AudioGuide, button_words
from kiosk.ui.qt.speech import CLIPS, ESPEAK, Speaker
from kiosk.visit.flow import Step

ESPEAK_NG = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK_NG is None, reason="espeak-ng is not installed")
ANNOUNCEMENT = "Nomor antrean A dua belas, silakan menuju loket tiga"


class RecordingPlayer:
    """Keeps a copy of every WAV it is asked to play (the speaker reuses its temp files)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.played: list[Path] = []
        self.stops = 0

    def play(self, path: Path) -> None:
        copy = self.folder / f"played-{len(self.played)}.wav"
        shutil.copyfile(path, copy)
        self.played.append(copy)

    def stop(self) -> None:
        self.stops += 1


class RecordingSpeaker(Speaker):
    """A real speaker that also notes each text it was asked to say."""

    def __init__(self, player: RecordingPlayer) -> None:
        super().__init__(enabled=True, player=player)
        self.texts: list[str] = []

    def say(self, text: str, lang: str) -> bool:
        self.texts.append(text)
        return super().say(text, lang)


def auto(config: Config) -> Config:
    return dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, speech="auto"))


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.fixture
def no_dispatcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """speech-dispatcher absent: libspeechd is pointed at a socket nobody listens on."""
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'absent.sock'}")


@pytest.fixture
def hung_dispatcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A speech-dispatcher that accepts connections and never answers (seen on our machines)."""
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(5)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
    yield
    server.close()


def logging_espeak(folder: Path, fail_speaking: bool = False) -> Path:
    """A PATH folder whose espeak-ng notes its arguments, then runs the real one (or fails to speak)."""
    folder.mkdir()
    log = folder / "calls.log"
    script = folder / "espeak-ng"
    speak = "exit 3" if fail_speaking else f'exec {ESPEAK_NG} "$@"'
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\ncase "$1" in --voices*) exec {ESPEAK_NG} "$@";; esac\n'
                      f"{speak}\n", encoding="utf-8")
    script.chmod(0o755)
    return log


def loaded(qtbot, speaker: Speaker) -> Speaker:
    with qtbot.waitSignal(speaker.changed, timeout=15_000):
        speaker.load()
    return speaker


@needs_espeak
@pytest.mark.parametrize("dispatcher", ["no_dispatcher", "hung_dispatcher"])
@pytest.mark.parametrize(("lang", "voice"), [("id", "-v id "), ("en", "-v en-us ")])
def test_without_speech_dispatcher_espeak_ng_speaks_a_wav(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          request: pytest.FixtureRequest, dispatcher: str,
                                                          lang: str, voice: str) -> None:
    request.getfixturevalue(dispatcher)
    calls = logging_espeak(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    player = RecordingPlayer(tmp_path)
    speaker = Speaker(enabled=True, player=player)
    try:
        started = time.monotonic()
        ticks: list[int] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(50)
        loaded(qtbot, speaker)
        timer.stop()
        assert time.monotonic() - started < 8  # a hung dispatcher costs its probe's timeout, not a freeze
        assert ticks or time.monotonic() - started < 0.2  # the GUI thread kept running meanwhile
        assert speaker.engines[lang][0] == ESPEAK and speaker.can_speak(lang)
        with qtbot.waitSignal(speaker.started, timeout=5000) as blocker:
            assert speaker.say("Silakan pilih layanan yang Anda butuhkan", lang)
        assert blocker.args == [ESPEAK]
        assert len(player.played) == 1 and seconds(player.played[0]) > 0.2  # speech, not a click
        assert voice in calls.read_text()  # the language's own voice was asked for
        with qtbot.waitSignal(speaker.spoken, timeout=10_000):
            pass  # the end of the WAV is reported, so an announcer can go on
    finally:
        speaker.shutdown()


@needs_espeak
def test_espeak_ng_failing_while_speaking_falls_to_the_clips(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             no_dispatcher: None, caplog) -> None:
    logging_espeak(tmp_path / "bin", fail_speaking=True)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    player = RecordingPlayer(tmp_path)
    speaker = loaded(qtbot, Speaker(enabled=True, player=player))
    try:
        assert speaker.engines["id"] == (ESPEAK, CLIPS)
        with qtbot.waitSignal(speaker.started, timeout=5000) as blocker:
            assert speaker.say(ANNOUNCEMENT, "id")
        assert blocker.args == [CLIPS]
        assert "espeak-ng failed" in caplog.text and "trying clips" in caplog.text
        assert seconds(player.played[0]) > 1.0
    finally:
        speaker.shutdown()


def test_without_espeak_ng_the_clips_say_what_they_cover(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         no_dispatcher: None, config: Config) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no espeak-ng on PATH
    player = RecordingPlayer(tmp_path)
    speaker = loaded(qtbot, Speaker(enabled=True, player=player))
    try:
        assert speaker.engines == {"id": (CLIPS,), "en": (CLIPS,)}
        assert voice_finding(auto(config), speaker)[0] == "ok"  # the one answer: "Bacakan" is shown
        with qtbot.waitSignal(speaker.started, timeout=5000):
            assert speaker.say(ANNOUNCEMENT, "id")
        assert seconds(player.played[0]) > 1.0
        assert not speaker.say("Silakan pilih layanan yang Anda butuhkan", "id")  # no clip for "layanan"
        assert len(player.played) == 1
    finally:
        speaker.shutdown()


@pytest.fixture
def mute(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dispatcher: None) -> Iterator[Speaker]:
    """No voice at all: no dispatcher, no espeak-ng on PATH, no clips."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    speaker = loaded(qtbot, Speaker(enabled=True, player=RecordingPlayer(tmp_path), clips_dir=tmp_path / "empty"))
    yield speaker
    speaker.shutdown()


def test_without_any_voice_the_button_hides_and_the_walk_works_by_clicks(qtbot, core: Core, config: Config,
                                                                         mute: Speaker) -> None:
    assert mute.engines == {} and not mute.say("Halo", "id")
    assert voice_finding(auto(config), mute)[0] == "warning"
    window = KioskWindow(core.config, core.catalog, core.queue, mute, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    guide = AudioGuide(window, window.stack, mute, lambda: window.session.lang, enabled=True)
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    assert window.current_step == Step.SERVICE
    assert not window.bar.speak_button.isVisible()
    assert window.bar.isVisible() and window.bar.back_button.isVisible()  # the bar stays
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
    assert window.current_step == Step.REQUIREMENTS
    click(qtbot, window.bar.back_button)
    assert window.current_step == Step.SERVICE
    guide.read_screen()  # nothing to speak with: nothing happens
    window.shutdown()


@needs_espeak
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_audio_guide_reads_each_new_screen_and_the_button_pressed(qtbot, tmp_path: Path, core: Core,
                                                                      no_dispatcher: None, lang: str) -> None:
    player = RecordingPlayer(tmp_path)
    speaker = loaded(qtbot, RecordingSpeaker(player))
    window = KioskWindow(core.config, core.catalog, core.queue, speaker, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    try:
        window.set_language(lang)
        guide = AudioGuide(window, window.stack, speaker, lambda: window.session.lang, enabled=True)
        start = named(window, Step.WELCOME, "startButton")
        with qtbot.waitSignal(speaker.started, timeout=5000):
            click(qtbot, start)
        service_text = window.screens[Step.SERVICE].spoken_text()
        assert speaker.texts == [button_words(start), service_text]  # the button under the finger, then the screen
        assert seconds(player.played[-1]) > 0.2
        guide.set_enabled(False)
        speaker.texts.clear()
        click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
        qtbot.wait(50)
        assert speaker.texts == []  # turned off: silent
        guide.set_enabled(True)
        assert len(speaker.texts) == 1  # on: says so and reads the screen at once
        assert speaker.texts[0].endswith(window.screens[Step.REQUIREMENTS].spoken_text())
    finally:
        window.shutdown()
        speaker.shutdown()


@needs_espeak
def test_the_citizen_turns_the_audio_guide_on_in_the_header_and_the_next_citizen_starts_without(
        qtbot, tmp_path: Path, core: Core, no_dispatcher: None) -> None:
    speaker = loaded(qtbot, RecordingSpeaker(RecordingPlayer(tmp_path)))
    window = KioskWindow(core.config, core.catalog, core.queue, speaker, survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    try:
        AudioGuide(window, window.stack, speaker, lambda: window.session.lang, enabled=core.config.kiosk.audio_guide,
                   visit=lambda: window.session, bar=window.bar)
        toggle = window.bar.guide_button
        click(qtbot, named(window, Step.WELCOME, "startButton"))
        assert speaker.texts == []  # off by default ([kiosk] audio_guide = false)
        click(qtbot, window.bar.text_size)  # large text: the toggle still fits the bar
        qtbot.wait(50)
        assert toggle.isVisible() and toggle.text() == "Panduan suara"
        right = toggle.mapTo(window.bar, toggle.rect().topRight()).x()
        assert 0 <= toggle.mapTo(window.bar, toggle.rect().topLeft()).x() and right <= window.bar.width()
        click(qtbot, toggle)
        assert toggle.isChecked()
        assert speaker.texts[-1].startswith("Panduan suara aktif.")
        assert speaker.texts[-1].endswith(window.screens[Step.SERVICE].spoken_text())
        click(qtbot, window.bar.lang_en)
        qtbot.wait(20)
        assert toggle.text() == "Audio guide"
        click(qtbot, window.bar.home_button)  # the next citizen: back to the default, off
        qtbot.wait(20)
        assert not toggle.isChecked()
        speaker.texts.clear()
        click(qtbot, named(window, Step.WELCOME, "startButton"))
        qtbot.wait(20)
        assert speaker.texts == []
    finally:
        window.shutdown()
        speaker.shutdown()
