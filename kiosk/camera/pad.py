"""Passive presentation-attack detection (PAD): is the face in front of the camera a real face, or a
photo or a screen held up to it? A second factor next to the active challenge.

Two small CNNs from Silent-Face-Anti-Spoofing (MiniFASNetV2 and MiniFASNetV1SE, Apache-2.0), trained on
real captured prints and replays, run with OpenCV's DNN module (no new runtime dependency). Each takes a
crop around the face box enlarged ×2.7 (V2) or ×4.0 (V1SE), resized to 80×80, BGR, float 0–255 (no
normalisation), NCHW, and answers 3 logits; softmax index 1 = live. A frame's score is the mean of both
models' live probability.

The crop follows the models' training rule (``CropImage`` of the original project): when the enlarged box
would leave the frame, the enlargement is reduced to what fits and the box is *shifted* inside the
frame. Padding with black instead costs real faces their score (the live reference fell from 1.00 to
0.11 in our trial): the models learnt the frame edge as part of the scene. So a face at the border never
crashes and never gets a padded crop.

The face box is the landmark extent the pipeline already has; the models were trained on a face
detector's box, which is ~12 % taller and centred ~7 % higher (measured against YuNet on our photos), so
:func:`detector_box` converts it first.

How an attempt is judged (:class:`PadAttempt`): every ``pad_every_frames``-th frame with one face in
the oval, from the baseline to the decision, is scored and filed under its *segment* (the rest before the
first step, and each asked step with the pause before it). Each segment's score is its median (one
blurred frame in a turn does not decide); the attempt's score is the *lowest* segment score, so a real
face shown at rest cannot carry a photo or screen shown for one step. An attempt without any scored
frame has no score and fails when PAD decides.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.camera.models import PAD_V1SE, PAD_V2, ModelSpec, verify_file

INPUT_SIZE = 80
LIVE_INDEX = 1
#: enlargement of the face box for each model (the models' training crops)
SCALES: tuple[tuple[ModelSpec, float], ...] = ((PAD_V2, 2.7), (PAD_V1SE, 4.0))
#: a face narrower than this (pixels) carries too little texture to judge: such frames are skipped
MIN_FACE_PX = 40
#: a crop whose grey spread is below this is a flat (grey, black, white) picture: nothing to judge
MIN_CROP_STD = 3.0
#: scores each part of the attempt needs before PAD may be called confident (one lucky frame never is)
CONFIDENT_MIN_SAMPLES = 3


class PadUnavailable(Exception):
    """The PAD models cannot be used (missing, damaged, not the expected network). The message says why."""


@dataclass(frozen=True)
class PadReading:
    """One frame's PAD result: ``score`` (0..1, 1 = live) or why the frame was not judged."""

    score: float | None
    per_model: tuple[float, ...] = ()
    skipped: str | None = None  # no_face, tiny_face, flat_frame, model_error


def detector_box(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The landmark extent (x, y, w, h) as a face detector would draw it: taller, centred higher."""
    x, y, w, h = bbox
    height = h * 1.12
    centre_y = y + h / 2 - 0.07 * h
    return x, centre_y - height / 2, w, height


def crop_for_pad(image: np.ndarray, box: tuple[float, float, float, float], scale: float,
                 size: int = INPUT_SIZE) -> np.ndarray | None:
    """The box enlarged ``scale`` times, kept inside the frame (training rule), resized to size×size."""
    src_h, src_w = image.shape[:2]
    x, y, box_w, box_h = box
    if box_w <= 1 or box_h <= 1 or src_w < 2 or src_h < 2:
        return None
    if not (0 <= x + box_w / 2 < src_w and 0 <= y + box_h / 2 < src_h):  # the face's centre is not in the frame
        return None
    scale = min((src_h - 1) / box_h, (src_w - 1) / box_w, scale)
    new_w, new_h = box_w * scale, box_h * scale
    centre_x, centre_y = x + box_w / 2, y + box_h / 2
    left, top = centre_x - new_w / 2, centre_y - new_h / 2
    right, bottom = centre_x + new_w / 2, centre_y + new_h / 2
    # shift, do not pad: the box keeps its size and moves back inside the frame
    shift_x = -left if left < 0 else min(0.0, (src_w - 1) - right)
    shift_y = -top if top < 0 else min(0.0, (src_h - 1) - bottom)
    left, right, top, bottom = left + shift_x, right + shift_x, top + shift_y, bottom + shift_y
    x0, y0 = max(0, int(left)), max(0, int(top))
    x1, y1 = min(src_w, int(right) + 1), min(src_h, int(bottom) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return cv2.resize(image[y0:y1, x0:x1], (size, size))


def _softmax_live(logits: np.ndarray) -> float:
    z = logits.astype(np.float64).ravel()
    e = np.exp(z - z.max())
    return float(e[LIVE_INDEX] / e.sum())


class PassivePad:
    """Both MiniFASNet models, loaded once. Not thread-safe: use it on the analysis thread only.

    Raises :class:`PadUnavailable` when a model file is missing, damaged (``verify``: the pinned SHA-256),
    does not load, or does not answer a 1×3×80×80 input with 3 finite logits (another network)."""

    def __init__(self, model_dir: Path, *, verify: bool = True) -> None:
        self._nets: list[tuple[Any, float]] = []
        for spec, scale in SCALES:
            path = Path(model_dir) / spec.name
            if verify:
                status = verify_file(Path(model_dir), spec)
                if not status.ok:
                    raise PadUnavailable(status.message)
            try:
                net = cv2.dnn.readNetFromONNX(str(path))
                net.setInput(np.zeros((1, 3, INPUT_SIZE, INPUT_SIZE), np.float32))
                probe = np.asarray(net.forward())
            except cv2.error as exc:
                raise PadUnavailable(f"{path} cannot be loaded as a presentation-attack model "
                                     f"({str(exc).strip().splitlines()[-1][:160]})") from None
            if probe.size != 3 or not np.isfinite(probe).all():
                raise PadUnavailable(f"{path} is not the expected network (answers shape {probe.shape}, "
                                     f"expected 3 logits)")
            self._nets.append((net, scale))

    def score(self, image: np.ndarray, bbox: tuple[float, float, float, float] | None) -> PadReading:
        """Judge one frame's face (``bbox`` = the landmark extent, pixels). Never raises on a bad frame."""
        if bbox is None or image is None or image.ndim != 3 or image.shape[2] != 3:
            return PadReading(None, skipped="no_face")
        if bbox[2] < MIN_FACE_PX:
            return PadReading(None, skipped="tiny_face")
        box = detector_box(bbox)
        crops: list[np.ndarray] = []
        for _, scale in self._nets:
            crop = crop_for_pad(image, box, scale)
            if crop is None:
                return PadReading(None, skipped="no_face")
            crops.append(crop)
        if float(np.std(crops[0])) < MIN_CROP_STD:
            return PadReading(None, skipped="flat_frame")
        scores = []
        try:
            for (net, _), crop in zip(self._nets, crops, strict=True):
                blob = np.ascontiguousarray(crop.astype(np.float32).transpose(2, 0, 1)[None])
                net.setInput(blob)
                scores.append(_softmax_live(np.asarray(net.forward())))
        except (cv2.error, ValueError):  # pragma: no cover - a loaded, probed network does not fail on a valid blob
            return PadReading(None, skipped="model_error")
        return PadReading(float(np.mean(scores)), tuple(scores))


@dataclass
class PadAttempt:
    """PAD samples of one attempt, grouped by segment; see the module docstring for the rule."""

    every_frames: int = 3
    segments: dict[str, list[float]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    _seen: int = 0

    def due(self) -> bool:
        """Count one frame with the face in the oval; True on every ``every_frames``-th."""
        self._seen += 1
        return (self._seen - 1) % max(1, self.every_frames) == 0

    def add(self, segment: str, reading: PadReading) -> None:
        if reading.score is None:
            key = reading.skipped or "skipped"
            self.skipped[key] = self.skipped.get(key, 0) + 1
            return
        self.segments.setdefault(segment, []).append(reading.score)

    @property
    def samples(self) -> int:
        return sum(len(v) for v in self.segments.values())

    def segment_scores(self) -> dict[str, float]:
        return {name: float(statistics.median(values)) for name, values in self.segments.items() if values}

    @property
    def score(self) -> float | None:
        """The lowest segment median, or None without any scored frame."""
        scores = self.segment_scores()
        return min(scores.values()) if scores else None

    def evidence(self) -> dict[str, Any]:
        """Scores only (no picture): the aggregate, each segment's median and sample count, skips."""
        score = self.score
        return {"score": None if score is None else round(score, 3), "samples": self.samples,
                "segments": {k: [round(v, 3), len(self.segments[k])] for k, v in self.segment_scores().items()},
                "skipped": dict(self.skipped)}
