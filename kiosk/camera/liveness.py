"""Is a live person in front of the camera? A randomized active challenge plus passive 3-D cues.

One :class:`LivenessCheck` is one attempt. Feed it :class:`~kiosk.camera.analysis.FaceObservation`s in
time order; it answers with a :class:`LivenessState` for the screen and, at the end, a
:class:`LivenessDecision` with its evidence (scores, timings — never pictures).

How it decides:

1. **Baseline.** The first frames that pass every quality gate (one face, in the oval, lit, frontal,
   eyes open, sharp) give the person's own resting face: median blink, smile, jaw-open and head pose.
   Every step is then a *change from that baseline*, so a smiling photo does not pass "smile".
2. **Challenge.** Steps drawn at random from blink, turn left, turn right, smile, open mouth — with at
   least one head turn whenever there are two or more steps, so the 3-D check below always runs. Each
   step has its own time limit; a step that is not done in time ends the attempt (friendly retry).
3. **An answer to the prompt, not a performance.** A recording of the citizen does its actions on its
   own clock; a person answers what is asked. So each step is asked only after a random pause
   (``prompt_pause_min/max_seconds``; the first one counted from the first baseline frame, the baseline
   being the face at rest) with the face *at rest* (every action below ``rest_share`` of its
   threshold; blinks aside), the asked action must *start* (pass ``rest_share`` of its threshold) no
   sooner than ``min_response_seconds`` (nobody reacts that fast: it was already under way) and no later
   than ``max_response_seconds`` after the prompt, and an action that was not asked for — the other
   turn, a smile, an open mouth, reaching ``other_action_factor`` times its own threshold while the
   asked action is not being done — fails the step (``wrong_action``). Blinks never count against: they
   are natural. A recording that performs its actions in its own order or at its own time therefore
   fails instead of waiting until the random challenge happens to match it. (A recording that happens to
   match both the order and the timing still passes; see docs/face-check.md.)
4. **3-D parallax during a turn.** From the first frame after a turn is asked, up to 300 texture points
   on the face are followed by optical flow (:class:`SurfaceTracker`). When the head has turned far enough, the best
   *homography* from their starting to their current positions is fitted and its residual measured (RMS,
   in % of the eye distance). A flat print or screen, however it is turned in the hand, moves its texture
   exactly like a plane — a homography explains it (residual ≈ tracking noise: 0.5–3.6 % on our
   hand-held print simulations up to ±60°). A real head turning 15° or more does not (nose, cheeks and
   ears move against each other: 6–10 % on the real clip). A turn only counts with a residual of at
   least ``min_parallax``. (Model landmarks are not used for this: the landmark model imposes its own
   3-D face shape, and on a strongly tilted print its landmarks looked "3-D" in our tests.)
5. **Micro-motion.** A live face never holds perfectly still; a frozen picture fed to the camera does.
   The median landmark movement between frames must reach ``min_motion`` pixels.
6. **Screen grid (off by default).** On the baseline frames, how periodic the face's fine texture is
   (:mod:`kiosk.camera.screencue`); recorded as ``screen_score``, and an attempt fails (``screen``) only
   when ``max_screen_score`` is set and the score is above it.

Time comes from the frames' timestamps, so a recorded clip is judged exactly as it was live.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

import cv2
import numpy as np

from kiosk.camera import screencue
from kiosk.camera.analysis import LEFT_EYE_OUTER, RIGHT_EYE_OUTER, FaceObservation
from kiosk.config.schema import FaceSection

STEPS: tuple[str, ...] = ("blink", "turn_left", "turn_right", "smile", "open_mouth")
TURNS: tuple[str, ...] = ("turn_left", "turn_right")
EXPRESSIONS: tuple[str, ...] = ("blink", "smile", "open_mouth")
BASELINE_FRAMES = 5
#: frames in a row with two or more faces that end an attempt (one stray detection does not)
CROWDED_FRAMES = 3
#: frames in a row a step must be seen (a blink is brief: one frame is enough); the same for an action
#: that was not asked for to count against the step
HOLD_FRAMES = {"blink": 1, "turn_left": 2, "turn_right": 2, "smile": 2, "open_mouth": 2}
#: actions that fail a step when done unasked (a blink is natural and never counts against)
DELIBERATE: tuple[str, ...] = ("turn_left", "turn_right", "smile", "open_mouth")


class Phase(str, Enum):
    SEARCHING = "searching"  # no face (yet)
    HINT = "hint"  # a face, but a quality gate fails: tell the citizen what to change
    BASELINE = "baseline"  # good frames being collected, or the pause before a step: "look at the camera"
    CHALLENGE = "challenge"  # a step is asked
    PASSED = "passed"
    FAILED = "failed"


def draw_challenge(steps: int, rng: random.Random | None = None) -> tuple[str, ...]:
    """``steps`` distinct actions in random order; with two or more, exactly one is a head turn."""
    rng = rng or random.SystemRandom()
    if steps <= 1:
        return (rng.choice(STEPS),)
    chosen = [rng.choice(TURNS)] + rng.sample(EXPRESSIONS, min(steps - 1, len(EXPRESSIONS)))
    rng.shuffle(chosen)
    return tuple(chosen)


class SurfaceTracker:
    """Follows image texture on the face from the reference frame on (pyramidal Lucas-Kanade optical flow)
    and says how far its motion is from that of a flat surface.

    Image points, not model landmarks: the landmark model imposes its own 3-D face shape, so on a strongly
    tilted print its landmarks can look "3-D"; the texture of a print, however, moves exactly by a
    homography. Score = RMS residual of the best homography from reference to now, in % of the eye distance.
    """

    MIN_POINTS = 12
    FORWARD_BACKWARD_PX = 2.0

    def __init__(self, grey: np.ndarray, landmarks: np.ndarray) -> None:
        mask = np.zeros_like(grey)
        cv2.fillConvexPoly(mask, cv2.convexHull(landmarks.astype(np.int32)), 255)
        points = cv2.goodFeaturesToTrack(grey, 300, 0.01, 3, mask=mask)
        self._reference = points.reshape(-1, 2) if points is not None else np.empty((0, 2), np.float32)
        self._current: np.ndarray = self._reference.reshape(-1, 1, 2).astype(np.float32)
        self._alive = np.ones(len(self._reference), bool)
        self._previous = grey

    @property
    def points(self) -> int:
        return int(self._alive.sum())

    def track(self, grey: np.ndarray) -> None:
        if self.points < self.MIN_POINTS:
            return
        forward, ok1, _ = cv2.calcOpticalFlowPyrLK(self._previous, grey, self._current, None,
                                                   winSize=(21, 21), maxLevel=3)
        backward, ok2, _ = cv2.calcOpticalFlowPyrLK(grey, self._previous, forward, None, winSize=(21, 21), maxLevel=3)
        error = np.linalg.norm((backward - self._current).reshape(-1, 2), axis=1)
        self._alive &= (ok1.ravel() == 1) & (ok2.ravel() == 1) & (error < self.FORWARD_BACKWARD_PX)
        self._current, self._previous = forward, grey

    def flatness_residual(self, eye_distance: float) -> float | None:
        """None while too few points are tracked; else the non-planar share of the motion (%)."""
        if self.points < self.MIN_POINTS:
            return None
        a = self._reference[self._alive].astype(np.float64)
        b = self._current.reshape(-1, 2)[self._alive].astype(np.float64)
        h, _ = cv2.findHomography(a, b, 0)
        if h is None:
            return None
        mapped = cv2.perspectiveTransform(a.reshape(-1, 1, 2), h).reshape(-1, 2)
        return float(np.sqrt(((mapped - b) ** 2).sum(axis=1).mean()) / max(eye_distance, 1.0) * 100.0)


@dataclass
class StepEvidence:
    step: str
    passed: bool = False
    peak: float = 0.0  # largest change from baseline seen (score units, or degrees for turns)
    threshold: float = 0.0
    started_ms: int = 0
    ended_ms: int = 0
    parallax: float | None = None  # turns: best 3-D score at the turned pose
    flat_turns: int = 0  # turns: frames turned far enough but moving like a flat picture
    pause_ms: int = 0  # random pause drawn before the prompt (the prompt is at started_ms)
    onset_ms: int | None = None  # when the asked action passed rest_share of its threshold
    wrong_action: str | None = None  # an action not asked for that ended the step


@dataclass
class LivenessDecision:
    """The outcome of one attempt and why. ``reason``: passed, timeout, late_response (the asked action did
    not start in time), too_early (already under way when asked), wrong_action, flat_motion, no_motion,
    screen, several_faces; and, set by :class:`~kiosk.camera.facecheck.FaceCheck` after the challenge
    passed, pad (the passive presentation-attack score is too low)."""

    live: bool
    reason: str
    challenge: tuple[str, ...]
    steps: list[StepEvidence]
    baseline: dict[str, float]
    motion: float
    face_in_oval_ms: int | None
    decided_ms: int
    screen_score: float | None = None
    pad: dict[str, Any] | None = None  # passive presentation-attack evidence (scores only), set by FaceCheck

    @property
    def challenge_passed(self) -> bool:
        """Did the active challenge alone pass (whatever PAD said)?"""
        return self.live or self.reason == "pad"

    @property
    def time_to_decision_ms(self) -> int | None:
        return None if self.face_in_oval_ms is None else self.decided_ms - self.face_in_oval_ms

    def evidence(self) -> dict[str, Any]:
        """A privacy-safe record: scores and timings only (no pictures, no landmarks, no NIK)."""
        return {"live": self.live, "reason": self.reason, "challenge": list(self.challenge),
                "steps": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(s).items()}
                          for s in self.steps],
                "baseline": {k: round(v, 3) for k, v in self.baseline.items()},
                "motion": round(self.motion, 3), "time_to_decision_ms": self.time_to_decision_ms,
                "screen_score": None if self.screen_score is None else round(self.screen_score, 2),
                "pad": self.pad}


@dataclass(frozen=True)
class LivenessState:
    """What the screen shows now."""

    phase: Phase
    hint: str | None = None
    step: str | None = None
    step_index: int = 0
    steps_total: int = 0
    seconds_left: float = 0.0
    decision: LivenessDecision | None = None

    @property
    def progress(self) -> float:
        """0..1 for a progress bar: baseline counts as the first share, each step as one more."""
        if self.phase is Phase.PASSED:
            return 1.0
        if self.phase is Phase.CHALLENGE and self.steps_total:
            return (1 + self.step_index) / (1 + self.steps_total)
        if self.phase is Phase.BASELINE and self.steps_total:  # the pause before a step keeps the bar where it was
            return self.step_index / (1 + self.steps_total)
        return 0.0


@dataclass
class _Baseline:
    frames: list[FaceObservation] = field(default_factory=list)

    def values(self) -> dict[str, float]:
        def med(name: str) -> float:
            return float(statistics.median(getattr(o, name) for o in self.frames))
        return {name: med(name) for name in ("yaw", "pitch", "roll", "blink", "smile", "jaw_open")}


class LivenessCheck:
    """One attempt at the challenge. Not thread-safe; feed observations from one thread in time order."""

    def __init__(self, limits: FaceSection | None = None, challenge: tuple[str, ...] | None = None,
                 rng: random.Random | None = None) -> None:
        self.limits = limits or FaceSection()
        self._rng = rng or random.SystemRandom()
        self.challenge = tuple(challenge) if challenge else draw_challenge(self.limits.challenge_steps, self._rng)
        unknown = set(self.challenge) - set(STEPS)
        if unknown:
            raise ValueError(f"unknown challenge steps {sorted(unknown)}; known: {', '.join(STEPS)}")
        self._baseline = _Baseline()
        self._base: dict[str, float] = {}
        self._tracker: SurfaceTracker | None = None
        self._evidence: list[StepEvidence] = []
        self._index = 0
        self._held = 0
        self._unasked: dict[str, int] = {}  # frames in a row each action not asked for was seen
        self._crowded = 0
        self._motions: list[float] = []
        self._previous: FaceObservation | None = None
        self._screen_scores: list[float] = []
        self._pause_started_ms: int | None = None  # set while waiting to ask the next step
        self._pause_ms = 0
        self._prompted = False  # the current step has been asked
        self.face_in_oval_ms: int | None = None
        self.decision: LivenessDecision | None = None
        self._state = LivenessState(Phase.SEARCHING, "no_face", steps_total=len(self.challenge))

    @property
    def state(self) -> LivenessState:
        return self._state

    def update(self, obs: FaceObservation, grey: np.ndarray | None = None) -> LivenessState:
        """Judge one frame; ``grey`` (the frame in greyscale) enables the 3-D check of head turns."""
        if self.decision is not None:
            return self._state
        if self.face_in_oval_ms is None and obs.in_oval:
            self.face_in_oval_ms = obs.timestamp_ms
        self._track_motion(obs)
        if not self._base:
            self._state = self._collect_baseline(obs, grey)
        elif not self._prompted:
            self._state = self._pause(obs)
        else:
            self._follow_surface(obs, grey)
            self._state = self._challenge(obs)
        return self._state

    # -- phases --------------------------------------------------------------------------------

    def _collect_baseline(self, obs: FaceObservation, grey: np.ndarray | None) -> LivenessState:
        total = len(self.challenge)
        if obs.faces == 0:
            return LivenessState(Phase.SEARCHING, "no_face", steps_total=total)
        if not obs.quality_ok:
            return LivenessState(Phase.HINT, obs.hint, steps_total=total)
        self._baseline.frames.append(obs)
        if grey is not None and obs.bbox is not None:
            score = screencue.grid_score(grey, obs.bbox)
            if score is not None:
                self._screen_scores.append(score)
        if len(self._baseline.frames) < BASELINE_FRAMES:
            return LivenessState(Phase.BASELINE, steps_total=total)
        self._base = self._baseline.values()
        # the baseline is the face at rest already: the first pause is counted from its first frame
        self._start_pause(self._baseline.frames[0].timestamp_ms)
        return self._pause(obs)

    def _start_pause(self, now_ms: int) -> None:
        """A random wait before the next step is asked, so a recording cannot be timed to the prompt."""
        low, high = self.limits.prompt_pause_min_seconds, self.limits.prompt_pause_max_seconds
        self._pause_ms = int(round(1000 * (self._rng.uniform(low, high) if high > low else low)))
        self._pause_started_ms = now_ms
        self._prompted = False

    def _pause(self, obs: FaceObservation) -> LivenessState:
        """Ask the next step once the pause is over and the face is at rest (one face, no action going on)."""
        now, started = obs.timestamp_ms, self._pause_started_ms or 0
        crowded = self._count_crowded(obs)
        if crowded is not None:
            return crowded
        if now - started >= self._pause_ms and obs.faces == 1 and obs.landmarks is not None and self._at_rest(obs):
            self._start_step(now)
            return self._challenge_state(now)
        if now - started > self.limits.step_timeout_seconds * 1000:  # never settled: like a step not done in time
            return self._decide(False, "timeout", now)
        return LivenessState(Phase.BASELINE, step_index=self._index, steps_total=len(self.challenge))

    def _at_rest(self, obs: FaceObservation) -> bool:
        share = self.limits.rest_share
        return all(self._change(action, obs) < share * self._threshold(action) for action in DELIBERATE)

    def _threshold(self, step: str) -> float:
        return {"blink": self.limits.blink_delta, "smile": self.limits.smile_delta,
                "open_mouth": self.limits.mouth_open_delta}.get(step, self.limits.turn_degrees)

    def _start_step(self, now_ms: int) -> None:
        step = self.challenge[self._index]
        self._evidence.append(StepEvidence(step, threshold=self._threshold(step), started_ms=now_ms,
                                           pause_ms=self._pause_ms))
        self._held = 0
        self._unasked = {}
        self._prompted = True
        self._tracker = None  # a turn is measured from the first frame after it was asked

    def _follow_surface(self, obs: FaceObservation, grey: np.ndarray | None) -> None:
        if self.challenge[self._index] not in TURNS or grey is None:
            return
        if self._tracker is None:
            if obs.faces == 1 and obs.landmarks is not None:
                self._tracker = SurfaceTracker(grey, obs.landmarks)
        else:
            self._tracker.track(grey)

    def _count_crowded(self, obs: FaceObservation) -> LivenessState | None:
        self._crowded = self._crowded + 1 if obs.faces > 1 else 0
        if self._crowded >= CROWDED_FRAMES:
            return self._decide(False, "several_faces", obs.timestamp_ms)
        return None

    def _challenge(self, obs: FaceObservation) -> LivenessState:
        now = obs.timestamp_ms
        current = self._evidence[-1]
        crowded = self._count_crowded(obs)
        if crowded is not None:
            return crowded
        since_prompt = now - current.started_ms
        too_soon = since_prompt < self.limits.min_response_seconds * 1000
        if obs.faces == 1 and obs.landmarks is not None and not (too_soon and current.step == "blink"):
            # (a natural blink just as "blink" is asked is simply not counted; any other early start fails)
            change = self._change(current.step, obs)
            current.peak = max(current.peak, change)
            if current.onset_ms is None and change >= self.limits.rest_share * current.threshold:
                current.onset_ms = now
                if too_soon:
                    current.ended_ms = now
                    return self._decide(False, "too_early", now)
            done = change >= current.threshold
            unasked = self._unasked_action(current.step, obs, asked_done=done)
            if unasked is not None:
                current.wrong_action, current.ended_ms = unasked, now
                return self._decide(False, "wrong_action", now)
            if done and current.step in TURNS:
                done = self._turn_is_3d(current, obs)
            self._held = self._held + 1 if done else 0
            if self._held >= HOLD_FRAMES[current.step]:
                current.passed, current.ended_ms = True, now
                self._index += 1
                if self._index == len(self.challenge):
                    return self._conclude(now)
                self._start_pause(now)
                return LivenessState(Phase.BASELINE, step_index=self._index, steps_total=len(self.challenge))
        if current.onset_ms is None and since_prompt > self.limits.max_response_seconds * 1000:
            current.ended_ms = now
            return self._decide(False, "late_response", now)
        if since_prompt > self.limits.step_timeout_seconds * 1000 and not current.passed:
            current.ended_ms = now
            return self._decide(False, "flat_motion" if current.flat_turns else "timeout", now)
        return self._challenge_state(now)

    def _conclude(self, now_ms: int) -> LivenessState:
        """Every asked step passed: the passive checks of the whole attempt decide."""
        if self.motion < self.limits.min_motion:
            return self._decide(False, "no_motion", now_ms)
        if screencue.screen_like(self.screen_score, self.limits.max_screen_score):
            return self._decide(False, "screen", now_ms)
        return self._decide(True, "passed", now_ms)

    @property
    def between_steps(self) -> bool:
        """At least one step passed and the next is not asked yet (the pause before it)."""
        return self.decision is None and 0 < self._index < len(self.challenge) and not self._prompted

    def finish_early(self, now_ms: int) -> LivenessState:
        """End the attempt after the steps passed so far, as if they were the whole challenge (same motion
        and screen checks). Called by :class:`~kiosk.camera.facecheck.FaceCheck` when the passive PAD score
        is confidently live; only :attr:`between_steps` (a step half done or not yet passed never counts).
        The decision's ``challenge`` is then the steps actually asked."""
        if not self.between_steps:
            raise RuntimeError("finish_early is only possible between two steps")
        self.challenge = self.challenge[: self._index]
        self._state = self._conclude(now_ms)
        return self._state

    def _unasked_action(self, step: str, obs: FaceObservation, *, asked_done: bool) -> str | None:
        """The action not asked for that has clearly been done (``other_action_factor`` times its threshold,
        held like a step), while the asked one was not being done at the same moment; else None."""
        factor = self.limits.other_action_factor
        if factor <= 0:
            return None
        for action in DELIBERATE:
            if action == step:
                continue
            seen = not asked_done and self._change(action, obs) >= factor * self._threshold(action)
            self._unasked[action] = self._unasked.get(action, 0) + 1 if seen else 0
            if self._unasked[action] >= HOLD_FRAMES[action]:
                return action
        return None

    def _change(self, step: str, obs: FaceObservation) -> float:
        base = self._base
        if step == "blink":
            return obs.blink - base["blink"]
        if step == "smile":
            return obs.smile - base["smile"]
        if step == "open_mouth":
            return obs.jaw_open - base["jaw_open"]
        sign = 1.0 if step == "turn_left" else -1.0
        return sign * (obs.yaw - base["yaw"])

    def _turn_is_3d(self, evidence: StepEvidence, obs: FaceObservation) -> bool:
        if self._tracker is None or obs.landmarks is None:
            return False
        eye_distance = float(np.linalg.norm(obs.landmarks[RIGHT_EYE_OUTER] - obs.landmarks[LEFT_EYE_OUTER]))
        score = self._tracker.flatness_residual(eye_distance)
        if score is None:  # texture lost (too fast, too dark): the turn cannot be verified as 3-D
            return False
        evidence.parallax = max(evidence.parallax or 0.0, score)
        if score < self.limits.min_parallax:
            evidence.flat_turns += 1
            return False
        return True

    def _track_motion(self, obs: FaceObservation) -> None:
        if obs.faces == 1 and obs.landmarks is not None:
            if self._previous is not None and self._previous.landmarks is not None:
                moved = np.linalg.norm(obs.landmarks - self._previous.landmarks, axis=1)
                self._motions.append(float(np.median(moved)))
            self._previous = obs
        else:
            self._previous = None

    @property
    def screen_score(self) -> float | None:
        """Median screen-grid score of the baseline frames (None without greyscale frames)."""
        return screencue.median_score(self._screen_scores)

    @property
    def motion(self) -> float:
        """Median per-frame landmark movement in pixels (0 for a frozen picture)."""
        return float(statistics.median(self._motions)) if self._motions else 0.0

    def _challenge_state(self, now_ms: int) -> LivenessState:
        current = self._evidence[-1]
        left = self.limits.step_timeout_seconds - (now_ms - current.started_ms) / 1000
        return LivenessState(Phase.CHALLENGE, step=current.step, step_index=self._index,
                             steps_total=len(self.challenge), seconds_left=max(0.0, left))

    def _decide(self, live: bool, reason: str, now_ms: int) -> LivenessState:
        self.decision = LivenessDecision(live, reason, self.challenge, self._evidence, dict(self._base),
                                         self.motion, self.face_in_oval_ms, now_ms, self.screen_score)
        phase = Phase.PASSED if live else Phase.FAILED
        hint = "several_faces" if reason == "several_faces" else None
        return LivenessState(phase, hint, steps_total=len(self.challenge), step_index=self._index,
                             decision=self.decision)
