"""The response rules against replayed recordings: real MediaPipe on the real clip's frames.

A person made of the clip's frames who *answers* the prompts passes; the same frames played open-loop
in another order, or doing an action that was not asked for, fail. The timing rules themselves (too
early, too late, blinks never count against) are checked on scripted observations."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from kiosk.camera.analysis import FaceObservation
from kiosk.camera.evalsubject import RespondingPerson, ScriptedRecording, Subject, load_frames
from kiosk.camera.facecheck import FaceCheck
from kiosk.camera.liveness import LivenessCheck, LivenessDecision, Phase
from kiosk.config.schema import FaceSection

from .conftest import MODELS

# where the cropped clip rests and does each action (frame numbers; as in scripts/make_face_eval_manifest.py)
SUBJECT = Subject(rest=(83, 87), actions={"turn_right": (88, 112), "open_mouth": (88, 92), "smile": (43, 49)})


@pytest.fixture(scope="module")
def clip_frames(face_media: dict[str, Path]) -> tuple[list[np.ndarray], float]:
    return load_frames(face_media["clip"])


def _present(presenter: RespondingPerson | ScriptedRecording, challenge: tuple[str, ...],
             limits: FaceSection | None = None) -> LivenessDecision:
    check = FaceCheck(MODELS, limits, challenge=challenge, rng=random.Random(7))
    try:
        state = None
        while (frame := presenter.next_frame(state)) is not None:
            state = check.process(frame).state
            if state.decision is not None:
                break
    finally:
        check.close()
    assert check.liveness.decision is not None, "no decision"
    return check.liveness.decision


@pytest.mark.slow
def test_a_person_answering_the_prompts_passes(clip_frames) -> None:
    frames, fps = clip_frames
    person = RespondingPerson(frames, fps, SUBJECT, random.Random(3))
    decision = _present(person, ("turn_right", "smile"))
    assert decision.live, decision.evidence()
    for step in decision.steps:  # each action started after it was asked, within the response window
        assert step.onset_ms is not None
        assert FaceSection().min_response_seconds * 1000 <= step.onset_ms - step.started_ms \
            <= FaceSection().max_response_seconds * 1000
        assert step.wrong_action is None
    assert [s for s, _ in person.answered] == ["turn_right", "smile"]


@pytest.mark.slow
def test_a_recording_doing_its_actions_in_another_order_fails(clip_frames) -> None:
    frames, fps = clip_frames
    # a prepared video of the citizen turning right, then smiling; the kiosk asks for the smile first
    recording = ScriptedRecording(frames, fps, SUBJECT, ["turn_right", "smile"])
    decision = _present(recording, ("smile", "turn_right"))
    assert not decision.live
    assert decision.reason == "wrong_action" and decision.steps[0].wrong_action == "turn_right", decision.evidence()
    # without the response rules the same recording simply runs on until it smiles, and passes that step
    # (7 s per movement, the old default: the recording's 8 s tail must outlast the second, unanswered step)
    relaxed = dataclasses.replace(FaceSection(), other_action_factor=0.0, max_response_seconds=30.0,
                                  step_timeout_seconds=7.0)
    recording = ScriptedRecording(frames, fps, SUBJECT, ["turn_right", "smile"])
    assert _present(recording, ("smile", "turn_right"), relaxed).steps[0].passed


@pytest.mark.slow
def test_an_action_that_was_not_asked_for_fails_the_step(clip_frames) -> None:
    frames, fps = clip_frames
    # asked to smile, this person turns the head to the right instead (the clip's turn frames)
    confused = Subject(rest=SUBJECT.rest, actions={"smile": SUBJECT.actions["turn_right"]})
    decision = _present(RespondingPerson(frames, fps, confused, random.Random(5)), ("smile", "turn_right"))
    assert not decision.live and decision.reason == "wrong_action"
    assert decision.steps[0].wrong_action == "turn_right" and not decision.steps[0].passed


# -- the timing rules on scripted observations -----------------------------------------------------

LIMITS = FaceSection(prompt_pause_min_seconds=0.5, prompt_pause_max_seconds=0.5)
FRAME_MS = 33


def _face(t: int, **scores: float) -> FaceObservation:
    rng = np.random.default_rng(t)  # a little natural movement, so micro-motion is never zero
    landmarks = (np.full((478, 2), 300.0) + rng.normal(0, 0.5, (478, 2))).astype(np.float32)
    return FaceObservation(t, (640, 480), 1, landmarks, (200, 120, 240, 260), brightness=120, contrast=40,
                           sharpness=100, **scores)


def _run_script(script, challenge: tuple[str, ...], limits: FaceSection = LIMITS) -> LivenessCheck:
    """``script(t, prompt_ms)`` gives the blendshape scores at media time t (prompt_ms: when asked, or None)."""
    check = LivenessCheck(limits, challenge)
    prompt_ms = None
    for t in range(0, 20_000, FRAME_MS):
        state = check.update(_face(t, **script(t, prompt_ms)))
        if state.phase is Phase.CHALLENGE and prompt_ms is None:
            prompt_ms = t
        if check.decision is not None:
            break
    return check


def test_the_prompt_waits_for_the_pause_and_a_face_at_rest() -> None:
    # smiling at first: the smile step is not asked before the face is back at rest
    check = _run_script(lambda t, p: {"smile": 0.6 if 300 <= t < 2000 else 0.0}, ("smile",))
    step = check.decision.steps[0]  # type: ignore[union-attr]
    assert step.started_ms >= 2000 and step.pause_ms == 500


def test_an_action_already_under_way_when_asked_fails() -> None:
    # the smile starts 66 ms after the prompt: nobody reacts that fast (a recording does)
    def script(t: int, prompt: int | None) -> dict[str, float]:
        return {"smile": 0.6 if prompt is not None and t >= prompt + 66 else 0.0}
    decision = _run_script(script, ("smile",)).decision
    assert decision is not None and not decision.live and decision.reason == "too_early"


def test_an_answer_after_a_human_reaction_time_passes_and_blinks_never_count_against() -> None:
    def script(t: int, prompt: int | None) -> dict[str, float]:
        blink = 0.9 if 500 <= t % 1000 < 600 else 0.0  # blinking all along, also while asked to smile
        return {"blink": blink, "smile": 0.6 if prompt is not None and t >= prompt + 700 else 0.0}
    decision = _run_script(script, ("smile",)).decision
    assert decision is not None and decision.live, decision and decision.evidence()
    assert decision.steps[0].onset_ms - decision.steps[0].started_ms >= 700  # type: ignore[operator]


def test_an_answer_that_never_starts_fails_after_the_response_window() -> None:
    decision = _run_script(lambda t, p: {}, ("open_mouth",)).decision
    assert decision is not None and decision.reason == "late_response"
    step = decision.steps[0]
    assert step.onset_ms is None
    assert decision.decided_ms - step.started_ms == pytest.approx(LIMITS.max_response_seconds * 1000, abs=FRAME_MS)


def test_a_laugh_when_asked_to_smile_is_not_an_unrequested_open_mouth() -> None:
    def script(t: int, prompt: int | None) -> dict[str, float]:
        on = prompt is not None and t >= prompt + 600
        return {"smile": 0.7 if on else 0.0, "jaw_open": 0.6 if on else 0.0}
    decision = _run_script(script, ("smile",)).decision
    assert decision is not None and decision.live
    # ...but an open mouth alone, when asked to smile, is
    decision = _run_script(lambda t, p: {"jaw_open": 0.6 if p is not None and t >= p + 600 else 0.0},
                           ("smile",)).decision
    assert decision is not None and decision.reason == "wrong_action"
    assert decision.steps[0].wrong_action == "open_mouth"


@pytest.mark.parametrize(("toml", "key"), [
    ("[face]\nprompt_pause_min_seconds = 2.0\nprompt_pause_max_seconds = 1.0", "face.prompt_pause_min_seconds"),
    ("[face]\nmin_response_seconds = 1.5\nmax_response_seconds = 1.0", "face.min_response_seconds"),
])
def test_response_settings_that_contradict_each_other_are_refused(toml: str, key: str) -> None:
    import tomllib

    from kiosk.config.schema import ConfigError, parse_config

    with pytest.raises(ConfigError) as info:
        parse_config(tomllib.loads(toml), "site.toml")
    assert info.value.key == key


# -- the passive screen cue ----------------------------------------------------------------------------

def test_screen_grid_score_is_low_on_the_real_clip_and_high_on_a_simulated_coarse_display(clip_frames) -> None:
    import cv2

    from kiosk.camera import evalmedia
    from kiosk.camera.analysis import FaceAnalyser
    from kiosk.camera.screencue import grid_score
    from kiosk.camera.sources import Frame

    frames, _ = clip_frames
    real = frames[85]
    shown = evalmedia.screen_replay(real, camera_px_per_screen_px=1.5, screen_scale=0.6, lens_blur_px=0.4)
    scores = []
    for image in (real, shown):
        with FaceAnalyser(MODELS) as analyser:
            bbox = analyser.analyse(Frame(image, 0)).bbox
        assert bbox is not None
        scores.append(grid_score(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), bbox))
    assert scores[0] is not None and scores[0] < 5.0  # docs/face-check.md: real faces 2.7-5.3
    assert scores[1] is not None and scores[1] > 8.0


def test_the_screen_cue_decides_only_when_switched_on() -> None:
    grid = np.zeros((480, 640), np.uint8)
    grid[:, ::3] = 200  # a display's pixel columns, as the camera would resolve them
    grid[::3, :] //= 3

    def attempt(limits: FaceSection) -> LivenessDecision:
        check = LivenessCheck(limits, ("smile",))
        for t in range(0, 5000, FRAME_MS):
            prompt = check.state.phase is Phase.CHALLENGE
            start = check._evidence[0].started_ms if check._evidence else None
            smiling = prompt and start is not None and t >= start + 600
            check.update(_face(t, smile=0.6 if smiling else 0.0), grid)
            if check.decision is not None:
                return check.decision
        raise AssertionError("no decision")

    recorded = attempt(LIMITS)
    assert recorded.live and recorded.screen_score is not None and recorded.screen_score > 8.0
    refused = attempt(dataclasses.replace(LIMITS, max_screen_score=7.0))
    assert not refused.live and refused.reason == "screen"
