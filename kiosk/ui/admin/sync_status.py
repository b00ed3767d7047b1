"""Sync diagnostics for regional IT: what waits, what the central API refused and why, when it last synced.

A plain QWidget so the admin menu can embed it (``SyncStatusPanel(read_status, sync_now=...)``). It
never touches the store or the network itself: ``read_status`` returns the JSON picture of
:func:`kiosk.sync.engine.sync_status` and ``sync_now`` runs one sync pass (e.g.
``kiosk.setup.actions.sync_now``); both run on the panel's own background thread, so a hung
network never freezes the kiosk. ``requeue`` (``ApplicationStore.requeue``) sends a rejected entry
again once IT has fixed its cause.

:class:`DemoCentralPanel` is a small window shown only by ``kiosk demo``: the central API's state with
a button to take it off line and back, and this panel over the background sync's outbox, so a
presenter can show applications waiting and then draining.

Errors reach this panel as English text (an exception, the engine's ``last_error``, the central API's
refusal stored with an entry). :func:`sync_problem` sorts them by kind into a sentence in the screen's
language (``application.sync.problem.*``). The English stays in the log; it is also shown, smaller and
labelled, under the sentence only for a refusal (a code or a conflict) or an unknown error: there the
central API's code and message (its words, not ours) or the raw error are what IT quotes in a ticket to
MPP Digital (copied from the screen: a locked kiosk's log is not at hand), whereas for "offline",
"server busy" or "disk full" the sentence already says everything one can act on.
"""

from __future__ import annotations

import errno
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.qt.background_sync import BackgroundSync
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale, kiosk_style
from kiosk.ui.qt.widgets import button, card, label, restyle

log = logging.getLogger(__name__)

STATES = ("pending", "sending", "sent", "rejected")

StatusReader = Callable[[], Mapping[str, Any]]

# (pattern in the English error, kind), first match wins. The shapes are the sync area's messages
# (kiosk.sync.central_client / engine / outbox); tests/gui/test_sync_status.py feeds the real exceptions.
_KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), kind) for p, kind in (
    (r"no space left|disk is full|disk full", "disk_full"),
    (r"not enrolled", "not_enrolled"),
    (r"does not accept this kiosk", "not_accepted"),
    (r"device credentials", "credentials"),
    (r"no central api configured", "not_configured"),
    (r"TLS certificate", "tls"),
    (r"HTTP (?P<status>5\d\d|408|429)\b", "server"),
    (r"HTTP (?P<status>401|403)(?: (?P<code>[\w.-]+))?:", "not_accepted"),
    (r"^(?:cannot be sent: )?(?:application|attachment) .*(?:not in the store|deleted|no longer stored|integrity)",
     "data_gone"),
    (r"HTTP (?P<status>\d{3})(?: (?P<code>[\w.-]+))?:", "refused"),
    (r"^conflict:", "conflict"),
    (r"unreachable|refused|timed? ?out|ConnectionError|ConnectTimeout|ReadTimeout|no answer|not confirm"
     r"|Name or service|Network is unreachable|Max retries", "offline"),
))
DETAILED = frozenset({"refused", "conflict", "unknown"})  # the English is shown too (module docstring)


@dataclass(frozen=True)
class SyncProblem:
    """One sync error sorted by kind: the i18n key's values, and the English it came from."""

    kind: str
    technical: str
    params: dict[str, str] = field(default_factory=dict)

    def sentence(self, t: Translator) -> str:
        return t(f"application.sync.problem.{self.kind}", **self.params)

    def detail(self, t: Translator) -> str:
        """The smaller "technical detail" line, or "" when the English stays in the log only."""
        return t("application.sync.problem.detail", text=self.technical) if self.kind in DETAILED else ""


def sync_problem(error: BaseException | str) -> SyncProblem:
    """Which kind of sync error this is (offline, refused with the central API's code, disk full...)."""
    technical = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return SyncProblem("disk_full", technical)
    for pattern, kind in _KINDS:
        found = pattern.search(technical)
        if found:
            values = {k: v or "-" for k, v in found.groupdict().items()}
            return SyncProblem(kind, technical, values)
    if isinstance(error, (ConnectionError, TimeoutError)):
        return SyncProblem("offline", technical)
    return SyncProblem("unknown", technical)


def _when(text: str | None, t: Translator) -> str:
    """An ISO time as local "23-11-2026 14:05"; "never" when missing."""
    if not text:
        return t("application.sync.never")
    try:
        moment = datetime.fromisoformat(str(text)).astimezone()
    except ValueError:
        return str(text)
    return moment.strftime("%d-%m-%Y %H:%M")


class SyncStatusPanel(QWidget):
    """Counts per state, the rejected entries with the server's message, last sync, "sync now"."""

    refreshed = Signal()
    synced = Signal(object)

    def __init__(self, read_status: StatusReader, *, sync_now: Callable[[], Any] | None = None,
                 requeue: Callable[[int], bool] | None = None, t: Translator | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.read_status = read_status
        self.sync_now_job = sync_now
        self.requeue_job = requeue
        self.t = t or Translator()
        self.status: Mapping[str, Any] | None = None
        self.runner = TaskRunner("sync-status", self)
        self.syncing = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(16)
        self.title = label("", "title")
        outer.addWidget(self.title)
        counts = QGridLayout()
        counts.setSpacing(14)
        self.count_labels: dict[str, Any] = {}
        self.state_labels: dict[str, Any] = {}
        for column, state in enumerate(STATES):
            frame, box = card()
            frame.setObjectName("card")
            number = label("0", "title", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
            number.setAccessibleName(f"count_{state}")
            caption = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
            box.addWidget(number)
            box.addWidget(caption)
            self.count_labels[state], self.state_labels[state] = number, caption
            counts.addWidget(frame, 0, column)
        outer.addLayout(counts)
        self.last_sync = label("", "body")
        self.last_error = label("", "fieldError")
        self.last_error_detail = label("", "note")  # the English for IT, only for some kinds (see above)
        self.last_error_detail.setAccessibleName("syncErrorDetail")
        self.last_error_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = label("", "note")
        outer.addWidget(self.last_sync)
        outer.addWidget(self.last_error)
        outer.addWidget(self.last_error_detail)
        self.rejected_title = label("", "sectionTitle")
        outer.addWidget(self.rejected_title)
        self.rejected_host = QWidget()
        self.rejected_box = QVBoxLayout(self.rejected_host)
        self.rejected_box.setContentsMargins(0, 0, 0, 0)
        self.rejected_box.setSpacing(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rejected_host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.message)
        actions = QHBoxLayout()
        actions.setSpacing(14)
        self.refresh_button = button("", "", self.refresh, name="syncRefresh")
        self.sync_button = button("", "primary", self.sync_now, name="syncNow")
        self.sync_button.setVisible(sync_now is not None)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.sync_button, 2)
        outer.addLayout(actions)
        self.rejected_rows: list[QFrame] = []
        self.retranslate(self.t)
        self.refresh()

    # -- work off the GUI thread -----------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.run(self.read_status, on_done=self._show, on_error=self._unreadable)

    def sync_now(self) -> None:
        if self.sync_now_job is None or self.syncing:
            return
        self.syncing = True
        self._say(self.t("application.sync.syncing"))
        self._update_buttons()
        self.runner.run(self.sync_now_job, on_done=self._sync_done, on_error=self._sync_failed)

    def _sync_done(self, report: Any) -> None:
        self.syncing = False
        self.synced.emit(report)
        self.refresh()
        counts = (self.status or {}).get("counts", {})
        sent = getattr(report, "sent", None)
        if sent is None and isinstance(report, Mapping):
            sent = report.get("sent", 0)
        error = getattr(report, "error", "") or (report.get("error", "") if isinstance(report, Mapping) else "")
        if error:
            self._say(self.t("application.sync.failed", reason=sync_problem(error).sentence(self.t)), error=True)
        else:
            self._say(self.t("application.sync.done", sent=sent or 0, pending=counts.get("pending", 0)))
        self._update_buttons()

    def _sync_failed(self, exc: BaseException) -> None:
        self.syncing = False
        log.warning("sync now failed: %s", exc)
        self._say(self.t("application.sync.failed", reason=sync_problem(exc).sentence(self.t)), error=True)
        self._update_buttons()
        self.refresh()

    def _requeue(self, seq: int) -> None:
        if self.requeue_job is None:
            return
        job = self.requeue_job
        self.runner.run(lambda: job(seq), on_done=lambda _ok: self.refresh(), on_error=self._unreadable)

    def _unreadable(self, exc: BaseException) -> None:
        log.warning("sync status unavailable: %s", exc)
        self._say(self.t("application.sync.unavailable", reason=sync_problem(exc).sentence(self.t)), error=True)

    # -- showing ---------------------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.title.setText(t("application.sync.title"))
        for state in STATES:
            self.state_labels[state].setText(t(f"application.state.{state}"))
        self.rejected_title.setText(t("application.sync.rejected_title"))
        self.refresh_button.setText(t("application.sync.refresh"))
        self._update_buttons()
        if self.status is not None:
            self._show(self.status)

    def _update_buttons(self) -> None:
        self.sync_button.setText(self.t("application.sync.syncing" if self.syncing else "application.sync.sync_now"))
        self.sync_button.setEnabled(not self.syncing)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setObjectName("fieldError" if error else "note")
        self.message.setText(text)
        restyle(self.message, "error", error)

    def _show(self, status: Mapping[str, Any]) -> None:
        t = self.t
        self.status = status
        counts = status.get("counts", {})
        for state in STATES:
            self.count_labels[state].setText(str(counts.get(state, 0)))
        restyle(self.count_labels["rejected"], "alert", bool(counts.get("rejected")))
        self.last_sync.setText(t("application.sync.last_sync", when=_when(status.get("last_success_at"), t)))
        error = str(status.get("last_error") or "")
        problem = sync_problem(error) if error else None
        self.last_error.setText(t("application.sync.last_error", error=problem.sentence(t)) if problem else "")
        self.last_error.setVisible(problem is not None)
        detail = problem.detail(t) if problem else ""
        self.last_error_detail.setText(detail)
        self.last_error_detail.setVisible(bool(detail))
        for row in self.rejected_rows:
            row.hide()
            row.deleteLater()
        self.rejected_rows = []
        while self.rejected_box.count():
            self.rejected_box.takeAt(0)
        rejected = list(status.get("rejected", []))
        if not rejected:
            empty = QFrame()
            box = QVBoxLayout(empty)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(label(t("application.sync.no_rejected"), "note"))
            self.rejected_box.addWidget(empty)
            self.rejected_rows.append(empty)
        for item in rejected:
            frame, box = card()
            line = QHBoxLayout()
            reason = str(item.get("reason") or "")
            problem = sync_problem(reason) if reason else None
            words = QVBoxLayout()
            text = label(t("application.sync.rejected_row", number=item.get("number") or item.get("id", ""),
                           service=item.get("service_code") or item.get("kind", ""),
                           when=_when(item.get("created_at"), t),
                           message=problem.sentence(t) if problem else t("application.sync.no_message")), "body")
            text.setAccessibleName("rejectedRow")
            words.addWidget(text)
            detail = problem.detail(t) if problem else ""
            if detail:
                technical = label(detail, "note")
                technical.setAccessibleName("rejectedDetail")
                technical.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                words.addWidget(technical)
            line.addLayout(words, 1)
            if self.requeue_job is not None and item.get("seq") is not None:
                seq = int(item["seq"])
                again = button(t("application.sync.requeue"), "small", partial(self._requeue, seq),
                               name=f"requeue_{seq}")
                line.addWidget(again)
            box.addLayout(line)
            self.rejected_box.addWidget(frame)
            self.rejected_rows.append(frame)
        self.rejected_box.addStretch(1)
        self.refreshed.emit()

    def shutdown(self) -> None:
        self.runner.stop()


class DemoCentralPanel(QWidget):
    """``kiosk demo`` only: unplug / plug the demo's central API and watch the outbox."""

    def __init__(self, central: Any, sync: BackgroundSync, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoCentral")
        self.central, self.sync = central, sync
        self.t = Translator(lang)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 16)
        self.state = label("", "title")
        self.toggle = button("", "primary", self.toggle_online, name="demoCentralToggle")
        # No "sync now" button here: a second pass beside the worker's would race it on the same
        # outbox; reconnecting (below) asks the worker for a pass instead.
        self.panel = SyncStatusPanel(sync.status, t=self.t)
        sync.worker.synced.connect(lambda _report: self.panel.refresh())
        box.addWidget(self.state)
        box.addWidget(self.toggle)
        box.addWidget(self.panel, 1)
        self.setStyleSheet(kiosk_style(Scale.for_size(900, 1100)))
        self._show()

    def toggle_online(self) -> None:
        self.central.set_online(not self.central.online)
        log.info("demo: central API %s", "online" if self.central.online else "offline")
        if self.central.online:
            self.sync.worker.sync_now()  # drain now rather than at the next timed pass
        self._show()

    def _show(self) -> None:
        online = self.central.online
        self.state.setText(self.t("demo.central_online" if online else "demo.central_offline", url=self.central.url))
        self.toggle.setText(self.t("demo.go_offline" if online else "demo.go_online"))
        self.setWindowTitle(self.t("demo.window_title"))

    def shutdown(self) -> None:
        self.panel.shutdown()
