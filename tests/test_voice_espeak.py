"""espeak-ng run directly (kiosk.voice.espeak): the kiosk's voice when speech-dispatcher does not answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.utils.paths import assets_dir
from kiosk.voice.clips import ClipLibrary
from kiosk.voice.espeak import SynthesisFailed, espeak_command, espeak_languages, synthesise, wav_seconds

ESPEAK_NG = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK_NG is None, reason="espeak-ng is not installed")


def test_each_language_asks_for_its_own_voice_and_the_text_never_goes_on_the_command_line(tmp_path: Path) -> None:
    assert espeak_command("espeak-ng", "id", tmp_path / "a.wav")[1:3] == ["-v", "id"]
    assert espeak_command("espeak-ng", "en", tmp_path / "a.wav")[1:3] == ["-v", "en-us"]
    assert espeak_command("espeak-ng", "id", tmp_path / "a.wav")[-1] == "--stdin"


@needs_espeak
def test_a_text_starting_with_a_dash_is_spoken_not_read_as_an_option(tmp_path: Path) -> None:
    assert ESPEAK_NG is not None
    assert espeak_languages(ESPEAK_NG) == {"id", "en"}
    seconds = synthesise(ESPEAK_NG, "--help Nomor antrean dua belas", "id", tmp_path / "a.wav")
    assert seconds > 1.0 and wav_seconds(tmp_path / "a.wav") == seconds


def test_a_missing_hanging_or_failing_program_is_one_kind_of_failure(tmp_path: Path) -> None:
    with pytest.raises(SynthesisFailed, match="could not run"):
        synthesise(str(tmp_path / "no-such-espeak"), "halo", "id", tmp_path / "a.wav")
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nexec sleep 5\n", encoding="utf-8")
    slow.chmod(0o755)
    with pytest.raises(SynthesisFailed, match="took over"):
        synthesise(str(slow), "halo", "id", tmp_path / "a.wav", timeout=0.3)
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    silent.chmod(0o755)
    with pytest.raises(SynthesisFailed, match="not a WAV"):
        synthesise(str(silent), "halo", "id", tmp_path / "b.wav")
    with pytest.raises(SynthesisFailed, match="no espeak-ng voice"):
        synthesise(str(silent), "halo", "fr", tmp_path / "c.wav")


def test_the_clips_cover_an_announcement_but_not_a_screen() -> None:
    library = ClipLibrary(assets_dir() / "voice" / "id")
    assert library.covers("Nomor antrean A dua belas, silakan menuju loket tiga")
    assert not library.covers("Silakan pilih layanan")
    assert not library.covers(", .")
