"""A face step for everyone (issue 16, item 6): no "stand", an animated arrow for the turn drawn in the
mirrored preview's own frame, time per movement from the configuration, and "I cannot do this" in sight."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from gui_touch import click, named
from PySide6.QtWidgets import QWidget

from kiosk.camera import evalmedia
from kiosk.camera.facecheck import FaceCheckSnapshot
from kiosk.camera.liveness import LivenessState, Phase
from kiosk.camera.sources import Frame, ImageListSource, VideoFileSource
from kiosk.config.schema import FaceSection, load_config
from kiosk.core import Core
from kiosk.i18n import texts
from kiosk.identity.face_services import FaceServices
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.camera_view import turn_arrow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

SHARED = Path(__file__).resolve().parents[3] / "shared"
MODELS = SHARED / "models"
CLIP = SHARED / "testdata" / "video" / "short_hamilton_clip.mp4"
VALID_NIK = "3171014501900001"


def test_the_arrow_points_the_way_the_citizen_turns_as_they_see_themselves() -> None:
    # mirrored preview (the kiosk's): their own left is the screen's left, as in a mirror
    assert turn_arrow("turn_left", mirrored=True) == "left"
    assert turn_arrow("turn_right", mirrored=True) == "right"
    # an unmirrored picture: the camera sees their left on its right, and the arrow follows the picture
    assert turn_arrow("turn_left", mirrored=False) == "right"
    assert turn_arrow("turn_right", mirrored=False) == "left"
    for step in ("blink", "smile", "open_mouth", None):
        assert turn_arrow(step, mirrored=True) is None


@pytest.mark.slow
def test_the_arrow_matches_a_real_turn_in_the_mirrored_preview() -> None:
    """The real clip's person turns to their own right (yaw < 0): in the mirrored preview their nose moves
    to the screen's right, where the arrow for "turn_right" points."""
    from kiosk.camera.analysis import FaceAnalyser

    capture = cv2.VideoCapture(str(CLIP))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.set(cv2.CAP_PROP_POS_FRAMES, round(4.2 * fps))  # turned (docs/face-check.md: 3.4-4.5 s)
    ok, image = capture.read()
    capture.release()
    assert ok
    with FaceAnalyser(MODELS) as analyser:
        obs = analyser.analyse(Frame(image, 0))
    assert obs.landmarks is not None and obs.yaw < -8  # their own right
    nose_x, cheeks_x = obs.landmarks[1][0], (obs.landmarks[234][0] + obs.landmarks[454][0]) / 2
    mirrored_nose = image.shape[1] - nose_x
    mirrored_cheeks = image.shape[1] - cheeks_x
    seen = "right" if mirrored_nose > mirrored_cheeks else "left"
    assert turn_arrow("turn_right", mirrored=True) == seen == "right"


def test_no_step_of_the_face_check_tells_anyone_to_stand() -> None:
    for lang, words in (("id", ("berdiri",)), ("en", ("stand ", "stand.", "stand,"))):
        face_texts = {key: text for key, text in texts(lang).items() if key.startswith("face.")}
        for key, text in face_texts.items():
            assert not any(word in text.lower() for word in words), (lang, key, text)
    assert texts("id")["face.hint.no_face"] == "Posisikan wajah di dalam oval"
    assert texts("en")["face.hint.no_face"] == "Place your face inside the oval"


def _window(qtbot, core: Core, services: FaceServices, size: tuple[int, int]) -> KioskWindow:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), face_services=services,
                         survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def walk_to_face(qtbot, window: KioskWindow, lang: str = "id") -> None:
    click(qtbot, named(window, Step.WELCOME, "welcomeLangEn" if lang == "en" else "welcomeLangId"))
    click(qtbot, named(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
    click(qtbot, named(window, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, named(window, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, named(window, Step.IDENTIFY, "nextButton"))
    assert window.current_step == Step.FACE


@pytest.fixture
def windows() -> Iterator[list[KioskWindow]]:
    made: list[KioskWindow] = []
    yield made
    for window in made:
        face = window.screens[Step.FACE]
        face.reset()  # type: ignore[attr-defined]
        face.runner.stop()  # type: ignore[attr-defined]
        window.shutdown()


def _challenge(step: str, seconds: float = 10.0) -> FaceCheckSnapshot:
    return FaceCheckSnapshot(LivenessState(Phase.CHALLENGE, None, step, 0, 2, seconds), 1, None, True)


def _yellow_share(widget: QWidget) -> tuple[int, int]:
    """Arrow-coloured pixels (amber-yellow) in the left and the right half of the widget."""
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())[:, :width * 3]
    rgb = pixels.reshape(height, width, 3).astype(int)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 150) & (rgb[..., 2] < 90)
    return int(yellow[:, : width // 2].sum()), int(yellow[:, width // 2:].sum())


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_turn_arrow_is_drawn_animated_and_only_for_turns(qtbot, core: Core, windows, lang: str) -> None:
    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([]))
    window = _window(qtbot, core, services, (1080, 1920))
    windows.append(window)
    walk_to_face(qtbot, window, lang)
    face = window.screens[Step.FACE]
    face.show_still(np.full((480, 640, 3), 90, np.uint8))
    face.apply_snapshot(FaceCheckSnapshot(LivenessState(Phase.SEARCHING, "no_face"), 1, None, False))
    assert face.instruction.text() == texts(lang)["face.hint.no_face"]
    assert face.preview.arrow is None
    face.apply_snapshot(_challenge("turn_left"))
    assert face.instruction.text() == texts(lang)["face.step.turn_left"]
    assert face.preview.arrow == "left"
    left, right = _yellow_share(face.preview)
    assert left > 500 and right == 0, (left, right)
    phase = face.preview._arrow_phase
    qtbot.wait(200)
    assert face.preview._arrow_phase != phase  # it moves
    face.apply_snapshot(_challenge("turn_right"))
    assert face.preview.arrow == "right"
    left, right = _yellow_share(face.preview)
    assert right > 500 and left == 0, (left, right)
    face.apply_snapshot(_challenge("blink"))
    assert face.preview.arrow is None and _yellow_share(face.preview) == (0, 0)
    face.apply_snapshot(_challenge("turn_right"))
    face.apply_snapshot(FaceCheckSnapshot(LivenessState(Phase.BASELINE), 1, None, True))  # the pause after
    assert face.preview.arrow is None and not face.preview._arrow_timer.isActive()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large", [False, True])
def test_i_cannot_do_this_is_in_sight_in_every_state_of_the_live_check(qtbot, core: Core, windows,
                                                                       size: tuple[int, int], large: bool) -> None:
    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([]))
    window = _window(qtbot, core, services, size)
    windows.append(window)
    window.set_large_text(large)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    for snapshot in (FaceCheckSnapshot(LivenessState(Phase.SEARCHING, "no_face"), 1, None, False),
                     FaceCheckSnapshot(LivenessState(Phase.HINT, "more_light"), 1, None, True),
                     _challenge("turn_left")):
        face.apply_snapshot(snapshot)
        qtbot.wait(10)
        cannot = named(window, Step.FACE, "faceCannot")
        assert cannot.isVisible() and cannot.text() == "Saya tidak bisa melakukan ini"
        top_left = cannot.mapTo(window, cannot.rect().topLeft())
        box = cannot.rect().translated(top_left)
        assert window.rect().contains(box), (snapshot.state.phase, box, window.rect())
        assert box.height() >= 72 * 0.9  # a touch target, not squeezed away
    click(qtbot, named(window, Step.FACE, "faceCannot"))
    assert window.current_step == Step.CONFIRM and window.session.identity_status() == "to_verify_at_counter"


def test_the_default_time_per_movement_is_at_least_8_seconds() -> None:
    assert FaceSection().step_timeout_seconds >= 8


@pytest.mark.slow
def test_time_per_movement_comes_from_the_configuration(qtbot, core: Core, windows, tmp_path: Path) -> None:
    """``[face] step_timeout_seconds = 13`` in site.toml: the challenge counts down from 13 s."""
    site = tmp_path / "site.toml"
    site.write_text("[face]\nstep_timeout_seconds = 13.0\n", encoding="utf-8")
    configured = load_config(site).face
    assert configured.step_timeout_seconds == 13.0
    # a recording cannot answer prompts: the response rules off, as in test_face_step.py (timing only)
    limits = dataclasses.replace(configured, prompt_pause_min_seconds=0.0, prompt_pause_max_seconds=0.0,
                                 min_response_seconds=0.0, max_response_seconds=30.0, other_action_factor=0.0)
    clip = evalmedia.crop_video(CLIP, tmp_path / "clip.mp4", box=(0.14, 0.0, 0.5, 0.667), start_s=3.25,
                                end_s=7.1)
    services = FaceServices(limits, MODELS, lambda: VideoFileSource(clip), challenge=("smile", "turn_right"))
    window = _window(qtbot, core, services, (1080, 1920))
    windows.append(window)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    click(qtbot, named(window, Step.FACE, "faceAgree"))
    qtbot.waitUntil(lambda: face.state == "challenge", timeout=15_000)
    shown = face.progress_text.text()
    seconds = int(shown.rsplit("Sisa waktu ", 1)[1].split()[0])
    assert 11 <= seconds <= 13, shown  # the default (10) would show 10 or less
