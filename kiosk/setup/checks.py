"""Every check of an installation, in one ordered list: ``kiosk selftest`` and the diagnostics screen run the same.

Each check takes the :class:`~kiosk.config.schema.Config` and returns ``(level, detail)`` or
``(level, detail, advice key)``; the advice key names a text in ``kiosk/i18n/*/admin.toml``. The detail
is English for the log and ``selftest.json``, written as a :class:`~kiosk.i18n.keyed.Keyed` text whose
``admin.finding.*`` key the diagnostics screen shows in its language (tests/test_check_findings.py
fails on a finding without one). The two
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kiosk.camera.models import verify_pad_models
from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config
from kiosk.core import service_rules
from kiosk.i18n import Translator, completeness_problems
from kiosk.i18n.keyed import Keyed, key_of
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
    # What the screen says instead of the English detail: an i18n key (admin.finding.*) and its values.
    message_key: str = ""
    message_params: dict[str, Any] = field(default_factory=dict)


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
        level, detail = "error", Keyed(f"check failed: {exc}", "admin.finding.crashed")
    advice = ""
    if advice_key:
        advice = Translator("en")(advice_key)
    if level != "ok":  # the English detail is for the log; the screen shows the keyed sentence
        log.warning("check %s: %s: %s", name, level, detail)
    key, params = key_of(detail)
    return Check(name=name, ok=level != "error", detail=str(detail), level=level, advice=advice,
                 advice_key=advice_key, message_key=key, message_params=params)


def check_config(config: Config) -> tuple[Level, str]:
    role, source = config.device.role, config.source
    if source.startswith("("):  # "(built-in defaults)": no file
        return "ok", Keyed(f"loaded from {source}; role {role}", "admin.finding.config.defaults",
                           role=Keyed(role, f"setup.role.{role}"))
    return "ok", Keyed(f"loaded from {source}; role {role}", "admin.finding.config.ok", path=source,
                       role=Keyed(role, f"setup.role.{role}"))


def check_data_dir(config: Config) -> CheckResult:
    try:
        prepare_data_dir(config.data_dir)
    except StartupError as exc:
        return "error", Keyed(str(exc), "admin.finding.data_dir.unusable", path=str(config.data_dir)), \
            "admin.advice.data_dir"
    free = shutil.disk_usage(config.data_dir).free
    level: Level = "warning" if free < 20 * MIN_FREE_BYTES else "ok"
    detail = Keyed(f"{config.data_dir} writable, {free // (1024 * 1024)} MB free",
                   f"admin.finding.data_dir.{level}", path=str(config.data_dir), free_mb=free // (1024 * 1024))
    return level, detail


def check_database(config: Config) -> CheckResult:
    path = config.data_dir / "queue.db"
    if not path.exists():
        return "ok", Keyed(f"{path} not created yet (made at first start)", "admin.finding.database.new",
                           path=str(path))
    try:
        db = open_database(path, QUEUE_SCHEMA)
    except StoreError as exc:
        return "error", Keyed(str(exc), "admin.finding.database.unreadable", path=str(path)), "admin.advice.database"
    try:
        problems = db.integrity_errors()
    finally:
        db.close()
    if problems:
        return "error", Keyed(f"{path} is damaged: {'; '.join(problems[:3])}", "admin.finding.database.damaged",
                              path=str(path), count=len(problems)), "admin.advice.database"
    return "ok", Keyed(f"{path} schema '{QUEUE_SCHEMA.name}' v{QUEUE_SCHEMA.version}, integrity ok",
                       "admin.finding.database.ok", path=str(path), schema=QUEUE_SCHEMA.name,
                       version=QUEUE_SCHEMA.version)


def check_catalog(config: Config) -> CheckResult:
    catalog, error = load_site_catalog(config)
    if catalog is None:
        return "error", Keyed(f"service catalog unavailable: {error}", "admin.finding.catalog.unavailable"), \
            "admin.advice.catalog"
    return "ok", Keyed(f"version {catalog.version}: {len(catalog.services)} services, {len(catalog.agencies)} agencies",
                       "admin.finding.catalog.ok", version=catalog.version, services=len(catalog.services),
                       agencies=len(catalog.agencies))


def check_texts(config: Config) -> tuple[Level, str]:
    problems = completeness_problems()
    if problems:
        return "error", Keyed("; ".join(problems[:5]), "admin.finding.texts.incomplete", count=len(problems))
    return "ok", Keyed("Bahasa Indonesia and English complete", "admin.finding.texts.ok")


def check_queue(config: Config) -> tuple[Level, str]:
    """Issue, call and finish one ticket in a scratch queue, and time it."""
    catalog, _ = load_site_catalog(config)
    rules = service_rules(catalog)
    if not rules:
        return "error", Keyed("no services to issue tickets for", "admin.finding.queue.no_services")
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
    return "ok", Keyed(f"issued, called and finished {issued.ticket.number} in {elapsed:.0f} ms",
                       "admin.finding.queue.ok", number=issued.ticket.number, ms=f"{elapsed:.0f}")


def check_pad_models(config: Config) -> CheckResult:
    """A warning, not an error: without the PAD models the face check still runs, challenge-only."""
    status = verify_pad_models(config.model_dir)
    if status.ok:
        return "ok", Keyed(status.message, "admin.finding.pad_model.ok", path=str(status.path))
    if not config.face.enabled:
        return "ok", Keyed(f"face check turned off ([face] enabled = false); {status.message}",
                           "admin.finding.face_off")
    return "warning", Keyed(status.message, "admin.finding.pad_model.missing", path=str(status.path)), \
        "admin.advice.pad_model"


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
