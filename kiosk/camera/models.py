"""The face model files: where they live, installing them (pinned URL + SHA-256) and checking them.

The app never downloads at run time: ``kiosk models install`` fetches each pinned file (or copies it from
a folder, e.g. a USB stick), checks its SHA-256 and writes it atomically; ``kiosk models verify`` checks
what is there. Two kinds of file, and two consequences when one is missing or damaged:

* the **landmarker** (MediaPipe FaceLandmarker) is *required*: without it there is no face step
  (:class:`ModelError`, whose message names the file and the command that fixes it);
* the two **PAD** models (MiniFASNet, passive presentation-attack detection) are *optional*: without
  them the face step runs challenge-only, and the log, the diagnostics and the selftest say so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FIX_HINT = "Run: kiosk models install   (or, offline: kiosk models install --from FOLDER_WITH_THE_FILE)"


@dataclass(frozen=True)
class ModelSpec:
    """One pinned model file."""

    name: str
    sha256: str
    url: str
    what: str  # in words, for messages
    required: bool = True


_SILENT_FACE = ("https://raw.githubusercontent.com/yakhyo/face-anti-spoofing/"
                "c175efef505bc275f7835cc9aa2aecab305ac184/weights/")
LANDMARKER = ModelSpec(
    "face_landmarker.task", "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task",
    "face model")
PAD_V2 = ModelSpec("MiniFASNetV2.onnx", "4eed38f0bde33c9b805942a5f25e42ce1161e2bda545254be622be957727794e",
                   _SILENT_FACE + "MiniFASNetV2.onnx", "presentation-attack model", required=False)
PAD_V1SE = ModelSpec("MiniFASNetV1SE.onnx", "d819a69bac6b9ade2a0f4d9b60b618e1260f7bf3ba1fddff6c5d82131cb1083f",
                     _SILENT_FACE + "MiniFASNetV1SE.onnx", "presentation-attack model", required=False)
PAD_MODELS: tuple[ModelSpec, ...] = (PAD_V2, PAD_V1SE)
ALL_MODELS: tuple[ModelSpec, ...] = (LANDMARKER, *PAD_MODELS)

# the landmarker's names, kept for callers and tests
FACE_MODEL_NAME = LANDMARKER.name
FACE_MODEL_URL = LANDMARKER.url
FACE_MODEL_SHA256 = LANDMARKER.sha256


class ModelError(Exception):
    """The model is missing, unreadable or not the pinned file. The message says how to fix it."""


@dataclass(frozen=True)
class ModelStatus:
    path: Path
    ok: bool
    message: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(model_dir: Path, spec: ModelSpec) -> ModelStatus:
    """Is the pinned file ``spec`` in ``model_dir``, byte for byte?"""
    path = Path(model_dir) / spec.name
    if not path.is_file():
        return ModelStatus(path, False, f"{spec.what} {path} is missing. {FIX_HINT}")
    try:
        actual = sha256_of(path)
    except OSError as exc:
        return ModelStatus(path, False, f"{spec.what} {path} cannot be read ({exc.strerror}). {FIX_HINT}")
    if actual != spec.sha256:
        return ModelStatus(path, False, f"{spec.what} {path} is damaged or the wrong file (SHA-256 {actual}, "
                                        f"expected {spec.sha256}). {FIX_HINT}")
    return ModelStatus(path, True, f"{spec.what} {path} is in place and intact.")


def verify_model(model_dir: Path) -> ModelStatus:
    """Is the pinned face landmarker in ``model_dir``, byte for byte?"""
    return verify_file(model_dir, LANDMARKER)


def verify_pad_models(model_dir: Path) -> ModelStatus:
    """Are both PAD models in place and intact? One status for the pair (the first problem found)."""
    for spec in PAD_MODELS:
        status = verify_file(model_dir, spec)
        if not status.ok:
            return ModelStatus(status.path, False, status.message + " Until then the face check is challenge-only.")
    return ModelStatus(Path(model_dir), True, f"presentation-attack models in {model_dir} are in place and intact.")


def require_model(model_dir: Path) -> Path:
    """The landmarker's path, or :class:`ModelError` explaining what is wrong and how to fix it."""
    status = verify_model(model_dir)
    if not status.ok:
        raise ModelError(status.message)
    return status.path


def _atomic_write_checked(data_source: Path, dest: Path, spec: ModelSpec) -> None:
    """Check ``data_source``'s hash, then move it over ``dest`` in one step (no half-written model)."""
    actual = sha256_of(data_source)
    if actual != spec.sha256:
        raise ModelError(f"the file obtained is not the pinned {spec.what} {spec.name}: SHA-256 {actual}, "
                         f"expected {spec.sha256}. Nothing was changed in {dest.parent}. Get the official file "
                         f"({spec.url}) and try again.")
    os.replace(data_source, dest)


def install_file(model_dir: Path, spec: ModelSpec, *, from_dir: Path | None = None, url: str | None = None,
                 timeout_s: float = 60.0) -> Path:
    """Copy (``from_dir``) or download one pinned file into ``model_dir``; returns its path."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    dest = model_dir / spec.name
    fd, tmp_name = tempfile.mkstemp(prefix=f".{Path(spec.name).stem}-", suffix=".part", dir=model_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if from_dir is not None:
                source = Path(from_dir) / spec.name
                if not source.is_file():
                    raise ModelError(f"{source} does not exist: the folder given with --from must contain "
                                     f"{spec.name}.")
                with source.open("rb") as f:
                    shutil.copyfileobj(f, out)
            else:
                address = url or spec.url
                try:
                    with urllib.request.urlopen(address, timeout=timeout_s) as response:
                        shutil.copyfileobj(response, out)
                except OSError as exc:
                    raise ModelError(f"download of {address} failed ({exc}). Check the network, or copy the file "
                                     f"from another machine: kiosk models install --from FOLDER") from None
        _atomic_write_checked(tmp, dest, spec)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def install_model(model_dir: Path, *, from_dir: Path | None = None, url: str = FACE_MODEL_URL,
                  timeout_s: float = 60.0) -> Path:
    """Copy (``from_dir``) or download the pinned landmarker into ``model_dir``; returns its path."""
    return install_file(model_dir, LANDMARKER, from_dir=from_dir, url=url, timeout_s=timeout_s)


def install_models(model_dir: Path, *, from_dir: Path | None = None,
                   timeout_s: float = 60.0) -> tuple[list[Path], list[str]]:
    """Install every pinned file, each on its own (one failure does not undo the others).

    Returns (installed paths, problems); a problem names the file and why."""
    installed: list[Path] = []
    problems: list[str] = []
    for spec in ALL_MODELS:
        try:
            installed.append(install_file(model_dir, spec, from_dir=from_dir, timeout_s=timeout_s))
        except (ModelError, OSError) as exc:
            problems.append(f"{spec.name}: {exc}")
    return installed, problems
