"""Where camera frames come from: a webcam, a video file or a list of images (tests and demos).

Every source has the same small interface (:class:`FrameSource`): ``open()`` (raises
:class:`CameraUnavailable` with a message for IT), ``read()`` (the next :class:`Frame`, or ``None`` when
no frame is available right now), ``close()``, and ``ended`` (a file source that has played out).
``read()`` may block for up to one frame interval; call it from a worker thread, never the GUI thread.
No Qt here: the preview widget lives in ``kiosk.ui.qt.camera_view``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import cv2
import numpy as np

if TYPE_CHECKING:
    from kiosk.config.schema import Config

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm")


class CameraUnavailable(Exception):
    """No frames can be had: no camera, camera busy, unreadable file. The message is for IT."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Frame:
    """One picture: ``image`` is BGR uint8 (OpenCV order); ``timestamp_ms`` only ever grows."""

    image: np.ndarray
    timestamp_ms: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


@runtime_checkable
class FrameSource(Protocol):
    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...

    @property
    def ended(self) -> bool: ...


def _monotonic_ms() -> int:
    return int(time.monotonic() * 1000)


class WebcamSource:
    """A USB/built-in camera through OpenCV; reconnects by itself when unplugged and plugged back in."""

    #: after this many failed reads in a row the device is treated as gone and reopened
    FAILED_READS_BEFORE_RECONNECT = 5
    RECONNECT_INTERVAL_S = 1.0

    def __init__(self, device: int | str = 0, width: int = 640, height: int = 480) -> None:
        self.device = int(device) if isinstance(device, str) and device.isdigit() else device
        self.width, self.height = width, height
        self._capture: cv2.VideoCapture | None = None
        self._failed_reads = 0
        self._next_reconnect = 0.0
        self._last_ts = 0
        self.connected = False

    #: a live camera: frames that the analysis cannot keep up with are dropped, never queued
    recording = False

    @property
    def ended(self) -> bool:
        return False

    def _open_capture(self) -> cv2.VideoCapture | None:
        capture = cv2.VideoCapture(self.device)
        if not capture.isOpened():
            capture.release()
            return None
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a backlog
        return capture

    def open(self) -> None:
        capture = self._open_capture()
        if capture is None:
            raise CameraUnavailable(
                f"camera {self.device!r} cannot be opened: not connected, busy in another program, or no "
                "permission (user in the 'video' group?). Check [camera] device in the site config.")
        ok, _ = capture.read()
        if not ok:
            capture.release()
            raise CameraUnavailable(f"camera {self.device!r} opened but gives no picture (busy or broken?).")
        self._capture, self.connected, self._failed_reads = capture, True, 0

    def read(self) -> Frame | None:
        if self._capture is None:
            return self._try_reconnect()
        ok, image = self._capture.read()
        if not ok or image is None:
            self._failed_reads += 1
            if self._failed_reads >= self.FAILED_READS_BEFORE_RECONNECT:
                log.warning("camera %r stopped giving pictures; reconnecting", self.device)
                self._capture.release()
                self._capture, self.connected = None, False
            time.sleep(0.02)
            return None
        self._failed_reads = 0
        return Frame(image, self._stamp())

    def _stamp(self) -> int:
        self._last_ts = max(self._last_ts + 1, _monotonic_ms())
        return self._last_ts

    def _try_reconnect(self) -> Frame | None:
        now = time.monotonic()
        if now < self._next_reconnect:
            time.sleep(min(0.05, self._next_reconnect - now))
            return None
        self._next_reconnect = now + self.RECONNECT_INTERVAL_S
        capture = self._open_capture()
        if capture is None:
            return None
        ok, image = capture.read()
        if not ok:
            capture.release()
            return None
        log.info("camera %r is back", self.device)
        self._capture, self.connected, self._failed_reads = capture, True, 0
        return Frame(image, self._stamp())

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture, self.connected = None, False


class _PacedSource:
    """Shared pacing for file sources: media time drives timestamps; ``realtime`` sleeps to match it."""

    #: a recording: consumers may analyse every frame (lockstep) instead of dropping stale ones
    recording = True

    def __init__(self, fps: float, loop: bool, realtime: bool, speed: float = 1.0) -> None:
        self.fps = fps if fps and fps > 0 else 30.0
        self.loop, self.realtime, self.speed = loop, realtime, speed
        self._index = 0  # frames delivered so far (across loops)
        self._started_at = 0.0
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def _start_clock(self) -> None:
        self._index, self._ended = 0, False
        self._started_at = time.monotonic()

    def _next_timestamp(self) -> int:
        """The media timestamp of the next frame, after sleeping until it is due when realtime."""
        media_s = self._index / self.fps
        if self.realtime:
            delay = self._started_at + media_s / self.speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._index += 1
        return int(round(media_s * 1000))


class VideoFileSource(_PacedSource):
    """A video file played as if it were a camera (at its own speed when ``realtime``)."""

    def __init__(self, path: str | Path, *, loop: bool = False, realtime: bool = True, speed: float = 1.0,
                 as_camera: bool = False) -> None:
        """``speed`` < 1 plays slower than recorded (timestamps stay media time). ``as_camera``: behave like a
        live camera downstream (frames may be dropped, see ``recording``) — for benchmarks of the live path."""
        super().__init__(30.0, loop, realtime, speed)
        self.recording = not as_camera
        self.path = Path(path)
        self._capture: cv2.VideoCapture | None = None
        self.frame_count = 0

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraUnavailable(f"video file {self.path} does not exist.")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(f"video file {self.path} cannot be decoded (not a video, or a codec OpenCV lacks).")
        self.fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        self.frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._capture = capture
        self._start_clock()

    def read(self) -> Frame | None:
        if self._capture is None or self._ended:
            return None
        ok, image = self._capture.read()
        if not ok and self.loop and self._index > 0:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        if not ok or image is None:
            self._ended = True
            return None
        return Frame(image, self._next_timestamp())

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture = None


class ImageListSource(_PacedSource):
    """Still images shown one after another at ``fps`` (one image + ``loop`` = a photo held still)."""

    def __init__(self, paths: Sequence[str | Path] | str | Path, fps: float = 15.0, *,
                 loop: bool = False, realtime: bool = True) -> None:
        super().__init__(fps, loop, realtime)
        if isinstance(paths, (str, Path)):
            folder = Path(paths)
            paths = ([p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES] if folder.is_dir()
                     else [folder])
        self.paths = [Path(p) for p in paths]
        self._images: list[np.ndarray] = []

    def open(self) -> None:
        if not self.paths:
            raise CameraUnavailable("image list is empty (no .jpg/.png files in the folder?).")
        images = []
        for path in self.paths:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise CameraUnavailable(f"image {path} cannot be read (missing or not a picture).")
            images.append(image)
        self._images = images
        self._start_clock()

    def read(self) -> Frame | None:
        if not self._images or self._ended:
            return None
        position = self._index
        if position >= len(self._images):
            if not self.loop:
                self._ended = True
                return None
            position %= len(self._images)
        timestamp = self._next_timestamp()
        return Frame(self._images[position], timestamp)

    def close(self) -> None:
        self._images = []


def source_from_config(config: Config) -> FrameSource:
    """The frame source ``[camera] device`` names: a number or /dev path = webcam; a video file; a folder of images."""
    camera = config.camera
    device = camera.device.strip()
    if device.isdigit() or device.startswith("/dev/"):
        return WebcamSource(device, camera.width, camera.height)
    path = Path(device).expanduser()
    if path.is_dir():
        return ImageListSource(path, fps=15.0, loop=True)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageListSource([path], fps=15.0, loop=True)
    return VideoFileSource(path, loop=True, realtime=True)
