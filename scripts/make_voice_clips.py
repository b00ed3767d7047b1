"""Make the announcement clips in assets/voice/<lang>/ with espeak-ng (one WAV per word).

    .venv/bin/python scripts/make_voice_clips.py [--out assets/voice] [--lang id en]

The lobby display pieces calls together from these when no text-to-speech voice is installed
(``kiosk/voice/clips.py``). Human recordings sound better: record each word named in
``kiosk.voice.clips.vocabulary(lang)`` as ``<word>.wav`` (letters as ``letter-a.wav``), 16 kHz
mono 16-bit, with no silence before or after, and point ``[display] voice_clips_dir`` at the folder.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.clips import vocabulary  # noqa: E402

RATE = 16_000
VOICES = {"id": "id", "en": "en-us"}


def spoken_text(word: str) -> str:
    return word.removeprefix("letter-").upper() if word.startswith("letter-") else word


def make_clip(word: str, lang: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[lang], "-s", "135", "-w", str(raw), spoken_text(word)],
                       check=True, capture_output=True)
        with wave.open(str(raw), "rb") as clip:
            rate = clip.getframerate()
            samples = np.frombuffer(clip.readframes(clip.getnframes()), dtype=np.int16).astype(np.float32)
    loud = np.flatnonzero(np.abs(samples) > 300)
    if loud.size:
        samples = samples[max(0, loud[0] - rate // 100): loud[-1] + rate // 50]
    positions = np.arange(0, len(samples), rate / RATE)
    resampled = np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)
    with wave.open(str(out), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes(resampled.tobytes())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "voice")
    parser.add_argument("--lang", nargs="+", default=list(VOICES))
    args = parser.parse_args()
    for lang in args.lang:
        folder = args.out / lang
        folder.mkdir(parents=True, exist_ok=True)
        for word in sorted(vocabulary(lang)):
            make_clip(word, lang, folder / f"{word}.wav")
        size = sum(p.stat().st_size for p in folder.glob("*.wav"))
        print(f"{lang}: {len(vocabulary(lang))} clips, {size / 1024:.0f} KiB in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
