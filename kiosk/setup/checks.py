"""Every check of an installation, in one ordered list: ``kiosk selftest`` and the diagnostics screen run the same.

Each check takes the :class:`~kiosk.config.schema.Config` and returns ``(level, detail)`` or
``(level, detail, advice key)``; the advice key names a text in ``kiosk/i18n/*/admin.toml``. The two
checks that need Qt (the voice, the OS spooler's printer) are added by :mod:`kiosk.ui.admin.qt_checks`.
A new check goes into :data:`CHECKS` (or, when it needs Qt, into ``qt_checks``).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk.camera.models import verify_pad_models
from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config
from kiosk.core import service_rules
from kiosk.i18n import Translator, completeness_problems
from kiosk.queue.engine import QueueEngine
from kiosk.queue.schema import QUEUE_SCHEMA
from kiosk.setup import diagnostics
from kiosk.storage.data_dir import MIN_FREE_BYTES, StartupError, prepare_data_dir
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


def run_check(name: str, fn: CheckFn, config: Config) -> Check:
    """Run one check; a check that crashes is itself a finding (an error), never a crash of the caller."""
    advice_key = ""
    try:
        result = fn(config)
        level, detail = result[0], result[1]
        if len(result) == 3:
            advice_key = result[2]
    except Exception as exc:  # a check that crashes is itself a finding, not a crash of selftest
        log.exception("selftest check %s crashed", name)
        level, detail = "error", f"check failed: {exc}"
    advice = ""
    if advice_key:
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


def check_pad_models(config: Config) -> CheckResult:
    """A warning, not an error: without the PAD models the face check still runs, challenge-only."""
    status = verify_pad_models(config.model_dir)
    if status.ok:
        return "ok", status.message
    if not config.face.enabled:
        return "ok", f"face check turned off ([face] enabled = false); {status.message}"
    return "warning", status.message, "admin.advice.pad_model"


CHECKS: list[tuple[str, CheckFn]] = [
    ("config", check_config),
    ("data_dir", check_data_dir),
    ("database", check_database),
    ("catalog", check_catalog),
    ("texts", check_texts),
    ("queue", check_queue),
    ("version", diagnostics.check_version),
    ("disk", diagnostics.check_disk),
    ("queue_host", diagnostics.check_queue_host),
    ("central", diagnostics.check_central),
    ("sync_backlog", diagnostics.check_sync_backlog),
    ("printer", diagnostics.check_printer),
    ("camera", diagnostics.check_camera),
    ("model", diagnostics.check_model),
    ("pad_model", check_pad_models),
    ("admin_pin", diagnostics.check_admin_pin),
]
