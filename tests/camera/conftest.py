"""Shared media for the face tests: derived clips made once per session into a temp folder (never committed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from kiosk.camera import evalmedia
from kiosk.camera.analysis import FaceAnalyser
from kiosk.camera.sources import Frame

SHARED = Path(__file__).resolve().parents[3] / "shared"
FACES = SHARED / "testdata" / "faces"
CLIP = SHARED / "testdata" / "video" / "short_hamilton_clip.mp4"
MODELS = SHARED / "models"
# the real clip's face, cropped to fill the frame, from 3.25 s (after an initial smile fades): it opens
# its mouth at ~3.8 s, turns to its right 3.4-4.5 s, smiles at ~4.8 s (see docs/face-check.md)
CLIP_BOX = (0.14, 0.0, 0.5, 0.667)


@pytest.fixture(scope="session")
def face_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("face-media")
    photo = cv2.imread(str(FACES / "obama.jpg"))
    assert photo is not None
    with FaceAnalyser(MODELS) as analyser:
        box = analyser.analyse(Frame(photo, 0)).bbox
    assert box is not None
    return {
        "clip": evalmedia.crop_video(CLIP, out / "clip.mp4", box=CLIP_BOX, start_s=3.25, end_s=7.1),
        "clip_mirrored": evalmedia.crop_video(CLIP, out / "clip_m.mp4", box=CLIP_BOX, start_s=3.25, end_s=7.1,
                                              mirror=True),
        "still": evalmedia.still_video(photo, out / "still.mp4", seconds=5, face_box=box),
        "print": evalmedia.handheld_print_video(photo, out / "print.mp4", seconds=6, face_box=box, max_yaw=60),
    }
