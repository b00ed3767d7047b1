"""The data folder (databases, keys, logs): it must exist, be writable and have room before anything opens."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MIN_FREE_BYTES = 50 * 1024 * 1024


class StartupError(Exception):
    """Something regional IT must fix before the app can run (printed, exit code 2)."""


def prepare_data_dir(path: Path) -> None:
    """Make sure the data folder exists, is writable and has room, or say what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"data folder {path} cannot be created ({exc.strerror}). "
                           "Set [device] data_dir to a writable folder.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(f"data folder {path} is read-only for this user. "
                           "Give the app write permission, or set [device] data_dir to another folder.")
    probe = path / ".write-test"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"data folder {path} cannot be written ({exc.strerror}). "
                           "Check the disk and the folder's permissions.") from None
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise StartupError(f"the disk holding {path} is full ({free // (1024 * 1024)} MB free; "
                           f"at least {MIN_FREE_BYTES // (1024 * 1024)} MB needed). Free some space.")
