"""Fusion of the active challenge with passive PAD, on real media through a FrameSource: a live decision
needs both; a PAD refusal says "use your real face" and offers the counter; every decision is logged with
its scores (no image); without the PAD models the check runs challenge-only."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from kiosk.camera.facecheck import FaceCheck
from kiosk.camera.liveness import LivenessDecision
from kiosk.camera.models import FACE_MODEL_NAME
from kiosk.camera.sources import VideoFileSource
from kiosk.config.schema import FaceSection

from .conftest import MODELS

# The real clip cannot answer prompts (it is a recording), so the response rules are off here, as in the
# GUI tests; what is tested is the fusion of a passed challenge with PAD (the rules: test_replay_rules.py).
RECORDING = FaceSection(prompt_pause_min_seconds=0.0, prompt_pause_max_seconds=0.0, min_response_seconds=0.0,
                        max_response_seconds=30.0, other_action_factor=0.0)
CHALLENGE = ("turn_right", "open_mouth")


def _run(clip: Path, limits: FaceSection, model_dir: Path = MODELS) -> tuple[LivenessDecision, FaceCheck, bool]:
    source = VideoFileSource(clip, realtime=False)
    source.open()
    check = FaceCheck(model_dir, limits, challenge=CHALLENGE)
    got_jpeg = False
    try:
        while (frame := source.read()) is not None:
            snapshot = check.process(frame)
            got_jpeg = got_jpeg or snapshot.face_jpeg is not None
            if snapshot.state.decision is not None:
                break
    finally:
        source.close()
        check.close()
    assert check.decision is not None
    return check.decision, check, got_jpeg


def _logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    lines = [r.getMessage() for r in caplog.records if getattr(r, "event", "") == "face.liveness"]
    return [json.loads(line[line.index("{"):]) for line in lines]


@pytest.mark.slow
def test_live_clip_passes_both_and_a_stricter_pad_refuses_it(face_media: dict[str, Path],
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    decision, check, got_jpeg = _run(face_media["clip"], RECORDING)
    assert decision.live and decision.reason == "passed" and got_jpeg
    assert decision.pad is not None and decision.pad["available"]
    score = decision.pad["score"]
    assert score >= RECORDING.min_pad_score and decision.pad["samples"] >= 5
    assert set(decision.pad["segments"]) == {"rest", "step1:turn_right", "step2:open_mouth"}

    # the same real frames, the challenge passes again, but PAD's threshold is above this face's score
    strict = dataclasses.replace(RECORDING, min_pad_score=min(1.0, score + 0.01))
    refused, check, got_jpeg = _run(face_media["clip"], strict)
    assert not refused.live and refused.reason == "pad" and refused.challenge_passed and not got_jpeg
    assert check.liveness.decision is not None and check.liveness.decision.live  # the challenge alone said live
    assert check.decisions == [refused]

    logged = _logged(caplog)  # both decisions, each with its scores and no picture
    assert [e["reason"] for e in logged] == ["passed", "pad"]
    assert logged[1]["pad"]["score"] == score and logged[1]["pad"]["threshold"] == strict.min_pad_score
    assert all("jpeg" not in json.dumps(e) and "image" not in json.dumps(e) for e in logged)


@pytest.mark.slow
def test_pad_at_zero_records_but_does_not_decide(face_media: dict[str, Path]) -> None:
    decision, _, _ = _run(face_media["clip"], dataclasses.replace(RECORDING, min_pad_score=0.0))
    assert decision.live and decision.pad is not None and decision.pad["score"] is not None


@pytest.mark.slow
def test_without_pad_models_the_check_is_challenge_only(face_media: dict[str, Path], tmp_path: Path) -> None:
    only_landmarker = tmp_path / "models"
    only_landmarker.mkdir()
    shutil.copy(MODELS / FACE_MODEL_NAME, only_landmarker / FACE_MODEL_NAME)
    decision, check, got_jpeg = _run(face_media["clip"], RECORDING, only_landmarker)
    assert check.pad is None and "MiniFASNetV2.onnx" in check.pad_problem
    assert decision.live and got_jpeg
    assert decision.pad == {"available": False, "threshold": RECORDING.min_pad_score,
                            "confident_threshold": RECORDING.pad_confident_score, "shortened": False,
                            "score": None, "samples": 0, "segments": {}, "skipped": {}}


def test_a_pad_refusal_says_use_your_real_face_and_offers_the_counter(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from kiosk.camera.facecheck import FaceCheckSnapshot
    from kiosk.camera.liveness import LivenessState, Phase
    from kiosk.camera.sources import ImageListSource
    from kiosk.i18n import Translator
    from kiosk.identity.face_services import FaceServices
    from kiosk.ui.kiosk.face import FaceScreen

    services = FaceServices(FaceSection(), MODELS, lambda: ImageListSource([]))
    screen = FaceScreen(services)
    qtbot.addWidget(screen)
    screen.retranslate(Translator("id"))
    screen.show()
    decision = LivenessDecision(False, "pad", CHALLENGE, [], {}, 1.0, 0, 3000,
                                pad={"available": True, "threshold": 0.5, "score": 0.1})
    screen.apply_snapshot(FaceCheckSnapshot(LivenessState(Phase.FAILED, decision=decision), 1, None, False))
    assert screen.state == "failure"
    assert screen.body.text().startswith("Gunakan wajah asli Anda, bukan foto atau layar")
    assert "0.1" not in screen.body.text() and "skor" not in screen.body.text().lower()  # nothing to tune against
    assert screen.counter_button.isVisible() and screen.retry_button.isVisible()
    screen.retranslate(Translator("en"))
    assert screen.body.text().startswith("Use your own real face, not a photo or a screen")
    finished: list[str] = []
    screen.finished.connect(finished.append)
    try:
        qtbot.mouseClick(screen.counter_button, Qt.MouseButton.LeftButton)
        assert finished == ["counter"]
    finally:
        screen.runner.stop()
