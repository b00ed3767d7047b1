"""Build the face-check evaluation media and manifest from ../shared/testdata (never commit the output).

    .venv/bin/python scripts/make_face_eval_manifest.py --out /tmp/face-eval
    .venv/bin/kiosk face eval --manifest /tmp/face-eval/manifest.json --out /tmp/face-eval/results

Live presentations come from the one real clip (a face on stage that turns to its right 3.4-4.5 s, opens
its mouth ~3.8 s, smiles ~4.8 s): cropped so the face fills the frame, from 3.25 s (after an initial
smile fades), with the challenges that clip really performs, in that order; mirrored copies turn left;
a darker and a brighter copy stand in for lobby lighting. Attacks: every photo in testdata played as a
still video (with and without sensor grain), and every photo as a hand-held print turned up to ±35° and
±60° (exact homographies over time), each with random challenges; plus the real clip replayed against
random challenges ("replay": what an attacker with a recording of the citizen could do).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.camera import evalmedia  # noqa: E402
from kiosk.camera.analysis import FaceAnalyser  # noqa: E402
from kiosk.camera.sources import Frame  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"
MODELS = ROOT.parent / "shared" / "models"
CLIP = TESTDATA / "video" / "short_hamilton_clip.mp4"
CLIP_BOX = (0.14, 0.0, 0.5, 0.667)
CLIP_START_S, CLIP_END_S = 3.25, 7.1
# what the cropped clip does, in order (seen with FaceLandmarker; see docs/face-check.md)
CLIP_CHALLENGES = [["turn_right", "open_mouth"], ["open_mouth", "turn_right"], ["turn_right", "smile"]]
PHOTOS = ["faces/obama.jpg", "faces/obama2.jpg", "faces/biden.jpg", "faces/biden2.jpg", "faces/john1.jpeg",
          "faces/john2.jpeg", "attacks/live_reference.jpg", "attacks/printed_photo.jpg"]


def _mirror(challenge: list[str]) -> list[str]:
    swap = {"turn_left": "turn_right", "turn_right": "turn_left"}
    return [swap.get(step, step) for step in challenge]


def _gamma(value: float):  # noqa: ANN202 - small local helper
    table = np.array([((i / 255.0) ** value) * 255 for i in range(256)], np.uint8)
    return lambda image: cv2.LUT(image, table)


def build(out: Path, *, quick: bool = False) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, object]] = []
    clip = evalmedia.crop_video(CLIP, out / "live_clip.mp4", box=CLIP_BOX, start_s=CLIP_START_S, end_s=CLIP_END_S)
    mirrored = evalmedia.crop_video(CLIP, out / "live_clip_mirrored.mp4", box=CLIP_BOX, start_s=CLIP_START_S,
                                    end_s=CLIP_END_S, mirror=True)
    for challenge in CLIP_CHALLENGES:
        items.append({"path": clip.name, "expect": "live", "challenge": challenge})
        items.append({"path": mirrored.name, "expect": "live", "challenge": _mirror(challenge)})
    if not quick:
        for name, gamma in (("live_clip_dim.mp4", 1.6), ("live_clip_bright.mp4", 0.7)):
            lit = evalmedia.crop_video(CLIP, out / name, box=CLIP_BOX, start_s=CLIP_START_S, end_s=CLIP_END_S,
                                       transform=_gamma(gamma))
            items.append({"path": lit.name, "expect": "live", "challenge": CLIP_CHALLENGES[0]})
    photos = PHOTOS[:2] if quick else PHOTOS
    with FaceAnalyser(MODELS) as finder:
        boxes = {}
        for rel in photos:
            image = cv2.imread(str(TESTDATA / rel))
            boxes[rel] = (image, finder.analyse(Frame(image, len(boxes) * 1000)).bbox)
    for i, (rel, (image, box)) in enumerate(boxes.items()):
        stem = Path(rel).stem
        still = evalmedia.still_video(image, out / f"still_{stem}.mp4", seconds=9, face_box=box)
        items.append({"path": still.name, "expect": "attack", "species": "still_photo", "repeat": 2})
        if not quick:
            grainy = evalmedia.still_video(image, out / f"still_grain_{stem}.mp4", seconds=9, noise=3.0, seed=i,
                                           face_box=box)
            items.append({"path": grainy.name, "expect": "attack", "species": "still_photo_grain"})
        for max_yaw in (35, 60):
            moved = evalmedia.handheld_print_video(image, out / f"print_{max_yaw}_{stem}.mp4", seconds=10,
                                                   max_yaw=max_yaw, seed=i, face_box=box)
            items.append({"path": moved.name, "expect": "attack", "species": f"handheld_print_{max_yaw}deg",
                          "repeat": 1 if quick else 3})
    items.append({"path": clip.name, "expect": "attack", "species": "replay_of_real_clip", "repeat": 4 if quick else 12})
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({"items": items}, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the media and manifest.json")
    parser.add_argument("--quick", action="store_true", help="a small subset (for tests)")
    args = parser.parse_args()
    print(build(args.out, quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
