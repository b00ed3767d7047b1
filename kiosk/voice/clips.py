"""The lobby's second voice: an announcement pieced together from one recorded clip per word.

Used when no text-to-speech voice for the language exists (a Windows PC without an Indonesian
voice, a Linux box without speech-dispatcher). The clips are WAV files named after the word they
say (``nomor.wav``, ``dua.wav``, ``belas.wav``, ``letter-a.wav``) in one folder per language; the
shipped set in ``assets/voice/`` is made with espeak-ng by ``scripts/make_voice_clips.py``, and a
site may replace it with human recordings under the same names (``[display] voice_clips_dir``).
Pure Python (``wave``), no Qt: the display only plays the file this module writes.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import Translator
from kiosk.voice.announcements import english_words, terbilang

PAUSE_MS = 250  # at a comma or full stop
_TOKEN = re.compile(r"[A-Za-z]+|[,.]")


class ClipsUnavailable(Exception):
    """The clip folder lacks a word, or its files are not one consistent WAV format."""


def vocabulary(lang: str) -> set[str]:
    """Every clip an announcement in ``lang`` can need (what the clip maker records)."""
    sentence_words = {w for w in _words(Translator(lang)("announce.call", letter="", number="", counter=""))}
    if lang == "id":
        numbers = {w for n in (*range(0, 21), *range(20, 100, 10), 100, 200, 1000, 2000) for w in terbilang(n).split()}
    else:
        numbers = {w for n in (*range(0, 20), *range(20, 100, 10), 100, 1000)
                   for w in english_words(n).replace("-", " ").split()}
    letters = {f"letter-{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
    return sentence_words | numbers | letters


def _words(sentence: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(sentence.replace("-", " ")) if w not in ",."]


def clip_names(sentence: str) -> list[str]:
    """The clips that say ``sentence``, in order; ``""`` stands for a short pause.

    A one-letter word is a ticket prefix and is spelled ("letter-a"), every other word is looked
    up as itself.
    """
    names: list[str] = []
    for token in _TOKEN.findall(sentence.replace("-", " ")):
        if token in ",.":
            names.append("")
        elif len(token) == 1:
            names.append(f"letter-{token.lower()}")
        else:
            names.append(token.lower())
    while names and names[-1] == "":
        names.pop()
    return names


@dataclass(frozen=True)
class ClipLibrary:
    """One language's clip folder."""

    folder: Path

    def missing(self, names: Iterable[str]) -> list[str]:
        return sorted({n for n in names if n and not (self.folder / f"{n}.wav").is_file()})

    def covers(self, sentence: str) -> bool:
        """Every word of ``sentence`` has a clip (the kiosk's clips hold the announcement words only)."""
        names = clip_names(sentence)
        return any(names) and not self.missing(names)

    def render(self, sentence: str, out: Path) -> float:
        """Write the sentence as one WAV file to ``out``; returns its length in seconds."""
        names = clip_names(sentence)
        missing = self.missing(names)
        if missing:
            raise ClipsUnavailable(f"{self.folder}: no clip for {', '.join(missing)}")
        params: wave._wave_params | None = None
        frames: list[bytes] = []
        for name in names:
            if not name:
                frames.append(b"")  # pause, filled once the format is known
                continue
            path = self.folder / f"{name}.wav"
            try:
                with wave.open(str(path), "rb") as clip:
                    clip_params = clip.getparams()
                    data = clip.readframes(clip_params.nframes)
            except (OSError, EOFError, wave.Error) as exc:
                raise ClipsUnavailable(f"{path}: not a readable WAV file ({exc})") from exc
            if params is None:
                params = clip_params
            elif clip_params[:3] != params[:3]:
                raise ClipsUnavailable(f"{path}: {clip_params.framerate} Hz/{clip_params.nchannels} ch/"
                                       f"{8 * clip_params.sampwidth} bit differs from the other clips")
            frames.append(data)
        if params is None:
            raise ClipsUnavailable("nothing to say")
        silence = b"\x00" * (params.sampwidth * params.nchannels * params.framerate * PAUSE_MS // 1000)
        audio = b"".join(chunk if chunk else silence for chunk in frames)
        out.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(out), "wb") as result:
            result.setnchannels(params.nchannels)
            result.setsampwidth(params.sampwidth)
            result.setframerate(params.framerate)
            result.writeframes(audio)
        return len(audio) / (params.sampwidth * params.nchannels * params.framerate)


def library_for(lang: str, folder: Path) -> ClipLibrary | None:
    """The clip library for ``lang`` under ``folder`` (``folder/<lang>/``), if it says every word."""
    library = ClipLibrary(folder / lang)
    if not library.folder.is_dir() or library.missing(vocabulary(lang)):
        return None
    return library
