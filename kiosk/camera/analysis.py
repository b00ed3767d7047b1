"""One frame in, one :class:`FaceObservation` out: MediaPipe FaceLandmarker plus the quality gates.

The landmarker runs in VIDEO mode (it tracks between frames, so timestamps must grow) with blendshapes
and the facial transformation matrix, which give eye/mouth/smile scores and head pose. MediaPipe is
imported lazily inside :class:`FaceAnalyser` (``import mediapipe`` costs ~1.3 s): build the analyser in
the camera worker, never on the start path, and ``close()`` it (left to ``__del__`` at interpreter exit
mediapipe 1.2.2 raises errors).

Each quality gate has a hint key (``face.hint.<key>`` in ``kiosk/i18n/*/face.toml``); the first failing
gate in :data:`HINT_ORDER` is what the citizen is told.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.camera.models import require_model
from kiosk.camera.sources import Frame
from kiosk.config.schema import FaceSection

# FaceMesh landmark indices used below (the subject's left/right, not the image's)
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
RIGHT_EYE_INNER, LEFT_EYE_INNER = 133, 362
RIGHT_IRIS, LEFT_IRIS = 468, 473
NOSE_TIP, MOUTH_RIGHT, MOUTH_LEFT, CHIN, FOREHEAD = 1, 61, 291, 152, 10

#: hint keys in the order they are told (the first failing one wins)
HINT_ORDER: tuple[str, ...] = ("no_face", "several_faces", "move_closer", "move_back", "move_centre",
                               "more_light", "too_bright", "low_contrast", "look_straight", "open_eyes",
                               "hold_still")

BLENDSHAPES = ("eyeBlinkLeft", "eyeBlinkRight", "mouthSmileLeft", "mouthSmileRight", "jawOpen")


@dataclass(frozen=True)
class FaceObservation:
    """What one frame shows. Pixel coordinates are in the (unmirrored) camera image."""

    timestamp_ms: int
    frame_size: tuple[int, int]  # (width, height)
    faces: int
    landmarks: np.ndarray | None = None  # (478, 2) pixels, the first face only
    bbox: tuple[float, float, float, float] | None = None  # x, y, w, h in pixels
    yaw: float = 0.0  # degrees, + = the person's own left
    pitch: float = 0.0  # degrees, + = looking up
    roll: float = 0.0  # degrees
    blink: float = 0.0  # mean of both eyes' blink scores, 0..1
    smile: float = 0.0
    jaw_open: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    sharpness: float = 0.0
    hints: tuple[str, ...] = field(default=())  # every failing gate, in HINT_ORDER

    @property
    def hint(self) -> str | None:
        """The one thing to tell the citizen now, or None when every gate passes."""
        return self.hints[0] if self.hints else None

    @property
    def quality_ok(self) -> bool:
        return not self.hints

    @property
    def in_oval(self) -> bool:
        """One face, at a usable distance and near the centre (lighting and pose aside)."""
        return self.faces == 1 and not ({"move_closer", "move_back", "move_centre"} & set(self.hints))

    @property
    def frontal_score(self) -> float:
        """1 for a face looking straight at the camera, falling towards 0 as it turns or tilts."""
        return max(0.0, 1.0 - (abs(self.yaw) + abs(self.pitch) + abs(self.roll)) / 60.0)

    @property
    def face_width(self) -> float:
        return self.bbox[2] if self.bbox else 0.0


def head_pose(matrix: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from MediaPipe's facial transformation matrix; yaw + = own left."""
    r = np.asarray(matrix, dtype=float)[:3, :3]
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    yaw = math.degrees(math.atan2(-r[2, 0], math.hypot(r[2, 1], r[2, 2])))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return yaw, pitch, roll


def image_quality(image: np.ndarray, bbox: tuple[float, float, float, float]) -> tuple[float, float, float]:
    """(brightness, contrast, sharpness) of the face: mean and spread of grey, Laplacian variance.

    Measured on the inner face box scaled to 128 px wide, so sharpness does not depend on distance.
    """
    x, y, w, h = bbox
    height, width = image.shape[:2]
    x0, y0 = max(0, int(x + 0.15 * w)), max(0, int(y + 0.15 * h))
    x1, y1 = min(width, int(x + 0.85 * w)), min(height, int(y + 0.85 * h))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0, 0.0, 0.0
    grey = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    scale = 128.0 / grey.shape[1]
    small = cv2.resize(grey, (128, max(8, int(grey.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(small, cv2.CV_64F).var())
    return float(grey.mean()), float(grey.std()), sharpness


def quality_hints(obs: FaceObservation, limits: FaceSection) -> tuple[str, ...]:
    """Every quality gate ``obs`` fails, in the order they should be told."""
    if obs.faces == 0 or obs.bbox is None:
        return ("no_face",)
    if obs.faces > 1:
        return ("several_faces",)
    width, height = obs.frame_size
    x, y, w, h = obs.bbox
    failing = []
    if w < limits.min_face_width * width:
        failing.append("move_closer")
    if w > limits.max_face_width * width:
        failing.append("move_back")
    cx, cy = (x + w / 2) / width - 0.5, (y + h / 2) / height - 0.5
    if math.hypot(cx, cy) > limits.max_centre_offset:
        failing.append("move_centre")
    if obs.brightness < limits.min_brightness:
        failing.append("more_light")
    if obs.brightness > limits.max_brightness:
        failing.append("too_bright")
    if obs.contrast < limits.min_contrast:
        failing.append("low_contrast")
    if (abs(obs.yaw) > limits.max_yaw_degrees or abs(obs.pitch) > limits.max_pitch_degrees
            or abs(obs.roll) > limits.max_roll_degrees):
        failing.append("look_straight")
    if obs.blink > limits.max_eye_closed:
        failing.append("open_eyes")
    if obs.sharpness < limits.min_sharpness:
        failing.append("hold_still")
    return tuple(sorted(failing, key=HINT_ORDER.index))


class FaceAnalyser:
    """MediaPipe FaceLandmarker (VIDEO mode) + quality gates. Not thread-safe: one thread, growing timestamps."""

    def __init__(self, model_dir: Path, limits: FaceSection | None = None, *, max_faces: int = 2) -> None:
        model = require_model(model_dir)  # a clear ModelError naming the fix, before MediaPipe loads
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision  # ~1.3 s: only ever on a worker thread

        self._mp = mp
        self.limits = limits or FaceSection()
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model.read_bytes()),
            running_mode=vision.RunningMode.VIDEO, num_faces=max_faces,
            min_face_detection_confidence=0.5, min_face_presence_confidence=0.5, min_tracking_confidence=0.5,
            output_face_blendshapes=True, output_facial_transformation_matrixes=True)
        self._landmarker: Any = vision.FaceLandmarker.create_from_options(options)
        self._last_ts = -1

    def analyse(self, frame: Frame) -> FaceObservation:
        image = frame.image
        height, width = image.shape[:2]
        # VIDEO mode needs strictly growing timestamps; a looped or restarted source may repeat one
        timestamp = max(frame.timestamp_ms, self._last_ts + 1)
        self._last_ts = timestamp
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        result = self._landmarker.detect_for_video(
            self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb), timestamp)
        faces = len(result.face_landmarks)
        if faces == 0:
            return FaceObservation(frame.timestamp_ms, (width, height), 0, hints=("no_face",))
        points = np.array([[p.x * width, p.y * height] for p in result.face_landmarks[0]], dtype=np.float32)
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        bbox = (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        scores = {c.category_name: c.score for c in result.face_blendshapes[0]} if result.face_blendshapes else {}
        yaw, pitch, roll = head_pose(np.array(result.facial_transformation_matrixes[0])) \
            if result.facial_transformation_matrixes else (0.0, 0.0, 0.0)
        brightness, contrast, sharpness = image_quality(image, bbox)
        obs = FaceObservation(
            frame.timestamp_ms, (width, height), faces, points, bbox, yaw, pitch, roll,
            blink=(scores.get("eyeBlinkLeft", 0.0) + scores.get("eyeBlinkRight", 0.0)) / 2,
            smile=(scores.get("mouthSmileLeft", 0.0) + scores.get("mouthSmileRight", 0.0)) / 2,
            jaw_open=scores.get("jawOpen", 0.0), brightness=brightness, contrast=contrast, sharpness=sharpness)
        return _with_hints(obs, quality_hints(obs, self.limits))

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> FaceAnalyser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _with_hints(obs: FaceObservation, hints: tuple[str, ...]) -> FaceObservation:
    from dataclasses import replace

    return replace(obs, hints=hints)
