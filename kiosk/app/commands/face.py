"""``kiosk models ...`` and ``kiosk face eval``; heavy imports (mediapipe) stay inside the handlers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kiosk.app.commands.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, Commands, site_config
from kiosk.config.schema import MODEL_DIR_ENV, Config


def register(commands: Commands) -> None:
    models = commands.add_parser("models", help="the face model files: install (pinned, SHA-256 checked) or verify")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install = models_sub.add_parser("install", help="download the pinned face models, or copy them with --from")
    install.add_argument("--from", dest="from_dir", type=Path,
                         help="folder holding face_landmarker.task, MiniFASNetV2.onnx and MiniFASNetV1SE.onnx "
                              "(e.g. a USB stick); no download then")
    models_sub.add_parser("verify", help="check the model files are present and intact")
    models.set_defaults(handler=_handle)

    face = commands.add_parser("face", help="face check tools")
    face_sub = face.add_subparsers(dest="face_command", metavar="ACTION", required=True)
    evaluate = face_sub.add_parser("eval",
                                   help="run the liveness pipeline over a manifest of media; writes metrics.json")
    evaluate.add_argument("--manifest", type=Path, required=True,
                          help="JSON: {\"items\": [{\"path\", \"expect\", ...}]}")
    evaluate.add_argument("--out", type=Path, required=True, help="folder for metrics.json")
    evaluate.add_argument("--seed", type=int, default=20261123, help="seed of the random challenges")
    face.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    return run(site_config(args), args)


def install_dir(config: Config) -> Path:
    """Where ``kiosk models install`` writes: KIOSK_MODEL_DIR, else [face] model_dir, else data folder/models."""
    override = os.environ.get(MODEL_DIR_ENV) or config.face.model_dir
    return Path(override).expanduser() if override else config.data_dir / "models"


def _models(config: Config, args: argparse.Namespace) -> int:
    """verify: every pinned file, one line each (exit 1 if any is missing or damaged; without the PAD models
    the kiosk still runs, challenge-only). install: each file on its own, atomically (exit 2 if any failed)."""
    from kiosk.camera.models import ALL_MODELS, install_models, verify_file

    if args.models_command == "verify":
        statuses = [verify_file(config.model_dir, spec) for spec in ALL_MODELS]
        for status in statuses:
            print(status.message, file=sys.stdout if status.ok else sys.stderr)
        return EXIT_OK if all(s.ok for s in statuses) else EXIT_FAILED
    # into the configured or data folder, never into a bundled copy inside the app
    installed, problems = install_models(install_dir(config), from_dir=args.from_dir)
    for path in installed:
        print(f"installed {path} (SHA-256 checked)")
    for problem in problems:
        print(f"Model not installed: {problem}", file=sys.stderr)
    return EXIT_CONFIG if problems else EXIT_OK


def run(config: Config, args: argparse.Namespace) -> int:
    from kiosk.camera.models import ModelError

    model_dir = config.model_dir
    if args.command == "models":
        return _models(config, args)
    from kiosk.camera.evaluation import ManifestError, evaluate

    try:
        metrics = evaluate(args.manifest, args.out, model_dir, config.face, seed=args.seed)
    except (ManifestError, ModelError) as exc:
        print(f"Cannot evaluate: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    summary = {k: metrics[k] for k in ("presentations", "pad", "apcer", "apcer_by_species", "bpcer", "without_pad",
                                       "pad_scores_by_species", "time_to_decision_ms", "time_to_live_decision_ms")}
    print(json.dumps(summary, indent=2))
    print(f"written: {args.out / 'metrics.json'}")
    return EXIT_OK
