"""The log: JSON lines in the data folder, a NIK never written in full."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.utils.log import event, setup_logging


def test_log_file_is_json_and_masks_niks(tmp_path: Path, allow_log_errors: list) -> None:
    level = logging.getLogger().level
    path = setup_logging(tmp_path, "INFO", stderr=False)
    assert path == tmp_path / "logs" / "kiosk.log"
    log = logging.getLogger("kiosk.test")
    try:
        log.info("citizen typed %s", "3171014501900001")
        log.warning("grouped 3171 0145 0190 0001 and phone 081234567890 and 17 digits 12345678901234567")
        try:
            raise ValueError("bad NIK 3171014501900001")
        except ValueError:
            log.exception("failed")
        event(log, "ticket_issued", "ticket %s issued", "A-001")
    finally:
        setup_logging(None, "WARNING", stderr=False)  # close the file handler
        logging.getLogger().setLevel(level)
    text = path.read_text(encoding="utf-8")
    assert "3171014501900001" not in text and "0145 0190" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["message"] == "citizen typed 3171********0001"
    assert "081234567890" in lines[1]["message"] and "12345678901234567" in lines[1]["message"]
    assert "3171********0001" in lines[2]["exception"]
    assert lines[3]["event"] == "ticket_issued"
