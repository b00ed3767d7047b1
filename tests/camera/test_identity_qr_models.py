"""Identity outcomes against the reference central API on loopback, pending-face retention, QR reading
of generated codes, and model install/verify (never downloading)."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.camera import evalmedia
from kiosk.camera.analysis import FaceAnalyser
from kiosk.camera.facecheck import aligned_face_jpeg
from kiosk.camera.models import (
    FACE_MODEL_NAME,
    FACE_MODEL_SHA256,
    ModelError,
    install_model,
    require_model,
    verify_model,
)
from kiosk.camera.sources import Frame
from kiosk.identity.check import IdentityCheck, IdentityOutcome, PendingFaces
from kiosk.printing.status import status_url
from kiosk.visit.qr_codes import DEFAULT_IKD_PATTERN, classify_qr, read_qr

from .conftest import FACES, MODELS

NIK_OBAMA = "3171010101900001"
NIK_BIDEN = "3201014506850002"
ENROLL = "face-test-enroll-code"


def _face_jpeg(name: str) -> bytes:
    photo = cv2.imread(str(FACES / name))
    with FaceAnalyser(MODELS) as analyser:
        obs = analyser.analyse(Frame(photo, 0))
    assert obs.landmarks is not None
    return aligned_face_jpeg(photo, obs.landmarks)


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory):
    from central_api.app import RunningCentral
    from central_api.matcher import IdentityRegister, load_identities, load_matcher
    from central_api.middleware import Faults
    from kiosk.catalog.services import default_catalog_path
    from kiosk.sync.central_client import CentralClient

    folder = tmp_path_factory.mktemp("central")
    register_file = folder / "identities.toml"
    register_file.write_text(
        f'[[identity]]\nnik = "{NIK_OBAMA}"\nname = "A"\nphotos = ["{FACES / "obama2.jpg"}"]\n'
        f'[[identity]]\nnik = "{NIK_BIDEN}"\nname = "B"\nphotos = ["{FACES / "biden2.jpg"}"]\n', encoding="utf-8")
    server = RunningCentral(folder / "central.sqlite3", enroll_codes=[ENROLL], catalog_path=default_catalog_path(),
                            register=IdentityRegister(load_identities(register_file), load_matcher()),
                            faults=Faults(seed=3))
    try:
        with CentralClient(server.url, None) as anonymous:
            creds = anonymous.enroll(ENROLL, device_name="face-test")
        with CentralClient(server.url, creds, data_dir=folder, timeout=5.0) as client:
            yield server, client
    finally:
        server.stop()


@pytest.mark.slow
def test_identity_verified_for_the_same_person(central) -> None:
    _server, client = central
    decision = IdentityCheck(client).verify(NIK_OBAMA, _face_jpeg("obama.jpg"))
    assert decision.outcome is IdentityOutcome.VERIFIED and decision.score is not None
    assert decision.outcome.ticket_status == "verified"


@pytest.mark.slow
def test_not_matched_gets_one_retry_then_the_information_desk(central) -> None:
    _server, client = central
    check = IdentityCheck(client, max_attempts=2)
    face = _face_jpeg("obama.jpg")
    first = check.verify(NIK_BIDEN, face)
    second = check.verify(NIK_BIDEN, face)
    assert (first.outcome, second.outcome) == (IdentityOutcome.RETRY, IdentityOutcome.GO_TO_DESK)
    assert first.reason == "no_match"


@pytest.mark.slow
def test_central_unavailable_defers_to_the_counter(central, caplog) -> None:
    server, client = central
    server.faults.fail_rate = 1.0
    try:
        caplog.set_level(logging.INFO)
        decision = IdentityCheck(client).verify(NIK_OBAMA, b"\xff\xd8not-really-a-jpeg")
    finally:
        server.faults.fail_rate = 0.0
    assert decision.outcome is IdentityOutcome.DEFERRED and decision.outcome.ticket_status == "to_verify_at_counter"
    assert NIK_OBAMA not in caplog.text  # masked in logs


def test_offline_kiosk_defers_without_a_client() -> None:
    assert IdentityCheck(None).verify(NIK_OBAMA, b"x").outcome is IdentityOutcome.DEFERRED


def test_pending_faces_are_encrypted_and_gone_after_release_or_the_day(tmp_path: Path) -> None:
    today = [date(2026, 11, 23)]
    store = PendingFaces(tmp_path / "pending", today=lambda: today[0])
    secret = b"\xff\xd8 face bytes \xff\xd9"
    path = store.keep("ticket-1", secret)
    assert secret not in path.read_bytes() and store.load("ticket-1") == secret
    assert oct((tmp_path / "pending" / PendingFaces.KEY_FILE).stat().st_mode & 0o777) == "0o600"
    store.keep("ticket-2", secret)
    assert store.release("ticket-1") and store.load("ticket-1") is None
    today[0] += timedelta(days=1)
    assert store.purge() == 1 and not any((tmp_path / "pending").glob("*/*.bin"))
    with pytest.raises(ValueError):
        store.keep("../escape", secret)


# -- QR ------------------------------------------------------------------------------------------

def _qr_frame(text: str, *, tilt: float = 0.0) -> np.ndarray:
    """A generated QR code held up to a 640x480 camera, optionally tilted like a phone in the hand."""
    import zxingcpp

    code = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
    frame = np.full((480, 640, 3), 120, np.uint8)
    h, w = code.shape
    y0, x0 = (480 - h) // 2, (640 - w) // 2
    frame[y0:y0 + h, x0:x0 + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    if tilt:
        frame = cv2.warpPerspective(frame, evalmedia.plane_homography((640, 480), tilt, 10), (640, 480),
                                    borderValue=(120, 120, 120))
    return frame


@pytest.mark.parametrize("tilt", [0.0, 30.0])
def test_ikd_qr_yields_the_nik(tilt: float) -> None:
    reading = read_qr(_qr_frame(f"IKD|v1|NIK:{NIK_OBAMA}|NAMA:CONTOH", tilt=tilt))
    assert reading is not None and reading.kind == "ikd" and reading.value == NIK_OBAMA and not reading.problem
    assert NIK_OBAMA not in repr(reading)


def test_ikd_pattern_is_configurable_and_invalid_niks_are_flagged() -> None:
    pattern = r"nik=(?P<nik>[0-9 ]{16,19})"
    assert classify_qr("https://ikd.example/?nik=3171 0101 0190 0001", pattern).value == NIK_OBAMA
    assert classify_qr("IKD 9999999999999999", DEFAULT_IKD_PATTERN).problem == "province"
    assert classify_qr("hello world").kind == "unknown"
    with pytest.raises(ValueError):
        classify_qr("x", r"\d{16}")


def test_our_ticket_and_application_status_codes_are_recognised() -> None:
    ticket_url = status_url("http://10.0.0.5:8700/v1/status/{token}", "a2f4c1d0-0000-4000-8000-000000000001")
    reading = read_qr(_qr_frame(ticket_url))
    assert reading is not None and reading.kind == "ticket_status" and ticket_url.endswith(reading.value)
    app_id = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
    assert classify_qr(f"https://mpp.example.go.id/api/status/{app_id}").value == app_id
    assert classify_qr("https://mpp-digital.example/status/APP-20261123-0007").kind == "application_status"


def test_no_qr_in_a_face_picture() -> None:
    assert read_qr(cv2.imread(str(FACES / "obama.jpg"))) is None


# -- models --------------------------------------------------------------------------------------

def test_install_from_a_folder_then_verify(tmp_path: Path) -> None:
    target = tmp_path / "models"
    assert not verify_model(target).ok and "kiosk models install" in verify_model(target).message
    path = install_model(target, from_dir=MODELS)
    assert path == target / FACE_MODEL_NAME and verify_model(target).ok
    assert not list(target.glob("*.part"))


def test_corrupt_model_is_refused_with_the_fix(tmp_path: Path) -> None:
    corrupt = tmp_path / "usb"
    corrupt.mkdir()
    data = bytearray((MODELS / FACE_MODEL_NAME).read_bytes())
    data[1000] ^= 0xFF
    (corrupt / FACE_MODEL_NAME).write_bytes(bytes(data))
    target = tmp_path / "models"
    with pytest.raises(ModelError, match=FACE_MODEL_SHA256):
        install_model(target, from_dir=corrupt)
    assert not (target / FACE_MODEL_NAME).exists() and not list(target.glob("*"))  # nothing half-written
    shutil.copy(corrupt / FACE_MODEL_NAME, target / FACE_MODEL_NAME)  # damaged in place
    with pytest.raises(ModelError, match="damaged or the wrong file.*kiosk models install"):
        require_model(target)
    with pytest.raises(ModelError, match="missing"):
        FaceAnalyser(tmp_path / "empty")


def test_models_commands(tmp_path: Path, capsys) -> None:
    from kiosk.app.cli import main

    env = {**os.environ}
    try:
        os.environ["KIOSK_MODEL_DIR"] = str(tmp_path / "m")
        assert main(["models", "verify"]) == 1
        assert "kiosk models install" in capsys.readouterr().err
        assert main(["models", "install", "--from", str(MODELS)]) == 0
        assert main(["models", "verify"]) == 0
        assert "intact" in capsys.readouterr().out
        assert main(["models", "install", "--from", str(tmp_path / "nowhere")]) == 2
        assert "does not exist" in capsys.readouterr().err
    finally:
        os.environ.clear()
        os.environ.update(env)


def test_ikd_pattern_config_key_is_checked() -> None:
    from kiosk.config.schema import CameraSection, ConfigError, parse_config

    assert CameraSection().ikd_qr_pattern == DEFAULT_IKD_PATTERN
    with pytest.raises(ConfigError, match="camera.ikd_qr_pattern.*named group"):
        parse_config({"camera": {"ikd_qr_pattern": r"\d{16}xx"}}, "site.toml")
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        parse_config({"camera": {"ikd_qr_pattern": r"(?P<nik>\d{16}"}}, "site.toml")


def test_qr_scanner_reads_frames() -> None:
    from kiosk.visit.qr_codes import QrScanner

    scanner = QrScanner()
    assert scanner.process(Frame(_qr_frame(f"NIK {NIK_OBAMA}"), 0)).value == NIK_OBAMA  # type: ignore[union-attr]
    assert scanner.process(Frame(np.full((480, 640, 3), 128, np.uint8), 1)) is None
    scanner.close()
