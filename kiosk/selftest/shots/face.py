"""Pictures of every state of the face step for ``kiosk selftest`` (no camera, no model needed).

The preview shows a drawn stand-in for a camera picture; the step is reached by taps, and its states are fed
to the screen as the analysis would (:meth:`FaceScreen.apply_snapshot`) and as MPP Digital's answer
would (:meth:`FaceScreen.show_identity_decision`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtWidgets import QWidget

from kiosk.camera.facecheck import FaceCheckSnapshot
from kiosk.camera.liveness import LivenessDecision, LivenessState, Phase
from kiosk.camera.sources import ImageListSource
from kiosk.config.schema import Config
from kiosk.core import Core
from kiosk.i18n import LANGUAGES, Language
from kiosk.identity.check import IdentityDecision, IdentityOutcome
from kiosk.identity.face_services import FaceServices
from kiosk.selftest.scene import SAMPLE_NIK, save_shot, scratch, tap, tap_keys
from kiosk.ui.kiosk.face import FaceScreen
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def stand_in_picture(width: int = 640, height: int = 480) -> np.ndarray:
    """A soft lobby-like background with a head-and-shoulders shape where a citizen would stand."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = (150 + 40 * y - 20 * x).astype(np.uint8)
    image = cv2.merge([base + 10, base, base - 10])
    cv2.ellipse(image, (width // 2, int(height * 1.05)), (int(width * 0.3), int(height * 0.3)), 0, 180, 360,
                (90, 80, 70), -1)
    cv2.ellipse(image, (width // 2, height // 2 - 10), (int(width * 0.13), int(height * 0.24)), 0, 0, 360,
                (120, 150, 190), -1)
    return cv2.GaussianBlur(image, (0, 0), 3)


def _snapshot(phase: Phase, hint: str | None = None, step: str | None = None, index: int = 0,
              failed_because: str = "") -> FaceCheckSnapshot:
    decision = None
    if failed_because:
        decision = LivenessDecision(live=False, reason=failed_because, challenge=("turn_left", "open_mouth"),
                                    steps=[], baseline={}, motion=0.0, face_in_oval_ms=None, decided_ms=0)
    state = LivenessState(phase, hint, step, index, 2, 5.0, decision=decision)
    return FaceCheckSnapshot(state, 1, None, phase is not Phase.SEARCHING)


def capture_face(config: Config, out: Path, shots: list[Path]) -> None:
    for orientation, size in SIZES.items():
        for lang in LANGUAGES if orientation == "portrait" else ("id",):
            with scratch(config) as core:
                save = functools.partial(_save_as, out / f"face-{orientation}-{lang}", shots)
                _face_states(core, size, lang, save)


def _save_as(prefix: Path, shots: list[Path], window: QWidget, name: str) -> None:
    save_shot(window, prefix.with_name(f"{prefix.name}-{name}.png"), shots)


def _face_states(core: Core, size: tuple[int, int], lang: Language,
                 shot: Callable[[QWidget, str], None]) -> None:
    """Reach the face step by taps, then show each state as the analysis and the identity answer would."""
    services = FaceServices(core.config.face, core.config.model_dir, lambda: ImageListSource([]))
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), face_services=services,
                         survey_store=core.survey)
    face = window.screens[Step.FACE]
    assert isinstance(face, FaceScreen)
    try:
        window.resize(*size)
        window.show()
        tap(window, "welcomeLangEn" if lang == "en" else "welcomeLangId")
        tap(window, "startButton")
        tap(window, "KTP-EL")
        tap(window, "nextButton")
        tap_keys(window, SAMPLE_NIK)
        tap(window, "nextButton")
        shot(window, "1-consent")
        face.show_still(stand_in_picture())
        face.apply_snapshot(_snapshot(Phase.SEARCHING, "no_face"))
        shot(window, "2-searching")
        face.apply_snapshot(_snapshot(Phase.HINT, "more_light"))
        shot(window, "3-hint")
        face.apply_snapshot(_snapshot(Phase.CHALLENGE, step="turn_left", index=1))
        shot(window, "4-challenge")
        face.apply_snapshot(_snapshot(Phase.CHALLENGE, step="turn_right", index=1))
        window.set_large_text(True)  # the turn's arrow (issue 16) and "I cannot do this" in large text
        shot(window, "4-challenge-turn-right-large-text")
        window.set_large_text(False)
        face.show_identity_decision(IdentityDecision(IdentityOutcome.VERIFIED, attempt=1, score=0.91))
        shot(window, "5-success")
        face.apply_snapshot(_snapshot(Phase.FAILED, failed_because="timeout"))
        shot(window, "6-failure")
        face.show_identity_decision(IdentityDecision(IdentityOutcome.DEFERRED, attempt=1, reason="unavailable"))
        shot(window, "7-offline-deferral")
        face.show_identity_decision(IdentityDecision(IdentityOutcome.GO_TO_DESK, attempt=3, reason="no_match"))
        shot(window, "8-information-desk")
    finally:
        face.reset()
        face.runner.stop()
        window.shutdown()
        window.deleteLater()
