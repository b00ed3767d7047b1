"""The whole live face check for one citizen: analysis, liveness attempts, and the best face picture.

:class:`FaceCheck` is what the camera worker runs (it fits ``kiosk.ui.qt.camera_view.FrameAnalyser``):
``process(frame)`` returns a :class:`FaceCheckSnapshot` for the screen. When an attempt passes, the
snapshot carries the best frame of the attempt (sharpest and most frontal), cropped and aligned, as JPEG
bytes for the identity call. The GUI asks for another attempt with :meth:`FaceCheck.request_retry`
(thread-safe). Evidence is logged as a privacy-safe event: scores and timings, never pictures.

Fusion with passive presentation-attack detection (:mod:`kiosk.camera.pad`): while the face is in the
oval, every ``pad_every_frames``-th frame is scored; an attempt is live only when the challenge passes
**and** the attempt's PAD score reaches ``min_pad_score`` (else reason ``pad``). When the PAD models
cannot be loaded the check runs challenge-only and says so in the log (event ``face.pad_unavailable``)
and in every decision's evidence.

Speed where it is safe (issue 18 item 3): right after a step passes, if a head turn is among the passed
steps (its 3-D check ran) and PAD is *confidently* live (``pad_confident_score``, with enough scores in
every part so far), the attempt ends there as passed: the other steps are not asked. Otherwise every step
of the challenge is asked. The evidence says ``"shortened": true`` and the decision's challenge is the
steps actually asked.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.analysis import (
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
    FaceAnalyser,
    FaceObservation,
)
from kiosk.camera.liveness import TURNS, LivenessCheck, LivenessDecision, LivenessState, Phase
from kiosk.camera.pad import CONFIDENT_MIN_SAMPLES, PadAttempt, PadUnavailable, PassivePad
from kiosk.camera.sources import Frame
from kiosk.config.schema import FaceSection
from kiosk.utils.log import event

log = logging.getLogger(__name__)

ALIGNED_SIZE = 320
# where the eye centres and the mouth centre land in the aligned picture (a loose, passport-like crop)
_TEMPLATE = np.array([[0.35, 0.40], [0.65, 0.40], [0.50, 0.70]], dtype=np.float32) * ALIGNED_SIZE


@dataclass(frozen=True)
class FaceCheckSnapshot:
    """One analysed frame's news for the screen."""

    state: LivenessState
    attempt: int
    face_box: tuple[float, float, float, float] | None  # x, y, w, h as shares of the frame (unmirrored)
    in_oval: bool
    face_jpeg: bytes | None = None  # only on the snapshot that reports a passed attempt


def aligned_face_jpeg(image: np.ndarray, landmarks: np.ndarray, quality: int = 92) -> bytes:
    """The face rotated upright and scaled so the eyes and mouth sit where a passport photo has them."""
    right_eye = (landmarks[RIGHT_EYE_OUTER] + landmarks[RIGHT_EYE_INNER]) / 2
    left_eye = (landmarks[LEFT_EYE_OUTER] + landmarks[LEFT_EYE_INNER]) / 2
    mouth = (landmarks[MOUTH_RIGHT] + landmarks[MOUTH_LEFT]) / 2
    source = np.array([right_eye, left_eye, mouth], dtype=np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(source, _TEMPLATE)
    if matrix is None:  # degenerate landmarks: fall back to a plain crop of the face box
        x0, y0 = landmarks.min(axis=0).astype(int)
        x1, y1 = landmarks.max(axis=0).astype(int)
        crop = image[max(0, y0):max(1, y1), max(0, x0):max(1, x1)]
        aligned = cv2.resize(crop, (ALIGNED_SIZE, ALIGNED_SIZE))
    else:
        aligned = cv2.warpAffine(image, matrix, (ALIGNED_SIZE, ALIGNED_SIZE), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    ok, data = cv2.imencode(".jpg", aligned, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid BGR array
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


class _BestFrame:
    """The sharpest, most frontal good frame seen so far in this attempt."""

    def __init__(self) -> None:
        self.score = -1.0
        self.image: np.ndarray | None = None
        self.landmarks: np.ndarray | None = None

    def offer(self, frame: Frame, obs: FaceObservation) -> None:
        if not obs.quality_ok or obs.landmarks is None:
            return
        score = obs.sharpness * obs.frontal_score
        if score > self.score:
            self.score, self.image, self.landmarks = score, frame.image, obs.landmarks

    def jpeg(self) -> bytes | None:
        if self.image is None or self.landmarks is None:
            return None
        return aligned_face_jpeg(self.image, self.landmarks)


class FaceCheck:
    """Analyser + liveness attempts + best frame. Build it on the worker thread (it loads MediaPipe)."""

    def __init__(self, model_dir: Path, limits: FaceSection | None = None, *,
                 challenge: tuple[str, ...] | None = None, rng: random.Random | None = None,
                 analyser: FaceAnalyser | None = None, pad: PassivePad | None = None,
                 load_pad: bool = True) -> None:
        """``pad``: a loaded PAD to share (evaluation); else it is loaded from ``model_dir`` when
        ``load_pad``; a PAD that cannot be loaded leaves the check challenge-only (:attr:`pad_problem`)."""
        self.limits = limits or FaceSection()
        self.pad = pad
        self.pad_problem = "" if pad is not None else "passive presentation-attack detection not loaded"
        if pad is None and load_pad:
            self.pad, self.pad_problem = load_passive_pad(model_dir)
        self._rng = rng
        self._fixed_challenge = challenge
        self._analyser = analyser or FaceAnalyser(model_dir, self.limits)
        self._owns_analyser = analyser is None
        self._retry = threading.Event()
        self.attempt = 1
        self.decisions: list[LivenessDecision] = []
        self._new_attempt()

    def _new_attempt(self) -> None:
        self.liveness = LivenessCheck(self.limits, self._fixed_challenge, self._rng)
        self._best = _BestFrame()
        self._pad_attempt = PadAttempt(self.limits.pad_every_frames)
        self._final: LivenessState | None = None  # the fused outcome, once decided
        self._confidence_checked = 0  # the last step count after which PAD confidence was checked
        self._shortened = False  # the attempt ended early because PAD was confidently live

    @property
    def decision(self) -> LivenessDecision | None:
        """This attempt's fused decision (challenge and PAD), None while undecided."""
        return None if self._final is None else self._final.decision

    def request_retry(self) -> None:
        """Start a new attempt (new random challenge) with the next frame. Safe from any thread."""
        self._retry.set()

    def process(self, frame: Frame) -> FaceCheckSnapshot:
        if self._retry.is_set():
            self._retry.clear()
            self.attempt += 1
            self._new_attempt()
        obs = self._analyser.analyse(frame)
        already_decided = self._final is not None
        if not already_decided and self.liveness.state.phase in (Phase.SEARCHING, Phase.HINT, Phase.BASELINE):
            self._best.offer(frame, obs)
        state = self.liveness.update(obs, cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY))
        face_jpeg = None
        if already_decided:
            state = self._final or state
        else:
            state = self._maybe_finish_early(state, obs.timestamp_ms)
            self._sample_pad(frame, obs, state)
            if state.decision is not None:
                state, decision = self._fuse(state, state.decision)
                self._final = state
                self.decisions.append(decision)
                self._log(decision)
                if decision.live:
                    face_jpeg = self._best.jpeg()
        width, height = obs.frame_size
        box = None if obs.bbox is None else (obs.bbox[0] / width, obs.bbox[1] / height,
                                             obs.bbox[2] / width, obs.bbox[3] / height)
        return FaceCheckSnapshot(state, self.attempt, box, obs.in_oval, face_jpeg)

    def _sample_pad(self, frame: Frame, obs: FaceObservation, state: LivenessState) -> None:
        """Score every Nth frame with one face in the oval, filed under rest or the step being asked."""
        if self.pad is None or obs.faces != 1 or not obs.in_oval or obs.bbox is None:
            return
        if state.phase is Phase.BASELINE and state.step_index == 0:
            segment = "rest"
        elif state.phase in (Phase.BASELINE, Phase.CHALLENGE) and state.step_index < len(self.liveness.challenge):
            segment = f"step{state.step_index + 1}:{self.liveness.challenge[state.step_index]}"
        else:
            return
        if self._pad_attempt.due():
            self._pad_attempt.add(segment, self.pad.score(frame.image, obs.bbox))

    def _maybe_finish_early(self, state: LivenessState, now_ms: int) -> LivenessState:
        """Right after a step passes (once per step), end the attempt there when PAD is confidently live."""
        if not self.liveness.between_steps or state.step_index == self._confidence_checked:
            return state
        self._confidence_checked = state.step_index
        if not self._pad_confident(state.step_index):
            return state
        self._shortened = True
        return self.liveness.finish_early(now_ms)

    def _pad_confident(self, passed: int) -> bool:
        """PAD decides, a confident threshold is set, a head turn is among the passed steps, every part of the
        attempt so far (rest and each passed step) has at least CONFIDENT_MIN_SAMPLES scores, and the
        attempt's score reaches the threshold."""
        limits = self.limits
        if self.pad is None or limits.min_pad_score <= 0 or limits.pad_confident_score <= 0:
            return False
        if not any(step in TURNS for step in self.liveness.challenge[:passed]):
            return False  # only after a passed head turn: its 3-D check is evidence that does not rest on PAD
        segments = self._pad_attempt.segments
        wanted = {"rest"} | {f"step{i + 1}:{self.liveness.challenge[i]}" for i in range(passed)}
        if set(segments) != wanted or any(len(segments[name]) < CONFIDENT_MIN_SAMPLES for name in wanted):
            return False
        score = self._pad_attempt.score
        return score is not None and score >= max(limits.pad_confident_score, limits.min_pad_score)

    def _fuse(self, state: LivenessState, decision: LivenessDecision) -> tuple[LivenessState, LivenessDecision]:
        """Live only if the challenge passed and PAD (when it decides) clears its threshold."""
        threshold = self.limits.min_pad_score
        evidence = {"available": self.pad is not None, "threshold": threshold,
                    "confident_threshold": self.limits.pad_confident_score, "shortened": self._shortened,
                    **self._pad_attempt.evidence()}
        decision = replace(decision, pad=evidence)
        score = self._pad_attempt.score
        if decision.live and self.pad is not None and threshold > 0 and (score is None or score < threshold):
            decision = replace(decision, live=False, reason="pad")
            return replace(state, phase=Phase.FAILED, hint=None, decision=decision), decision
        return replace(state, decision=decision), decision

    def _log(self, decision: LivenessDecision) -> None:
        event(log, "face.liveness", "face liveness attempt %d: %s (%s) %s", self.attempt,
              "live" if decision.live else "not live", decision.reason,
              json.dumps(decision.evidence(), separators=(",", ":")))

    def close(self) -> None:
        if self._owns_analyser:
            self._analyser.close()


def load_passive_pad(model_dir: Path) -> tuple[PassivePad | None, str]:
    """(PAD, "") or (None, why not): a missing or damaged PAD model never stops the face check."""
    try:
        return PassivePad(model_dir), ""
    except (PadUnavailable, OSError) as exc:
        event(log, "face.pad_unavailable", "passive presentation-attack detection off, face check is "
              "challenge-only: %s", exc, level=logging.WARNING)
        return None, str(exc)
