"""Issue 17: the diagnostics screen in Bahasa Indonesia shows no English detail.

Every check runs against conditions made for real here (a data folder that cannot be created, a
damaged database, a broken catalog, printers that are not there, a printer's failed last ticket, no
face model, the demo PIN, a closed port for the queue host and the central API, an outbox with old
records, a missing camera stand-in, no voice, a check that crashes). Each row must show the
Indonesian sentence of its finding's key, and the English detail (kept for the log and
``selftest.json``) must not appear on the screen.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from kiosk.config.schema import (
    AdminSection,
    CameraSection,
    Config,
    DisplaySection,
    FaceSection,
    KioskSection,
    PrinterKind,
    PrinterSection,
    QueueSection,
)
from kiosk.i18n import Translator
from kiosk.i18n.keyed import say
from kiosk.printing.service import STATUS_FILE
from kiosk.setup import checks as setup_checks
from kiosk.setup.checks import CHECKS, CheckFn
from kiosk.ui.admin.diagnostics import CheckRow, DiagnosticsPage
from kiosk.ui.admin.qt_checks import check_printer_paper, voice_finding
from kiosk.ui.qt.speech import Speaker

SAME_IN_BOTH = {"admin.finding.version.ok"}  # "MPP Kiosk 1.2, Python 3.12, Linux." has no words to translate


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bound(fn: CheckFn, config: Config) -> CheckFn:
    """The check run against ``config`` whatever the page passes (one page, many conditions)."""
    return lambda _config: fn(config)


def conditions(config: Config, tmp_path: Path) -> list[tuple[str, CheckFn]]:
    fns = dict(CHECKS)
    fns["printer_paper"] = check_printer_paper
    made: list[tuple[str, CheckFn]] = [(name, bound(fn, config)) for name, fn in fns.items() if name != "texts"]

    def also(name: str, changed: Config) -> None:
        made.append((name, bound(fns[name], changed)))

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    also("data_dir", dataclasses.replace(config, device=dataclasses.replace(config.device,
                                                                            data_dir=str(blocker / "data"))))
    damaged = dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(tmp_path / "dmg")))
    (tmp_path / "dmg").mkdir()
    (tmp_path / "dmg" / "queue.db").write_bytes(b"this is not a database" * 100)
    also("database", damaged)
    broken = tmp_path / "catalog.json"
    broken.write_text("{ not json")
    also("catalog", dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, catalog_path=str(broken))))
    printers: tuple[tuple[PrinterKind, str], ...] = (
        ("escpos-network", f"127.0.0.1:{closed_port()}"), ("file", str(tmp_path / "nowhere")), ("file", ""),
        ("escpos-serial", str(tmp_path / "ttyNONE")), ("escpos-usb", "0x1234:0x5678"), ("file", str(tmp_path)))
    for kind, target in printers:
        also("printer", dataclasses.replace(config, printer=PrinterSection(kind=kind, target=target)))
    also("printer_paper", dataclasses.replace(config, printer=PrinterSection(kind="escpos-usb", target="nonsense")))
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    also("printer_paper", dataclasses.replace(config, printer=PrinterSection(kind="file", target=str(tickets))))
    failed = dataclasses.replace(config, printer=PrinterSection(kind="file", target=str(tickets)),
                                 device=dataclasses.replace(config.device, data_dir=str(tmp_path / "printed")))
    (tmp_path / "printed").mkdir()
    (tmp_path / "printed" / STATUS_FILE).write_text(json.dumps(
        {"ok": False, "needs_attention": True, "reason": "paper_out", "detail": "the paper roll is empty",
         "ticket": "A-007", "at": "09:41"}))
    also("printer_paper", failed)
    face_on = dataclasses.replace(config, face=FaceSection(enabled=True, model_dir=str(tmp_path / "no-models")))
    also("model", face_on)
    also("pad_model", face_on)
    also("model", dataclasses.replace(config, face=FaceSection(enabled=False)))
    also("admin_pin", dataclasses.replace(config, admin=AdminSection(pin_hash="pbkdf2$stand-in")))
    down = QueueSection(host_url=f"http://127.0.0.1:{closed_port()}", device_token="t" * 24)
    also("queue_host", dataclasses.replace(config, queue=down))
    also("central", dataclasses.replace(config, central=dataclasses.replace(
        config.central, api_url=f"http://127.0.0.1:{closed_port()}", allow_insecure_http=True)))
    also("camera", dataclasses.replace(config, camera=CameraSection(device=str(tmp_path / "gone.mp4"))))
    stand_in = tmp_path / "demo.mp4"
    stand_in.write_bytes(b"\0")
    also("camera", dataclasses.replace(config, camera=CameraSection(device=str(stand_in))))
    also("camera", dataclasses.replace(config, face=FaceSection(enabled=False),
                                       camera=CameraSection(qr_scanning=False),
                                       display=DisplaySection(status_camera=False)))
    return made


def run_page(qtbot: Any, config: Config, checks: list[tuple[str, CheckFn]], lang: str,
             voice: Any = None) -> DiagnosticsPage:
    page = DiagnosticsPage(config, Translator(lang), checks=checks, voice=voice)
    qtbot.addWidget(page)
    page.resize(1080, 1900)
    page.show()
    with qtbot.waitSignal(page.finished, timeout=60_000):
        page.run()
    return page


@pytest.fixture
def pages() -> Iterator[list[DiagnosticsPage]]:
    made: list[DiagnosticsPage] = []
    yield made
    for page in made:
        page.shutdown()


def shown_rows(page: DiagnosticsPage) -> list[CheckRow]:
    """The rows in the order shown: problems first, then warnings, then the fine ones."""
    layout = page.rows
    items = [layout.itemAt(i) for i in range(layout.count() - 1)]
    rows = [w for w in (item.widget() for item in items if item is not None) if isinstance(w, CheckRow)]
    assert sorted(map(id, (row.check for row in rows))) == sorted(map(id, page.results))
    rank = {"error": 0, "warning": 1, "ok": 2}
    assert [rank[row.check.level] for row in rows] == sorted(rank[row.check.level] for row in rows)
    return rows


def test_every_finding_is_said_in_indonesian_without_the_english_detail(
        qtbot: Any, config: Config, tmp_path: Path, pages: list[DiagnosticsPage], monkeypatch: pytest.MonkeyPatch,
        allow_log_errors: list[logging.LogRecord]) -> None:
    # an old unsent record and a refused one: the backlog warning
    from kiosk.sync.outbox import ApplicationStore

    store = ApplicationStore(config.data_dir, clock=lambda: datetime.now(UTC) - timedelta(days=2))
    try:
        store.enqueue_record("survey", "resp-1", {"u1": 4})
    finally:
        store.close()
    (tmp_path / "no-models").mkdir()
    monkeypatch.setenv("KIOSK_MODEL_DIR", str(tmp_path / "no-models"))  # no face model on this machine
    made = conditions(config, tmp_path)
    made.append(("texts", lambda _c: setup_checks.check_texts(_c)))
    monkeypatch.setattr(setup_checks, "completeness_problems", lambda: ["id: missing welcome.title"])
    voice_config = dataclasses.replace(config, kiosk=KioskSection(speech="auto"))
    speaker = Speaker(enabled=False)
    page = run_page(qtbot, voice_config, made, "id", voice=lambda: voice_finding(voice_config, speaker))
    pages.append(page)
    t, en = Translator("id"), Translator("en")
    keys = set()
    for row in shown_rows(page):
        check = row.check
        assert check.message_key, f"{check.name}: no key for {check.detail!r}"
        keys.add(check.message_key)
        expected = say(t, check.message_key, check.message_params)
        assert row.detail.text() == expected
        if check.message_key not in SAME_IN_BOTH:
            assert check.detail not in row.detail.text(), check
            assert expected != say(en, check.message_key, check.message_params), check.message_key
        if row.advice is not None:
            assert row.advice.text() == "→ " + t(check.advice_key)
        assert row.level.text() in {t("admin.diag.ok"), t("admin.diag.warning"), t("admin.diag.error")}
    every_text = " ".join(label.text() for label in page.findChildren(QLabel))
    for english in ("not reachable", "missing or", "is damaged", "not found", "waiting to be sent", "demo PIN",
                    "paper_out", "escpos", "check failed", "turned off"):
        assert english not in every_text, english
    must = {"admin.finding.data_dir.unusable", "admin.finding.database.unreadable", "admin.finding.catalog.unavailable",
            "admin.finding.texts.incomplete", "admin.finding.queue.ok", "admin.finding.printer.network_down",
            "admin.finding.printer.folder_missing", "admin.finding.printer.serial_missing",
            "admin.finding.printer.folder_ok", "admin.finding.paper.misconfigured",
            "admin.finding.paper.ready", "admin.finding.paper.last_failed", "admin.finding.model.missing",
            "admin.finding.pad_model.missing", "admin.finding.face_off", "admin.finding.admin_pin.demo",
            "admin.finding.admin_pin.ok", "admin.finding.queue_host.down", "admin.finding.queue_host.none",
            "admin.finding.central.down", "admin.finding.central.none", "admin.finding.sync_backlog.counts",
            "admin.finding.camera.stand_in_missing", "admin.finding.camera.stand_in", "admin.finding.camera.unused",
            "admin.finding.disk.ok", "admin.finding.version.ok",
            "admin.finding.voice.no_id", "admin.finding.paper.none", "admin.finding.printer.none",
            "admin.finding.config.defaults"}
    assert must - keys == set()
    assert len(keys) >= 35
    # the only error logged is the broken catalog made above (logged by the catalog area itself)
    assert {r.name for r in allow_log_errors} <= {"kiosk.catalog.site"}, allow_log_errors


def test_a_crashing_check_says_so_in_indonesian(qtbot: Any, config: Config, pages: list[DiagnosticsPage],
                                               allow_log_errors: list[logging.LogRecord]) -> None:
    def broken(_config: Config) -> Any:
        raise ValueError("an English exception text")

    page = run_page(qtbot, config, [("printer", broken)], "id")
    pages.append(page)
    [row] = shown_rows(page)
    assert row.check.level == "error" and "an English exception text" in row.check.detail  # for the log
    assert row.detail.text() == Translator("id")("admin.finding.crashed")


def test_a_finding_without_a_key_never_shows_english_on_an_indonesian_screen(
        qtbot: Any, config: Config, pages: list[DiagnosticsPage]) -> None:
    def old_style(_config: Config) -> Any:
        return "warning", "something plain and English"

    page = run_page(qtbot, config, [("printer", old_style)], "id")
    pages.append(page)
    [row] = shown_rows(page)
    assert row.detail.text() == Translator("id")("admin.finding.untranslated")
    page = run_page(qtbot, config, [("printer", old_style)], "en")  # IT reading English sees the detail itself
    pages.append(page)
    assert shown_rows(page)[0].detail.text() == "something plain and English"


def test_the_english_screen_says_the_english_sentence(qtbot: Any, config: Config, tmp_path: Path,
                                                      pages: list[DiagnosticsPage]) -> None:
    folder = dataclasses.replace(config, printer=PrinterSection(kind="file", target=str(tmp_path / "nowhere")))
    page = run_page(qtbot, folder, [("printer", dict(CHECKS)["printer"])], "en")
    pages.append(page)
    [row] = shown_rows(page)
    assert row.detail.text() == f"The printer folder {tmp_path / 'nowhere'} is missing or not writable."
    assert row.check.detail == f"printer folder {tmp_path / 'nowhere'} missing or not writable"  # the log's
