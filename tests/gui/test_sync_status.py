"""The sync diagnostics panel for regional IT, over a real application store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

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


def test_counts_rejections_with_the_servers_message_and_sync_now(qtbot, store: ApplicationStore) -> None:
    numbers = file_some(store, 3)
    first = store.items(state="pending")[0]
    store.mark_rejected(first.seq, "422: field 'phone' is not a mobile number")
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
    assert len(rows) == 1 and numbers[0] in rows[0] and "is not a mobile number" in rows[0]
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


def test_a_failing_sync_is_said_in_english(qtbot, store: ApplicationStore) -> None:
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
    assert "unreachable" in panel.message.text()
    assert panel.sync_button.isEnabled()
    panel.shutdown()
