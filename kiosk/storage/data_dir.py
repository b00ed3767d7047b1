"""The data folder (databases, keys, logs): it must exist, be writable and have room before anything opens.

It holds NIKs, answers and faces (encrypted or masked, but personal data still): the folder and
everything in it are for the app's user only (:mod:`kiosk.utils.file_modes`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kiosk.storage.store import restrict_modes
from kiosk.utils.file_modes import make_private_dir, tree

MIN_FREE_BYTES = 50 * 1024 * 1024


class StartupError(Exception):
    """Something regional IT must fix before the app can run (printed, exit code 2)."""


def prepare_data_dir(path: Path) -> None:
    """Make sure the data folder exists (0700), is writable and has room, or say what to do.

    An existing install whose folders or files group or others may read (0755, 0644) is repaired
    here, at every start, with one INFO line naming what changed.
    """
    try:
        make_private_dir(path)
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
    restrict_modes(tree(path), path)
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise StartupError(f"the disk holding {path} is full ({free // (1024 * 1024)} MB free; "
                           f"at least {MIN_FREE_BYTES // (1024 * 1024)} MB needed). Free some space.")

