"""The complaint officer's console (``kiosk run complaints``): sign in, the list, one complaint, the export.

It is handed :class:`kiosk.core.ComplaintDeskParts` (the client, the officers, the clocks' calendar);
every call to the central API runs on the window's worker thread with a moving bar, and a failure
shows a banner: offline (try again, nothing typed is lost: the action keeps its id, so a retry is
applied once), not enrolled (IT must act), refused by the rules (the list is read again). Signing
out forgets the complaints shown and the drafts: the next person at this desk sees none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDate, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.complaints.desk import (
    ActionKind,
    ActionRefused,
    ComplaintNotFound,
    DeskError,
    DeskNotEnrolled,
    DeskOffline,
    OfficerAction,
)
from kiosk.complaints.lapor import ExportFormat, ExportSelection, lapor_rows, render
from kiosk.complaints.record import ComplaintRecord
from kiosk.complaints.states import Action, ActionRequest, Outcome, action_problems
from kiosk.config.site_file import atomic_write
from kiosk.core import ComplaintDeskParts
from kiosk.i18n import Translator
from kiosk.staff.directory import StaffMember
from kiosk.ui.complaints.detail_page import ComplaintDetailPage
from kiosk.ui.complaints.list_page import ComplaintListPage
from kiosk.ui.qt.sign_in import SignInPanel
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import DANGER, EDGE, PRIMARY, PRIMARY_DARK, SURFACE, Scale, console_style
from kiosk.ui.qt.widgets import button, label, restyle

log = logging.getLogger(__name__)
REFRESH_MS = 60_000
EXTRA_STYLE = f"""
QLabel#deskBanner {{ background: {DANGER}; color: white; font-weight: 700; padding: 12px; }}
QLabel[error="true"] {{ color: {DANGER}; font-weight: 700; }}
QTableWidget, QPlainTextEdit, QLineEdit, QDateEdit {{ font-size: 20px; }}
QLineEdit, QDateEdit {{ min-height: 52px; padding: 0 8px; border: 2px solid {EDGE}; border-radius: 8px; }}
QPlainTextEdit {{ border: 2px solid {EDGE}; border-radius: 8px; }}
QCheckBox::indicator {{ width: 30px; height: 30px; }}
QPushButton[variant="tab"]:checked {{ background: {PRIMARY}; color: white; border-color: {PRIMARY_DARK}; }}
QLabel#complaintText {{ background: {SURFACE}; border-left: 6px solid {PRIMARY}; padding: 14px;
                        font-size: 22px; }}
"""


class ComplaintConsole(QWidget):
    """One officer's desk. ``now`` and ``choose_export_path`` are seams for tests and the self-test."""

    def __init__(self, parts: ComplaintDeskParts, *, language: str = "id",
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 choose_export_path: Callable[[str], Path | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintConsole")
        self.parts, self.now, self.t = parts, now, Translator(language)
        self.choose_export_path = choose_export_path or self._ask_export_path
        self.officer: StaffMember | None = None
        self.pending: dict[str, OfficerAction] = {}  # complaint id -> the action not yet confirmed
        self.session = 0  # one per sign-in: an answer that arrives after sign-out is dropped
        self.runner = TaskRunner("complaint-desk", self)
        self.setStyleSheet(console_style(Scale(unit=0.85)) + EXTRA_STYLE)
        self.setMinimumSize(1100, 720)

        root = QVBoxLayout(self)
        root.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        self.title = label("", "sectionTitle", wrap=False)
        self.officer_label = label("", "note", wrap=False)
        self.refresh_button = button("", "", self.refresh, name="refreshButton")
        self.sign_out_button = button("", "", self.sign_out, name="signOutButton")
        for widget in (self.title, self.officer_label):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.sign_out_button)
        root.addLayout(top)
        self.banner = label("", "deskBanner")
        self.banner.setObjectName("deskBanner")
        self.banner.hide()
        self.busy = QProgressBar()
        self.busy.setObjectName("busyBar")
        self.busy.setRange(0, 0)  # moving: the length of a network call is not known
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.hide()
        root.addWidget(self.banner)
        root.addWidget(self.busy)

        self.pages = QStackedWidget()
        self.sign_in = SignInPanel(parts.officers, (), self.t, self.runner, title_key="complaint_console.login_title")
        self.sign_in.signed_in.connect(self._signed_in)
        self.list_page = ComplaintListPage(self.t, parts.calendar, parts.tz, self.now)
        self.list_page.opened.connect(self.open_complaint)
        self.detail = ComplaintDetailPage(self.t, parts.calendar, parts.tz)
        self.detail.back.connect(self.show_list)
        self.detail.acted.connect(self._act)
        list_holder = QWidget()
        list_column = QVBoxLayout(list_holder)
        list_column.setContentsMargins(0, 0, 0, 0)
        list_column.addWidget(self.list_page, 1)
        list_column.addLayout(self._export_row())
        for page in (self.sign_in, list_holder, self.detail):
            self.pages.addWidget(page)
        self.list_holder = list_holder
        root.addWidget(self.pages, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._timed_refresh)
        self.retranslate()
        self._show_signed_out()

    def _export_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.export_since_caption = label("", "caption", wrap=False)
        self.export_since = QDateEdit()
        self.export_since.setObjectName("exportSince")
        self.export_since.setCalendarPopup(True)
        self.export_since.setDisplayFormat("dd-MM-yyyy")
        today = self.now().astimezone(self.parts.tz).date()
        self.export_since.setDate(QDate(today.year, today.month, 1))
        self.export_referrals = QCheckBox()
        self.export_referrals.setObjectName("exportReferralsOnly")
        self.export_referrals.setChecked(True)
        self.export_button = button("", "", self.export, name="exportButton")
        self.export_message = label("", "message")
        self.export_message.setObjectName("exportMessage")
        row.addWidget(self.export_since_caption)
        row.addWidget(self.export_since)
        row.addWidget(self.export_referrals)
        row.addWidget(self.export_button)
        row.addWidget(self.export_message, 1)
        return row

    # -- signing in and out -------------------------------------------------------------------

    def _show_signed_out(self) -> None:
        self.pages.setCurrentWidget(self.sign_in)
        for widget in (self.refresh_button, self.sign_out_button, self.officer_label):
            widget.hide()
        officers = self.parts.officers
        if officers is None or not officers.members:
            self.sign_in.say(self.t("complaint_console.no_officers"), error=True)
            self.sign_in.sign_in_button.setEnabled(False)

    def _signed_in(self, member: StaffMember) -> None:
        self.officer = member
        self.officer_label.setText(self.t("complaint_console.signed_in_as", name=member.name))
        for widget in (self.refresh_button, self.sign_out_button, self.officer_label):
            widget.show()
        self.show_list()
        if self.parts.desk is None or self.parts.problem:
            self._banner(self.t(f"complaint_console.problem.{self.parts.problem or 'no_central'}"))
        self.refresh()
        self.timer.start()

    def sign_out(self) -> None:
        """Forget the officer, the complaints shown and what was typed: the desk may be shared."""
        self.timer.stop()
        self.officer = None
        self.session += 1
        self.pending.clear()
        self.detail.drafts.clear()
        self.detail.record = None
        self.list_page.set_records([])
        self.sign_in.reset(0)
        self._banner("")
        self.export_message.setText("")
        self._show_signed_out()

    # -- reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        desk = self.parts.desk
        if desk is None or self.officer is None:
            return
        self._run(lambda: desk.list("all"), self._listed)

    def _timed_refresh(self) -> None:
        if not self.runner.busy:
            self.refresh()

    def _listed(self, records: list[ComplaintRecord]) -> None:
        self._banner("")
        self.list_page.set_records(records)
        current = self.detail.record
        if current is not None:
            fresh = next((r for r in records if r.id == current.id), None)
            if fresh is not None:
                self.detail.show_record(fresh, self.now())

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_holder)

    def open_complaint(self, complaint_id: str) -> None:
        record = next((r for r in self.list_page.records if r.id == complaint_id), None)
        if record is None:
            return
        self.detail.show_record(record, self.now())
        self.pages.setCurrentWidget(self.detail)

    # -- acting -------------------------------------------------------------------------------

    def _act(self, action: str, complaint_id: str) -> None:
        desk, officer = self.parts.desk, self.officer
        if desk is None or officer is None:
            return
        text = self.detail.typed()
        agency = self.detail.agency_text() if action == "forward" else None
        outcome = self.detail.outcome_value() if action == "close" else None
        problems = action_problems(ActionRequest(Action(action), text, officer.id, agency or None,
                                                 Outcome(outcome) if outcome else None))
        if problems:  # the central API's own rules, said in the officer's language before sending
            field, key = problems[0]
            self.detail.say(self.t(key), error=True)
            self.detail.point_at(field)
            return
        earlier = self.pending.get(complaint_id)
        if earlier is not None and (earlier.action, earlier.text, earlier.agency, earlier.outcome) == \
                (action, text, agency, outcome):
            request = earlier  # the same request again after an outage: same id, applied once
        else:
            request = OfficerAction(action=cast("ActionKind", action), text=text, officer=officer.id,
                                    agency=agency, outcome=outcome)
        self.pending[complaint_id] = request
        self.detail.set_busy(True)
        self.detail.say(self.t("complaint_console.sending"))
        self._run(lambda: desk.act(complaint_id, request), lambda record: self._acted(record, request),
                  on_error=lambda exc: self._act_failed(exc, complaint_id))

    def _acted(self, record: ComplaintRecord, request: OfficerAction) -> None:
        self.pending.pop(record.id, None)
        self.detail.sent(record.id)
        self.detail.set_busy(False)
        self._banner("")
        self.list_page.set_records([record if r.id == record.id else r for r in self.list_page.records])
        self.detail.show_record(record, self.now())
        self.detail.say(self.t(f"complaint_console.done.{request.action}"))

    def _act_failed(self, exc: BaseException, complaint_id: str) -> None:
        self.detail.set_busy(False)
        if isinstance(exc, ActionRefused):
            self.pending.pop(complaint_id, None)
            self.detail.say(self.t("complaint_console.refused"), error=True)
            self.refresh()  # someone else acted first: show where it stands now
            return
        if isinstance(exc, DeskOffline):
            self.detail.say(self.t("complaint_console.kept_for_retry"), error=True)
        elif not isinstance(exc, DeskNotEnrolled):
            self.pending.pop(complaint_id, None)
            self.detail.say(self.t("complaint_console.failed", reason=str(exc)), error=True)
        self._failed(exc)

    # -- the SP4N-LAPOR! export ---------------------------------------------------------------

    def export(self) -> None:
        desk = self.parts.desk
        if desk is None or self.officer is None:
            return
        since_q = self.export_since.date()
        selection = ExportSelection(since=date(since_q.year(), since_q.month(), since_q.day()),
                                    referrals_only=self.export_referrals.isChecked())
        path = self.choose_export_path(f"sp4n-lapor-{self.parts.mpp_code}-{selection.since}.csv")
        if path is None:
            return
        fmt: ExportFormat = "json" if path.suffix.lower() == ".json" else "csv"
        parts, now = self.parts, self.now()

        def job() -> int:
            rows = lapor_rows(desk.list("all"), selection, calendar=parts.calendar, now=now, tz=parts.tz)
            atomic_write(path, render(rows, fmt, mpp_code=parts.mpp_code, generated_at=now.astimezone(parts.tz),
                                      selection=selection))
            return len(rows)

        self.export_message.setText(self.t("complaint_console.exporting"))
        restyle(self.export_message, "error", False)
        self._run(job, lambda n: self._exported(n, path),
                  on_error=lambda exc: self._export_failed(exc, path))

    def _exported(self, count: int, path: Path) -> None:
        self._banner("")
        self.export_message.setText(self.t("complaint_console.exported", count=count, path=str(path)))

    def _export_failed(self, exc: BaseException, path: Path) -> None:
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            self.export_message.setText(self.t("complaint_console.export_failed", path=str(path), reason=reason))
        else:
            self.export_message.setText(self.t("complaint_console.export_not_fetched"))
            self._failed(exc)
        restyle(self.export_message, "error", True)

    def _ask_export_path(self, suggested: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(self, self.t("complaint_console.export"),
                                                      str(Path.home() / suggested), "CSV (*.csv);;JSON (*.json)")
        return Path(chosen) if chosen else None

    # -- plumbing -----------------------------------------------------------------------------

    def _run(self, job: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None] | None = None) -> None:
        self.busy.show()
        session = self.session

        def done(value: Any) -> None:
            self.busy.setVisible(self.runner.busy)
            if session == self.session:
                on_done(value)

        def failed(exc: BaseException) -> None:
            self.busy.setVisible(self.runner.busy)
            if session == self.session:
                (on_error or self._failed)(exc)

        self.runner.run(job, on_done=done, on_error=failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DeskOffline):
            self._banner(self.t("complaint_console.offline"))
        elif isinstance(exc, DeskNotEnrolled):
            self._banner(self.t("complaint_console.problem.not_enrolled"))
        elif isinstance(exc, ComplaintNotFound):
            self._banner(self.t("complaint_console.not_found"))
            self.refresh()
        elif isinstance(exc, DeskError):
            self._banner(self.t("complaint_console.failed", reason=str(exc)))
        else:
            log.error("complaint console job failed", exc_info=exc)
            self._banner(self.t("complaint_console.failed", reason=type(exc).__name__))

    def _banner(self, text: str) -> None:
        self.banner.setText(f"⚠ {text}" if text else "")
        self.banner.setVisible(bool(text))

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("complaint_console.title"))
        self.refresh_button.setText(t("complaint_console.refresh"))
        self.sign_out_button.setText(t("counter.sign_out"))
        self.export_since_caption.setText(t("complaint_console.export_since"))
        self.export_referrals.setText(t("complaint_console.export_referrals_only"))
        self.export_button.setText(t("complaint_console.export"))
        self.sign_in.retranslate(t)
        self.list_page.retranslate(t)
        self.detail.retranslate(t)

    def shutdown(self) -> None:
        self.timer.stop()
        self.runner.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
