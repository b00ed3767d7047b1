"""The requirements step: what to bring, the fee, how long it takes, and how many people wait now."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QScrollArea, QScroller, QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog, Service
from kiosk.i18n import Translator
from kiosk.ui.kiosk.availability import AvailabilityWatch, notice
from kiosk.ui.qt.screen import Screen
from kiosk.ui.qt.widgets import button, card, label
from kiosk.visit.flow import CitizenSession, Step


class RequirementsScreen(Screen):
    step = Step.REQUIREMENTS
    proceed = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.service: Service | None = None
        self.title = label("", "title")
        self.agency = label("", "subtitle")
        frame, box = card()
        self.bring_title = label("", "sectionTitle")
        self.requirements = label("", "body")
        self.source = label("", "note")  # the regulation the requirements come from (catalog `source`)
        self.source.setAccessibleName("requirementsSource")
        box.addWidget(self.bring_title)
        box.addWidget(self.requirements)
        box.addWidget(self.source)
        facts, facts_box = card()
        self.fee = label("", "body")
        self.sla = label("", "body")
        self.counters = label("", "body")
        self.waiting = label("", "body")
        for widget in (self.fee, self.sla, self.counters, self.waiting):
            facts_box.addWidget(widget)
        self.next_button = button("", "primary", self.proceed.emit, name="nextButton")
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(18)
        content_layout.addWidget(self.title)
        content_layout.addWidget(self.agency)
        content_layout.addWidget(frame)
        content_layout.addWidget(facts)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.layout_.addWidget(scroll, 1)
        # Beside "Lanjut": a full or closed service says so, and what to do here and now (issue 17).
        self.availability_notice = label("", "errorBanner")
        self.availability_notice.hide()
        self.action_row.addWidget(self.availability_notice)
        self.action_row.addWidget(self.next_button)
        self._preview: tuple[int, int] | None = None
        self._availability: AvailabilityWatch | None = None
        self._priority = False

    def enter(self, session: CitizenSession) -> None:
        self.service = session.service
        self._priority = session.priority is not None
        self._preview = None
        self._fill()
        if self._availability is not None:
            self._availability.refresh()  # the list's answer is shown at once, then a fresh one

    def watch_availability(self, watch: AvailabilityWatch) -> None:
        """Say from ``watch`` whether the service can still give a number; "Lanjut" only when it can."""
        self._availability = watch
        watch.changed.connect(self._show_availability)

    def _show_availability(self) -> None:
        watch, service = self._availability, self.service
        state = watch.of(service.code) if watch is not None and service is not None else None
        other = None
        if watch is not None and service is not None and any(
                (s := watch.of(o.code)) is not None and s.can_issue
                for o in self.catalog.services if o.agency == service.agency and o.code != service.code):
            other = self.catalog.agency(service.agency).short_name.get(self.t.lang)
        text = notice(self.t, state, watch.at if watch is not None else None, other, self._priority)
        can_issue = state is None or state.can_issue_for(self._priority)  # unknown: the confirm step still checks
        self.next_button.setEnabled(can_issue)
        name = "banner" if can_issue else "errorBanner"
        if self.availability_notice.objectName() != name:
            self.availability_notice.setObjectName(name)
            self.availability_notice.style().unpolish(self.availability_notice)  # the new name's style
            self.availability_notice.style().polish(self.availability_notice)
        self.availability_notice.setText(text)
        self.availability_notice.setVisible(bool(text))

    @property
    def waiting_known(self) -> bool:
        """Whether the people waiting and the estimate have arrived (they load in the background)."""
        return self._preview is not None

    def set_preview(self, people_waiting: int, minutes: int) -> None:
        self._preview = (people_waiting, minutes)
        self._fill()

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.bring_title.setText(t("requirements.bring"))
        self.next_button.setText(t("requirements.next"))
        self._fill()

    def _fill(self) -> None:
        service, t = self.service, self.t
        if service is None:
            return
        self.title.setText(service.name.get(t.lang))
        self.agency.setText(self.catalog.agency(service.agency).name.get(t.lang))
        items = [f"{i}. {r.get(t.lang)}" for i, r in enumerate(service.requirements, 1)]
        self.requirements.setText("\n".join(items) if items else t("requirements.nothing"))
        self.source.setText(t("forms.source", source=service.source) if service.source else "")
        self.source.setVisible(bool(service.source))
        self.fee.setText(t("requirements.fee", fee=t.money(service.fee_idr)))
        self.sla.setText(t("requirements.sla", sla=t.duration(service.sla.amount, service.sla.unit)))
        self.counters.setText(t("requirements.counters", counters=", ".join(str(c) for c in service.counters)))
        if self._preview is None:
            self.waiting.setText(t("requirements.waiting_loading"))
        else:
            people, minutes = self._preview
            self.waiting.setText(t("requirements.waiting", count=people, wait=t.minutes(minutes)))
        self._show_availability()

    def spoken_text(self) -> str:
        if self.service is None:
            return ""
        return " ".join([self.title.text() + ".", self.bring_title.text(),
                         "; ".join(r.get(self.t.lang) for r in self.service.requirements) + ".",
                         self.fee.text() + ".", self.sla.text() + ".",
                         self.availability_notice.text() if self.availability_notice.isVisibleTo(self) else ""]).strip()
