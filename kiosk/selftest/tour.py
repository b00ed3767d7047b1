"""One picture of every screen of every role, in both languages (for ``kiosk selftest``).

The scenes (one module each in :mod:`kiosk.selftest.shots`) drive the screens as a touch would,
against a throw-away queue, so the pictures show what a citizen, a clerk and the lobby would really see.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from kiosk.config.schema import DATA_DIR_ENV, Config
from kiosk.selftest.scene import settle
from kiosk.selftest.shots.admin import capture_admin
from kiosk.selftest.shots.application import capture_applications
from kiosk.selftest.shots.booking import capture_booking
from kiosk.selftest.shots.complaint_filing import capture_complaint_filing
from kiosk.selftest.shots.complaints import capture_complaints
from kiosk.selftest.shots.counter import capture_counter_and_display
from kiosk.selftest.shots.face import capture_face
from kiosk.selftest.shots.help import capture_help
from kiosk.selftest.shots.kiosk import capture_kiosk
from kiosk.selftest.shots.phone import capture_phone_status
from kiosk.selftest.shots.status import capture_status
from kiosk.selftest.shots.survey import capture_survey
from kiosk.selftest.shots.without_nik import capture_without_nik
from kiosk.ui.qt.application import application


def capture_all(config: Config, out: Path) -> list[Path]:
    # $KIOSK_DATA_DIR would win over each scratch core's data_dir (Config.data_dir): the pictures'
    # sample tickets would land in this machine's real queue. Hide it while the screens are drawn.
    real_data_dir = os.environ.pop(DATA_DIR_ENV, None)
    try:
        return _capture_all(config, out)
    finally:
        if real_data_dir is not None:
            os.environ[DATA_DIR_ENV] = real_data_dir


def _capture_all(config: Config, out: Path) -> list[Path]:
    application()
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    base = dataclasses.replace(config, device=dataclasses.replace(config.device, fullscreen=False),
                               kiosk=dataclasses.replace(config.kiosk, speech="off"))
    capture_kiosk(base, out, shots)
    capture_counter_and_display(base, out, shots)
    capture_survey(base, out, shots)
    capture_admin(base, out, shots, voice=config)  # diagnostics say what the self-test found for this config
    capture_applications(base, out, shots)
    capture_face(base, out, shots)
    capture_status(base, out, shots)
    capture_booking(base, out, shots)  # "Saya sudah booking": keys, ticket, choices, refusals (issue 19)
    capture_without_nik(base, out, shots)  # no KTP, a passport/KITAS, the information desk (issue 16)
    capture_help(base, out, shots)  # "Minta bantuan": the kiosk's call, the consoles' list, the board's corner
    capture_complaint_filing(base, out, shots)  # "Sampaikan pengaduan": each step, the receipt; the counter's dialog
    capture_complaints(base, out, shots)  # the complaint officer's console: sign-in, list, one complaint
    capture_phone_status(base, out)  # phone-status-*.png: pages drawn by Chromium, not Qt screens (not in ``shots``)
    settle()
    return shots
