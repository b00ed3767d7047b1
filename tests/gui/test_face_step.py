"""The face step in the citizen flow, driven by clicks with file sources instead of a camera:
consent first, a real clip passing its scripted challenge, a still photo failing with a retry, the
counter fallbacks, and the offline deferral that keeps the face picture encrypted."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from gui_touch import click
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.camera import evalmedia
from kiosk.camera.sources import ImageListSource, VideoFileSource
from kiosk.config.schema import FaceSection
from kiosk.core import Core
from kiosk.identity.check import PendingFaces
from kiosk.identity.face_services import FaceServices
from kiosk.ui.kiosk.window import KioskWindow
from kiosk.ui.qt.speech import Speaker
from kiosk.visit.flow import Step

SHARED = Path(__file__).resolve().parents[3] / "shared"
MODELS = SHARED / "models"
CLIP = SHARED / "testdata" / "video" / "short_hamilton_clip.mp4"
OBAMA = SHARED / "testdata" / "faces" / "obama.jpg"
VALID_NIK = "3171014501900001"
# A recorded clip cannot answer the kiosk's prompts (it is, by definition, a replay), so the tests that
# play one through the screen switch the response rules off: they check the screen's flow; the rules are
# checked in tests/camera/test_replay_rules.py.
RECORDING = FaceSection(prompt_pause_min_seconds=0.0, prompt_pause_max_seconds=0.0, min_response_seconds=0.0,
                        max_response_seconds=30.0, other_action_factor=0.0)


@pytest.fixture(scope="module")
def live_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("face-gui")
    return evalmedia.crop_video(CLIP, out / "clip.mp4", box=(0.14, 0.0, 0.5, 0.667), start_s=3.25, end_s=7.1)


@pytest.fixture(scope="module")
def framed_still(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The photo as a citizen would stand: face centred in the oval (a still held to the camera)."""
    import cv2

    from kiosk.camera.analysis import FaceAnalyser
    from kiosk.camera.sources import Frame

    photo = cv2.imread(str(OBAMA))
    with FaceAnalyser(MODELS) as analyser:
        box = analyser.analyse(Frame(photo, 0)).bbox
    path = tmp_path_factory.mktemp("face-still") / "still.png"
    cv2.imwrite(str(path), evalmedia.frame_face(photo, box))
    return path


def _kiosk(qtbot, core: Core, services: FaceServices) -> KioskWindow:
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), face_services=services,
                         survey_store=core.survey)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    return window


@pytest.fixture
def spoken() -> list[str]:
    return []


def button(window: KioskWindow, step: Step, name: str) -> QPushButton:
    found = window.screens[step].findChild(QPushButton, name)
    assert found is not None, name
    return found


def walk_to_face(qtbot, window: KioskWindow) -> None:
    click(qtbot, button(window, Step.WELCOME, "startButton"))
    click(qtbot, window.screens[Step.SERVICE].tiles["KTP-EL"])
    click(qtbot, button(window, Step.REQUIREMENTS, "nextButton"))
    for digit in VALID_NIK:
        click(qtbot, button(window, Step.IDENTIFY, f"key{digit}"))
    click(qtbot, button(window, Step.IDENTIFY, "nextButton"))
    assert window.current_step == Step.FACE


@pytest.fixture
def stop_face(request) -> Iterator[list[KioskWindow]]:
    windows: list[KioskWindow] = []
    yield windows
    for window in windows:
        window.screens[Step.FACE].reset()  # type: ignore[attr-defined]
        window.screens[Step.FACE].runner.stop()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_live_clip_passes_then_offline_defers_to_the_counter(qtbot, core: Core, live_clip: Path, stop_face,
                                                               spoken: list[str]) -> None:
    pending = PendingFaces(core.config.data_dir / "pending-faces")
    services = FaceServices(RECORDING, MODELS, lambda: VideoFileSource(live_clip),
                            pending=pending, challenge=("turn_right", "open_mouth"))
    window = _kiosk(qtbot, core, services)
    stop_face.append(window)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    face.speak = spoken.append
    assert face.state == "consent" and face.feed is None  # camera off until consent
    click(qtbot, button(window, Step.FACE, "faceAgree"))
    assert face.feed is not None
    qtbot.waitUntil(lambda: face.state == "challenge", timeout=10_000)
    assert face.instruction.text() == "Tolehkan kepala ke kanan"
    assert face.preview.isVisible()
    qtbot.waitUntil(lambda: face.state not in ("challenge", "searching", "hint", "baseline", "checking"),
                    timeout=15_000)
    assert face.state == "deferred", (face.state, face._reason, face._text_key)
    assert face.feed is None  # camera off again
    assert "Tolehkan kepala ke kanan" in spoken
    request_id = window.session.request_id()
    assert pending.load(request_id) is not None  # kept encrypted for the counter
    click(qtbot, button(window, Step.FACE, "faceContinue"))
    assert window.current_step == Step.CONFIRM
    assert window.session.identity_status() == "to_verify_at_counter"


@pytest.mark.slow
def test_still_photo_fails_offers_a_retry_then_only_the_counter(qtbot, core: Core, stop_face,
                                                                framed_still: Path) -> None:
    limits = dataclasses.replace(FaceSection(), step_timeout_seconds=2.0, max_attempts=2)
    services = FaceServices(limits, MODELS, lambda: ImageListSource([framed_still], fps=15, loop=True),
                            challenge=("smile", "turn_left"))
    window = _kiosk(qtbot, core, services)
    stop_face.append(window)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    click(qtbot, button(window, Step.FACE, "faceAgree"))
    qtbot.waitUntil(lambda: face.state == "failure", timeout=15_000)
    assert face.body.text() == "Waktunya habis. Tidak apa-apa, coba sekali lagi."
    click(qtbot, button(window, Step.FACE, "faceRetry"))
    qtbot.waitUntil(lambda: face.state == "failure", timeout=15_000)
    assert not button(window, Step.FACE, "faceRetry").isVisible()  # two tries used
    click(qtbot, button(window, Step.FACE, "faceToCounter"))
    assert window.current_step == Step.CONFIRM
    assert window.session.identity_status() == "to_verify_at_counter"


def test_prefer_not_to_skips_the_camera(qtbot, core: Core, stop_face) -> None:
    opened: list[int] = []
    services = FaceServices(FaceSection(), MODELS, lambda: opened.append(1) or ImageListSource([OBAMA]))
    window = _kiosk(qtbot, core, services)
    stop_face.append(window)
    walk_to_face(qtbot, window)
    assert window.header.step_label.text().endswith("5") if hasattr(window.header, "step_label") else True
    click(qtbot, button(window, Step.FACE, "faceDecline"))
    assert window.current_step == Step.CONFIRM and not opened


def test_missing_camera_leads_to_the_counter(qtbot, core: Core, stop_face, tmp_path: Path) -> None:
    services = FaceServices(FaceSection(), MODELS, lambda: VideoFileSource(tmp_path / "no-camera.mp4"))
    window = _kiosk(qtbot, core, services)
    stop_face.append(window)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    click(qtbot, button(window, Step.FACE, "faceAgree"))
    qtbot.waitUntil(lambda: face.state == "camera_unavailable", timeout=5000)
    assert "loket" in face.body.text()
    click(qtbot, button(window, Step.FACE, "faceContinue"))
    assert window.current_step == Step.CONFIRM


def test_face_step_left_out_when_the_model_is_missing(qtbot, core: Core) -> None:
    from kiosk.identity.face_services import face_services_from_config

    config = dataclasses.replace(core.config, face=dataclasses.replace(core.config.face, enabled=True,
                                                                       model_dir=str(core.config.data_dir)))
    import os
    saved = os.environ.pop("KIOSK_MODEL_DIR", None)
    try:
        services = face_services_from_config(config)
    finally:
        if saved is not None:
            os.environ["KIOSK_MODEL_DIR"] = saved
    assert services is not None and not services.available and "kiosk models install" in services.problem
    window = KioskWindow(core.config, core.catalog, core.queue, Speaker(enabled=False), face_services=services,
                         survey_store=core.survey)
    qtbot.addWidget(window)
    assert Step.FACE not in window.screens and not window.face_check_available


@pytest.mark.slow
def test_live_clip_verified_by_the_reference_central_api(qtbot, core: Core, live_clip: Path, stop_face,
                                                         tmp_path: Path) -> None:
    """The register's photo of this NIK is an earlier frame of the same person: the check verifies."""
    import cv2

    from central_api.app import RunningCentral
    from central_api.matcher import IdentityRegister, load_identities, load_matcher
    from kiosk.catalog.services import default_catalog_path
    from kiosk.sync.central_client import CentralClient

    capture = cv2.VideoCapture(str(live_clip))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 100)
    ok, register_photo = capture.read()
    capture.release()
    assert ok
    cv2.imwrite(str(tmp_path / "register.jpg"), register_photo)
    (tmp_path / "ids.toml").write_text(f'[[identity]]\nnik = "{VALID_NIK}"\nphotos = ["register.jpg"]\n')
    server = RunningCentral(tmp_path / "central.sqlite3", enroll_codes=["gui-face-code"],
                            catalog_path=default_catalog_path(),
                            register=IdentityRegister(load_identities(tmp_path / "ids.toml"), load_matcher()))
    try:
        with CentralClient(server.url, None) as anonymous:
            creds = anonymous.enroll("gui-face-code", device_name="face-gui")
        services = FaceServices(RECORDING, MODELS, lambda: VideoFileSource(live_clip),
                                make_identity_client=lambda: CentralClient(server.url, creds, timeout=5.0),
                                challenge=("turn_right", "smile"))
        window = _kiosk(qtbot, core, services)
        stop_face.append(window)
        walk_to_face(qtbot, window)
        face = window.screens[Step.FACE]
        click(qtbot, button(window, Step.FACE, "faceAgree"))
        qtbot.waitUntil(lambda: face.state not in ("consent", "searching", "hint", "baseline", "challenge",
                                                   "checking"), timeout=25_000)
        assert face.state == "success", (face.state, face._reason)
        assert face.mark.isVisible()
        click(qtbot, button(window, Step.FACE, "faceContinue"))
        assert window.current_step == Step.CONFIRM
        assert window.session.identity_status() == "verified"
    finally:
        server.stop()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("large_text", [False, True])
def test_every_face_state_fits(qtbot, core: Core, stop_face, size: tuple[int, int], large_text: bool) -> None:
    """Each state in both orientations and text sizes: nothing clipped, the window keeps its size."""
    from PySide6.QtWidgets import QLabel

    from kiosk.camera.liveness import Phase
    from kiosk.selftest.shots.face import _snapshot, stand_in_picture

    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([OBAMA]))
    window = _kiosk(qtbot, core, services)
    stop_face.append(window)
    window.resize(*size)
    window.set_language("id")  # the longer texts
    window.set_large_text(large_text)
    walk_to_face(qtbot, window)
    face = window.screens[Step.FACE]
    face.show_still(stand_in_picture())
    states = [lambda: None, lambda: face.apply_snapshot(_snapshot(Phase.HINT, "several_faces")),
              lambda: face.apply_snapshot(_snapshot(Phase.CHALLENGE, step="open_mouth", index=1)),
              lambda: face._show("success", "face.result.success_body"),
              lambda: face._failure("not_matched"), lambda: face._failure("wrong_action"),
              lambda: face._show("deferred", "face.result.deferred_body"),
              lambda: face._show("camera_unavailable", "face.result.camera_unavailable")]
    for show in states:
        show()
        qtbot.wait(5)
        assert (window.width(), window.height()) == size
        needed = face.layout().totalMinimumSize()
        area = window.stack.size()
        assert needed.width() <= area.width() and needed.height() <= area.height(), (face.state, needed, area)
        for widget in face.findChildren(QWidget):
            if not widget.isVisible() or widget.visibleRegion().isEmpty():
                continue
            if isinstance(widget, QPushButton) and widget.text():
                assert widget.contentsRect().width() >= widget.fontMetrics().horizontalAdvance(widget.text()), (
                    face.state, widget.text())
                assert widget.height() >= 72, (face.state, widget.objectName())
            elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap():
                assert widget.height() >= widget.heightForWidth(widget.width()) - 2, (face.state, widget.text()[:30])


def test_kept_faces_go_once_the_counter_has_seen_the_citizen_or_the_day_ends(qtbot, core: Core, tmp_path: Path) -> None:
    """Deferred identity: the picture is deleted when the clerk starts serving that ticket (not before,
    not for another ticket), and a past day's pictures are purged by the kiosk's midnight timer."""
    today = [date(2026, 11, 23)]
    pending = PendingFaces(tmp_path / "pending", today=lambda: today[0])
    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([OBAMA]), pending=pending)
    window = _kiosk(qtbot, core, services)
    assert window.purge_timer is not None and window.purge_timer.isActive()
    mine = core.queue.issue("KTP-EL", request_id="face-ref-1", identity_status="to_verify_at_counter").ticket
    other = core.queue.issue("KTP-EL", request_id="face-ref-2", identity_status="to_verify_at_counter").ticket
    pending.keep(mine.request_id, b"jpeg-1")
    pending.keep(other.request_id, b"jpeg-2")

    core.queue.call_next(1, ["KTP-EL"], actor="clerk@counter-1")
    qtbot.wait(50)
    assert pending.load(mine.request_id) == b"jpeg-1"  # called is not checked yet
    core.queue.start(mine.id, actor="clerk@counter-1")
    qtbot.waitUntil(lambda: pending.load(mine.request_id) is None, timeout=5000)
    assert pending.load(other.request_id) == b"jpeg-2"

    today[0] = date(2026, 11, 24)
    window.purge_timer.timeout.emit()  # midnight
    qtbot.waitUntil(lambda: not (tmp_path / "pending" / "2026-11-23").exists(), timeout=5000)
    assert window.purge_timer.isActive()  # armed for the next midnight
    window.shutdown()
