"""Printing on the kiosk: the print job off the GUI thread with a deadline, the on-screen fallback,
the staff's reprint panel, and the OS-spooler sink (the one sink that needs Qt).

The ticket is already issued when printing starts (:class:`PrintController` is only handed an
:class:`~kiosk.queue.models.IssuedTicket`), so a printer fault never costs or repeats a number: the
ticket screen then shows the number with its QR code large enough to photograph
(:class:`TicketPrintPanel`), and staff see "printer needs attention" (:class:`StaffPrinterPanel`,
the ``printer_fault`` log event and ``printer-status.json`` for diagnostics).
"""

from __future__ import annotations

import functools
import itertools
import logging
from typing import Any

from PySide6.QtCore import QEvent, QMarginsF, QObject, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QImage, QPageLayout, QPageSize, QPainter, QPaintEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.printing.service import PrintOutcome, PrintService, ticket_content
from kiosk.printing.sinks import PrinterFault, PrinterState
from kiosk.printing.ticket import MM, TicketContent, TicketLayout, qr_matrix, render_image
from kiosk.queue.models import IssuedTicket
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, label

log = logging.getLogger(__name__)

# What the ticket screen shows under the number.
PRINTING, PRINTED, FAILED, NO_PRINTER = "printing", "printed", "failed", "no_printer"


class SystemPrinterSink:
    """The operating system's print queue (CUPS, Windows) through Qt's ``QPrinter``.

    ``target`` names the queue (empty = the default printer). The page is the ticket's size, so a
    receipt driver cuts after it; the ticket is painted as the same 1-bit image the ESC/POS path
    sends. Spoolers accept jobs while a printer is off or out of paper, so faults show up here only
    when the queue itself is missing or refuses the job.
    """

    def __init__(self, target: str = "") -> None:
        self.target = target
        self.description = f"system printer {target or '(default)'}"

    def _printer(self) -> Any:
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        info = QPrinterInfo.printerInfo(self.target) if self.target else QPrinterInfo.defaultPrinter()
        if info.isNull():
            names = ", ".join(QPrinterInfo.availablePrinterNames()) or "none"
            raise PrinterFault("offline", f"no printer queue named {self.target or '(default)'!r}; "
                                          f"queues on this machine: {names}")
        return QPrinter(info, QPrinter.PrinterMode.HighResolution)

    def check(self) -> PrinterState:
        try:
            self._printer()
        except PrinterFault as fault:
            return PrinterState(True, fault=fault.reason, detail=fault.detail)
        except ImportError as exc:
            return PrinterState(True, fault="error", detail=f"Qt print support missing: {exc}")
        return PrinterState(False)

    def print_ticket(self, layout: TicketLayout, name: str) -> PrinterState:
        printer = self._printer()
        printer.setDocName(name)
        size = QSizeF(layout.paper_width / MM, layout.height / MM + 2)
        printer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Millimeter, "ticket"),
                                          QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        image = render_image(layout)
        qimage = QImage(image.convert("L").tobytes(), image.width, image.height, image.width,
                        QImage.Format.Format_Grayscale8).copy()
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterFault("error", f"{self.description} refused the job")
        try:
            page = printer.pageRect(printer.Unit.DevicePixel)
            dots_per_mm = printer.resolution() / 25.4
            margin = layout.margin_x / MM * dots_per_mm
            target = QRectF(page.left() + margin, page.top(), image.width / 8 * dots_per_mm,
                            image.height / 8 * dots_per_mm)
            painter.drawImage(target, qimage)
        finally:
            painter.end()
        return PrinterState(False)


def system_sink(target: str) -> SystemPrinterSink:
    """The spooler sink for a command-line tool (``kiosk print-test``): makes sure Qt is up first."""
    from kiosk.ui.qt.application import application

    application()
    return SystemPrinterSink(target)


class PrintController(QObject):
    """Prints issued tickets on a background thread, with a deadline, and reports each outcome.

    ``state_changed(number, state, reason)``: PRINTING, PRINTED, FAILED (``reason`` from
    :data:`~kiosk.printing.sinks.FAULT_REASONS`) or NO_PRINTER. ``attention(reason)``: staff should
    look at the printer ("" once it printed fine again).
    """

    state_changed = Signal(str, str, str)
    attention = Signal(str)
    reprinted = Signal(object)

    def __init__(self, config: Config, catalog: Catalog | None, parent: QObject | None = None,
                 service: PrintService | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.catalog = catalog
        self.service = service or PrintService.from_config(config, system_sink=SystemPrinterSink)
        self.runner = TaskRunner("kiosk-printer", self)
        self.timeout_ms = config.printer.timeout_seconds * 1000
        self._pending: dict[str, tuple[TicketContent, QTimer]] = {}
        self._jobs = itertools.count(1)
        self.last_content: TicketContent | None = None
        self.needs_attention = ""

    @property
    def enabled(self) -> bool:
        return self.service.enabled

    def content_for(self, issued: IssuedTicket, lang: str | None = None) -> TicketContent:
        return ticket_content(issued, self.catalog, self.config, lang)

    @property
    def first_state(self) -> str:
        """What the ticket screen says before the printer answers."""
        return PRINTING if self.enabled else NO_PRINTER

    def print_ticket(self, content: TicketContent) -> None:
        """Start printing a just-issued ticket (a no-op without a printer: the screen shows the QR)."""
        self.last_content = content
        if not self.enabled:
            self.state_changed.emit(content.number, NO_PRINTER, "")
            return
        self._start(content, reprint=False)

    def reprint(self, content: TicketContent) -> None:
        """Staff's reprint: the same ticket again, off the GUI thread."""
        self._start(content, reprint=True)

    def _start(self, content: TicketContent, reprint: bool) -> None:
        key = f"{next(self._jobs)}:{content.number}:{'re' if reprint else ''}print"  # one per job
        deadline = QTimer(self)
        deadline.setSingleShot(True)
        deadline.setInterval(self.timeout_ms)
        deadline.timeout.connect(lambda: self._timed_out(key))
        self._pending[key] = (content, deadline)
        deadline.start()
        if not reprint:
            self.state_changed.emit(content.number, PRINTING, "")
        self.runner.run(lambda: self.service.print_content(content, reprint=reprint),
                        on_done=lambda outcome: self._finished(key, outcome, reprint))

    def _timed_out(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        if pending is None:
            return
        content, timer = pending
        timer.deleteLater()
        outcome = self.service.timed_out(content, self.timeout_ms / 1000)
        self._report(outcome, reprint=key.endswith(":reprint"))

    def _finished(self, key: str, outcome: PrintOutcome, reprint: bool) -> None:
        pending = self._pending.pop(key, None)
        if pending is None:  # the deadline passed first: the citizen already has the screen fallback
            log.info("ticket %s: printer answered after the deadline (%s)", outcome.number,
                     "printed" if outcome.ok else outcome.reason)
            return
        pending[1].stop()
        pending[1].deleteLater()
        self._report(outcome, reprint)

    def _report(self, outcome: PrintOutcome, reprint: bool) -> None:
        if outcome.ok:
            self.needs_attention = "paper_low" if outcome.paper_low else ""
        else:
            self.needs_attention = outcome.reason or "error"
        self.attention.emit(self.needs_attention)
        if reprint:
            self.reprinted.emit(outcome)
        else:
            self.state_changed.emit(outcome.number, PRINTED if outcome.ok else FAILED, outcome.reason or "")

    def stop(self) -> None:
        for _content, timer in self._pending.values():
            timer.stop()
        self._pending.clear()
        self.runner.stop()


class QrWidget(QWidget):
    """A QR code drawn square and crisp at whatever size the layout gives (a quiet zone included)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self.matrix: tuple[tuple[bool, ...], ...] = ()
        self.url = ""
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_url(self, url: str) -> None:
        self.url = url
        self.matrix = qr_matrix(url) if url else ()
        self.setAccessibleName(url)
        self.update()

    def sizeHint(self) -> Any:
        from PySide6.QtCore import QSize

        return QSize(340, 340)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height())
        painter.fillRect(self.rect(), QColor("white"))
        if self.matrix:
            count = len(self.matrix) + 8  # four modules of white all round, as scanners need
            module = max(1, side // count)
            x0 = (self.width() - module * len(self.matrix)) // 2
            y0 = (self.height() - module * len(self.matrix)) // 2
            for r, row in enumerate(self.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        painter.fillRect(x0 + c * module, y0 + r * module, module, module, QColor("black"))
        painter.end()


class TicketPrintPanel(QFrame):
    """Under the ticket number: "printing…", "take your ticket", or the fallback with the QR code.

    The fallback (printer fault, or no printer at this kiosk) shows the ticket's status QR large
    enough to photograph; the number itself stays large above it on the ticket screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPanel")
        self.t = Translator()
        self.number = ""
        self.state = ""
        self.url = ""
        self.status = label("", "sectionTitle")
        self.status.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.status.setAccessibleName("printStatus")
        self.fallback = QFrame()
        self.fallback.setObjectName("printFallback")
        self.fallback_title = label("", "errorBanner", align=Qt.AlignmentFlag.AlignCenter)
        self.fallback_body = label("", "body")
        self.qr = QrWidget()
        self.qr_caption = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
        texts = QVBoxLayout()
        texts.setSpacing(12)
        texts.addWidget(self.fallback_body)
        texts.addStretch(1)
        qr_box = QVBoxLayout()
        qr_box.setSpacing(4)
        qr_box.addWidget(self.qr, 1)
        qr_box.addWidget(self.qr_caption)
        self.fallback_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.fallback_row.setSpacing(24)
        self.fallback_row.addLayout(qr_box, 2)
        self.fallback_row.addLayout(texts, 3)
        inner = QVBoxLayout(self.fallback)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(14)
        inner.addWidget(self.fallback_title)
        inner.addLayout(self.fallback_row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.status)
        layout.addWidget(self.fallback, 1)
        self.clear()

    def clear(self) -> None:
        self.number, self.state, self.url = "", "", ""
        self.qr.set_url("")
        self.status.hide()
        self.fallback.hide()
        self.hide()  # takes no room (nor layout spacing) until a ticket is on screen

    def start(self, content: TicketContent, state: str) -> None:
        """A new ticket is on screen: remember its QR address and show where printing stands."""
        self.number, self.url = content.number, content.status_url
        self.qr.set_url(content.status_url)
        self.show_state(content.number, state, "")

    def show_state(self, number: str, state: str, _reason: str = "") -> None:
        if number != self.number:
            return  # an earlier citizen's ticket
        self.state = state
        self._fill()

    @property
    def showing_fallback(self) -> bool:
        return self.state in (FAILED, NO_PRINTER)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self._fill()

    def _fill(self) -> None:
        t = self.t
        self.setVisible(bool(self.state))
        self.status.setVisible(self.state in (PRINTING, PRINTED))
        self.fallback.setVisible(self.showing_fallback)
        if self.state == PRINTING:
            self.status.setText(t("printing.screen.printing"))
        elif self.state == PRINTED:
            self.status.setText(t("printing.screen.printed"))
        failed = self.state == FAILED
        self.fallback_title.setVisible(failed)
        self.fallback_title.setText(t("printing.screen.failed_title"))
        self.fallback_body.setText(t("printing.screen.failed_body") if failed else t("printing.screen.no_printer"))
        self.qr_caption.setText(t("printing.screen.scan"))


class PrinterAttentionBadge(QLabel):
    """A small red note in the kiosk's bottom-left corner while the printer needs attention, so
    staff passing by see it before the next citizen does. Floats over the screens (no layout room)."""

    def __init__(self, window: QWidget, controller: PrintController) -> None:
        super().__init__(window)
        self.setObjectName("printerAttention")
        self.setAccessibleName("printerAttention")
        self.setStyleSheet("QLabel#printerAttention { background: #a4161a; color: white; font-weight: 600;"
                           " font-size: 22px; padding: 6px 14px; border-radius: 10px; }")
        self.t = Translator()
        self.reason = controller.needs_attention
        window.installEventFilter(self)
        controller.attention.connect(self.show_reason)
        self.show_reason(self.reason)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.show_reason(self.reason)

    def show_reason(self, reason: str) -> None:
        self.reason = reason
        self.setText("⚠ " + self.t("printing.staff.attention", reason=reason_text(self.t, reason)) if reason else "")
        self.setVisible(bool(reason))
        self._place()

    def _place(self) -> None:
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move(12, parent.height() - self.height() - 12)
            self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False


def reason_text(t: Translator, reason: str) -> str:
    key = f"printing.staff.reason_{reason}"
    return t(key) if t.has(key) else t("printing.staff.reason_error")


class StaffPrinterPanel(QFrame):
    """For staff (the admin menu embeds it): the printer's state and a reprint of recent tickets."""

    def __init__(self, controller: PrintController, t: Translator | str = "id", rows: int = 5,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPrinterPanel")
        self.controller = controller
        self.t = Translator(t) if isinstance(t, str) else t
        self.rows = rows
        self.title = label(self.t("printing.staff.reprint_title"), "sectionTitle")
        self.state = label("", "body")
        self.state.setObjectName("printerState")
        self.message = label("", "note")
        self.list_box = QVBoxLayout()
        self.list_box.setSpacing(10)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addWidget(self.state)
        layout.addWidget(self.title)
        layout.addLayout(self.list_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.buttons: list[Any] = []
        controller.attention.connect(self._show_attention)
        controller.reprinted.connect(self._reprinted)
        self._show_attention(controller.needs_attention)
        self.refresh()

    def _show_attention(self, reason: str) -> None:
        if reason:
            self.state.setText(self.t("printing.staff.attention", reason=reason_text(self.t, reason)))
        else:
            self.state.setText(self.t("printing.staff.ok"))

    def refresh(self) -> None:
        """List today's recent tickets, newest first, each with its own reprint button."""
        for widget in self.buttons:
            widget.setParent(None)
            widget.deleteLater()
        self.buttons = []
        recent = self.controller.service.recent_tickets(self.rows)
        for content in recent:
            text = self.t("printing.staff.reprint_row", number=content.number, service=content.service_name,
                          time=f"{content.local_time():%H:%M}")
            widget = button(f"{self.t('printing.staff.reprint_button')}: {text}", "small",
                            functools.partial(self.controller.reprint, content), name=f"reprint_{content.number}")
            self.buttons.append(widget)
            self.list_box.addWidget(widget)
        self.message.setText("" if recent else self.t("printing.staff.reprint_empty"))

    def _reprinted(self, outcome: PrintOutcome) -> None:
        if outcome.ok:
            self.message.setText(self.t("printing.staff.reprint_done", number=outcome.number))
        else:
            self.message.setText(self.t("printing.staff.reprint_failed", number=outcome.number,
                                        reason=reason_text(self.t, outcome.reason or "error")))


class ReprintWidget(StaffPrinterPanel):
    """The admin menu's "reprint" page: its own print controller over this kiosk's printer and
    recent-tickets list (``kiosk.ui.admin.menu`` builds it as ``ReprintWidget(config, t)``)."""

    def __init__(self, config: Config, t: Translator, parent: QWidget | None = None) -> None:
        controller = PrintController(config, None)
        last = controller.service.last_status()
        if last and last.get("needs_attention"):
            controller.needs_attention = str(last.get("reason") or "error")
        super().__init__(controller, t, parent=parent)
        controller.setParent(self)  # its runner's thread ends with this page at the latest

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.stop()
        super().closeEvent(event)


def reprint_recent(controller: PrintController, n: int = 1) -> list[TicketContent]:
    """Queue a reprint of today's last ``n`` tickets (oldest first); returns which."""
    contents = list(reversed(controller.service.recent_tickets(n)))
    for content in contents:
        controller.reprint(content)
    return contents
