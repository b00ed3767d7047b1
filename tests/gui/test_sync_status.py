"""The sync diagnostics panel for regional IT, over a real application store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.sync.engine import sync_status
from kiosk.sync.outbox import ApplicationStore
from kiosk.sync.outbox_values import Attachment, NewApplication
from kiosk.ui.admin.sync_status import SyncStatusPanel


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ApplicationStore]:
    opened = ApplicationStore(tmp_path / "apps")
    yield opened
    opened.close()


def file_some(store: ApplicationStore, count: int) -> list[str]:
    numbers = []
    for i in range(count):
        saved = store.save(NewApplication(id=str(uuid.uuid4()), service_code="KK", nik="3171014501900001",
                                          fields={"phone": f"08123456789{i}"},
                                          attachments=[Attachment("ktp", "image/jpeg", b"jpeg%d" % i)]))
        numbers.append(saved.number)
    return numbers


def test_counts_rejections_with_the_servers_message_and_sync_now(qtbot: Any, store: ApplicationStore) -> None:
    numbers = file_some(store, 3)
    first = store.items(state="pending")[0]
    store.mark_rejected(first.seq, "HTTP 422 invalid_phone: field 'phone' is not a mobile number")  # the engine's shape
    passes: list[int] = []

    def sync_now() -> dict[str, object]:
        """One pass as the engine makes it: every due entry sent (the engine has its own tests)."""
        due = store.due()
        for item in due:
            store.mark_sent(item.seq)
        store.set_meta({"last_success_at": "2026-11-23T05:00:00+00:00", "last_error": ""})
        passes.append(len(due))
        return {"sent": len(due), "error": ""}

    panel = SyncStatusPanel(lambda: sync_status(store), sync_now=sync_now, requeue=store.requeue,
                            t=Translator("id"))
    qtbot.addWidget(panel)
    panel.resize(1080, 1200)
    panel.show()
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        pass
    assert panel.count_labels["pending"].text() == "2"
    assert panel.count_labels["rejected"].text() == "1"
    rows = [w.text() for w in panel.findChildren(QLabel) if w.accessibleName() == "rejectedRow"]
    assert len(rows) == 1 and numbers[0] in rows[0]
    assert "Ditolak server pusat: kode invalid_phone (HTTP 422)" in rows[0] and "mobile" not in rows[0]
    details = [w.text() for w in panel.findChildren(QLabel) if w.accessibleName() == "rejectedDetail"]
    assert details == ["Rincian teknis (untuk laporan): HTTP 422 invalid_phone: field 'phone' is not a mobile number"]
    assert panel.last_sync.text() == "Sinkron terakhir: belum pernah"

    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.syncing and panel.count_labels["sent"].text() == "2", timeout=5000)
    assert passes == [2]
    assert panel.count_labels["pending"].text() == "0"
    assert panel.message.text().startswith("Selesai: 2 terkirim")
    assert "23-11-2026" in panel.last_sync.text()

    again = panel.findChild(QPushButton, f"requeue_{first.seq}")
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.count_labels["rejected"].text() == "0", timeout=5000)
    assert panel.count_labels["pending"].text() == "1"
    panel.shutdown()


def test_a_failing_sync_is_said_in_english(qtbot: Any, store: ApplicationStore) -> None:
    def sync_now() -> None:
        raise ConnectionError("central API at https://mpp.example unreachable")

    panel = SyncStatusPanel(lambda: sync_status(store), sync_now=sync_now, t=Translator("en"))
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        pass
    assert panel.title.text() == "Sync to MPP Digital"
    qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Sync failed" in panel.message.text(), timeout=5000)
    assert panel.message.text() == "Sync failed. " + Translator("en")("application.sync.problem.offline")
    assert "https://mpp.example" not in panel.message.text()  # the exception's text stays in the log
    assert panel.sync_button.isEnabled()
    panel.shutdown()


def sync_exceptions() -> list[tuple[BaseException, str, dict[str, str]]]:
    """The sync area's own exceptions (and the system's), with the kind the panel must see in each."""
    import errno
    import sqlite3

    from kiosk.sync.central_client import CentralAuthError, CentralRejected, CentralUnavailable, NotEnrolled

    return [
        (CentralUnavailable("POST /v1/records/survey: ConnectionError"), "offline", {}),
        (CentralUnavailable("POST /v1/records/survey: ReadTimeout"), "offline", {}),
        (CentralUnavailable("the central API did not confirm some records"), "offline", {}),
        (ConnectionRefusedError(111, "Connection refused"), "offline", {}),
        (CentralUnavailable("PUT /v1/applications/x: HTTP 503 maintenance: back at 02:00"), "server",
         {"status": "503"}),
        (CentralUnavailable("GET /v1/health: TLS certificate not trusted (SSLError)"), "tls", {}),
        (CentralRejected(422, "field 'phone' is not a mobile number", "invalid_phone"), "refused",
         {"status": "422", "code": "invalid_phone"}),
        (CentralRejected(400, "bad request"), "refused", {"status": "400", "code": "-"}),
        (CentralAuthError(401, "signature does not match", "bad_signature"), "not_accepted", {}),
        (NotEnrolled("this kiosk is not enrolled at the central API yet"), "not_enrolled", {}),
        (ValueError("no central API configured ([central] api_url)"), "not_configured", {}),
        (OSError(errno.ENOSPC, "No space left on device"), "disk_full", {}),
        (sqlite3.OperationalError("database or disk is full"), "disk_full", {}),
        (RuntimeError("something nobody foresaw"), "unknown", {}),
    ]


def test_every_kind_of_sync_error_is_a_sentence_in_the_screens_language() -> None:
    from kiosk.ui.admin.sync_status import sync_problem

    t = Translator("id")
    for exc, kind, values in sync_exceptions():
        problem = sync_problem(exc)
        assert problem.kind == kind, (exc, problem)
        assert {k: problem.params[k] for k in values} == values, problem
        sentence = problem.sentence(t)
        assert str(exc) not in sentence and sentence == t(f"application.sync.problem.{kind}", **problem.params)
        # the English is shown (smaller, labelled) only where it is what IT quotes: a refusal, an unknown error
        assert bool(problem.detail(t)) == (kind in ("refused", "conflict", "unknown"))
    for reason, kind in (("conflict: a different record with this id exists", "conflict"),
                         ("cannot be sent: attachment 0123456789ab… is no longer stored", "data_gone"),
                         ("application MPP-1: its data was deleted by the retention job", "data_gone")):
        assert sync_problem(reason).kind == kind, reason


def test_a_real_failed_sync_is_said_in_indonesian(qtbot: Any, tmp_path: Path, config: Config) -> None:
    """The real engine, not enrolled and then with the central API gone: Indonesian sentences, no English."""
    import dataclasses

    from central_api.app import RunningCentral
    from kiosk.setup.actions import enroll_device
    from kiosk.sync.engine import engine_for_config

    central = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=["sync-code-2"])
    online = dataclasses.replace(config, central=dataclasses.replace(config.central, api_url=central.url,
                                                                     allow_insecure_http=True))
    store = ApplicationStore(online.data_dir)
    t = Translator("id")
    try:
        store.enqueue_record("survey", "resp-1", {"u1": 4, "ticket": "A-001"})
        engine = engine_for_config(online, store)
        panel = SyncStatusPanel(lambda: sync_status(store), sync_now=lambda: engine.sync_once(), t=t)
        qtbot.addWidget(panel)
        panel.show()
        with qtbot.waitSignal(panel.refreshed, timeout=5000):
            pass
        qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)  # not enrolled yet
        qtbot.waitUntil(lambda: not panel.syncing and panel.message.text().startswith("Sinkronisasi gagal"),
                        timeout=10_000)
        assert panel.message.text() == "Sinkronisasi gagal. " + t("application.sync.problem.not_enrolled")
        engine.close()
        enroll_device(central.url, "sync-code-2", online.device.id, online.data_dir, allow_insecure_http=True)
        engine = engine_for_config(online, store)
        central.stop()  # the central API goes away
        with qtbot.waitSignal(panel.refreshed, timeout=15_000):
            qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.syncing, timeout=15_000)
        offline = t("application.sync.problem.offline")
        assert panel.message.text() == "Sinkronisasi gagal. " + offline
        assert panel.last_error.text() == t("application.sync.last_error", error=offline)
        assert not panel.last_error_detail.isVisible()  # the English ("POST ...: ConnectionError") is in the log
        assert store.last_sync().get("last_error")  # ... and in the store, for kiosk sync-status
        english = str(store.last_sync()["last_error"])
        assert all(english not in w.text() for w in panel.findChildren(QLabel))
        panel.shutdown()
        engine.close()
    finally:
        store.close()
        central.stop()
