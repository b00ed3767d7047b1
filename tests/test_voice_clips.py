"""Announcements from word clips: every word has a clip, pieces join in order with pauses, bad sets are refused."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from kiosk.utils.paths import assets_dir
from kiosk.voice.announcements import MAX_NUMBER, announcement, number_words
from kiosk.voice.clips import ClipLibrary, ClipsUnavailable, clip_names, library_for, vocabulary


@pytest.mark.parametrize("lang", ["id", "en"])
def test_shipped_clips_cover_every_number_and_counter(lang: str) -> None:
    library = library_for(lang, assets_dir() / "voice")
    assert library is not None
    for number in (0, 1, 10, 11, 12, 19, 20, 21, 99, 100, 101, 111, 120, 999, 1000, 1001, 2024, 99999):
        for counter in (1, 7, 12, 40):
            names = clip_names(announcement(f"Q-{number:03d}", counter, lang))
            assert library.missing(names) == [], (number, counter)


def test_clip_names_spell_the_prefix_and_pause_at_the_comma() -> None:
    assert clip_names("Nomor antrean A dua belas, silakan menuju loket tiga.") == [
        "nomor", "antrean", "letter-a", "dua", "belas", "", "silakan", "menuju", "loket", "tiga"]
    assert clip_names("Queue number K forty-five, please go to counter twelve.")[3:5] == ["forty", "five"]


def _write(path: Path, seconds: float, rate: int = 16000, value: int = 1000) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(value.to_bytes(2, "little", signed=True) * int(seconds * rate))


def test_render_joins_clips_in_order_with_silent_pauses(tmp_path: Path) -> None:
    _write(tmp_path / "nomor.wav", 0.5, value=100)
    _write(tmp_path / "letter-a.wav", 0.25, value=200)
    _write(tmp_path / "loket.wav", 0.5, value=300)
    out = tmp_path / "out" / "call.wav"
    seconds = ClipLibrary(tmp_path).render("Nomor A, loket.", out)
    assert seconds == pytest.approx(1.25 + 0.25)
    with wave.open(str(out), "rb") as wav:
        samples = memoryview(wav.readframes(wav.getnframes())).cast("h")
    assert samples[0] == 100 and samples[8000] == 200 and samples[12000] == 0 and samples[-1] == 300


def test_missing_or_mismatched_clips_are_named(tmp_path: Path) -> None:
    _write(tmp_path / "nomor.wav", 0.1)
    with pytest.raises(ClipsUnavailable, match="no clip for letter-a, loket"):
        ClipLibrary(tmp_path).render("Nomor A loket", tmp_path / "o.wav")
    _write(tmp_path / "loket.wav", 0.1, rate=22050)
    with pytest.raises(ClipsUnavailable, match="22050 Hz"):
        ClipLibrary(tmp_path).render("Nomor loket", tmp_path / "o.wav")
    (tmp_path / "nomor.wav").write_bytes(b"not a wav")
    with pytest.raises(ClipsUnavailable, match="not a readable WAV"):
        ClipLibrary(tmp_path).render("Nomor", tmp_path / "o.wav")


def test_vocabulary_holds_the_fixed_words_of_the_sentence() -> None:
    assert {"nomor", "antrean", "silakan", "menuju", "loket", "seratus", "seribu", "letter-z"} <= vocabulary("id")
    assert {"queue", "number", "please", "go", "to", "counter", "hundred", "thousand"} <= vocabulary("en")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_vocabulary_holds_every_word_of_every_number_the_board_may_say(lang: str) -> None:
    # Every number below 2,000 (all the shapes: units, belas, puluh, ratus, seribu ...), then a
    # stride through the rest up to MAX_NUMBER (a ticket's sequence or a counter).
    words = vocabulary(lang)
    for n in (*range(2000), *range(2000, MAX_NUMBER + 1, 997), MAX_NUMBER):
        spoken = set(number_words(n, lang).replace("-", " ").split())
        assert spoken <= words, (n, spoken - words)
