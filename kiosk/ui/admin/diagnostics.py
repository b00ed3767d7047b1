"""The diagnostics screen: every check (:func:`kiosk.ui.admin.qt_checks.all_checks`), run one by one
on a worker thread, each row saying ok / warning / problem, what was found and what to do.

Checks that need the GUI thread (the voice) are answered by the running app instead (``voice``
callable), so the screen never blocks while a network check waits for its timeout.

A row says the finding in the screen's language (the check's ``admin.finding.*`` key, see
:mod:`kiosk.i18n.keyed`); the English detail stays in the log and ``selftest.json`` for IT's tickets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.i18n.keyed import key_of, say
from kiosk.setup.checks import Check, CheckFn, Level, run_check
from kiosk.ui.admin.qt_checks import GUI_THREAD_CHECKS, all_checks
from kiosk.ui.admin.style import level_label
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.widgets import button, label

log = logging.getLogger(__name__)

VoiceProbe = Callable[[], tuple[Level, str]]


def finding_text(check: Check, t: Translator) -> str:
    """What a row says: the keyed sentence; the English detail only on an English screen."""
    if check.message_key:
        return say(t, check.message_key, check.message_params)
    return check.detail if t.lang == "en" else t("admin.finding.untranslated")


class CheckRow(QFrame):
    def __init__(self, check: Check, t: Translator) -> None:
        super().__init__()
        self.setObjectName("checkRow")
        self.check = check
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 10, 16, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        title_key = f"admin.check.{check.name}"
        self.level = level_label(check.level, t)
        self.name = label(t(title_key) if t.has(title_key) else check.name, "checkName")
        self.detail = label(finding_text(check, t), "checkDetail")
        grid.addWidget(self.level, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.detail, 1, 1)
        self.advice = None
        if check.advice_key and check.level != "ok":
            self.advice = label("→ " + t(check.advice_key), "checkAdvice")
            grid.addWidget(self.advice, 2, 1)
        grid.setColumnStretch(1, 1)


class DiagnosticsPage(QWidget):
    """Runs the checks and lists their findings; "Check again" reruns them."""

    finished = Signal()

    def __init__(self, config: Config, t: Translator, *, voice: VoiceProbe | None = None,
                 checks: list[tuple[str, CheckFn]] | None = None) -> None:
        super().__init__()
        self.config, self.t, self.voice = config, t, voice
        self._checks = checks
        self.results: list[Check] = []
        self.runner = TaskRunner("diagnostics", self)
        self._pending: list[tuple[str, CheckFn]] = []
        self._total = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 10)
        outer.setSpacing(12)
        top = QHBoxLayout()
        top.addWidget(label(t("admin.diag.title"), "adminTitle"), 1)
        self.run_button = button(t("admin.diag.run"), "primary", self.run, name="diagRun")
        self.run_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        top.addWidget(self.run_button)
        outer.addLayout(top)
        self.progress = label("", "adminMessage")
        outer.addWidget(self.progress)
        self.list_widget = QWidget()
        self.rows = QVBoxLayout(self.list_widget)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(8)
        self.rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.list_widget)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 1)

    @property
    def running(self) -> bool:
        return bool(self._pending) or self.runner.busy

    def run(self) -> None:
        if self.running:
            return
        checks = self._checks if self._checks is not None else all_checks()
        self._clear_rows()
        self.results = []
        self._pending = [(n, f) for n, f in checks if n not in GUI_THREAD_CHECKS]
        self._total = len(self._pending) + (1 if self.voice is not None else 0)
        self.run_button.setEnabled(False)
        if self.voice is not None:
            level, detail = self.voice()
            advice = "admin.advice.voice" if level != "ok" else ""
            key, params = key_of(detail)
            self._add(Check("voice", level != "error", str(detail), level, advice_key=advice,
                            message_key=key, message_params=params))
        self._next()

    def _next(self) -> None:
        if not self._pending:
            self._done()
            return
        name, fn = self._pending.pop(0)
        self.progress.setText(self.t("admin.diag.progress", done=len(self.results) + 1, total=self._total))
        config = self.config
        self.runner.run(lambda: run_check(name, fn, config), self._got, self._crashed(name))

    def _crashed(self, name: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:  # run_check catches check errors; this is a bug
            log.error("diagnostics check %s crashed", name, exc_info=exc)
            self._got(Check(name, False, f"check failed: {exc}", "error", message_key="admin.finding.crashed"))
        return failed

    def _got(self, check: Check) -> None:
        self._add(check)
        self._next()

    def _add(self, check: Check) -> None:
        self.results.append(check)
        self.rows.insertWidget(self.rows.count() - 1, CheckRow(check, self.t))

    def _done(self) -> None:
        self._problems_first()
        errors = sum(c.level == "error" for c in self.results)
        warnings = sum(c.level == "warning" for c in self.results)
        self.progress.setText(self.t("admin.diag.all_ok") if not errors and not warnings
                              else self.t("admin.diag.summary", errors=errors, warnings=warnings))
        self.run_button.setEnabled(True)
        self.finished.emit()

    def _problems_first(self) -> None:
        """Problems, then warnings, then the fine rows (each group in check order): the summary says
        "4 problems", and on a landscape screen they would otherwise sit below the fold."""
        rows = []
        for index in range(self.rows.count() - 1):  # the last item is the stretch
            item = self.rows.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, CheckRow):
                rows.append(widget)
        rank = {"error": 0, "warning": 1, "ok": 2}
        for row in sorted(rows, key=lambda r: rank.get(r.check.level, 3)):
            self.rows.removeWidget(row)
            self.rows.insertWidget(self.rows.count() - 1, row)

    def _clear_rows(self) -> None:
        while self.rows.count() > 1:
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def result(self, name: str) -> Check | None:
        return next((c for c in self.results if c.name == name), None)

    def shutdown(self) -> None:
        self._pending = []
        self.runner.stop()
