"""The survey at a counter: the citizen-facing screen, and the console's "Ask for a rating" (F9).

The clerk finishes a ticket and asks for a rating; the survey opens for that ticket on a small
touch monitor or tablet turned to the citizen, then hides itself. The survey store is handed in
by the composition root.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.catalog.services import Catalog
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.queue.models import Ticket
from kiosk.survey.link import SurveyTarget, target_for
from kiosk.survey.model import SurveyRecorder
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale, kiosk_style, tile_style
from kiosk.ui.qt.widgets import button
from kiosk.ui.survey.faces import survey_style
from kiosk.ui.survey.flow import SurveyFlow

log = logging.getLogger(__name__)


class SurveyWindow(QWidget):
    """The citizen-facing screen at a counter (a small touch monitor or tablet turned to the citizen).

    The clerk opens it with the ticket they just finished; it shows the same pages as the kiosk
    survey, then hides itself. Its own task runner keeps the database off the GUI thread.
    """

    closed = Signal(object, bool)  # target, whether a response was saved

    def __init__(self, config: Config, catalog: Catalog | None, store: SurveyRecorder,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveyWindow")
        self.config = config
        self.t = Translator(config.device.language)
        self.runner = TaskRunner("counter-survey", self)
        self.flow = SurveyFlow(store, catalog, self.runner, channel="counter")
        self.flow.finished.connect(self._finished)
        self.flow.saved.connect(lambda _r: setattr(self, "_saved", True))
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.flow)
        self._scale: Scale | None = None
        self._target: SurveyTarget | None = None
        self._saved = False
        self.flow.retranslate(self.t)
        self._apply_style()

    def open_for(self, target: SurveyTarget, lang: str | None = None) -> None:
        self.t = Translator(lang or self.config.device.language)
        self.flow.retranslate(self.t)
        self.setWindowTitle(self.t("survey.counter.window_title"))
        self._target, self._saved = target, False
        self.flow.start_for(target)
        self.show()

    def _finished(self) -> None:
        target, saved = self._target, self._saved
        self.flow.reset()
        self.hide()
        if target is not None:
            self.closed.emit(target, saved)
        self._target = None

    def _apply_style(self) -> None:
        scale = Scale.for_size(self.width() or 1080, self.height() or 1920)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(kiosk_style(scale) + tile_style(scale) + survey_style(scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flow.stop()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.flow.stop()
        self.runner.stop()


class CounterSurvey(QObject):
    """The counter console's "Ask for a rating" (F9): after "Finish", open the survey for that ticket
    on the citizen-facing screen. One rating per ticket; the console says how it went.

    ``store`` is the survey store the composition root opened (``Core.survey``); its owner closes it.
    """

    message = Signal(str, bool)  # text, is_error

    def __init__(self, config: Config, catalog: Catalog | None, parent: QWidget, *,
                 store: SurveyRecorder) -> None:
        super().__init__(parent)
        self.config, self.catalog = config, catalog
        self.t = Translator(config.device.language)
        self.store = store
        self.window: SurveyWindow | None = None
        self.ticket: Ticket | None = None
        self.button = button("", "", self.ask, name="askRating")
        self.button.setEnabled(False)

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.button.setText(f"★ {t('survey.counter.ask')}  [F9]")

    def offer(self, ticket: Ticket) -> None:
        """A ticket was just finished here: it may now be rated."""
        self.ticket = ticket
        self.button.setEnabled(True)

    def ask(self) -> None:
        if self.ticket is None or not self.button.isEnabled():
            return
        if self.window is None:
            self.window = SurveyWindow(self.config, self.catalog, self.store)
            self.window.resize(1280, 800)  # a small touch monitor or tablet turned to the citizen
            self.window.closed.connect(self._closed)
        self.button.setEnabled(False)
        self.window.open_for(target_for(self.ticket, self.catalog), self.ticket.lang)
        self.message.emit(self.t("survey.counter.opened", number=self.ticket.number), False)

    def _closed(self, target: SurveyTarget, saved: bool) -> None:
        key = "survey.counter.rated" if saved else "survey.counter.closed"
        self.message.emit(self.t(key, number=target.ticket_number), False)

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.shutdown()
            self.window.close()
            self.window.deleteLater()
            self.window = None
