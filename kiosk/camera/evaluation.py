"""``kiosk face eval``: the full face pipeline over a manifest of media, with ISO/IEC 30107-3 metrics.

Manifest (JSON; paths relative to the manifest)::

    {"items": [{"path": "clip.mp4", "expect": "live", "challenge": ["turn_right", "open_mouth"]},
               {"path": "print.mp4", "expect": "attack", "species": "handheld_print", "repeat": 5}]}

``challenge`` (optional) = the steps a recorded clip performs, in order; without it the harness draws a
random challenge as the kiosk would (``repeat`` runs the item again with new draws). Still images play as
an 8-second still video. Frames are analysed one by one at the file's own timing (no frame dropping), so
results do not depend on this machine's speed.

An item with a ``subject`` is not played as it is (see :mod:`kiosk.camera.evalsubject`)::

    {"path": "clip.mp4", "expect": "live", "challenge": ["turn_right", "smile"],
     "subject": {"mode": "responsive", "rest_frames": [83, 87],
                 "action_frames": {"turn_right": [88, 112], "smile": [43, 49]}, "reaction_seconds": [0.5, 1.2]}}

``responsive``: a person made of the clip's real frames who rests until a step is asked and does it
after a reaction time; ``scripted`` (with ``"order": [...]`` and ``"rest_seconds"``): the same frames
played open-loop in that order, like a video of the citizen prepared beforehand.

``limits`` (optional): ``[face]`` settings changed for this item only, e.g. ``{"max_yaw_degrees": 40}``
for a still captured with the face turned ~30° (else it never reaches the baseline and PAD never scores
it). ``"judge": "pad"``: the item is judged by PAD alone and left out of the fused and challenge-only
rates — a still capture of a *live* face is PAD's bona fide sample, but as a still it can never pass a
challenge, so counting it as a live presentation would only measure that.

Every item runs once through the fused check (challenge + passive PAD, :mod:`kiosk.camera.pad`); the
metrics are given twice: with PAD (what the kiosk decides) and ``without_pad`` (the challenge alone, from
the same runs), and ``pad_alone`` (what PAD would decide without the challenge: accepted when the
attempt's PAD score reaches ``min_pad_score``; no score = not accepted), to judge PAD on attacks that the
challenge already stops (e.g. the simulated displays).

Metrics: APCER = attacks wrongly accepted as live ÷ attack presentations (also per ``species``);
BPCER = live presentations wrongly rejected ÷ live presentations (also per ``species``); time to decision =
from the first frame with the face in the oval to the decision (p50, p90 over decided items).
"""

from __future__ import annotations

import dataclasses
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from kiosk.camera.analysis import FaceAnalyser
from kiosk.camera.evalsubject import Presenter, RespondingPerson, ScriptedRecording, Subject, load_frames
from kiosk.camera.facecheck import FaceCheck, load_passive_pad
from kiosk.camera.liveness import STEPS, LivenessState
from kiosk.camera.models import sha256_of
from kiosk.camera.pad import PassivePad
from kiosk.camera.sources import IMAGE_SUFFIXES, Frame, FrameSource, ImageListSource, VideoFileSource
from kiosk.config.schema import FaceSection

STILL_SECONDS = 8.0
MAX_SECONDS = 40.0


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the item and the problem."""


def load_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot be read as JSON ({exc})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ManifestError(f"{path}: needs an \"items\" list with at least one item")
    checked = []
    for i, item in enumerate(items):
        where = f"{path}: items[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise ManifestError(f"{where}: needs a \"path\"")
        if item.get("expect") not in ("live", "attack"):
            raise ManifestError(f"{where}.expect: must be \"live\" or \"attack\"")
        challenge = item.get("challenge")
        if challenge is not None and (not isinstance(challenge, list) or not set(challenge) <= set(STEPS)):
            raise ManifestError(f"{where}.challenge: a list of steps from {', '.join(STEPS)}")
        media = (Path(path).parent / item["path"]).resolve()
        if not media.is_file():
            raise ManifestError(f"{where}.path: {media} does not exist")
        subject = item.get("subject")
        if subject is not None:
            _check_subject(subject, f"{where}.subject")
        if item.get("judge", "full") not in ("full", "pad"):
            raise ManifestError(f"{where}.judge: must be \"full\" or \"pad\"")
        _check_limits(item.get("limits"), f"{where}.limits")
        checked.append({**item, "path": media})
    return checked


def _check_subject(subject: object, where: str) -> None:
    if not isinstance(subject, dict) or subject.get("mode") not in ("responsive", "scripted"):
        raise ManifestError(f"{where}.mode: must be \"responsive\" or \"scripted\"")
    try:
        parsed = Subject.from_manifest(subject)
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"{where}: needs rest_frames [first, last] and action_frames {{step: [first, last]}} "
                            f"({exc})") from None
    ranges = [parsed.rest, *parsed.actions.values()]
    if any(len(r) != 2 or not all(isinstance(v, int) for v in r) or r[0] > r[1] for r in ranges):
        raise ManifestError(f"{where}: frame ranges are [first, last] frame numbers")
    if not set(parsed.actions) <= set(STEPS):
        raise ManifestError(f"{where}.action_frames: steps from {', '.join(STEPS)}")
    if subject["mode"] == "scripted" and not (isinstance(subject.get("order"), list)
                                              and set(subject["order"]) <= set(parsed.actions)):
        raise ManifestError(f"{where}.order: the actions the recording does, in order (from action_frames)")


def _check_limits(limits: object, where: str) -> None:
    if limits is None:
        return
    names = {f.name: f.type for f in dataclasses.fields(FaceSection)}
    if not isinstance(limits, dict) or not all(
            k in names and isinstance(v, int | float) and not isinstance(v, bool) for k, v in limits.items()):
        raise ManifestError(f"{where}: an object of numeric [face] settings ({', '.join(sorted(names))})")


def item_limits(limits: FaceSection, item: dict[str, Any]) -> FaceSection:
    """The run's settings with the item's own ``limits`` applied (integers stay integers)."""
    changes = item.get("limits") or {}
    current = dataclasses.asdict(limits)
    return dataclasses.replace(limits, **{k: type(current[k])(v) for k, v in changes.items()})


def _source_for(path: Path) -> FrameSource:
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageListSource([path], fps=15.0, loop=True, realtime=False)
    return VideoFileSource(path, realtime=False)


def run_item(model_dir: Path, limits: FaceSection, path: Path, challenge: tuple[str, ...] | None,
             rng: random.Random, subject: dict[str, Any] | None = None,
             pad: PassivePad | None = None) -> dict[str, Any]:
    """One presentation through the pipeline, with a fresh landmarker (no tracking carried over)."""
    with FaceAnalyser(model_dir, limits) as analyser:
        return _run(analyser, limits, path, challenge, rng, subject, pad)


class _FilePresenter:
    """A file played as it is (the clip does not listen to the kiosk)."""

    def __init__(self, path: Path) -> None:
        self.source = _source_for(path)
        self.limit_ms = (STILL_SECONDS if isinstance(self.source, ImageListSource) else MAX_SECONDS) * 1000

    def next_frame(self, state: LivenessState | None) -> Frame | None:
        frame = self.source.read()
        return None if frame is None or frame.timestamp_ms > self.limit_ms else frame


def _presenter(path: Path, subject: dict[str, Any] | None, rng: random.Random) -> Presenter:
    if subject is None:
        return _FilePresenter(path)
    frames, fps = load_frames(path)
    parsed = Subject.from_manifest(subject)
    if subject["mode"] == "responsive":
        return RespondingPerson(frames, fps, parsed, random.Random(rng.random()), seconds=MAX_SECONDS)
    return ScriptedRecording(frames, fps, parsed, subject["order"], float(subject.get("rest_seconds", 1.5)))


def _run(analyser: FaceAnalyser, limits: FaceSection, path: Path, challenge: tuple[str, ...] | None,
         rng: random.Random, subject: dict[str, Any] | None = None, pad: PassivePad | None = None) -> dict[str, Any]:
    check = FaceCheck(Path(), limits, challenge=challenge, rng=rng, analyser=analyser, pad=pad, load_pad=False)
    presenter = _presenter(path, subject, rng)
    if isinstance(presenter, _FilePresenter):
        presenter.source.open()
    frames, started = 0, time.perf_counter()
    snapshot = None
    try:
        while (frame := presenter.next_frame(snapshot.state if snapshot else None)) is not None:
            frames += 1
            snapshot = check.process(frame)
            if snapshot.state.decision is not None:
                break
    finally:
        if isinstance(presenter, _FilePresenter):
            presenter.source.close()
    decision = check.decision
    if decision:
        reason = decision.reason
    elif snapshot is None or check.liveness.face_in_oval_ms is None:
        reason = "no_face"
    else:
        reason = f"undecided:{check.liveness.state.phase.value}"
    result: dict[str, Any] = {
        "challenge": list(check.liveness.challenge), "frames": frames,
        "seconds_of_processing": round(time.perf_counter() - started, 2),
        "decided": decision is not None, "accepted_as_live": bool(decision and decision.live),
        "challenge_passed": bool(decision and decision.challenge_passed),
        "pad_score": (decision.pad or {}).get("score") if decision else None,
        "reason": reason,
        "time_to_decision_ms": decision.time_to_decision_ms if decision else None,
        "evidence": decision.evidence() if decision else None,
        "face_jpeg_bytes": len(snapshot.face_jpeg) if snapshot and snapshot.face_jpeg else 0,
    }
    return result


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * share
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (k - low), 1)


def _by_species(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        grouped.setdefault(r["species"], []).append(r)
    return grouped


def _error_rates(results: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """APCER (overall, per species) and BPCER with ``key`` ("accepted_as_live" or "challenge_passed"; items
    judged by PAD alone are left out) or "pad_accepts" (every item)."""
    if key != "pad_accepts":
        results = [r for r in results if r["judge"] == "full"]
    attacks = [r for r in results if r["expect"] == "attack"]
    lives = [r for r in results if r["expect"] == "live"]
    return {
        "apcer": round(sum(r[key] for r in attacks) / len(attacks), 4) if attacks else None,
        "apcer_by_species": {k: {"presentations": len(v), "accepted": sum(r[key] for r in v),
                                 "apcer": round(sum(r[key] for r in v) / len(v), 4)}
                             for k, v in sorted(_by_species(attacks).items())},
        "bpcer": round(sum(not r[key] for r in lives) / len(lives), 4) if lives else None,
        "bpcer_by_species": {k: {"presentations": len(v), "rejected": sum(not r[key] for r in v),
                                 "bpcer": round(sum(not r[key] for r in v) / len(v), 4)}
                             for k, v in sorted(_by_species(lives).items())},
    }


def _pad_scores(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per species: how many presentations got a PAD score, and its range."""
    out = {}
    for species, group in sorted(_by_species(results).items()):
        scores = [r["pad_score"] for r in group if r["pad_score"] is not None]
        out[species] = {"presentations": len(group), "scored": len(scores),
                        "min": min(scores) if scores else None, "max": max(scores) if scores else None}
    return out


def evaluate(manifest: Path, out_dir: Path, model_dir: Path, limits: FaceSection | None = None,
             seed: int = 20261123) -> dict[str, Any]:
    """Run every item, write ``out_dir/metrics.json`` and return the metrics."""
    limits = limits or FaceSection()
    items = load_manifest(manifest)
    rng = random.Random(seed)
    pad, pad_problem = load_passive_pad(model_dir)  # loaded once, shared by every item
    results = []
    for item in items:
        for repeat in range(int(item.get("repeat", 1))):
            challenge = tuple(item["challenge"]) if item.get("challenge") else None
            outcome = run_item(model_dir, item_limits(limits, item), item["path"], challenge, rng,
                               item.get("subject"), pad)
            pad_accepts = outcome["pad_score"] is not None and outcome["pad_score"] >= limits.min_pad_score
            results.append({"path": str(Path(item["path"]).name), "expect": item["expect"],
                            "species": item.get("species", "live" if item["expect"] == "live" else "attack"),
                            "judge": item.get("judge", "full"), "limits": item.get("limits") or {},
                            "repeat": repeat, **outcome, "pad_accepts": pad_accepts,
                            "correct": outcome["accepted_as_live"] == (item["expect"] == "live")})
    judged = [r for r in results if r["judge"] == "full"]
    attacks = [r for r in judged if r["expect"] == "attack"]
    lives = [r for r in judged if r["expect"] == "live"]
    times = [r["time_to_decision_ms"] for r in judged if r["time_to_decision_ms"] is not None]
    live_times = [r["time_to_decision_ms"] for r in lives if r["accepted_as_live"]]
    metrics = {
        "manifest": str(manifest), "model_sha256": sha256_of(Path(model_dir) / "face_landmarker.task"),
        "pad": {"available": pad is not None, "problem": pad_problem, "min_pad_score": limits.min_pad_score},
        "presentations": len(results), "attack_presentations": len(attacks), "live_presentations": len(lives),
        **_error_rates(results, "accepted_as_live"),
        "without_pad": _error_rates(results, "challenge_passed"),
        "pad_alone": _error_rates(results, "pad_accepts"),
        "pad_scores_by_species": _pad_scores(results),
        "time_to_decision_ms": {"p50": percentile(times, 0.5), "p90": percentile(times, 0.9), "n": len(times)},
        "time_to_live_decision_ms": {"p50": percentile(live_times, 0.5), "p90": percentile(live_times, 0.9),
                                     "n": len(live_times)},
        "mean_time_to_decision_ms": round(statistics.mean(times), 1) if times else None,
        "seed": seed, "thresholds": dataclasses.asdict(limits), "results": results,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return metrics
