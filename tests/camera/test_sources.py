"""Frame sources: file sources play real media with growing timestamps; a missing camera is a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.camera.sources import (
    CameraUnavailable,
    Frame,
    FrameSource,
    ImageListSource,
    VideoFileSource,
    WebcamSource,
    source_from_config,
)
from kiosk.config.schema import CameraSection, Config

SHARED = Path(__file__).resolve().parents[3] / "shared"
CLIP = SHARED / "testdata" / "video" / "short_hamilton_clip.mp4"
OBAMA = SHARED / "testdata" / "faces" / "obama.jpg"


def _drain(source: FrameSource, limit: int = 1000) -> list[Frame]:
    frames = []
    while len(frames) < limit:
        frame = source.read()
        if frame is None:
            if source.ended:
                break
            continue
        frames.append(frame)
    return frames


def test_video_file_source_plays_every_frame_with_media_timestamps() -> None:
    source = VideoFileSource(CLIP, realtime=False)
    assert isinstance(source, FrameSource)
    source.open()
    try:
        frames = _drain(source)
    finally:
        source.close()
    assert 270 <= len(frames) <= 280 and source.ended
    assert frames[0].image.shape == (360, 640, 3) and frames[0].image.dtype == np.uint8
    stamps = [f.timestamp_ms for f in frames]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert abs(stamps[30] - 1001) <= 1  # 29.97 fps


def test_looping_video_keeps_timestamps_growing() -> None:
    source = VideoFileSource(CLIP, loop=True, realtime=False)
    source.open()
    try:
        frames = _drain(source, limit=600)
    finally:
        source.close()
    assert len(frames) == 600 and not source.ended
    assert all(b.timestamp_ms > a.timestamp_ms for a, b in zip(frames, frames[1:], strict=False))


def test_image_list_source_repeats_a_still_photo_when_looping() -> None:
    source = ImageListSource([OBAMA], fps=10, loop=True, realtime=False)
    source.open()
    frames = _drain(source, limit=20)
    source.close()
    assert len(frames) == 20 and frames[10].timestamp_ms == 1000
    assert np.array_equal(frames[0].image, frames[19].image)
    once = ImageListSource([OBAMA, OBAMA], fps=10, realtime=False)
    once.open()
    assert len(_drain(once)) == 2 and once.ended


def test_realtime_pacing_follows_the_frame_rate() -> None:
    source = ImageListSource([OBAMA], fps=50, loop=True, realtime=True)
    source.open()
    import time
    started = time.monotonic()
    frames = _drain(source, limit=11)
    elapsed = time.monotonic() - started
    source.close()
    assert frames[-1].timestamp_ms == 200 and elapsed >= 0.19


@pytest.mark.parametrize("make", [
    lambda tmp: VideoFileSource(tmp / "missing.mp4"),
    lambda tmp: VideoFileSource(OBAMA.parent.parent / "README.md"),
    lambda tmp: ImageListSource([tmp / "missing.jpg"]),
    lambda tmp: ImageListSource(tmp),  # empty folder
    lambda tmp: WebcamSource("/dev/video-does-not-exist"),
])
def test_unavailable_sources_raise_a_clear_error(make: object, tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable) as info:
        make(tmp_path).open()  # type: ignore[operator]
    assert len(info.value.message) > 20


def test_unplugged_webcam_keeps_trying_without_raising() -> None:
    source = WebcamSource("/dev/video-does-not-exist")
    source.RECONNECT_INTERVAL_S = 0.01
    assert source.read() is None and not source.connected and not source.ended
    source.close()


def test_source_from_config_picks_the_kind_from_the_device(tmp_path: Path) -> None:
    def pick(device: str) -> object:
        return source_from_config(Config(camera=CameraSection(device=device)))
    assert isinstance(pick("0"), WebcamSource) and pick("0").device == 0  # type: ignore[attr-defined]
    assert isinstance(pick("/dev/video2"), WebcamSource)
    assert isinstance(pick(str(CLIP)), VideoFileSource)
    assert isinstance(pick(str(OBAMA)), ImageListSource)
    assert isinstance(pick(str(OBAMA.parent)), ImageListSource)


def test_recordings_say_so_and_cameras_do_not() -> None:
    assert VideoFileSource(CLIP).recording and ImageListSource([OBAMA]).recording
    assert not VideoFileSource(CLIP, as_camera=True).recording
    assert not WebcamSource(0).recording
