"""Announcements: numbers read as words (terbilang), and a real WAV from espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from kiosk.voice.announcements import announcement, english_words, terbilang


@pytest.mark.parametrize(("n", "words"), [
    (0, "nol"), (1, "satu"), (9, "sembilan"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"),
    (19, "sembilan belas"), (20, "dua puluh"), (21, "dua puluh satu"), (99, "sembilan puluh sembilan"),
    (100, "seratus"), (101, "seratus satu"), (111, "seratus sebelas"), (250, "dua ratus lima puluh"),
    (999, "sembilan ratus sembilan puluh sembilan"), (1000, "seribu"), (1001, "seribu satu"),
    (1500, "seribu lima ratus"), (2024, "dua ribu dua puluh empat"), (11000, "sebelas ribu"),
    (100000, "seratus ribu"),
])
def test_terbilang(n: int, words: str) -> None:
    assert terbilang(n) == words


@pytest.mark.parametrize(("n", "words"), [
    (0, "zero"), (12, "twelve"), (21, "twenty-one"), (100, "one hundred"), (101, "one hundred one"),
    (1000, "one thousand"), (1234, "one thousand two hundred thirty-four"),
])
def test_english_words(n: int, words: str) -> None:
    assert english_words(n) == words


@pytest.mark.parametrize(("number", "counter", "lang", "sentence"), [
    ("A-012", 3, "id", "Nomor antrean A dua belas, silakan menuju loket tiga."),
    ("B-001", 10, "id", "Nomor antrean B satu, silakan menuju loket sepuluh."),
    ("J-100", 5, "id", "Nomor antrean J seratus, silakan menuju loket lima."),
    ("A-1000", 1, "id", "Nomor antrean A seribu, silakan menuju loket satu."),
    ("A-012", 3, "en", "Queue number A twelve, please go to counter three."),
    ("K-045", 12, "en", "Queue number K forty-five, please go to counter twelve."),
])
def test_announcement_sentence(number: str, counter: int, lang: str, sentence: str) -> None:
    assert announcement(number, counter, lang) == sentence


@pytest.mark.parametrize("bad", [-1, 1_000_000])
def test_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        terbilang(bad)


def test_not_a_ticket_number_is_refused() -> None:
    with pytest.raises(ValueError):
        announcement("A12", 1, "id")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is installed by scripts/setup.sh")
def test_espeak_speaks_the_indonesian_sentence_to_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    sentence = announcement("A-012", 3, "id")
    subprocess.run(["espeak-ng", "-v", "id", "-w", str(out), sentence], check=True, timeout=30)
    with wave.open(str(out)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 2.0 < seconds < 10.0  # a whole sentence, not an empty file
