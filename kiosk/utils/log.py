"""Logging: one rotating JSON-lines file in the data dir, NIKs masked before anything is written.

Masking happens in a filter on every handler, so a NIK that slips into a message through an
exception text or a third-party library is masked too, not only the ones we format ourselves.
Masked NIKs are still personal data: the log file, its rotated copies and its folder are for the
app's user only (0600 / 0700, :mod:`kiosk.utils.file_modes`).
"""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from kiosk.utils.file_modes import describe, make_private_dir, private_opener, tighten_all
from kiosk.utils.privacy import mask_niks_in

LOG_FILE_NAME = "kiosk.log"
_MAX_BYTES = 5 * 1024 * 1024
_BACKUPS = 5
_EARLY_MAX = 50

log = logging.getLogger(__name__)
_early: list[logging.LogRecord] = []


def log_at_start(logger: logging.Logger, level: int, message: str, *args: object) -> None:
    """Log now, or, while no handler exists yet, keep the record for :func:`setup_logging` to write.

    The data folder is prepared (and its file modes repaired) before the log file can be opened
    in it; what that did must still reach the log.
    """
    if logger.hasHandlers():
        logger.log(level, message, *args, stacklevel=2)
    elif len(_early) < _EARLY_MAX:
        _early.append(logger.makeRecord(logger.name, level, "(start)", 0, message, args, None))


def _write_early_records() -> None:
    records = list(_early)
    _early.clear()
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotates like its parent; the file it creates (and so every rotated copy) is 0600 whatever the umask."""

    def _open(self) -> io.TextIOWrapper:
        # always appends: the parent forces mode "a" when it rotates by size
        return open(self.baseFilename, "a", encoding=self.encoding, errors=self.errors, opener=private_opener)


class MaskNikFilter(logging.Filter):
    """Replaces every 16-digit run in the final message (and exception text) by its mask."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_niks_in(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_niks_in(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to grep, to ship, and for end-to-end tests to wait on."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event = getattr(record, "event", None)
        if event:
            entry["event"] = event
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class ConsoleHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of writing, not the one at set-up.

    Test runners and embedding code swap ``sys.stderr``; a handler holding the old one would write
    into a closed file once it is swapped back.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def setup_logging(data_dir: Path | None, level: str = "INFO", *, stderr: bool = True) -> Path | None:
    """Route the ``kiosk`` loggers to ``data_dir/logs/kiosk.log`` (rotating) and to stderr.

    The log folder is made 0700 and the log files 0600; group or other access an older install
    left on them is taken off, and said in one INFO line.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    mask = MaskNikFilter()
    log_path = None
    changed: list[Path] = []
    failed: list[tuple[Path, OSError]] = []
    if data_dir is not None:
        log_dir = data_dir / "logs"
        make_private_dir(log_dir)
        log_path = log_dir / LOG_FILE_NAME
        changed, failed = tighten_all([log_dir, log_path, *(log_dir / f"{LOG_FILE_NAME}.{n}"
                                                           for n in range(1, _BACKUPS + 1))])
        file_handler = PrivateRotatingFileHandler(
            log_path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
        file_handler.setFormatter(JsonFormatter())
        _install(root, file_handler, mask)
    if stderr:
        console = ConsoleHandler()
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        _install(root, console, mask)
    _write_early_records()
    if data_dir is not None and changed:
        log.info("file modes repaired (group and other access removed): %s", describe(changed, data_dir))
    for path, exc in failed:
        log.warning("cannot make %s private to this user: %s", path, exc.strerror)
    return log_path


def _install(root: logging.Logger, handler: logging.Handler, mask: logging.Filter) -> None:
    handler.addFilter(mask)
    handler._kiosk = True  # type: ignore[attr-defined]  # our mark on a stdlib handler, removed at the next set-up
    root.addHandler(handler)


def event(logger: logging.Logger, name: str, message: str, *args: object, level: int = logging.INFO) -> None:
    """Log a named milestone (``first_frame``, ``ticket_issued``) that tests and benchmarks wait for."""
    logger.log(level, message, *args, extra={"event": name})
