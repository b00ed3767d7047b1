"""Camera preview: frames reach the widget from a background thread; a slow analyser drops frames
instead of delaying the preview; a missing camera is reported, and stop() ends both threads."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from kiosk.camera.sources import Frame, ImageListSource, VideoFileSource
from kiosk.ui.qt.camera_view import CameraFeed, CameraPreview

SHARED = Path(__file__).resolve().parents[3] / "shared"
CLIP = SHARED / "testdata" / "video" / "short_hamilton_clip.mp4"
OBAMA = SHARED / "testdata" / "faces" / "obama.jpg"


class SlowAnalyser:
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.closed = False

    def process(self, frame: Frame) -> int:
        time.sleep(0.05)
        self.seen.append(frame.timestamp_ms)
        return frame.timestamp_ms

    def close(self) -> None:
        self.closed = True


def test_preview_shows_frames_and_slow_analysis_drops_stale_ones(qtbot) -> None:
    analyser = SlowAnalyser()
    feed = CameraFeed(VideoFileSource(CLIP, realtime=True), lambda: analyser)
    preview = CameraPreview()
    qtbot.addWidget(preview)
    preview.resize(400, 300)
    preview.show()
    overlays: list[QRectF] = []

    def overlay(painter: QPainter, rect: QRectF) -> None:
        overlays.append(rect)
        painter.setPen(QColor("white"))
        painter.drawEllipse(rect)

    preview.set_overlay(overlay)
    preview.set_feed(feed)
    feed.start()
    try:
        qtbot.waitUntil(lambda: preview.frames_shown >= 20 and len(analyser.seen) >= 5, timeout=8000)
    finally:
        feed.stop()
    assert not feed.running and analyser.closed
    stats = feed.stats
    # the analyser (20 frames/s at best) skipped frames instead of queueing them
    assert stats["analysis_dropped"] > 0
    assert len(analyser.seen) < stats["frames_read"]
    assert analyser.seen == sorted(set(analyser.seen))  # never an older frame after a newer one
    assert feed.latest_result() == analyser.seen[-1]
    qtbot.waitUntil(lambda: bool(overlays), timeout=2000)
    rect = overlays[-1]
    assert abs(rect.width() / rect.height() - 640 / 360) < 0.02  # picture fitted with its aspect kept


def test_missing_camera_is_reported_not_raised(qtbot, tmp_path: Path) -> None:
    feed = CameraFeed(VideoFileSource(tmp_path / "none.mp4"))
    with qtbot.waitSignal(feed.camera_failed, timeout=3000) as blocker:
        feed.start()
    feed.stop()
    assert "does not exist" in blocker.args[0]


def test_analyser_that_cannot_start_is_reported(qtbot) -> None:
    def broken() -> SlowAnalyser:
        raise FileNotFoundError("model file face_landmarker.task is missing: run kiosk models install")

    feed = CameraFeed(ImageListSource([OBAMA], fps=15, loop=True), broken)
    with qtbot.waitSignal(feed.analysis_failed, timeout=3000) as blocker:
        feed.start()
    feed.stop()
    assert "kiosk models install" in blocker.args[0]


def test_file_source_end_is_signalled(qtbot) -> None:
    feed = CameraFeed(ImageListSource([OBAMA, OBAMA], fps=30, realtime=False))
    with qtbot.waitSignal(feed.ended, timeout=3000):
        feed.start()
    feed.stop()
    frame = feed.latest_frame()
    assert frame is not None and isinstance(frame.image, np.ndarray)


def test_lockstep_analyses_every_frame_of_a_recording(qtbot) -> None:
    analyser = SlowAnalyser()
    feed = CameraFeed(ImageListSource([OBAMA], fps=100, loop=True, realtime=True), lambda: analyser, lockstep=True)
    feed.start()
    try:
        qtbot.waitUntil(lambda: len(analyser.seen) >= 8, timeout=5000)
    finally:
        feed.stop()
    # the source offers 100 frames/s, the analyser takes 20/s: none skipped, in order
    assert analyser.seen[:8] == [i * 10 for i in range(8)]
    assert feed.stats["analysis_dropped"] == 0
