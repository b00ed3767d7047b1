"""The diagnostics screen with one component failing at a time: a stopped queue host (a real
closed port), a missing printer, a missing face model, a nearly full disk, a damaged database.
Each failing row says what to do; the others stay fine."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config, PrinterSection, QueueSection
from kiosk.core import open_engine
from kiosk.i18n import Translator
from kiosk.queue.host import create_app
from kiosk.queue.server import RunningServer
from kiosk.setup.checks import CHECKS
from kiosk.ui.admin.diagnostics import DiagnosticsPage

NETWORK = ["queue_host", "printer", "model", "disk", "database", "camera", "version", "central"]


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_page(qtbot, config: Config, names: list[str] = NETWORK, lang: str = "en") -> DiagnosticsPage:
    checks = [(n, f) for n, f in CHECKS if n in names]
    page = DiagnosticsPage(config, Translator(lang), checks=checks)
    qtbot.addWidget(page)
    page.resize(1080, 1600)
    page.show()
    with qtbot.waitSignal(page.finished, timeout=20_000):
        page.run()
    return page


def levels(page: DiagnosticsPage) -> dict[str, str]:
    return {c.name: c.level for c in page.results}


@pytest.fixture
def page_cleanup() -> Iterator[list[DiagnosticsPage]]:
    pages: list[DiagnosticsPage] = []
    yield pages
    for page in pages:
        page.shutdown()


def test_healthy_machine_has_no_problems(qtbot, config: Config, page_cleanup) -> None:
    page = run_page(qtbot, config)
    page_cleanup.append(page)
    found = levels(page)
    assert set(found) == set(NETWORK)
    assert "error" not in found.values(), page.results
    assert page.run_button.isEnabled()


def test_queue_host_down_is_an_error_with_advice(qtbot, config: Config, page_cleanup) -> None:
    down = dataclasses.replace(config, queue=QueueSection(host_url=f"http://127.0.0.1:{closed_port()}",
                                                          device_token="t" * 24))
    page = run_page(qtbot, down, ["queue_host", "version"], lang="id")
    page_cleanup.append(page)
    check = page.result("queue_host")
    assert check is not None and check.level == "error" and "not reachable" in check.detail
    assert levels(page)["version"] == "ok"
    row_texts = [w.text() for w in page.list_widget.findChildren(type(page.progress))]
    assert any("server antrean" in text.lower() and text.startswith("→") for text in row_texts)
    assert "1 masalah" in page.progress.text()


def test_running_queue_host_reports_latency_and_clock_offset(qtbot, config: Config, page_cleanup) -> None:
    catalog, _ = load_site_catalog(config)
    engine = open_engine(config, catalog)
    server = RunningServer(create_app(engine, {}))
    try:
        up = dataclasses.replace(config, queue=QueueSection(host_url=server.url, device_token="t" * 24))
        page = run_page(qtbot, up, ["queue_host"])
        page_cleanup.append(page)
        check = page.result("queue_host")
        assert check is not None and check.level == "ok", check
        assert "clock offset" in check.detail
    finally:
        server.stop()
        engine.close()


def test_missing_printer_is_an_error(qtbot, config: Config, page_cleanup, tmp_path: Path) -> None:
    network = dataclasses.replace(config, printer=PrinterSection(kind="escpos-network",
                                                                 target=f"127.0.0.1:{closed_port()}"))
    page = run_page(qtbot, network, ["printer", "model"])
    page_cleanup.append(page)
    assert levels(page) == {"printer": "error", "model": "ok"}
    folder = dataclasses.replace(config, printer=PrinterSection(kind="file", target=str(tmp_path / "nowhere")))
    page = run_page(qtbot, folder, ["printer"])
    page_cleanup.append(page)
    assert page.result("printer").level == "error"  # type: ignore[union-attr]


def test_missing_face_model_is_an_error(qtbot, config: Config, page_cleanup, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    monkeypatch.setenv("KIOSK_MODEL_DIR", str(empty))
    from kiosk.config.schema import FaceSection

    face_on = dataclasses.replace(config, face=FaceSection(enabled=True))
    page = run_page(qtbot, face_on, ["model", "printer"])
    page_cleanup.append(page)
    assert levels(page) == {"model": "error", "printer": "ok"}
    assert str(empty) in page.result("model").detail  # type: ignore[union-attr]
    face_off = dataclasses.replace(config, face=FaceSection(enabled=False))  # no face step: nothing to fix
    page = run_page(qtbot, face_off, ["model"])
    page_cleanup.append(page)
    assert levels(page) == {"model": "ok"} and "turned off" in page.result("model").detail  # type: ignore[union-attr]


def test_damaged_database_is_an_error(qtbot, config: Config, page_cleanup) -> None:
    (config.data_dir / "queue.db").write_bytes(b"this is not a database" * 100)
    page = run_page(qtbot, config, ["database", "disk"])
    page_cleanup.append(page)
    assert levels(page) == {"database": "error", "disk": "ok"}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[object]:
    import os
    import subprocess

    mounts: list[Path] = []

    def make(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a small file system")
        point = tmp_path / f"mnt{len(mounts)}"
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                                capture_output=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount tmpfs here: {result.stderr.decode().strip()}")
        mounts.append(point)
        return point

    yield make
    for point in mounts:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_nearly_full_disk_warns_then_errors(qtbot, config: Config, page_cleanup, small_disk) -> None:
    low = small_disk("200m")  # type: ignore[operator]
    page = run_page(qtbot, dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(low))),
                    ["disk", "data_dir"])
    page_cleanup.append(page)
    assert levels(page) == {"disk": "warning", "data_dir": "warning"}
    full = small_disk("2m")  # type: ignore[operator]
    page = run_page(qtbot, dataclasses.replace(config, device=dataclasses.replace(config.device, data_dir=str(full))),
                    ["disk", "data_dir"])
    page_cleanup.append(page)
    assert levels(page) == {"disk": "error", "data_dir": "error"}
    assert page.result("disk").advice_key == "admin.advice.disk"  # type: ignore[union-attr]


def test_check_again_reruns_and_sees_the_repair(qtbot, config: Config, page_cleanup, tmp_path: Path) -> None:
    folder = tmp_path / "tickets"
    page = run_page(qtbot, dataclasses.replace(config, printer=PrinterSection(kind="file", target=str(folder))),
                    ["printer"])
    page_cleanup.append(page)
    assert page.result("printer").level == "error"  # type: ignore[union-attr]
    folder.mkdir()
    with qtbot.waitSignal(page.finished, timeout=10_000):
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.result("printer").level == "ok"  # type: ignore[union-attr]
    assert len(page.results) == 1


def test_old_unsent_records_are_a_warning(qtbot, config: Config, page_cleanup) -> None:
    from datetime import datetime, timedelta

    from kiosk.sync.outbox import ApplicationStore

    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    store = ApplicationStore(config.data_dir, clock=lambda: two_days_ago)
    try:
        store.enqueue_record("survey", "resp-1", {"u1": 4})
    finally:
        store.close()
    page = run_page(qtbot, config, ["sync_backlog"])
    page_cleanup.append(page)
    check = page.result("sync_backlog")
    assert check is not None and check.level == "warning" and check.advice_key == "admin.advice.sync"
    assert "1 waiting" in check.detail and "oldest 48" in check.detail
