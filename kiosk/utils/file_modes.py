"""Owner-only file modes for what the app keeps (databases, keys, logs): NIKs and faces live there.

Files are made 0600 and folders 0700 whatever the umask (created with the mode, then ``chmod``,
since a umask can only take bits away), and what an older install left readable by group or
others is tightened at start. Symbolic links are never followed: a link planted in the data
folder must not make us change the mode of a file elsewhere.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_GROUP_OR_OTHER = 0o077


def make_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700; folders that already exist are left as they are."""
    missing: list[Path] = []
    folder = Path(path)
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made by another process meanwhile: not ours to change
            continue
        os.chmod(folder, PRIVATE_DIR)


def create_private_file(path: Path) -> bool:
    """Create an empty 0600 file at ``path`` unless something is there already; True if created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open`: a file it creates is 0600 (and one it opens is made so)."""
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def tighten(path: Path) -> bool:
    """Take group and other permissions off ``path`` (not a link); True if its mode changed.

    A missing path is not an error (a -wal file that is not there, a file removed meanwhile).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode):
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not mode & _GROUP_OR_OTHER:
        return False
    os.chmod(path, mode & ~_GROUP_OR_OTHER)
    return True


def tighten_all(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, OSError]]]:
    """:func:`tighten` each path: (the ones changed, the ones that could not be changed and why)."""
    changed: list[Path] = []
    failed: list[tuple[Path, OSError]] = []
    for path in paths:
        try:
            if tighten(path):
                changed.append(path)
        except OSError as exc:  # e.g. a file owned by another user
            failed.append((path, exc))
    return changed, failed


def tree(root: Path) -> list[Path]:
    """``root`` and every folder and file under it, without following links."""
    found = [Path(root)]
    for folder, dirs, files in os.walk(root, followlinks=False):
        found.extend(Path(folder, name) for name in (*dirs, *files))
    return found


def describe(paths: Iterable[Path], root: Path, *, at_most: int = 12) -> str:
    """The paths relative to ``root``, for one log line (``.``, ``queue.db``, ``logs/kiosk.log``...)."""
    names = [os.path.relpath(p, root) for p in paths]
    shown = ", ".join(names[:at_most])
    return shown + (f" and {len(names) - at_most} more" if len(names) > at_most else "")
