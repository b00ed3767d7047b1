"""Tap → first sound, per voice engine (issue 16 item 4). Target < 400 ms.

Measured from the call to ``Speaker.say()`` (what a tap on "Bacakan" or, with the audio guide, a
button press does) until audio output starts:

- ``speech-dispatcher``: Qt TextToSpeech reports the state Speaking. A private speech-dispatcher
  is started for the run (its own socket); without a sound device it may never speak, which the
  JSON then says.
- ``espeak-ng``: the WAV is written (espeak-ng run directly, on the speaker's worker thread) and
  Qt Multimedia's player has been started. ``playing_ms`` adds the player's own PlayingState when
  the machine has an audio output (none on a headless box).
- ``clips``: the announcement is pieced together from the word clips and the player started.

Each engine runs alone (the others switched off), 20 times per text, p50/p95 in ms. Prints JSON.

    .venv/bin/python bench/voice.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # after the platform is chosen

from kiosk.i18n import Translator
from kiosk.ui.qt.application import application
from kiosk.ui.qt.speech import CLIPS, DISPATCHER, ESPEAK, QtWavPlayer, Speaker

TARGET_MS = 400.0


def texts() -> dict[str, tuple[str, str]]:
    """What is read: a button under the finger, a whole screen, a lobby announcement (text, lang)."""
    t = Translator("id")
    return {"button": (t("welcome.start"), "id"),
            "screen": (" ".join([t("welcome.title", site="Mal Pelayanan Publik Kota Contoh"), t("welcome.spoken")]),
                       "id"),
            "announcement": ("Nomor antrean A dua belas, silakan menuju loket tiga", "id")}


def pick(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def wait(signal: object, timeout_ms: int) -> bool:
    """Run the event loop until ``signal`` fires; False on timeout."""
    loop = QEventLoop()
    fired: list[bool] = []
    def fire(*_args: object) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(fire)  # type: ignore[attr-defined]  # a Qt signal instance
    QTimer.singleShot(timeout_ms, loop.quit)
    if not fired:
        loop.exec()
    return bool(fired)


def measure(speaker: Speaker, engine: str, runs: int) -> dict[str, object]:
    if not wait(speaker.changed, 15_000) and speaker.loading:
        return {"available": False, "reason": "did not start"}
    langs = [lang for lang, chosen in speaker.engines.items() if chosen and chosen[0] == engine]
    if not langs:
        return {"available": False, "reason": f"chosen engines: {speaker.engines or 'none'}"}
    rows: dict[str, object] = {"available": True}
    # The first utterance after start (the engine loading its voice) is reported on its own.
    warm_text, warm_lang = texts()["announcement"]
    speaker.say(warm_text, warm_lang)
    if not wait(speaker.started, 20_000):
        speaker.stop()
        return {"available": False, "reason": "no sound started within 20 s of the first request"}
    rows["cold_first_sound_ms"] = round((time.monotonic() - speaker.said_at) * 1000, 1)
    speaker.stop()
    player = speaker._player  # the real Qt player (made on first use): its PlayingState, where there is a device
    for name, (text, lang) in texts().items():
        if engine == CLIPS and name != "announcement":
            continue
        first: list[float] = []
        playing: list[float] = []
        for _ in range(runs):
            marks: dict[str, float] = {}
            speaker.started.connect(on_start := lambda _e, m=marks: m.setdefault("start", time.monotonic()))
            if isinstance(player, QtWavPlayer):
                player.playing.connect(on_play := lambda m=marks: m.setdefault("play", time.monotonic()))
            if not speaker.say(text, lang):
                return {"available": False, "reason": f"would not say the {name} text"}
            wait(speaker.started, 5000)
            if isinstance(player, QtWavPlayer):
                if "play" not in marks and (playing or not first):  # only while the device answers
                    wait(player.playing, 500)
                player.playing.disconnect(on_play)
            speaker.started.disconnect(on_start)
            if "start" not in marks:
                speaker.stop()
                rows.update(available=False, reason=f"no sound started within 5 s ({name} text, after the first)")
                return rows
            if "start" in marks:
                first.append((marks["start"] - speaker.said_at) * 1000)
            if "play" in marks:
                playing.append((marks["play"] - speaker.said_at) * 1000)
            speaker.stop()
            wait(speaker.changed, 50)  # let the stop settle between runs
        row: dict[str, object] = {"words": len(text.split()), "n": len(first)}
        if first:
            row.update(first_sound_p50_ms=pick(first, 0.5), first_sound_p95_ms=pick(first, 0.95),
                       meets_target=pick(first, 0.95) < TARGET_MS)
        row["playing_ms"] = ({"p50": pick(playing, 0.5), "p95": pick(playing, 0.95)} if playing
                             else "no PlayingState (no audio output device)")
        rows[name] = row
    return rows


def private_dispatcher(folder: Path) -> subprocess.Popen[bytes] | None:
    """A speech-dispatcher of our own on a socket in ``folder`` (SPEECHD_ADDRESS points Qt at it)."""
    binary = shutil.which("speech-dispatcher")
    if binary is None:
        return None
    sock = folder / "speechd.sock"
    proc = subprocess.Popen([binary, "-s", "-t", "60", "-c", "unix_socket", "-S", str(sock), "-L", str(folder),
                             "-P", str(folder / "speechd.pid")],  # own pid file: another may run
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if sock.exists():
            break
        time.sleep(0.1)
    os.environ["SPEECHD_ADDRESS"] = f"unix_socket:{sock}"
    return proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    application()
    folder = Path(tempfile.mkdtemp(prefix="mpp-voice-bench-"))
    empty = folder / "no-clips"
    empty.mkdir()
    result: dict[str, object] = {"measured": datetime.now(UTC).isoformat(timespec="seconds"),
                                 "target_ms": TARGET_MS, "runs": args.runs, "cpus": os.cpu_count()}
    engines: dict[str, object] = {}
    for engine, options in ((ESPEAK, {"dispatcher": False, "clips_dir": empty}),
                            (CLIPS, {"dispatcher": False, "espeak": None})):
        speaker = Speaker(enabled=True, **options)
        speaker.load()
        engines[engine] = measure(speaker, engine, args.runs)
        speaker.shutdown()
    proc = private_dispatcher(folder)
    if proc is None:
        engines[DISPATCHER] = {"available": False, "reason": "speech-dispatcher not installed"}
    else:
        speaker = Speaker(enabled=True, espeak=None, clips_dir=empty)
        speaker.load()
        engines[DISPATCHER] = measure(speaker, DISPATCHER, args.runs)
        proc.kill()  # first: libspeechd's close can block on a dispatcher whose audio failed
        proc.wait(5)
        speaker.shutdown()
    result["engines"] = engines
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
