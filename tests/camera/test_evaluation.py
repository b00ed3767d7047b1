"""`kiosk face eval` on a small manifest of derived media: metrics.json with APCER/BPCER and timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.camera.evaluation import ManifestError, load_manifest


@pytest.mark.slow
def test_eval_command_writes_metrics(face_media: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.app.cli import main

    manifest = tmp_path / "manifest.json"
    subject = {"rest_frames": [83, 87], "action_frames": {"turn_right": [88, 112], "smile": [43, 49]}}
    manifest.write_text(json.dumps({"items": [
        {"path": str(face_media["clip"]), "expect": "live", "challenge": ["turn_right", "smile"],
         "subject": {"mode": "responsive", **subject}},
        {"path": str(face_media["still"]), "expect": "attack", "species": "still_photo"},
    ]}), encoding="utf-8")
    site = tmp_path / "site.toml"  # thresholds come from the site config: a short time limit keeps this quick
    site.write_text("[face]\nstep_timeout_seconds = 3.0\n", encoding="utf-8")
    out = tmp_path / "results"
    assert main(["--config", str(site), "face", "eval", "--manifest", str(manifest), "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["presentations"] == 2 and metrics["apcer"] == 0.0 and metrics["bpcer"] == 0.0
    assert metrics["thresholds"]["step_timeout_seconds"] == 3.0
    assert metrics["apcer_by_species"]["still_photo"]["presentations"] == 1
    assert metrics["bpcer_by_species"]["live"] == {"presentations": 1, "rejected": 0, "bpcer": 0.0}
    assert metrics["time_to_decision_ms"]["p50"] is not None
    # fused (the kiosk's decision), the challenge alone and PAD alone, from the same runs
    assert metrics["pad"]["available"] and metrics["without_pad"]["apcer"] == 0.0
    assert metrics["without_pad"]["bpcer"] == 0.0 and metrics["pad_alone"]["bpcer"] == 0.0
    assert metrics["results"][0]["challenge_passed"] and metrics["results"][0]["pad_score"] >= 0.35
    live = metrics["results"][0]
    assert live["accepted_as_live"] and live["face_jpeg_bytes"] > 5000 and live["correct"]
    assert len(metrics["results"][1]["challenge"]) == 2  # drawn at random, as the kiosk would
    assert '"apcer": 0.0' in capsys.readouterr().out


def test_manifest_errors_name_the_item(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"items": [{"path": "nope.mp4", "expect": "live"}]}), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"items\[0\].path"):
        load_manifest(bad)
    bad.write_text(json.dumps({"items": [{"path": "m.json", "expect": "maybe"}]}), encoding="utf-8")
    with pytest.raises(ManifestError, match="expect"):
        load_manifest(bad)
    bad.write_text(json.dumps({"items": [{"path": "m.json", "expect": "live", "challenge": ["wink"]}]}))
    with pytest.raises(ManifestError, match="challenge"):
        load_manifest(bad)
    bad.write_text(json.dumps({"items": [{"path": "m.json", "expect": "live", "subject": {"mode": "puppet"}}]}))
    with pytest.raises(ManifestError, match=r"subject.mode"):
        load_manifest(bad)
    bad.write_text(json.dumps({"items": [{"path": "m.json", "expect": "live", "subject": {
        "mode": "responsive", "rest_frames": [9, 3], "action_frames": {"smile": [1, 2]}}}]}))
    with pytest.raises(ManifestError, match=r"\[first, last\]"):
        load_manifest(bad)
