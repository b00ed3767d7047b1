"""Derived test media for the face check, made at test/evaluation time from real photos and video.

Nothing here is committed as media: tests, ``scripts/make_face_eval_manifest.py`` and ``bench/face.py``
call these to write clips into a temporary folder.

* :func:`still_video` — a photo shown to the camera as a video (optionally with sensor noise).
* :func:`handheld_print_video` — a flat photo moved and tilted in front of the camera like a hand-held
  print: the picture is a plane rotated in 3-D (yaw/pitch/roll over time) and projected through a
  pinhole camera, so every frame is an exact homography of the photo — the motion a print can make.
* :func:`crop_video` — a real clip cropped (and optionally mirrored) so the face fills a 640×480 frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

FRAME_SIZE = (640, 480)


def video_frames(source: Path) -> tuple[float, Iterator[np.ndarray]]:
    """A clip's frame rate and its frames, read one by one; the file is closed once they run out."""
    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0

    def frames() -> Iterator[np.ndarray]:
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                yield frame
        finally:
            capture.release()
    return fps, frames()


def write_video(frames: Iterable[np.ndarray], path: Path, fps: float) -> Path:
    """Write BGR frames as an MP4 (mp4v, which OpenCV can always write and read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: cv2.VideoWriter | None = None
    try:
        for frame in frames:
            if writer is None:
                height, width = frame.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
                if not writer.isOpened():
                    raise OSError(f"cannot write video {path}")
            writer.write(frame)
    finally:
        if writer is not None:
            writer.release()
    return path


def place_on_canvas(photo: np.ndarray, face_share: float = 0.8, size: tuple[int, int] = FRAME_SIZE,
                    background: int = 90) -> np.ndarray:
    """The photo scaled to ``face_share`` of the frame height, centred on a plain background."""
    width, height = size
    scale = face_share * height / photo.shape[0]
    resized = cv2.resize(photo, (max(1, int(photo.shape[1] * scale)), max(1, int(photo.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)
    canvas = np.full((height, width, 3), background, np.uint8)
    h, w = resized.shape[:2]
    x0, y0 = (width - w) // 2, (height - h) // 2
    xs, ys = max(0, -x0), max(0, -y0)
    canvas[max(0, y0):max(0, y0) + min(h, height), max(0, x0):max(0, x0) + min(w, width)] = \
        resized[ys:ys + min(h, height), xs:xs + min(w, width)]
    return canvas


def frame_face(photo: np.ndarray, face_box: tuple[float, float, float, float], face_share: float = 0.38,
               size: tuple[int, int] = FRAME_SIZE, background: int = 90) -> np.ndarray:
    """The photo scaled and shifted so the face (``face_box`` x, y, w, h in pixels) is centred and
    ``face_share`` of the frame wide — a print held at a normal distance from the camera."""
    width, height = size
    x, y, w, h = face_box
    scale = face_share * width / w
    shift_x = width / 2 - (x + w / 2) * scale
    shift_y = height / 2 - (y + h / 2) * scale
    matrix = np.array([[scale, 0, shift_x], [0, scale, shift_y]], dtype=np.float64)
    return cv2.warpAffine(photo, matrix, size, flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                          borderValue=(background, background, background))


def plane_homography(size: tuple[int, int], yaw_deg: float, pitch_deg: float = 0.0, roll_deg: float = 0.0,
                     shift: tuple[float, float] = (0.0, 0.0), distance: float = 1.0) -> np.ndarray:
    """Image-to-image homography of a flat picture facing the camera, rotated in 3-D about its centre.

    ``distance`` > 1 moves the picture away (smaller); the focal length is a typical webcam's (~60° view).
    """
    width, height = size
    focal = width / (2 * math.tan(math.radians(30)))
    k = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]])
    a, b, c = (math.radians(v) for v in (pitch_deg, yaw_deg, roll_deg))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    rotation = rz @ ry @ rx
    depth = focal * distance
    # plane points (u, v) in pixels around the centre, at depth `depth`: X = R [u, v, 0] + t
    t = np.array([shift[0] * width, shift[1] * height, depth])
    plane = np.column_stack([rotation[:, 0], rotation[:, 1], t])
    to_plane = np.array([[1, 0, -width / 2], [0, 1, -height / 2], [0, 0, 1]])
    # scale so that at yaw = 0 and distance = 1 the picture maps onto itself
    h = k @ plane @ to_plane
    return h / h[2, 2]


def still_video(photo: np.ndarray, path: Path, *, seconds: float = 8.0, fps: float = 15.0,
                noise: float = 0.0, seed: int = 0, face_box: tuple[float, float, float, float] | None = None) -> Path:
    """A photo held perfectly still in front of the camera; ``noise`` adds sensor grain per frame."""
    canvas = frame_face(photo, face_box) if face_box else place_on_canvas(photo)
    rng = np.random.default_rng(seed)

    def frames() -> Iterable[np.ndarray]:
        for _ in range(int(seconds * fps)):
            if noise > 0:
                grain = rng.normal(0, noise, canvas.shape)
                yield np.clip(canvas.astype(np.float32) + grain, 0, 255).astype(np.uint8)
            else:
                yield canvas
    return write_video(frames(), path, fps)


def handheld_print_video(photo: np.ndarray, path: Path, *, seconds: float = 10.0, fps: float = 15.0,
                         max_yaw: float = 35.0, max_pitch: float = 10.0, seed: int = 0,
                         noise: float = 2.0, face_box: tuple[float, float, float, float] | None = None) -> Path:
    """A print turned left and right, tilted and wobbled in the hand (every frame a homography of it)."""
    canvas = frame_face(photo, face_box) if face_box else place_on_canvas(photo, face_share=0.75)
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * math.pi)
    size = (canvas.shape[1], canvas.shape[0])

    def frames() -> Iterable[np.ndarray]:
        for i in range(int(seconds * fps)):
            t = i / fps
            ramp = min(1.0, t / 2.0)  # held straight at first (like a real person settling), then turned
            yaw = ramp * max_yaw * math.sin(2 * math.pi * t / 4.0 + phase)
            pitch = ramp * max_pitch * math.sin(2 * math.pi * t / 3.1 + 1.3 * phase)
            roll = 3.0 * math.sin(2 * math.pi * t / 5.3)
            shift = (0.02 * math.sin(2 * math.pi * t / 2.7) + rng.normal(0, 0.002),
                     0.015 * math.sin(2 * math.pi * t / 3.3) + rng.normal(0, 0.002))
            h = plane_homography(size, yaw, pitch, roll, shift, distance=1.0 + 0.05 * math.sin(t))
            warped = cv2.warpPerspective(canvas, h, size, borderValue=(90, 90, 90))
            if noise > 0:
                noisy = warped.astype(np.float32) + rng.normal(0, noise, warped.shape)
                warped = np.clip(noisy, 0, 255).astype(np.uint8)
            yield warped
    return write_video(frames(), path, fps)


def crop_video(source: Path, path: Path, *, box: tuple[float, float, float, float], mirror: bool = False,
               start_s: float = 0.0, end_s: float | None = None,
               transform: Callable[[np.ndarray], np.ndarray] | None = None) -> Path:
    """Part of a real clip: ``box`` = (x, y, w, h) as shares of the frame, scaled to 640×480."""
    fps, source_frames = video_frames(source)

    def frames() -> Iterable[np.ndarray]:
        for index, frame in enumerate(source_frames):
            t = index / fps
            if t < start_s or (end_s is not None and t > end_s):
                continue
            height, width = frame.shape[:2]
            x, y, w, h = box
            crop = frame[int(y * height):int((y + h) * height), int(x * width):int((x + w) * width)]
            out = cv2.resize(crop, FRAME_SIZE, interpolation=cv2.INTER_CUBIC)
            if mirror:
                out = cv2.flip(out, 1)
            yield transform(out) if transform else out
    return write_video(frames(), path, fps)


def screen_replay(image: np.ndarray, *, camera_px_per_screen_px: float, screen_scale: float = 1.0,
                  tilt_deg: float = 8.0, lens_blur_px: float = 0.6, glare: float = 0.35,
                  seed: int = 0) -> np.ndarray:
    """``image`` shown on a display and seen by a 640×480 camera — a *simulation*, for tests of screen cues.

    The display shows the picture at ``screen_scale`` display pixels per picture pixel, each display pixel
    made of red, green and blue stripes with a dark line under them (the subpixel grid); the display's
    own gamma (brighter shadows, a cool white point) and a soft specular glare are added; the camera sees
    the display ``camera_px_per_screen_px`` (a phone at arm's length: ~0.2; a monitor at 30 cm: ~0.45)
    through a lens that blurs by ``lens_blur_px`` (Gaussian sigma, camera pixels), slightly turned by
    ``tilt_deg``, with the dark bezel and the room around it, then samples it (aliasing into moiré).
    """
    cell = 3
    rng = np.random.default_rng(seed)
    shown = cv2.resize(image, None, fx=screen_scale, fy=screen_scale, interpolation=cv2.INTER_LINEAR) \
        if screen_scale != 1.0 else image
    # the display's tone: lifted blacks, gamma, a cooler white point
    toned = shown.astype(np.float32) / 255.0
    toned = 0.04 + 0.96 * toned ** 0.9
    toned *= np.array([1.06, 1.0, 0.93], np.float32)  # BGR: a little blue, a little less red
    height, width = toned.shape[:2]
    big = cv2.resize(toned, (width * cell, height * cell), interpolation=cv2.INTER_NEAREST)
    mask = np.zeros((cell, cell, 3), np.float32)
    for column, channel in enumerate((2, 1, 0)):  # R, G, B stripes (BGR order)
        mask[:, column, channel] = 3.0
    mask[cell - 1, :, :] *= 0.35  # the dark line between pixel rows
    big *= np.tile(mask, (height, width, 1))
    # glare: a soft bright ellipse where a ceiling light reflects
    if glare > 0:
        gy, gx = np.ogrid[:height * cell, :width * cell]
        cx, cy = width * cell * rng.uniform(0.6, 0.8), height * cell * rng.uniform(0.15, 0.35)
        spot = np.exp(-(((gx - cx) / (0.25 * width * cell)) ** 2 + ((gy - cy) / (0.12 * height * cell)) ** 2))
        big += (glare * spot)[..., None].astype(np.float32)
    scale = camera_px_per_screen_px / cell  # camera pixels per rendered pixel
    sigma = lens_blur_px / scale
    big = cv2.GaussianBlur(big, (0, 0), sigma)
    out_w, out_h = FRAME_SIZE
    # the display's corners in the camera picture: centred, slightly turned about the vertical axis
    half_w, half_h = width * cell * scale / 2, height * cell * scale / 2
    lean = math.tan(math.radians(tilt_deg)) * half_h * 0.25
    left, right, top, bottom = out_w / 2 - half_w, out_w / 2 + half_w, out_h / 2 - half_h, out_h / 2 + half_h
    corners = np.array([[left, top + lean], [right, top - lean], [right, bottom + lean], [left, bottom - lean]],
                       np.float32)
    source = np.array([[0, 0], [width * cell, 0], [width * cell, height * cell], [0, height * cell]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    room = np.full((out_h, out_w, 3), 0.45, np.float32)
    seen = cv2.warpPerspective(big, matrix, FRAME_SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=(-1.0, -1.0, -1.0))
    # a 12-pixel dark bezel around the display, then the room
    inside = cv2.warpPerspective(np.ones((height * cell, width * cell), np.uint8), matrix, FRAME_SIZE,
                                 flags=cv2.INTER_NEAREST)
    bezel = cv2.dilate(inside, np.ones((25, 25), np.uint8)) > 0
    frame = np.where(bezel[..., None], 0.03, room)
    frame = np.where(inside[..., None] > 0, seen, frame)
    frame = frame + rng.normal(0, 0.008, frame.shape).astype(np.float32)  # sensor noise
    return np.clip(frame * 255, 0, 255).astype(np.uint8)


def screen_replay_video(source: Path, path: Path, **display: float) -> Path:
    """Every frame of a clip through :func:`screen_replay` (same frame numbers, same frame rate)."""
    fps, source_frames = video_frames(source)
    frames = (screen_replay(frame, seed=index, **display)
              for index, frame in enumerate(source_frames))
    return write_video(frames, path, fps)
