"""Build the face-check evaluation media and manifest from ../shared/testdata (never commit the output).

    .venv/bin/python scripts/make_face_eval_manifest.py --out /tmp/face-eval
    .venv/bin/kiosk face eval --manifest /tmp/face-eval/manifest.json --out /tmp/face-eval/results

Live presentations come from the one real clip (a face on stage), cropped so the face fills the frame,
from 3.25 s (after an initial smile fades). A live person *answers* the kiosk, so the live items are a
person made of the clip's real frames who rests (frames 83-87, swaying) until a step is asked and then,
after a reaction time of 0.5-1.2 s, does it (the clip's own frames of that action: turn right 88-112,
open mouth 88-92, smile 43-49; see kiosk/camera/evalsubject.py): the 4 challenges without a blink (the
cropped clip has no usable blink), on the clip and on a mirrored copy (which turns left), twice each with
different random pauses and reaction times; a darker and a brighter copy stand in for lobby lighting.
Attacks: every photo in testdata played as a still video (with and without sensor grain), and every photo
as a hand-held print turned up to ±35° and ±60° (exact homographies over time), each with random
challenges; the real clip replayed as it is against random challenges, and against the challenges it
happens to perform (these 8 were the "live" items of the first evaluation: an open-loop recording is a
replay); and a *prepared* recording — the same frames as the live person, played open-loop (rest 1.5 s,
action, rest 1.5 s, action) — against random challenges and against the one that matches its order;
then that prepared recording shown on a *simulated* display (evalmedia.screen_replay: subpixel grid,
display tone, glare, bezel, lens blur, sampling) at two scales where the grid is within the camera's
reach (a coarse display filling the view, and one at about one camera pixel per display pixel), for the
passive screen cue. A cue tuned on our own simulation proves little: see docs/face-check.md.
Last, the two real captures (attacks/): the printed photo played as a still attack, and the live
reference judged by PAD alone (a still of a live face can never pass a challenge, so it is PAD's bona
fide sample, not a live presentation). Both are used as captured (not reframed: resampling a capture
changes what PAD sees), with the pose and framing gates widened for these items only (their faces are
turned ~30° and smaller than the kiosk's gate): the question asked of them is PAD's, and an attacker
would hold a print straight anyway. The kiosk's own gates are unchanged.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
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
# the live person made of the cropped clip's frames (frame numbers; seen with FaceLandmarker): resting,
# and where it does each action. Mirrored, the mouth opening is seen later (the model is not symmetric).
SUBJECT = {"rest_frames": [83, 87], "action_frames": {"turn_right": [88, 112], "open_mouth": [88, 92],
                                                      "smile": [43, 49]}, "reaction_seconds": [0.5, 1.2]}
SUBJECT_MIRRORED = {**SUBJECT, "action_frames": {"turn_left": [88, 112], "open_mouth": [88, 98], "smile": [43, 49]}}
# the challenges the person can answer (the cropped clip has no usable blink)
ANSWERABLE = [["turn_right", "open_mouth"], ["open_mouth", "turn_right"], ["turn_right", "smile"],
              ["smile", "turn_right"]]
# the gates widened for the two real captures only (see the docstring)
CAPTURED_GATES = {"max_yaw_degrees": 45.0, "max_pitch_degrees": 45.0, "max_roll_degrees": 45.0,
                  "min_face_width": 0.1, "max_centre_offset": 0.5}
PHOTOS = ["faces/obama.jpg", "faces/obama2.jpg", "faces/biden.jpg", "faces/biden2.jpg", "faces/john1.jpeg",
          "faces/john2.jpeg", "attacks/live_reference.jpg", "attacks/printed_photo.jpg"]


def _mirror(challenge: list[str]) -> list[str]:
    swap = {"turn_left": "turn_right", "turn_right": "turn_left"}
    return [swap.get(step, step) for step in challenge]


def _gamma(value: float) -> Callable[[np.ndarray], np.ndarray]:
    table = np.array([((i / 255.0) ** value) * 255 for i in range(256)], np.uint8)
    return lambda image: np.asarray(cv2.LUT(image, table))


def build(out: Path, *, quick: bool = False) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, object]] = []
    clip = evalmedia.crop_video(CLIP, out / "live_clip.mp4", box=CLIP_BOX, start_s=CLIP_START_S, end_s=CLIP_END_S)
    mirrored = evalmedia.crop_video(CLIP, out / "live_clip_mirrored.mp4", box=CLIP_BOX, start_s=CLIP_START_S,
                                    end_s=CLIP_END_S, mirror=True)
    answering = {"mode": "responsive", **SUBJECT}
    answering_mirrored = {"mode": "responsive", **SUBJECT_MIRRORED}
    for challenge in ANSWERABLE[:2] if quick else ANSWERABLE:
        items.append({"path": clip.name, "expect": "live", "species": "live_answering", "challenge": challenge,
                      "subject": answering, "repeat": 1 if quick else 2})
        items.append({"path": mirrored.name, "expect": "live", "species": "live_answering",
                      "challenge": _mirror(challenge), "subject": answering_mirrored, "repeat": 1 if quick else 2})
    lit_clips = []
    if not quick:
        for name, gamma in (("live_clip_dim.mp4", 1.6), ("live_clip_bright.mp4", 0.7)):
            lit = evalmedia.crop_video(CLIP, out / name, box=CLIP_BOX, start_s=CLIP_START_S, end_s=CLIP_END_S,
                                       transform=_gamma(gamma))
            lit_clips.append(lit)
            items.append({"path": lit.name, "expect": "live", "species": f"live_answering_{name[10:-4]}",
                          "challenge": ANSWERABLE[0], "subject": answering})
    photos = PHOTOS[:2] if quick else PHOTOS
    with FaceAnalyser(MODELS) as finder:
        boxes: dict[str, tuple[np.ndarray, tuple[float, float, float, float] | None]] = {}
        for rel in photos:
            image = cv2.imread(str(TESTDATA / rel))
            if image is None:
                raise SystemExit(f"cannot read {TESTDATA / rel}")
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
    items.append({"path": clip.name, "expect": "attack", "species": "replay_of_real_clip",
                  "repeat": 4 if quick else 24})
    if not quick:  # the first evaluation's "live" items: the clip as it is, with the challenge it performs
        for challenge in CLIP_CHALLENGES:
            items.append({"path": clip.name, "expect": "attack", "species": "replay_of_real_clip_own_challenge",
                          "challenge": challenge})
            items.append({"path": mirrored.name, "expect": "attack", "species": "replay_of_real_clip_own_challenge",
                          "challenge": _mirror(challenge)})
        for lit in lit_clips:
            items.append({"path": lit.name, "expect": "attack", "species": "replay_of_real_clip_own_challenge",
                          "challenge": CLIP_CHALLENGES[0]})
    for order in ANSWERABLE[:1] if quick else ANSWERABLE:
        for path, subject, steps in ((clip, SUBJECT, order), (mirrored, SUBJECT_MIRRORED, _mirror(order))):
            prepared = {"mode": "scripted", **subject, "order": steps, "rest_seconds": 1.5}
            items.append({"path": path.name, "expect": "attack", "species": "replay_prepared_random_challenge",
                          "subject": prepared, "repeat": 1 if quick else 3})
            items.append({"path": path.name, "expect": "attack", "species": "replay_prepared_matching_challenge",
                          "challenge": steps, "subject": prepared, "repeat": 1 if quick else 2})
    if not quick:  # last, so the draws of every item above stay the same with or without these
        items += _simulated_display_items(clip, out)
        items += _captured_items(out)
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({"items": items}, indent=2) + "\n", encoding="utf-8")
    return manifest


def _simulated_display_items(clip: Path, out: Path) -> list[dict[str, object]]:
    """Prepared recordings replayed on a simulated display, coarse and fine, for the later challenge orders."""
    items: list[dict[str, object]] = []
    for name, display in (("coarse", {"camera_px_per_screen_px": 1.5, "screen_scale": 0.6, "lens_blur_px": 0.4}),
                          ("fine", {"camera_px_per_screen_px": 0.9, "screen_scale": 1.0, "lens_blur_px": 0.3})):
        shown = evalmedia.screen_replay_video(clip, out / f"display_{name}_clip.mp4", **display)
        for order in ANSWERABLE[2:]:
            prepared = {"mode": "scripted", **SUBJECT, "order": order, "rest_seconds": 1.5}
            species = f"replay_prepared_on_simulated_display_{name}"
            items.append({"path": shown.name, "expect": "attack", "species": species,
                          "challenge": order, "subject": prepared, "repeat": 2})
    return items


def _captured_items(out: Path) -> list[dict[str, object]]:
    """The real printed-photo capture as a still attack, the real live capture judged by PAD alone."""
    for name in ("printed_photo.jpg", "live_reference.jpg"):
        shutil.copyfile(TESTDATA / "attacks" / name, out / f"captured_{name}")
    return [{"path": "captured_printed_photo.jpg", "expect": "attack", "species": "captured_print_still",
             "limits": CAPTURED_GATES},
            {"path": "captured_live_reference.jpg", "expect": "live", "species": "captured_live_still_pad_only",
             "judge": "pad", "limits": CAPTURED_GATES}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the media and manifest.json")
    parser.add_argument("--quick", action="store_true", help="a small subset (for tests)")
    args = parser.parse_args()
    print(build(args.out, quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
