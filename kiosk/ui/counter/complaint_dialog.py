""""Pengaduan" at a counter: the clerk records a complaint on a citizen's behalf (issue 19, item 2).

The same fields as the kiosk's (:mod:`kiosk.ui.kiosk.complaint`) on the console's ordinary keyboard,
filed with channel ``counter`` and ``filed_by`` the signed-in clerk; the ticket in hand gives the
ticket number and service. What may be filed is decided by :func:`kiosk.complaints.model.check_complaint`
(each problem shown under its field); the save runs on the dialog's worker thread; a failed save keeps
everything entered. The receipt shows the reference to hand to the citizen, and prints a slip on the
counter's printer when it has one (``[printer]``). The console holds a :class:`CounterComplaints`
(its "Pengaduan" button and the dialog it opens).
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.catalog.services import Catalog
from kiosk.complaints.filing import ComplaintFiling, ComplaintInvalid, ComplaintNotSaved, ComplaintReceipt
from kiosk.complaints.model import MAX_TEXT_CHARS, Category, ComplaintProblem, NewComplaint, check_complaint, clean_text
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.printing.complaint_slip import ComplaintSlipContent, print_complaint_slip
from kiosk.printing.service import PrintOutcome, PrintService
from kiosk.queue.models import Ticket
from kiosk.staff.directory import StaffMember
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, label, restyle

log = logging.getLogger(__name__)

# Where each problem of check_complaint is shown: the error line under its field.
FIELD_ERRORS = {"category": "category", "text": "text", "phone": "contact", "email": "contact",
                "contact": "contact", "share_contact": "share", "service_code": "service",
                "ticket_number": "service"}


class CounterHost(Protocol):
    """What the dialog needs of the console (:class:`kiosk.ui.counter.console.CounterWindow`)."""

    config: Config
    catalog: Catalog | None
    t: Translator
    staff_member: StaffMember | None
    current: Ticket | None
    counter: int


def clerk_id(host: CounterHost) -> str:
    """Who filed it: the signed-in clerk; without staff accounts, this device's counter."""
    if host.staff_member is not None:
        return host.staff_member.id
    return f"{host.config.device.id}/counter-{host.counter}"


class ComplaintDialog(QDialog):
    """The form, then the receipt; one complaint per opening."""

    filed = Signal(object)  # ComplaintReceipt

    def __init__(self, filing: ComplaintFiling, config: Config, catalog: Catalog | None, t: Translator, *,
                 clerk: str, ticket: Ticket | None, printer: PrintService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaintDialog")
        self.filing, self.config, self.catalog, self.t = filing, config, catalog, t
        self.clerk, self.ticket, self.printer = clerk, ticket, printer
        self.runner = TaskRunner("counter-complaints", self)
        self.receipt: ComplaintReceipt | None = None
        self.saving = False
        self.setWindowTitle(t("complaint_filing.counter.title"))
        self.pages = QStackedWidget()
        self.form = self._build_form()
        self.done_page = self._build_receipt()
        self.pages.addWidget(self.form)
        self.pages.addWidget(self.done_page)
        box = QVBoxLayout(self)
        box.addWidget(self.pages)
        self.resize(900, 820)
        self._prefill()

    # -- building ----------------------------------------------------------------------------------
    def _build_form(self) -> QWidget:
        t = self.t
        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(label(t("complaint_filing.counter.intro"), "note"))
        form = QFormLayout()
        self.category = QComboBox()
        self.category.setObjectName("complaintCategory")
        self.category.setPlaceholderText("—")
        for category in Category:
            self.category.addItem(t(f"complaint_rules.category.{category.value}"), category.value)
        self.service = QComboBox()
        self.service.setObjectName("complaintService")
        self.service.addItem(t("complaint_filing.counter.no_service"), "")
        for service in self.catalog.services if self.catalog is not None else ():
            self.service.addItem(service.name.get(t.lang), service.code)
        self.ticket_number = QLineEdit()
        self.ticket_number.setObjectName("complaintTicket")
        self.ticket_number.setMaxLength(16)
        self.text = QPlainTextEdit()
        self.text.setObjectName("complaintText")
        self.text.textChanged.connect(self._count)
        self.count = label("", "note")
        self.phone = QLineEdit()
        self.phone.setObjectName("complaintPhone")
        self.email = QLineEdit()
        self.email.setObjectName("complaintEmail")
        self.email.setMaxLength(254)
        self.anonymous = QCheckBox(t("complaint_filing.counter.anonymous"))
        self.anonymous.setObjectName("complaintAnonymous")
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.share_yes = QRadioButton(t("complaint_filing.counter.share_yes"))
        self.share_yes.setObjectName("complaintShareYes")
        self.share_no = QRadioButton(t("complaint_filing.counter.share_no"))
        self.share_no.setObjectName("complaintShareNo")
        self.share_group = QButtonGroup(self)  # neither chosen at first: the citizen is asked
        self.share_group.addButton(self.share_yes)
        self.share_group.addButton(self.share_no)
        self.errors = {name: self._error_label(name) for name in ("category", "service", "text", "contact", "share")}
        form.addRow(t("complaint_filing.counter.category"), self._with_error(self.category, "category"))
        form.addRow(t("complaint_filing.counter.service"), self.service)
        form.addRow(t("complaint_filing.counter.ticket"), self._with_error(self.ticket_number, "service"))
        text_box = QVBoxLayout()
        text_box.addWidget(self.text, 1)
        text_box.addWidget(self.count)
        text_box.addWidget(self.errors["text"])
        form.addRow(t("complaint_filing.counter.text"), text_box)
        contact = QVBoxLayout()
        contact.addWidget(label(t("complaint_filing.counter.why"), "note"))
        row = QHBoxLayout()
        row.addWidget(QLabel(t("complaint_filing.counter.phone")))
        row.addWidget(self.phone, 1)
        row.addWidget(QLabel(t("complaint_filing.counter.email")))
        row.addWidget(self.email, 2)
        contact.addLayout(row)
        contact.addWidget(self.anonymous)
        contact.addWidget(self.errors["contact"])
        form.addRow(t("complaint_filing.counter.contact"), contact)
        share = QHBoxLayout()
        share.addWidget(self.share_yes)
        share.addWidget(self.share_no)
        share.addStretch(1)
        share_box = QVBoxLayout()
        share_box.addWidget(label(t("complaint_filing.counter.share"), ""))
        share_box.addLayout(share)
        share_box.addWidget(self.errors["share"])
        form.addRow(t("complaint_filing.counter.share_row"), share_box)
        box.addLayout(form, 1)
        self.message = label("", "message")
        self.message.setAccessibleName("complaintMessage")
        box.addWidget(self.message)
        self.save_button = button(t("complaint_filing.counter.save"), "primary", self.save, name="complaintSave")
        self.save_button.setDefault(True)
        self.cancel_button = button(t("complaint_filing.counter.cancel"), "", self.reject, name="complaintCancel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button, 1)
        buttons.addWidget(self.save_button, 2)
        box.addLayout(buttons)
        self._count()
        return page

    def _error_label(self, name: str) -> QLabel:
        error = label("", "message")  # the console's red message style (error="true")
        error.setAccessibleName(f"complaintError_{name}")
        restyle(error, "error", True)
        error.hide()
        return error

    def _with_error(self, field: QWidget, error: str) -> QVBoxLayout:
        box = QVBoxLayout()
        box.addWidget(field)
        box.addWidget(self.errors[error])
        return box

    def _build_receipt(self) -> QWidget:
        t = self.t
        page = QWidget()
        box = QVBoxLayout(page)
        self.saved_label = label("", "sectionTitle")
        self.reference = label("", "currentNumber", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.reference.setAccessibleName("complaintReference")
        self.print_state = label("", "note")
        self.print_button = button(t("complaint_filing.counter.print"), "", self.print_slip, name="complaintPrint")
        self.print_button.setVisible(self.printer is not None and self.printer.enabled)
        self.close_button = button(t("complaint_filing.counter.close"), "primary", self.accept, name="complaintClose")
        box.addStretch(1)
        for widget in (self.saved_label, self.reference, label(t("complaint_filing.counter.saved_hint"), "note"),
                       self.print_state):
            box.addWidget(widget)
        box.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.print_button, 1)
        row.addWidget(self.close_button, 1)
        box.addLayout(row)
        return page

    def _prefill(self) -> None:
        """The ticket in hand: its number and service (the clerk may change or clear both)."""
        ticket = self.ticket
        if ticket is None:
            return
        self.ticket_number.setText(ticket.number)
        index = self.service.findData(ticket.service_code)
        if index >= 0:
            self.service.setCurrentIndex(index)

    # -- filling -----------------------------------------------------------------------------------
    def _count(self) -> None:
        length = len(clean_text(self.text.toPlainText()))
        self.count.setText(self.t("complaint_filing.counter.count", count=length, limit=MAX_TEXT_CHARS))
        restyle(self.count, "error", length > MAX_TEXT_CHARS)

    def _anonymous_toggled(self, anonymous: bool) -> None:
        """Anonymous: no contact is kept, so none is asked and none can be shared (what was typed stays
        in the fields, greyed, in case the clerk ticked it by mistake)."""
        for widget in (self.phone, self.email, self.share_yes, self.share_no):
            widget.setEnabled(not anonymous)

    @property
    def chosen_category(self) -> Category | None:
        value = self.category.currentData()
        return Category(value) if value in {c.value for c in Category} else None

    def complaint(self) -> NewComplaint:
        anonymous = self.anonymous.isChecked()
        return NewComplaint(
            category=self.chosen_category or Category.OTHER,  # none chosen: see problems()
            text=self.text.toPlainText(), service_code=str(self.service.currentData() or "") or None,
            ticket_number=self.ticket_number.text().strip() or None,
            phone=None if anonymous else self.phone.text().strip() or None,
            email=None if anonymous else self.email.text().strip() or None, anonymous=anonymous,
            share_contact=self.share_yes.isChecked() and not anonymous,
            language=self.ticket.lang if self.ticket is not None and self.ticket.lang in ("id", "en") else self.t.lang,
            channel="counter", filed_by=self.clerk)

    def problems(self, complaint: NewComplaint) -> list[ComplaintProblem]:
        """The domain's problems, and two of the form's own: a kind is chosen (the list starts empty, not
        on "Lainnya"), and the SP4N-LAPOR! consent is asked, never assumed."""
        found = check_complaint(complaint)
        if self.chosen_category is None:
            found.insert(0, ComplaintProblem("category", "complaint_filing.counter.category_missing"))
        has_contact = not complaint.anonymous and bool(complaint.phone or complaint.email)
        if has_contact and self.share_group.checkedButton() is None:
            found.append(ComplaintProblem("share_contact", "complaint_filing.counter.share_missing"))
        return found

    def show_problems(self, problems: list[ComplaintProblem]) -> None:
        shown: set[str] = set()
        for problem in problems:
            where = FIELD_ERRORS.get(problem.field)
            if where is None or where in shown:
                continue
            shown.add(where)
            self.errors[where].setText(self.t(problem.key, **problem.kwargs))
        for where, error in self.errors.items():
            error.setVisible(where in shown)
        others = [p for p in problems if p.field not in FIELD_ERRORS]
        self._say(self.t(others[0].key, **others[0].kwargs) if others else "", error=bool(others))

    # -- saving --------------------------------------------------------------------------------------
    def save(self) -> None:
        if self.saving:
            return
        complaint = self.complaint()
        problems = self.problems(complaint)
        self.show_problems(problems)
        if problems:
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self._say(self.t("complaint_filing.counter.saving"))
        filing = self.filing
        self.runner.run(lambda: filing.file(complaint), on_done=self._filed, on_error=self._failed)

    def _filed(self, receipt: ComplaintReceipt) -> None:
        self.saving = False
        self.receipt = receipt
        self.saved_label.setText(self.t("complaint_filing.counter.saved", reference=receipt.reference))
        self.reference.setText(receipt.reference)
        self.pages.setCurrentWidget(self.done_page)
        self.close_button.setFocus()
        self.filed.emit(receipt)

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ComplaintInvalid):
            self.show_problems(exc.problems)
            return
        if not isinstance(exc, ComplaintNotSaved):
            log.error("recording a complaint at the counter failed unexpectedly", exc_info=exc)
        self._say(self.t("complaint_filing.counter.not_saved"), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        restyle(self.message, "error", error)

    # -- the slip ----------------------------------------------------------------------------------
    def print_slip(self) -> None:
        printer, receipt = self.printer, self.receipt
        if printer is None or receipt is None:
            return
        lang = self.complaint().language
        category = self.chosen_category
        content = ComplaintSlipContent(
            lang=lang, site_name=self.config.site.name, reference=receipt.reference,
            category=Translator(lang)(f"complaint_rules.category.{category.value}") if category else "",
            filed_at=receipt.filed_at, timezone=self.config.site.timezone, status_url=receipt.status_url,
            device_id=self.config.device.id)
        self.print_button.setEnabled(False)
        self.runner.run(lambda: print_complaint_slip(printer, content), on_done=self._printed)

    def _printed(self, outcome: PrintOutcome) -> None:
        self.print_button.setEnabled(not outcome.ok)
        self.print_state.setText(self.t("complaint_filing.counter.printed") if outcome.ok else
                                 self.t("complaint_filing.counter.print_failed", reason=outcome.reason or "error"))

    def done(self, result: int) -> None:
        """Closed (saved, cancelled or Esc): the worker ends with the dialog."""
        self.runner.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.stop()
        super().closeEvent(event)


class CounterComplaints:
    """The console's "Pengaduan" button and the dialog it opens (one at a time); without a filing (no
    outbox on this machine: the log says why) the button stays hidden."""

    def __init__(self, host: CounterHost, filing: ComplaintFiling | None, parent: QWidget) -> None:
        self.host, self.filing, self.parent = host, filing, parent
        self.printer: PrintService | None = None
        self.dialog: ComplaintDialog | None = None
        self.button = button(host.t("complaint_filing.counter.button"), "", self.open, name="complaintButton")
        self.button.setVisible(filing is not None)

    def open(self) -> ComplaintDialog | None:
        """A new dialog for the citizen at the counter now, the ticket in hand prefilled."""
        if self.filing is None:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        host = self.host
        if self.printer is None and host.config.printer.kind != "none":
            from kiosk.ui.qt.printing import SystemPrinterSink

            self.printer = PrintService.from_config(host.config, system_sink=SystemPrinterSink)
        dialog = ComplaintDialog(self.filing, host.config, host.catalog, host.t, clerk=clerk_id(host),
                                 ticket=host.current, printer=self.printer, parent=self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self) -> None:
        self.dialog = None

    def shutdown(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
