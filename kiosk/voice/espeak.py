"""The kiosk's second voice: espeak-ng run directly, writing a WAV file that Qt then plays.

speech-dispatcher (behind Qt TextToSpeech) is the first voice, but it is a service that may not
answer: a machine without a sound card at boot, a hung daemon. espeak-ng is a plain program
(Debian ``espeak-ng``): it needs no service and no sound device to write a file, so it works
wherever it is installed. Every call has a timeout; nothing here touches Qt.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

# espeak-ng's voice per kiosk language (``espeak-ng --voices=id`` lists "Indonesian" as ``id``).
VOICES = {"id": "id", "en": "en-us"}
WORDS_PER_MINUTE = 150  # a little slower than espeak-ng's 175: the audience includes the elderly
RUN_TIMEOUT_S = 5.0
PROBE_TIMEOUT_S = 3.0


class SynthesisFailed(Exception):
    """espeak-ng is missing, timed out, failed, or wrote no usable WAV."""


def espeak_binary() -> str | None:
    """The espeak-ng program on PATH, if any."""
    return shutil.which("espeak-ng")


def espeak_languages(binary: str, timeout: float = PROBE_TIMEOUT_S) -> frozenset[str]:
    """The kiosk languages espeak-ng has a voice for (asked with ``--voices=<lang>``)."""
    found = set()
    for lang, voice in VOICES.items():
        try:
            listing = subprocess.run([binary, f"--voices={voice.split('-')[0]}"], capture_output=True,
                                     text=True, timeout=timeout, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if any(line.split()[1:2] == [voice] for line in listing.splitlines()[1:]):
            found.add(lang)
    return frozenset(found)


def espeak_command(binary: str, lang: str, out: Path) -> list[str]:
    """The command line that writes ``lang``'s speech of the text given on stdin to ``out``."""
    return [binary, "-v", VOICES[lang], "-s", str(WORDS_PER_MINUTE), "-w", str(out), "--stdin"]


def synthesise(binary: str, text: str, lang: str, out: Path, timeout: float = RUN_TIMEOUT_S) -> float:
    """Write ``text`` spoken in ``lang`` to the WAV file ``out``; returns its length in seconds.

    The text goes on stdin, never on the command line: a citizen's input can start with "-"."""
    if lang not in VOICES:
        raise SynthesisFailed(f"no espeak-ng voice for {lang!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(espeak_command(binary, lang, out), input=text, text=True, capture_output=True,
                       timeout=timeout, check=True)
    except subprocess.TimeoutExpired as exc:
        raise SynthesisFailed(f"espeak-ng took over {timeout:g} s") from exc
    except subprocess.CalledProcessError as exc:
        raise SynthesisFailed(f"espeak-ng failed ({exc.returncode}): {exc.stderr.strip()[:200]}") from exc
    except OSError as exc:
        raise SynthesisFailed(f"espeak-ng could not run: {exc}") from exc
    return wav_seconds(out)


def wav_seconds(path: Path) -> float:
    """The length of a WAV file; :class:`SynthesisFailed` when it is not one or is empty."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise SynthesisFailed(f"{path.name}: not a WAV file ({exc})") from exc
    if frames == 0 or rate == 0:
        raise SynthesisFailed(f"{path.name}: no audio")
    return frames / rate
