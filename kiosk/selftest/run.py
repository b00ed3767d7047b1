"""``kiosk selftest --out DIR``: is this installation sound? Writes ``DIR/selftest.json`` and PNGs.

Each check says ok, warning (works, but something is missing, e.g. no voice) or error (fix before
use); the exit code is 1 when any check is an error. Later features add their checks to CHECKS.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk import __version__
from kiosk.setup import diagnostics
from kiosk.config.schema import Config
from kiosk.core import MIN_FREE_BYTES, StartupError, load_site_catalog, prepare_data_dir, service_rules
from kiosk.i18n import completeness_problems
from kiosk.queue.engine import QUEUE_SCHEMA, QueueEngine
from kiosk.storage.store import StoreError, open_database

log = logging.getLogger(__name__)

Level = Literal["ok", "warning", "error"]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    level: Level = "ok"
    advice: str = ""  # what to do, in English (the screen shows the advice key translated)
    advice_key: str = ""


# A check returns (level, detail) or (level, detail, advice key in kiosk/i18n/*/admin.toml).
CheckResult = tuple[Level, str] | tuple[Level, str, str]
CheckFn = Callable[[Config], CheckResult]


def _check(name: str, fn: CheckFn, config: Config) -> Check:
    advice_key = ""
    try:
        result = fn(config)
        level, detail = result[0], result[1]
        if len(result) > 2:
            advice_key = result[2]  # type: ignore[misc]
    except Exception as exc:  # a check that crashes is itself a finding, not a crash of selftest
        log.exception("selftest check %s crashed", name)
        level, detail = "error", f"check failed: {exc}"
    advice = ""
    if advice_key:
        from kiosk.i18n import Translator

        advice = Translator("en")(advice_key)
    return Check(name=name, ok=level != "error", detail=detail, level=level, advice=advice, advice_key=advice_key)


def check_config(config: Config) -> tuple[Level, str]:
    return "ok", f"loaded from {config.source}; role {config.device.role}"


def check_data_dir(config: Config) -> CheckResult:
    try:
        prepare_data_dir(config.data_dir)
    except StartupError as exc:
        return "error", str(exc), "admin.advice.data_dir"
    free = shutil.disk_usage(config.data_dir).free
    level: Level = "warning" if free < 20 * MIN_FREE_BYTES else "ok"
    return level, f"{config.data_dir} writable, {free // (1024 * 1024)} MB free"


def check_database(config: Config) -> CheckResult:
    path = config.data_dir / "queue.db"
    if not path.exists():
        return "ok", f"{path} not created yet (made at first start)"
    try:
        db = open_database(path, QUEUE_SCHEMA)
    except StoreError as exc:
        return "error", str(exc), "admin.advice.database"
    try:
        problems = db.integrity_errors()
    finally:
        db.close()
    if problems:
        return "error", f"{path} is damaged: {'; '.join(problems[:3])}", "admin.advice.database"
    return "ok", f"{path} schema '{QUEUE_SCHEMA.name}' v{QUEUE_SCHEMA.version}, integrity ok"


def check_catalog(config: Config) -> CheckResult:
    catalog, error = load_site_catalog(config)
    if catalog is None:
        return "error", f"service catalog unavailable: {error}", "admin.advice.catalog"
    return "ok", f"version {catalog.version}: {len(catalog.services)} services, {len(catalog.agencies)} agencies"


def check_texts(config: Config) -> tuple[Level, str]:
    problems = completeness_problems()
    if problems:
        return "error", "; ".join(problems[:5])
    return "ok", "Bahasa Indonesia and English complete"


def check_queue(config: Config) -> tuple[Level, str]:
    """Issue, call and finish one ticket in a scratch queue, and time it."""
    catalog, _ = load_site_catalog(config)
    rules = service_rules(catalog)
    if not rules:
        return "error", "no services to issue tickets for"
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        engine = QueueEngine.open(Path(scratch) / "queue.db", rules, ZoneInfo(config.site.timezone))
        try:
            started = time.perf_counter()
            issued = engine.issue(rules[0].code, request_id=str(uuid.uuid4()))
            called = engine.call_next(1, [rules[0].code], actor="selftest")
            assert called is not None and called.id == issued.ticket.id
            engine.start(called.id, actor="selftest")
            engine.finish(called.id, actor="selftest")
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            engine.close()
    return "ok", f"issued, called and finished {issued.ticket.number} in {elapsed:.0f} ms"


def check_voice(config: Config) -> CheckResult:
    if config.kiosk.speech == "off":
        return "ok", "speaker turned off in the configuration"
    from kiosk.ui.app import application
    from kiosk.ui.qt.speech import Speaker

    from PySide6.QtCore import QEventLoop, QTimer

    application()
    speaker = Speaker(enabled=True)
    loop = QEventLoop()
    speaker.changed.connect(loop.quit)
    QTimer.singleShot(12_000, loop.quit)
    speaker.load()
    if speaker.loading:
        loop.exec()
    voices = [lang for lang in ("id", "en") if speaker.can_speak(lang)]
    speaker.shutdown()
    if "id" not in voices:
        return "warning", ("no Indonesian voice: the speaker button is hidden. Install libpulse0, "
                           "speech-dispatcher and speech-dispatcher-espeak-ng"), "admin.advice.voice"
    return "ok", f"voices for: {', '.join(voices)}"


def check_printer_paper(config: Config) -> CheckResult:
    """The printer's own answer (paper, cover) and the last print job's outcome (kiosk.printing.health)."""
    from kiosk.printing.health import printer_health

    system_sink = None
    if config.printer.kind == "system":
        from kiosk.ui.qt.printing import SystemPrinterSink as system_sink  # type: ignore[assignment]
    return printer_health(config, system_sink=system_sink)


CHECKS: list[tuple[str, CheckFn]] = [
    ("config", check_config),
    ("data_dir", check_data_dir),
    ("database", check_database),
    ("catalog", check_catalog),
    ("texts", check_texts),
    ("queue", check_queue),
    ("voice", check_voice),
    ("version", diagnostics.check_version),
    ("disk", diagnostics.check_disk),
    ("queue_host", diagnostics.check_queue_host),
    ("central", diagnostics.check_central),
    ("sync_backlog", diagnostics.check_sync_backlog),
    ("printer", diagnostics.check_printer),
    ("printer_paper", check_printer_paper),
    ("camera", diagnostics.check_camera),
    ("model", diagnostics.check_model),
    ("admin_pin", diagnostics.check_admin_pin),
]
# Checks that need the GUI thread (Qt objects, an event loop); the diagnostics screen asks the
# running app for these instead of running them on its worker thread.
GUI_THREAD_CHECKS = {"voice"}


def register_check(name: str, fn: CheckFn, *, gui_thread: bool = False) -> None:
    """Add (or replace) a check: selftest and the diagnostics screen both run it. Advice keys
    live in the area's own i18n file."""
    CHECKS[:] = [(n, f) for n, f in CHECKS if n != name] + [(name, fn)]
    if gui_thread:
        GUI_THREAD_CHECKS.add(name)


def run_selftest(config: Config, out: Path) -> int:
    """Run every check, take every screenshot, write ``selftest.json``; 0 when nothing is an error."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)
    checks = [_check(name, fn, config) for name, fn in CHECKS]
    screens: list[str] = []
    try:
        from kiosk.selftest.tour import capture_all

        screens = [str(p) for p in capture_all(config, out)]
        checks.append(Check("screens", True, f"{len(screens)} screenshots in {out}"))
    except Exception as exc:
        log.exception("taking screenshots failed")
        checks.append(Check("screens", False, f"screens could not be drawn: {exc}", "error"))
    ok = all(c.ok for c in checks)
    report = {"ok": ok, "version": __version__, "checks": [asdict(c) for c in checks], "screens": screens}
    (out / "selftest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    for check in checks:
        print(f"{check.level.upper():8} {check.name:12} {check.detail}" + (f" -> {check.advice}" if check.advice else ""))
    print(f"selftest {'passed' if ok else 'FAILED'}: {out / 'selftest.json'}")
    return 0 if ok else 1
