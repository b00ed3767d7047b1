"""Passive presentation-attack detection (MiniFASNet via OpenCV DNN) on the real media in ../shared/testdata:
scores, crops at the frame border, bad frames, bad model files, the aggregation rule, and the models'
install/verify like the landmarker's (never downloading)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.camera.analysis import FaceAnalyser
from kiosk.camera.facecheck import FaceCheck
from kiosk.camera.models import (
    FACE_MODEL_NAME,
    PAD_MODELS,
    PAD_V2,
    ModelError,
    install_file,
    install_models,
    verify_pad_models,
)
from kiosk.camera.pad import INPUT_SIZE, PadAttempt, PadReading, PadUnavailable, PassivePad, crop_for_pad
from kiosk.camera.sources import Frame, ImageListSource

from .conftest import FACES, MODELS, SHARED

ATTACKS = SHARED / "testdata" / "attacks"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


@pytest.fixture(scope="module")
def pad() -> PassivePad:
    return PassivePad(MODELS)


def _box(image: np.ndarray) -> tuple[float, float, float, float]:
    with FaceAnalyser(MODELS) as analyser:
        box = analyser.analyse(Frame(image, 0)).bbox
    assert box is not None
    return box


def test_live_reference_scores_high_and_the_printed_photo_low(pad: PassivePad) -> None:
    live = _read(ATTACKS / "live_reference.jpg")
    printed = _read(ATTACKS / "printed_photo.jpg")
    live_score = pad.score(live, _box(live))
    print_score = pad.score(printed, _box(printed))
    assert live_score.score is not None and live_score.score > 0.95
    assert print_score.score is not None and print_score.score < 0.3
    assert len(live_score.per_model) == 2  # both models ran


def test_a_face_at_the_border_is_shifted_inside_not_padded(pad: PassivePad) -> None:
    live = _read(ATTACKS / "live_reference.jpg")
    x, y, w, h = _box(live)
    # the face cut at the left and top edges: the enlarged crops leave the frame on two sides
    cut = np.ascontiguousarray(np.clip(live[int(y + h * 0.3):, int(x + w * 0.4):], 1, 255))  # no pure black
    moved = (-w * 0.4, -h * 0.3, w, h)
    for scale in (2.7, 4.0):
        crop = crop_for_pad(cut, moved, scale)
        assert crop is not None and crop.shape == (INPUT_SIZE, INPUT_SIZE, 3)
        assert (crop.reshape(-1, 3).max(axis=1) > 0).all()  # no black padding in the crop
    reading = pad.score(cut, moved)
    assert reading.score is not None and 0.0 <= reading.score <= 1.0
    # a box entirely outside the frame, or degenerate: no crop, no exception
    assert crop_for_pad(cut, (-500.0, -500.0, 0.5, 0.5), 2.7) is None
    assert pad.score(cut, (10_000.0, 10_000.0, 100.0, 100.0)).skipped is not None


@pytest.mark.parametrize("image, box, skipped", [
    (np.zeros((480, 640, 3), np.uint8), (250.0, 150.0, 150.0, 180.0), "flat_frame"),  # black frame
    (np.full((480, 640, 3), 128, np.uint8), (250.0, 150.0, 150.0, 180.0), "flat_frame"),  # grey frame
    (np.zeros((480, 640, 3), np.uint8), None, "no_face"),
    (np.zeros((480, 640), np.uint8), (250.0, 150.0, 150.0, 180.0), "no_face"),  # not a colour frame
])
def test_bad_frames_are_skipped_with_a_reason(pad: PassivePad, image: np.ndarray, box: object, skipped: str) -> None:
    reading = pad.score(image, box)  # type: ignore[arg-type]  # None and odd frames on purpose
    assert reading.score is None and reading.skipped == skipped


def test_a_tiny_face_is_not_judged(pad: PassivePad) -> None:
    live = _read(ATTACKS / "live_reference.jpg")
    small = cv2.resize(live, None, fx=0.15, fy=0.15)
    x, y, w, h = _box(live)
    reading = pad.score(small, (x * 0.15, y * 0.15, w * 0.15, h * 0.15))
    assert reading.score is None and reading.skipped == "tiny_face"


def test_no_face_and_two_faces_give_no_pad_sample() -> None:
    """FaceCheck scores only frames with exactly one face in the oval; the rest is the challenge's outcome."""
    two = FACES / "two_people.jpg"
    black: list[np.ndarray] = [np.zeros((480, 640, 3), np.uint8)] * 6
    for frames in (black, [_read(two)] * 6):
        check = FaceCheck(MODELS)
        try:
            assert check.pad is not None
            for i, image in enumerate(frames):
                snapshot = check.process(Frame(image, i * 66))
            assert snapshot.state.decision is None and check._pad_attempt.samples == 0
        finally:
            check.close()


def _broken_dir(tmp_path: Path, how: str) -> Path:
    folder = tmp_path / how
    folder.mkdir()
    shutil.copy(MODELS / FACE_MODEL_NAME, folder / FACE_MODEL_NAME)
    for spec in PAD_MODELS:
        data = (MODELS / spec.name).read_bytes()
        if how == "truncated":
            data = data[: len(data) // 3]
        elif how == "other_network":  # a real ONNX file of another network under the expected name
            data = (MODELS / "face_detection_yunet_2023mar.onnx").read_bytes()
        if how != "missing":
            (folder / spec.name).write_bytes(data)
    return folder


@pytest.mark.parametrize("how", ["missing", "truncated", "other_network"])
def test_bad_model_files_give_a_clear_outcome(tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture) -> None:
    folder = _broken_dir(tmp_path, how)
    with pytest.raises(PadUnavailable, match="MiniFASNetV2.onnx.*(missing|damaged)"):
        PassivePad(folder)  # the pinned hash refuses it first
    if how != "missing":  # and without the hash check, the loader's own probe refuses it
        with pytest.raises(PadUnavailable, match="cannot be loaded|not the expected network"):
            PassivePad(folder, verify=False)
    status = verify_pad_models(folder)
    assert not status.ok and "challenge-only" in status.message and "kiosk models install" in status.message
    caplog.set_level(logging.WARNING)
    check = FaceCheck(folder)  # the face check itself runs on, challenge-only
    try:
        assert check.pad is None and "MiniFASNetV2.onnx" in check.pad_problem
        assert any(getattr(r, "event", "") == "face.pad_unavailable" for r in caplog.records)
        live = _read(ATTACKS / "live_reference.jpg")
        assert check.process(Frame(live, 0)).state.decision is None
    finally:
        check.close()


def test_aggregate_is_the_lowest_segment_median() -> None:
    attempt = PadAttempt(every_frames=2)
    assert [attempt.due() for _ in range(5)] == [True, False, True, False, True]
    assert attempt.score is None  # nothing scored: no score (and PAD then refuses)
    for value in (0.9, 0.95, 0.1):  # one bad frame at rest does not decide
        attempt.add("rest", PadReading(value))
    for value in (0.2, 0.3, 0.9):  # a photo held up during a step does
        attempt.add("step1:smile", PadReading(value))
    attempt.add("step1:smile", PadReading(None, skipped="tiny_face"))
    assert attempt.segment_scores() == {"rest": 0.9, "step1:smile": 0.3}
    assert attempt.score == 0.3
    evidence = attempt.evidence()
    assert evidence["samples"] == 6 and evidence["skipped"] == {"tiny_face": 1}
    assert evidence["segments"]["step1:smile"] == [0.3, 3]


def test_pad_sampled_on_the_printed_photo_through_a_frame_source() -> None:
    """The real printed-photo capture, held still: the challenge times out, and PAD scored it low."""
    import dataclasses

    from kiosk.config.schema import FaceSection

    # its face is turned ~30 degrees: widen the pose gate so it reaches the baseline and PAD sees it
    limits = dataclasses.replace(FaceSection(), max_yaw_degrees=45.0, max_pitch_degrees=45.0, max_roll_degrees=45.0,
                                 min_face_width=0.1, max_centre_offset=0.5, step_timeout_seconds=2.0)
    source = ImageListSource([ATTACKS / "printed_photo.jpg"], fps=15.0, loop=True, realtime=False)
    source.open()
    check = FaceCheck(MODELS, limits)
    try:
        for _ in range(150):
            frame = source.read()
            assert frame is not None
            snapshot = check.process(frame)
            if snapshot.state.decision is not None:
                break
        decision = check.decision
        assert decision is not None and not decision.live
        assert decision.pad is not None and decision.pad["samples"] >= 2
        assert decision.pad["score"] < limits.min_pad_score
    finally:
        check.close()
        source.close()


# -- install / verify ----------------------------------------------------------------------------

def test_install_all_models_from_a_folder_then_verify(tmp_path: Path) -> None:
    target = tmp_path / "models"
    assert not verify_pad_models(target).ok
    installed, problems = install_models(target, from_dir=MODELS)
    assert problems == [] and {p.name for p in installed} == {FACE_MODEL_NAME, *(s.name for s in PAD_MODELS)}
    assert verify_pad_models(target).ok and not list(target.glob("*.part"))


def test_a_damaged_pad_model_is_refused_and_nothing_half_written(tmp_path: Path) -> None:
    usb = _broken_dir(tmp_path, "truncated")
    target = tmp_path / "models"
    with pytest.raises(ModelError, match=PAD_V2.sha256):
        install_file(target, PAD_V2, from_dir=usb)
    assert not (target / PAD_V2.name).exists() and not list(target.glob("*.part"))
    installed, problems = install_models(target, from_dir=usb)  # the landmarker goes in, the PAD pair does not
    assert [p.name for p in installed] == [FACE_MODEL_NAME] and len(problems) == 2
    assert all("not the pinned presentation-attack model" in p for p in problems)


def test_models_commands_cover_the_pad_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.app.cli import main

    env = {**os.environ}
    try:
        os.environ["KIOSK_MODEL_DIR"] = str(tmp_path / "m")
        usb = tmp_path / "usb"
        usb.mkdir()
        shutil.copy(MODELS / FACE_MODEL_NAME, usb / FACE_MODEL_NAME)  # a stick without the PAD models
        assert main(["models", "install", "--from", str(usb)]) == 2
        err = capsys.readouterr().err
        assert "MiniFASNetV2.onnx" in err and "MiniFASNetV1SE.onnx" in err
        assert main(["models", "verify"]) == 1
        assert "presentation-attack model" in capsys.readouterr().err
        assert main(["models", "install", "--from", str(MODELS)]) == 0
        assert main(["models", "verify"]) == 0
        assert capsys.readouterr().out.count("intact") == 3
    finally:
        os.environ.clear()
        os.environ.update(env)


def test_diagnostics_warn_when_pad_models_are_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from kiosk.config.schema import Config, FaceSection
    from kiosk.setup.checks import CHECKS, check_pad_models

    assert ("pad_model", check_pad_models) in CHECKS  # selftest and the diagnostics screen run it
    monkeypatch.delenv("KIOSK_MODEL_DIR", raising=False)
    folder = _broken_dir(tmp_path, "missing")
    on = Config(face=dataclasses.replace(FaceSection(), enabled=True, model_dir=str(folder)))
    level, detail, *_ = check_pad_models(on)
    assert level == "warning" and "challenge-only" in detail
    off = Config(face=dataclasses.replace(FaceSection(), model_dir=str(folder)))
    assert check_pad_models(off)[0] == "ok"
    good = Config(face=dataclasses.replace(FaceSection(), enabled=True, model_dir=str(MODELS)))
    assert check_pad_models(good)[0] == "ok"
