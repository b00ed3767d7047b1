"""Pictures of every state of the face step for ``kiosk selftest`` (no camera, no model needed).

The preview shows a drawn stand-in for a camera picture; the states are fed to the screen exactly as
the analysis would feed them (:meth:`FaceScreen.apply_snapshot`) or as the identity answer would.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.facecheck import FaceCheckSnapshot
from kiosk.camera.liveness import LivenessState, Phase
from kiosk.camera.sources import ImageListSource
from kiosk.citizen.nik import parse_nik
from kiosk.config.schema import Config
from kiosk.identity.face_services import FaceServices
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


def _snapshot(phase: Phase, hint: str | None = None, step: str | None = None, index: int = 0) -> FaceCheckSnapshot:
    return FaceCheckSnapshot(LivenessState(phase, hint, step, index, 2, 5.0), 1, None, phase is not Phase.SEARCHING)


def capture_face(config: Config, out: Path, shots: list[Path]) -> None:
    from kiosk.selftest.scene import save_shot, scratch_core

    picture = stand_in_picture()
    for orientation, size in SIZES.items():
        for lang in (("id", "en") if orientation == "portrait" else ("id",)):
            with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
                core = scratch_core(config, Path(scratch))
                services = FaceServices(config.face, config.model_dir, lambda: ImageListSource([]))
                window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False),
                                     face_services=services)
                try:
                    window.resize(*size)
                    window.show()
                    window.set_language(lang)
                    assert core.catalog is not None
                    window.choose_service(core.catalog.service("KTP-EL"))
                    window.identified(parse_nik("3171014501900001"))
                    face: FaceScreen = window.screens[Step.FACE]  # type: ignore[assignment]

                    def shot(name: str) -> None:
                        save_shot(window, out / f"face-{orientation}-{lang}-{name}.png", shots)

                    shot("1-consent")
                    face.show_still(picture)
                    face.apply_snapshot(_snapshot(Phase.SEARCHING, "no_face"))
                    shot("2-searching")
                    face.apply_snapshot(_snapshot(Phase.HINT, "more_light"))
                    shot("3-hint")
                    face.apply_snapshot(_snapshot(Phase.CHALLENGE, step="turn_left", index=1))
                    shot("4-challenge")
                    face._show("success", "face.result.success_body", progress=1.0)
                    shot("5-success")
                    face.liveness_failures = 1
                    face._failure("timeout")
                    shot("6-failure")
                    face._show("deferred", "face.result.deferred_body")
                    shot("7-offline-deferral")
                    face._show("desk", "face.result.desk_body")
                    shot("8-information-desk")
                finally:
                    window.screens[Step.FACE].reset()  # type: ignore[attr-defined]
                    window.screens[Step.FACE].runner.stop()  # type: ignore[attr-defined]
                    window.shutdown()
                    window.deleteLater()
                    core.close()
