"""The face model file: where it lives, installing it (pinned URL + SHA-256) and checking it.

The app never downloads at run time: ``kiosk models install`` fetches the pinned MediaPipe bundle from
Google's model storage (or copies it from a folder, e.g. a USB stick), checks its SHA-256 and writes it
atomically; ``kiosk models verify`` checks what is there. A missing or corrupt file is a
:class:`ModelError` whose message names the file and the command that fixes it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FACE_MODEL_NAME = "face_landmarker.task"
FACE_MODEL_URL = ("https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/"
                  "float16/1/face_landmarker.task")
FACE_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
FIX_HINT = "Run: kiosk models install   (or, offline: kiosk models install --from FOLDER_WITH_THE_FILE)"


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


def verify_model(model_dir: Path) -> ModelStatus:
    """Is the pinned face model in ``model_dir``, byte for byte?"""
    path = Path(model_dir) / FACE_MODEL_NAME
    if not path.is_file():
        return ModelStatus(path, False, f"face model {path} is missing. {FIX_HINT}")
    try:
        actual = sha256_of(path)
    except OSError as exc:
        return ModelStatus(path, False, f"face model {path} cannot be read ({exc.strerror}). {FIX_HINT}")
    if actual != FACE_MODEL_SHA256:
        return ModelStatus(path, False, f"face model {path} is damaged or the wrong file (SHA-256 {actual}, "
                                        f"expected {FACE_MODEL_SHA256}). {FIX_HINT}")
    return ModelStatus(path, True, f"face model {path} is in place and intact.")


def require_model(model_dir: Path) -> Path:
    """The model's path, or :class:`ModelError` explaining what is wrong and how to fix it."""
    status = verify_model(model_dir)
    if not status.ok:
        raise ModelError(status.message)
    return status.path


def _atomic_write_checked(data_source: Path, dest: Path) -> None:
    """Check ``data_source``'s hash, then move it over ``dest`` in one step (no half-written model)."""
    actual = sha256_of(data_source)
    if actual != FACE_MODEL_SHA256:
        raise ModelError(f"the file obtained is not the pinned face model: SHA-256 {actual}, expected "
                         f"{FACE_MODEL_SHA256}. Nothing was changed in {dest.parent}. Get the official file "
                         f"({FACE_MODEL_URL}) and try again.")
    os.replace(data_source, dest)


def install_model(model_dir: Path, *, from_dir: Path | None = None, url: str = FACE_MODEL_URL,
                  timeout_s: float = 60.0) -> Path:
    """Copy (``from_dir``) or download the pinned model into ``model_dir``; returns its path."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    dest = model_dir / FACE_MODEL_NAME
    fd, tmp_name = tempfile.mkstemp(prefix=".face_landmarker-", suffix=".part", dir=model_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if from_dir is not None:
                source = Path(from_dir) / FACE_MODEL_NAME
                if not source.is_file():
                    raise ModelError(f"{source} does not exist: the folder given with --from must contain "
                                     f"{FACE_MODEL_NAME}.")
                with source.open("rb") as f:
                    shutil.copyfileobj(f, out)
            else:
                try:
                    with urllib.request.urlopen(url, timeout=timeout_s) as response:
                        shutil.copyfileobj(response, out)
                except OSError as exc:
                    raise ModelError(f"download of {url} failed ({exc}). Check the network, or copy the file "
                                     f"from another machine: kiosk models install --from FOLDER") from None
        _atomic_write_checked(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
