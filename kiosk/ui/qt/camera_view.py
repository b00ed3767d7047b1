"""Live camera on screen: capture and analysis off the GUI thread, newest frame wins.

:class:`CameraFeed` owns two ``QThread``s (the pattern of ``kiosk/ui/qt/tasks.py``: a worker ``QObject``
moved to a thread, talking by signals). The capture worker reads a :class:`~kiosk.camera.sources.FrameSource`
as fast as it delivers; the optional analysis worker takes whatever frame is newest when it is free, so a
slow analyser never makes the preview lag — stale frames are simply dropped. Frames and results are not
sent through signals (see docs/NOTES.md on ``Signal(object)`` across threads): a signal without arguments
says "something new", and the GUI fetches the newest value with :meth:`CameraFeed.latest_frame` /
:meth:`CameraFeed.latest_result`. A notification is only sent when the previous one was consumed, so the
GUI's event queue never fills with frames it cannot draw.

The analyser is built *inside* the analysis thread by a factory, so heavy imports (MediaPipe, ~1.3 s)
never run on the GUI thread or at start-up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Literal, Protocol, TypeVar

import cv2
import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.camera.sources import CameraUnavailable, Frame, FrameSource

log = logging.getLogger(__name__)

T = TypeVar("T")
OverlayPainter = Callable[[QPainter, QRectF], None]
ScreenSide = Literal["left", "right"]
ARROW_PERIOD_MS = 1200  # one slide of the turn arrow, then it starts again
ARROW_TICK_MS = 40


def turn_arrow(step: str | None, mirrored: bool) -> ScreenSide | None:
    """Which way the arrow for a head turn points on the screen, drawn in the preview's own frame.

    ``turn_left`` asks for the citizen's *own* left (``yaw`` + = own left, :mod:`kiosk.camera.analysis`).
    In a mirrored preview, as in a mirror, their own left is on the screen's left and their picture turns
    that way: the arrow points left. In an unmirrored picture the camera sees their left on the picture's
    right, and the picture turns right: the arrow follows the picture. Not a turn: no arrow.
    """
    own: ScreenSide
    if step == "turn_left":
        own = "left"
    elif step == "turn_right":
        own = "right"
    else:
        return None
    if mirrored:
        return own
    return "right" if own == "left" else "left"


def paint_turn_arrow(painter: QPainter, image_rect: QRectF, side: ScreenSide, phase: float) -> None:
    """A thick arrow beside the face, sliding towards ``side`` (``phase`` 0-1 of one slide)."""
    sign = -1.0 if side == "left" else 1.0
    unit = image_rect.width() / 100
    centre_y = image_rect.center().y()
    start = image_rect.center().x() + sign * image_rect.width() * 0.26
    tip_x = start + sign * unit * (4 + 10 * phase)
    length, half = unit * 14, unit * 7
    tail_x = tip_x - sign * length
    arrow = QPainterPath(QPointF(tip_x, centre_y))
    arrow.lineTo(tip_x - sign * half, centre_y - half)
    arrow.lineTo(tip_x - sign * half, centre_y - half / 2.4)
    arrow.lineTo(tail_x, centre_y - half / 2.4)
    arrow.lineTo(tail_x, centre_y + half / 2.4)
    arrow.lineTo(tip_x - sign * half, centre_y + half / 2.4)
    arrow.lineTo(tip_x - sign * half, centre_y + half)
    arrow.closeSubpath()
    alpha = int(255 * (0.55 + 0.45 * (1 - phase)))  # fades a little as it slides, so the movement reads
    outline = QPen(QColor(15, 23, 42, alpha))
    outline.setWidthF(max(3.0, unit * 0.8))
    painter.setPen(outline)
    painter.fillPath(arrow, QColor(250, 204, 21, alpha))  # amber-yellow: seen on any face and background
    painter.drawPath(arrow)


class FrameAnalyser(Protocol):
    """Runs on the analysis thread: one frame in, one result out; ``close()`` frees native resources."""

    def process(self, frame: Frame) -> Any: ...

    def close(self) -> None: ...


class _Mailbox(Generic[T]):
    """Holds only the newest value; tells whether the reader needs a fresh notification."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._value: T | None = None
        self._unread = False
        self.dropped = 0

    def put(self, value: T) -> bool:
        """Store ``value``; True when the reader had consumed the previous one (so notify it)."""
        with self._lock:
            if self._unread:
                self.dropped += 1
            notify = not self._unread
            self._value, self._unread = value, True
            self._lock.notify_all()
            return notify

    def take(self) -> T | None:
        with self._lock:
            self._unread = False
            self._lock.notify_all()
            return self._value

    def peek(self) -> T | None:
        with self._lock:
            return self._value

    def wait_unread(self, timeout_s: float) -> T | None:
        """Block until an unread value exists (then take it) or ``timeout_s`` passes (then None)."""
        with self._lock:
            if not self._unread:
                self._lock.wait(timeout_s)
            if not self._unread:
                return None
            self._unread = False
            self._lock.notify_all()
            return self._value

    def wait_read(self, timeout_s: float) -> bool:
        """Block until the reader has taken the value (or ``timeout_s`` passes); True when taken."""
        with self._lock:
            if self._unread:
                self._lock.wait(timeout_s)
            return not self._unread

    def wake(self) -> None:
        with self._lock:
            self._lock.notify_all()


class _CaptureWorker(QObject):
    frame_ready = Signal()
    failed = Signal(str)
    ended = Signal()

    def __init__(self, source: FrameSource, frames: _Mailbox[Frame], for_analysis: _Mailbox[Frame] | None,
                 stop: threading.Event, start_when: threading.Event | None = None, lockstep: bool = False) -> None:
        super().__init__()
        self._source, self._frames, self._for_analysis, self._stop = source, frames, for_analysis, stop
        self._start_when = start_when
        self._lockstep = lockstep and for_analysis is not None
        self.frames_read = 0

    @Slot()
    def run(self) -> None:
        while self._start_when is not None and not self._start_when.wait(0.05):
            if self._stop.is_set():
                return
        try:
            self._source.open()
        except CameraUnavailable as exc:
            log.warning("camera unavailable: %s", exc.message)
            self.failed.emit(exc.message)
            return
        try:
            while not self._stop.is_set():
                if self._lockstep and self._for_analysis is not None and not self._for_analysis.wait_read(0.1):
                    continue  # lockstep: the analysis has not taken the previous frame yet
                frame = self._source.read()
                if frame is None:
                    if self._source.ended:
                        self.ended.emit()
                        return
                    continue
                self.frames_read += 1
                if self._for_analysis is not None:
                    self._for_analysis.put(frame)
                if self._frames.put(frame):
                    self.frame_ready.emit()
        except Exception as exc:  # a driver error must not kill the kiosk: report it as "camera gone"
            log.exception("camera capture failed")
            self.failed.emit(f"camera error: {exc}")
        finally:
            self._source.close()


class _AnalysisWorker(QObject):
    result_ready = Signal()
    failed = Signal(str)

    def __init__(self, factory: Callable[[], FrameAnalyser], frames: _Mailbox[Frame], results: _Mailbox[Any],
                 stop: threading.Event, ready: threading.Event) -> None:
        super().__init__()
        self._factory, self._frames, self._results, self._stop = factory, frames, results, stop
        self._ready = ready
        self.frames_analysed = 0

    @Slot()
    def run(self) -> None:
        try:
            analyser = self._factory()
        except Exception as exc:  # missing model etc.: a message for the screen, not a crash
            log.warning("face analysis cannot start: %s", exc)
            self.failed.emit(str(exc))
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                frame = self._frames.wait_unread(0.1)
                if frame is None:
                    continue
                result = analyser.process(frame)
                self.frames_analysed += 1
                if self._results.put(result):
                    self.result_ready.emit()
        except Exception as exc:
            log.exception("face analysis failed")
            self.failed.emit(str(exc))
        finally:
            analyser.close()


class CameraFeed(QObject):
    """Camera capture (+ optional analysis) on background threads; call :meth:`stop` before dropping it."""

    frame_ready = Signal()  #: a newer frame is available from latest_frame()
    result_ready = Signal()  #: a newer analysis result is available from latest_result()
    camera_failed = Signal(str)  #: the camera could not be opened or stopped working (message for IT)
    analysis_failed = Signal(str)  #: the analyser could not start (e.g. model missing) or crashed
    ended = Signal()  #: a file source played out

    def __init__(self, source: FrameSource, analyser_factory: Callable[[], FrameAnalyser] | None = None,
                 parent: QObject | None = None, *, source_waits_for_analyser: bool = False,
                 lockstep: bool = False) -> None:
        """``source_waits_for_analyser``: open the source only once the analyser is built (file sources:
        a recording must not play on while MediaPipe loads; a live camera can show its preview at once).
        ``lockstep``: read the next frame only when the analysis took the previous one — every frame of a
        recording is analysed, however busy the machine (tests, demos); never for a live camera."""
        super().__init__(parent)
        self._stop = threading.Event()
        self._analyser_ready = threading.Event()
        self._frames: _Mailbox[Frame] = _Mailbox()
        self._analysis_in: _Mailbox[Frame] | None = _Mailbox() if analyser_factory else None
        self._results: _Mailbox[Any] = _Mailbox()
        self._threads: list[QThread] = []
        hold = self._analyser_ready if (source_waits_for_analyser and analyser_factory) else None
        self._capture = _CaptureWorker(source, self._frames, self._analysis_in, self._stop, hold, lockstep)
        self._capture.frame_ready.connect(self.frame_ready)
        self._capture.failed.connect(self.camera_failed)
        self._capture.ended.connect(self.ended)
        self._analysis: _AnalysisWorker | None = None
        if analyser_factory is not None and self._analysis_in is not None:
            self._analysis = _AnalysisWorker(analyser_factory, self._analysis_in, self._results, self._stop,
                                             self._analyser_ready)
            self._analysis.result_ready.connect(self.result_ready)
            self._analysis.failed.connect(self.analysis_failed)
        self._started = False
        self.destroyed.connect(self._stop.set)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for name, worker in (("camera-capture", self._capture), ("camera-analysis", self._analysis)):
            if worker is None:
                continue
            thread = QThread()
            thread.setObjectName(name)
            worker.moveToThread(thread)
            thread.started.connect(worker.run)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_ms: int = 5000) -> None:
        """Ask both workers to finish (closing the camera and the analyser) and wait for their threads."""
        self._stop.set()
        if self._analysis_in is not None:
            self._analysis_in.wake()
        deadline = time.monotonic() + timeout_ms / 1000
        for thread in self._threads:
            thread.quit()
            left = max(1, int((deadline - time.monotonic()) * 1000))
            if not thread.wait(left):
                log.error("camera thread %s did not stop in %d ms", thread.objectName(), timeout_ms)
        self._threads.clear()

    @property
    def running(self) -> bool:
        return any(thread.isRunning() for thread in self._threads)

    def latest_frame(self) -> Frame | None:
        """The newest frame (marks it read, so the next new one notifies again)."""
        return self._frames.take()

    def latest_result(self) -> Any:
        return self._results.take()

    @property
    def stats(self) -> dict[str, int]:
        return {"frames_read": self._capture.frames_read,
                "frames_analysed": self._analysis.frames_analysed if self._analysis else 0,
                "preview_dropped": self._frames.dropped,
                "analysis_dropped": self._analysis_in.dropped if self._analysis_in else 0}


def frame_to_qimage(image: np.ndarray, mirror: bool = False) -> QImage:
    """A BGR uint8 array as a QImage that owns its pixels (safe after the array is gone)."""
    if mirror:
        image = cv2.flip(image, 1)
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    return QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888).copy()


class CameraPreview(QWidget):
    """Shows the newest frame of a :class:`CameraFeed`, fitted and (by default) mirrored like a mirror.

    ``set_overlay(painter_fn)`` draws over the picture: ``painter_fn(painter, image_rect)`` gets the
    rectangle (widget coordinates) the picture occupies, e.g. to draw the face oval.
    """

    def __init__(self, parent: QWidget | None = None, *, mirror: bool = True) -> None:
        super().__init__(parent)
        self.mirror = mirror
        self._feed: CameraFeed | None = None
        self._image: QImage | None = None
        self._overlay: OverlayPainter | None = None
        self.frames_shown = 0
        self.arrow: ScreenSide | None = None  # the turn asked, as drawn (see turn_arrow)
        self._arrow_phase = 0.0
        self._arrow_timer = QTimer(self)
        self._arrow_timer.setInterval(ARROW_TICK_MS)
        self._arrow_timer.timeout.connect(self._animate_arrow)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)

    def set_feed(self, feed: CameraFeed | None) -> None:
        if self._feed is not None:
            self._feed.frame_ready.disconnect(self._on_frame)
        self._feed = feed
        if feed is not None:
            feed.frame_ready.connect(self._on_frame)

    def set_overlay(self, painter_fn: OverlayPainter | None) -> None:
        self._overlay = painter_fn
        self.update()

    def set_turn_arrow(self, side: ScreenSide | None) -> None:
        """Show (animated) or hide the arrow of a head turn; ``side`` as :func:`turn_arrow` gives it."""
        if side == self.arrow:
            return
        self.arrow, self._arrow_phase = side, 0.0
        if side is None:
            self._arrow_timer.stop()
        else:
            self._arrow_timer.start()
        self.update()

    def _animate_arrow(self) -> None:
        self._arrow_phase = (self._arrow_phase + ARROW_TICK_MS / ARROW_PERIOD_MS) % 1.0
        self.update()

    def show_image(self, image: np.ndarray | None) -> None:
        """Show one still picture (screenshots, the last frame after the camera stopped)."""
        self._image = frame_to_qimage(image, self.mirror) if image is not None else None
        self.update()

    @Slot()
    def _on_frame(self) -> None:
        if self._feed is None:
            return
        frame = self._feed.latest_frame()
        if frame is None:
            return
        self._image = frame_to_qimage(frame.image, self.mirror)
        self.frames_shown += 1
        self.update()

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: as large as fits, centred, aspect kept (4:3 before the first frame)."""
        width, height = (self._image.width(), self._image.height()) if self._image else (4, 3)
        scale = min(self.width() / width, self.height() / height)
        w, h = width * scale, height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.image_rect()
        painter.fillRect(rect, QColor("#1b1b1b"))  # only where the picture goes: no letterbox bars
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(rect, self._image)
        if self._overlay is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._overlay(painter, rect)
        if self.arrow is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint_turn_arrow(painter, rect, self.arrow, self._arrow_phase)
        painter.end()
