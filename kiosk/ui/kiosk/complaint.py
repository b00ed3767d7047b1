""""Sampaikan pengaduan" at the kiosk: category → related service → text → contact → consent → confirm → receipt.

One step of the walk (:data:`Step.COMPLAINT`) with its pages (:mod:`.complaint_pages`): the bar's Back
goes one page back (:meth:`ComplaintScreen.back`), the receipt counts down to the next citizen as the
survey's thanks do. What may be filed is decided by :func:`kiosk.complaints.model.check_complaint`,
page by page (each problem is shown on the page of its field, in plain words); the filing
(:class:`kiosk.complaints.filing.ComplaintFiling`, built by :mod:`kiosk.core`) runs on a worker thread.
When the save fails (disk full) the citizen is told to go to the information desk and everything they
typed stays on the screen. The receipt shows the reference, the status page's QR, and prints a slip
(:mod:`kiosk.printing.complaint_slip`) on the kiosk's printer on request.

The kiosk window gives the screen its place with :func:`attach_complaint_filing`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QWidget

from kiosk.catalog.services import Catalog
from kiosk.complaints.filing import ComplaintFiling, ComplaintInvalid, ComplaintNotSaved, ComplaintReceipt
from kiosk.complaints.model import MAX_TEXT_CHARS, Category, ComplaintProblem, NewComplaint, check_complaint, clean_text
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.printing.complaint_slip import ComplaintSlipContent, print_complaint_slip
from kiosk.printing.service import PrintOutcome
from kiosk.ui.kiosk.complaint_pages import NO_SERVICE, CategoryPage, Page, ServicePage, SharePage, invalidate_all
from kiosk.ui.kiosk.complaint_readback import ConfirmPage, ReceiptPage
from kiosk.ui.kiosk.complaint_typing import ContactPage, TextPage
from kiosk.ui.kiosk.welcome import WelcomeScreen
from kiosk.ui.qt.icons import CONTROLS, decorate
from kiosk.ui.qt.printing import PrintController
from kiosk.ui.qt.screen import Screen, set_reach_line
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, explain_disabled, label, with_reason
from kiosk.visit.flow import CitizenSession, Step

log = logging.getLogger(__name__)

# The fields each page asks for: a problem of check_complaint is shown on its field's page.
PAGE_FIELDS: dict[str, frozenset[str]] = {
    "category": frozenset({"category"}),
    "service": frozenset({"service_code", "ticket_number"}),
    "text": frozenset({"text"}),
    "contact": frozenset({"phone", "email", "contact"}),
    "share": frozenset({"share_contact"}),
}


@dataclass
class ComplaintDraft:
    """What the citizen has chosen and typed so far; wiped with the session."""

    category: Category | None = None
    service_code: str = NO_SERVICE
    ticket_number: str | None = None  # today's ticket, when the complaint is about its service
    text: str = ""
    way: str = ""                     # phone / email / anonymous; "" until chosen
    contact: dict[str, str] = field(default_factory=dict)  # what was typed for phone and e-mail
    share: bool | None = None         # the SP4N-LAPOR! consent: asked, never assumed

    def complaint(self, lang: str) -> NewComplaint:
        anonymous = self.way == "anonymous"
        phone = self.contact.get("phone", "") if self.way == "phone" else ""
        email = self.contact.get("email", "") if self.way == "email" else ""
        return NewComplaint(category=self.category or Category.OTHER, text=self.text,
                            service_code=self.service_code or None, ticket_number=self.ticket_number,
                            phone=phone or None, email=email or None, anonymous=anonymous,
                            share_contact=bool(self.share) and not anonymous, language=lang, channel="kiosk")


def problem_text(t: Translator, problem: ComplaintProblem) -> str:
    return t(problem.key, **problem.kwargs)


def confirm_facts(t: Translator, draft: ComplaintDraft, service_name: Callable[[str], str]) -> list[str]:
    """What the confirmation reads back, one line each: kind, service, ticket, contact and consent."""
    lines = [t("complaint_filing.confirm.category",
               category=t(f"complaint_rules.category.{draft.category.value}") if draft.category else "—")]
    if draft.service_code:
        lines.append(t("complaint_filing.confirm.service", service=service_name(draft.service_code)))
    else:
        lines.append(t("complaint_filing.confirm.no_service"))
    if draft.ticket_number:
        lines.append(t("complaint_filing.confirm.ticket", number=draft.ticket_number))
    if draft.way in ("phone", "email"):
        lines.append(t(f"complaint_filing.confirm.{draft.way}", value=draft.contact.get(draft.way, "")))
        lines.append(t(f"complaint_filing.confirm.share_{'yes' if draft.share else 'no'}"))
    else:
        lines.append(t("complaint_filing.confirm.anonymous"))
    return lines


class ComplaintScreen(Screen):
    """The complaint's pages in one screen; emits ``finished`` when the citizen is done."""

    step = Step.COMPLAINT
    finished = Signal()
    filed = Signal(object)  # the ComplaintReceipt

    def __init__(self, filing: ComplaintFiling, config: Config, catalog: Catalog | None,
                 printing: PrintController | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filing, self.config, self.catalog, self.printing = filing, config, catalog, printing
        self.runner = TaskRunner("kiosk-complaints", self)
        self.session: CitizenSession | None = None
        self.draft = ComplaintDraft()
        self.receipt: ComplaintReceipt | None = None
        self.saving = False
        self._generation = 0  # a save answered after a wipe is ignored
        self._seconds = 0
        self.step_label = label("", "stepLabel")
        self.step_label.setAccessibleName("complaintStep")
        self.category_page = CategoryPage()
        self.service_page = ServicePage(catalog, self._reach_in)
        self.text_page = TextPage(MAX_TEXT_CHARS)
        self.contact_page = ContactPage()
        self.share_page = SharePage()
        self.confirm_page = ConfirmPage()
        self.receipt_page = ReceiptPage()
        self.page_names: dict[str, Page] = {
            "category": self.category_page, "service": self.service_page, "text": self.text_page,
            "contact": self.contact_page, "share": self.share_page, "confirm": self.confirm_page,
            "receipt": self.receipt_page}
        self.pages = QStackedWidget()
        for page in self.page_names.values():
            self.pages.addWidget(page)
        self.layout_.addWidget(self.step_label)
        self.layout_.addWidget(self.pages, 1)
        self._connect_pages()
        self.next_button = button("", "primary", self.next, name="complaintNext")
        decorate(self.next_button, CONTROLS["next"])
        self.next_area, self.next_reason = with_reason(self.next_button)
        self.print_button = button("", "", self.print_slip, name="complaintPrint")
        self.done_button = button("", "primary", self.leave, name="complaintDone")
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(self.print_button, 1)
        row.addWidget(self.done_button, 1)
        # Landscape: the contact page's three ways beside "Lanjut" (its keys need the page's height).
        self.bottom_line = QHBoxLayout()
        self.bottom_line.setSpacing(16)
        self.bottom_line.addWidget(self.next_area, 1)
        self.action_row.addLayout(self.bottom_line)
        self.action_row.addLayout(row)
        self.default_button = self.next_button
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self._landscape_pages: bool | None = None
        self.show_page("category")

    def _connect_pages(self) -> None:
        self.category_page.chosen.connect(self.choose_category)
        self.service_page.chosen.connect(self.choose_service)
        self.text_page.changed.connect(self._text_changed)
        self.contact_page.way_chosen.connect(self.choose_way)
        self.contact_page.changed.connect(self._contact_changed)
        self.share_page.chosen.connect(self.choose_share)

    def _reach_in(self, widget: QWidget) -> int:
        """The reach line in ``widget``'s rows (0 when everything is in reach)."""
        if self.reach_y <= 0:
            return 0
        return self.reach_in_screen() - widget.mapTo(self, widget.rect().topLeft()).y()

    # -- the walk through the pages --------------------------------------------------------------
    @property
    def page(self) -> str:
        current = self.pages.currentWidget()
        return next(name for name, page in self.page_names.items() if page is current)

    @property
    def path(self) -> list[str]:
        """The pages this citizen goes through: no consent question without a contact to share."""
        names = ["category", "service", "text", "contact", "share", "confirm"]
        return [n for n in names if n != "share" or self.draft.way != "anonymous"]

    def enter(self, session: CitizenSession) -> None:
        if session is not self.session:  # a new citizen: a new complaint, today's ticket offered
            self.reset()
            self.session = session
            issued = session.issued
            if issued is not None:
                self.draft.service_code = issued.ticket.service_code
                self.draft.ticket_number = issued.ticket.number
            self.show_page("category")
        self._relayout()

    def show_page(self, name: str) -> None:
        page = self.page_names[name]
        self.pages.setCurrentWidget(page)
        for each in self.page_names.values():
            invalidate_all(each.box)
        t, draft = self.t, self.draft
        if name == "category":
            self.category_page.show_choice(draft.category)
        elif name == "service":
            self.service_page.start(self._ticket(), draft.service_code)
        elif name == "text":
            self.text_page.set_text(draft.text)
            self._text_changed(draft.text)
        elif name == "contact":
            self.contact_page.show_way(draft.way, draft.contact.get(draft.way, ""))
        elif name == "share":
            self.share_page.show_choice(draft.share, self._contact_words())
        elif name == "confirm":
            self.confirm_page.facts.setText("\n".join(confirm_facts(t, draft, self.service_page.service_name)))
            self.confirm_page.readback.setPlainText(clean_text(draft.text))
        path = self.path
        if name in path:
            self.step_label.setText(t("complaint_filing.step", n=path.index(name) + 1, total=len(path)))
        self.step_label.setVisible(name in path)
        self._show_actions()

    def _ticket(self) -> tuple[str, str] | None:
        issued = self.session.issued if self.session is not None else None
        return (issued.ticket.number, issued.ticket.service_code) if issued is not None else None

    def _show_actions(self) -> None:
        name, t = self.page, self.t
        self.next_area.setVisible(name not in ("category", "share", "receipt"))
        self.contact_page.way_rows.setVisible(name == "contact" or not self._landscape_pages)
        self.print_button.setVisible(name == "receipt" and self.printing is not None and self.printing.enabled)
        self.done_button.setVisible(name == "receipt")
        self.next_button.setText(t("complaint_filing.confirm.send") if name == "confirm"
                                 else t("complaint_filing.next"))
        reason = ""
        if name == "contact" and not self.draft.way:
            reason = t("complaint_filing.contact.choose")
        elif name == "confirm" and self.saving:
            reason = t("complaint_filing.confirm.sending")
        explain_disabled(self.next_button, self.next_reason, reason)
        self.default_button = self.done_button if name == "receipt" else self.next_button

    def back(self) -> bool:
        """One page back, answers kept; False on the first page (Back then leaves the complaint)."""
        name = self.page
        if name == "receipt" or self.saving:
            return True  # filed (or being filed): nothing to go back to
        path = self.path
        if name not in path or path.index(name) == 0:
            return False
        self.show_page(path[path.index(name) - 1])
        return True

    def _forward(self) -> None:
        path = self.path
        self.show_page(path[path.index(self.page) + 1])

    def _problems(self, page: str) -> list[ComplaintProblem]:
        fields = PAGE_FIELDS.get(page)
        problems = check_complaint(self.draft.complaint(self.t.lang))
        return [p for p in problems if fields is None or p.field in fields]

    def next(self) -> None:
        """"Lanjut": on when this page's answers pass the rules, else the problem at its field."""
        name = self.page
        if name == "confirm":
            self.send()
            return
        problems = self._problems(name)
        if name == "text":
            self.text_page.show_problem(problem_text(self.t, problems[0]) if problems else "")
        elif name == "contact":
            self.contact_page.show_problem(problem_text(self.t, problems[0]) if problems else "")
        if not problems:
            self._forward()

    # -- answers ------------------------------------------------------------------------------------
    def choose_category(self, category: Category) -> None:
        self.draft.category = category
        self.category_page.show_choice(category)
        self._forward()

    def choose_service(self, code: str) -> None:
        ticket = self._ticket()
        self.draft.service_code = code
        self.draft.ticket_number = ticket[0] if ticket is not None and code == ticket[1] else None
        self.service_page.show_choice(code)

    def _text_changed(self, text: str) -> None:
        self.draft.text = text
        self.text_page.show_count(len(clean_text(text)))
        if self.text_page.message.isVisible():  # once a problem shows, say as soon as it is mended
            problems = self._problems("text")
            self.text_page.show_problem(problem_text(self.t, problems[0]) if problems else "")

    def choose_way(self, way: str) -> None:
        self.draft.way = way
        self.contact_page.show_problem("")
        self.contact_page.show_way(way, self.draft.contact.get(way, ""))
        self._show_actions()

    def _contact_changed(self, value: str) -> None:
        if self.draft.way in ("phone", "email"):
            self.draft.contact[self.draft.way] = value
        if self.contact_page.message.isVisible():
            problems = self._problems("contact")
            self.contact_page.show_problem(problem_text(self.t, problems[0]) if problems else "")

    def choose_share(self, share: bool) -> None:
        self.draft.share = share
        self.share_page.show_choice(share, self._contact_words())
        self._forward()

    def _contact_words(self) -> str:
        way = self.draft.way
        return self.t(f"complaint_filing.share.your_{way}") if way in ("phone", "email") else ""

    # -- filing --------------------------------------------------------------------------------------
    def send(self) -> None:
        """"Kirim pengaduan": checked and saved on the worker; the answer comes back to this screen."""
        if self.saving:
            return
        complaint = self.draft.complaint(self.t.lang)
        problems = check_complaint(complaint)
        if problems:
            self._show_invalid(problems)
            return
        self.saving = True
        self.confirm_page.show_error("")
        self._show_actions()
        generation, filing = self._generation, self.filing
        self.runner.run(lambda: filing.file(complaint), on_done=lambda receipt: self._filed(generation, receipt),
                        on_error=lambda exc: self._failed(generation, exc))

    def _show_invalid(self, problems: list[ComplaintProblem]) -> None:
        """The first page with a problem, the problem at its field."""
        for name in self.path:
            fields = PAGE_FIELDS.get(name)
            mine = [p for p in problems if fields is not None and p.field in fields]
            if mine:
                self.show_page(name)
                if name == "text":
                    self.text_page.show_problem(problem_text(self.t, mine[0]))
                elif name == "contact":
                    self.contact_page.show_problem(problem_text(self.t, mine[0]))
                return
        self.confirm_page.show_error(problem_text(self.t, problems[0]))

    def _filed(self, generation: int, receipt: ComplaintReceipt) -> None:
        if generation != self._generation:
            log.warning("complaint %s filed after the session was wiped", receipt.reference)
            return
        self.saving = False
        self.receipt = receipt
        self.receipt_page.show_receipt(receipt.reference, receipt.status_url, self.t)
        self.receipt_page.printing.setText("")
        self.print_button.setEnabled(True)
        self.show_page("receipt")
        self._seconds = self.config.kiosk.ticket_screen_seconds
        self._show_seconds()
        self.countdown.start()
        self.filed.emit(receipt)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.saving = False
        if isinstance(exc, ComplaintInvalid):
            self._show_actions()
            self._show_invalid(exc.problems)
            return
        if not isinstance(exc, ComplaintNotSaved):
            log.error("filing a complaint failed unexpectedly", exc_info=exc)
        self.confirm_page.show_error(self.t("complaint_filing.confirm.not_saved"))
        self._show_actions()  # "Kirim pengaduan" again: everything typed is still here

    # -- the receipt ----------------------------------------------------------------------------------
    def print_slip(self) -> None:
        printing, receipt = self.printing, self.receipt
        if printing is None or receipt is None:
            return
        site, category = self.config.site, self.draft.category
        content = ComplaintSlipContent(
            lang=self.t.lang, site_name=site.name, reference=receipt.reference,
            category=self.t(f"complaint_rules.category.{category.value}") if category else "",
            filed_at=receipt.filed_at, timezone=site.timezone, status_url=receipt.status_url,
            device_id=self.config.device.id)
        self.print_button.setEnabled(False)
        self.receipt_page.printing.setText(self.t("complaint_filing.receipt.printing"))
        generation, service = self._generation, printing.service
        printing.runner.run(lambda: print_complaint_slip(service, content),
                            on_done=lambda outcome: self._printed(generation, outcome))

    def _printed(self, generation: int, outcome: PrintOutcome) -> None:
        if generation != self._generation:
            return
        key = "printed" if outcome.ok else "print_failed"
        self.receipt_page.printing.setText(self.t(f"complaint_filing.receipt.{key}"))
        if not outcome.ok:
            self.print_button.setEnabled(True)  # try again, or photograph the screen: the time too
            self._seconds = max(self._seconds, self.config.kiosk.ticket_screen_seconds)
            self._show_seconds()

    def _show_seconds(self) -> None:
        self.done_button.setText(self.t("complaint_filing.receipt.done", seconds=self._seconds))

    def _tick(self) -> None:
        self._seconds -= 1
        if self._seconds <= 0:
            self.leave()
        else:
            self._show_seconds()

    def leave(self) -> None:
        self.countdown.stop()
        self.finished.emit()

    # -- the screen ----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the complaint (the kiosk is shared by strangers); a save under way is ignored."""
        self._generation += 1
        self.countdown.stop()
        self.saving = False
        self.session = None
        self.draft = ComplaintDraft()
        self.receipt = None
        self.text_page.set_text("")
        self.text_page.show_problem("")
        self.contact_page.field.setText("")
        self.contact_page.show_problem("")
        self.confirm_page.show_error("")
        self.confirm_page.readback.setPlainText("")
        self.receipt_page.clear()
        self.show_page("category")

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        for page in self.page_names.values():
            page.retranslate(t)
        self.print_button.setText(t("complaint_filing.receipt.print"))
        self._show_seconds()
        if self.receipt is not None:
            self.receipt_page.show_receipt(self.receipt.reference, self.receipt.status_url, t)
        if self.confirm_page.error.isVisible():
            self.confirm_page.show_error(t("complaint_filing.confirm.not_saved"))
        self.show_page(self.page)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def set_reach(self, y: int) -> None:
        super().set_reach(y)
        self.service_page.fit_reach()

    def _relayout(self) -> None:
        landscape = self.landscape
        if landscape != self._landscape_pages:
            self._landscape_pages = landscape
            for page in self.page_names.values():
                page.set_landscape(landscape)
            ways = self.contact_page.way_rows
            if landscape:
                self.contact_page.bottom.removeWidget(ways)
                self.bottom_line.insertWidget(0, ways, 3)
            else:
                self.bottom_line.removeWidget(ways)
                self.contact_page.bottom.insertWidget(0, ways)
            self._show_actions()
        self.receipt_page.draw_qr()
        self.service_page.fit_reach()

    def spoken_text(self) -> str:
        page = self.pages.currentWidget()
        return page.spoken_text() if isinstance(page, Page) else ""

    def stop(self) -> None:
        self.countdown.stop()
        self.runner.stop()


class ComplaintHost(Protocol):
    """What :func:`attach_complaint_filing` needs of the kiosk window (:class:`kiosk.ui.kiosk.window.KioskWindow`)."""

    config: Config
    catalog: Catalog | None
    session: CitizenSession
    screens: dict[Step, Screen]
    stack: QStackedWidget
    printing: PrintController

    def show_step(self, step: Step, remember: bool = True) -> None: ...
    def wipe(self) -> None: ...
    def height(self) -> int: ...


def attach_complaint_filing(window: ComplaintHost, filing: ComplaintFiling,
                            welcome: WelcomeScreen | None = None) -> ComplaintScreen:
    """Build the complaint screen into the kiosk window: registered as :data:`Step.COMPLAINT` (so the
    window translates, wipes and places its reach line like any step), opened by the welcome screen's
    "Sampaikan pengaduan" (shown from now on), and "Selesai" or its countdown wipes the session."""
    screen = ComplaintScreen(filing, window.config, window.catalog, window.printing)
    screen.finished.connect(window.wipe)
    window.screens[screen.step] = screen
    window.stack.addWidget(screen)
    if welcome is not None:
        welcome.complaint.connect(lambda: window.show_step(Step.COMPLAINT))
        welcome.complaint_button.show()
    screen.retranslate(Translator(window.session.lang))
    set_reach_line([screen], window.height(), window.config.kiosk)
    return screen
