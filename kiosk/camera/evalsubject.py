"""Presentations for the evaluation that need more than playing a file: a live person answering the
kiosk's prompts, and a recording of the same person playing on its own clock — both made of real frames.

Why: a recorded clip played to the kiosk *is* a replay. Counting such a clip as "live" (as the first
evaluation did) means that any rule that stops a replay of it must reject the "live" item too. What
separates a person from a recording of that person is that the person *answers*: they rest until they
are asked, then do what was asked after a human reaction time. :class:`RespondingPerson` simulates
exactly that with the frames of a real clip (a short stretch of the clip at rest, played back and forth,
until an action is asked; then, after a reaction time, the clip's real frames of that action; then rest
again). :class:`ScriptedRecording` plays the same frames open-loop — rest, action, rest, action — like
a video of the citizen made beforehand: the attack the response rules are meant to stop.

What this cannot show: how fast and how variably real citizens react (the reaction time here is drawn
from a range we chose), or what a real person does between actions. Only a pilot can.

Frame numbers are positions in the clip file (0 = first frame).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kiosk.camera.evalmedia import video_frames
from kiosk.camera.liveness import LivenessState, Phase
from kiosk.camera.sources import Frame


@dataclass(frozen=True)
class Subject:
    """Where in a clip the person rests and does each action (inclusive frame ranges)."""

    rest: tuple[int, int]
    actions: Mapping[str, tuple[int, int]]
    reaction_seconds: tuple[float, float] = (0.5, 1.2)

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any]) -> Subject:
        """From a manifest item's ``subject``; KeyError/TypeError/ValueError when it is malformed."""
        first, last = data["rest_frames"]
        actions = {str(step): (a, b) for step, (a, b) in dict(data["action_frames"]).items()}
        low, high = data.get("reaction_seconds", (0.5, 1.2))
        return cls((first, last), actions, (float(low), float(high)))


def load_frames(path: Path) -> tuple[list[np.ndarray], float]:
    """Every frame of a (short) clip, and its frame rate."""
    fps, frames = video_frames(path)
    images = list(frames)
    if not images:
        raise OSError(f"cannot read video {path}")
    return images, fps


def _back_and_forth(first: int, last: int) -> Iterator[int]:
    """first, first+1, ..., last, last-1, ..., first+1, first, ... (a person swaying a little at rest)."""
    if last <= first:
        while True:
            yield first
    while True:
        yield from range(first, last)
        yield from range(last, first, -1)


class Presenter(Protocol):
    """What the evaluation shows the camera next, given what the kiosk shows now (None before the first frame)."""

    def next_frame(self, state: LivenessState | None) -> Frame | None: ...


class RespondingPerson:
    """A live person made of real frames: rests until a step is asked, answers it after a reaction time."""

    def __init__(self, frames: Sequence[np.ndarray], fps: float, subject: Subject, rng: random.Random,
                 seconds: float = 40.0) -> None:
        self.frames, self.fps, self.subject, self.rng = frames, fps, subject, rng
        self._limit = int(seconds * fps)
        self._n = 0
        self._rest = _back_and_forth(*subject.rest)
        self._acting: Iterator[int] | None = None
        self._answer_at: dict[int, int] = {}  # step index -> media time (ms) when the person starts it
        self._started: set[int] = set()
        self.answered: list[tuple[str, int]] = []  # (step, media ms it was started)

    def _now_ms(self) -> int:
        return int(round(self._n * 1000 / self.fps))

    def next_frame(self, state: LivenessState | None) -> Frame | None:
        if self._n >= self._limit:
            return None
        now = self._now_ms()
        if state is not None and state.phase is Phase.CHALLENGE and state.step and self._acting is None:
            index = state.step_index
            if index not in self._answer_at:  # the prompt was on the screen at the frame before this one
                reaction = self.rng.uniform(*self.subject.reaction_seconds)
                self._answer_at[index] = now + int(round(reaction * 1000))
            elif now >= self._answer_at[index] and state.step in self.subject.actions and index not in self._started:
                first, last = self.subject.actions[state.step]  # (an action it cannot do: it stays at rest)
                self._acting = iter(range(first, last + 1))
                self.answered.append((state.step, now))
                self._started.add(index)
        position = next(self._acting, None) if self._acting is not None else None
        if position is None:
            self._acting = None
            position = next(self._rest)
        self._n += 1
        return Frame(self.frames[position], now)


class ScriptedRecording:
    """The same frames played open-loop: rest, first action, rest, second action, ... (a prepared video)."""

    def __init__(self, frames: Sequence[np.ndarray], fps: float, subject: Subject, order: Sequence[str],
                 rest_seconds: float = 1.5, tail_seconds: float = 8.0) -> None:
        self.frames, self.fps = frames, fps
        rest = _back_and_forth(*subject.rest)
        timeline: list[int] = []
        for action in order:
            timeline += [next(rest) for _ in range(int(rest_seconds * fps))]
            first, last = subject.actions[action]
            timeline += list(range(first, last + 1))
        timeline += [next(rest) for _ in range(int(tail_seconds * fps))]
        self._timeline = timeline
        self._n = 0

    def next_frame(self, state: LivenessState | None) -> Frame | None:
        if self._n >= len(self._timeline):
            return None
        frame = Frame(self.frames[self._timeline[self._n]], int(round(self._n * 1000 / self.fps)))
        self._n += 1
        return frame
