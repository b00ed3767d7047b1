"""Logging: one rotating JSON-lines file in the data dir, NIKs masked before anything is written.

Masking happens in a filter on every handler, so a NIK that slips into a message through an
exception text or a third-party library is masked too, not only the ones we format ourselves.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from kiosk.utils.privacy import mask_niks_in

LOG_FILE_NAME = "kiosk.log"
_MAX_BYTES = 5 * 1024 * 1024
_BACKUPS = 5


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
    """Route the ``kiosk`` loggers to ``data_dir/logs/kiosk.log`` (rotating) and to stderr."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    mask = MaskNikFilter()
    log_path = None
    if data_dir is not None:
        log_dir = data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / LOG_FILE_NAME
        file_handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
        file_handler.setFormatter(JsonFormatter())
        _install(root, file_handler, mask)
    if stderr:
        console = ConsoleHandler()
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        _install(root, console, mask)
    return log_path


def _install(root: logging.Logger, handler: logging.Handler, mask: logging.Filter) -> None:
    handler.addFilter(mask)
    handler._kiosk = True  # type: ignore[attr-defined]  # our mark on a stdlib handler, removed at the next set-up
    root.addHandler(handler)


def event(logger: logging.Logger, name: str, message: str, *args: object, level: int = logging.INFO) -> None:
    """Log a named milestone (``first_frame``, ``ticket_issued``) that tests and benchmarks wait for."""
    logger.log(level, message, *args, extra={"event": name})
