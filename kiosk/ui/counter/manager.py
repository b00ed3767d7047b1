"""The manager's performance panel: today's or this month's figures at a glance, and the PDF.

Opened from the counter console ("Performance"); read-only and aggregated (no ticket, no NIK). The
figures are the report's (:func:`kiosk.reports.service.make_report`), read on a background thread from
the queue database of this machine; "Save PDF" writes the same report ``kiosk report`` makes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.reports.data import Period, Report
from kiosk.reports.pdf import Fmt, period_text
from kiosk.survey.ikm import CATEGORY_KEYS
from kiosk.ui.qt.tasks import TaskRunner
from kiosk.ui.qt.theme import Scale, console_style
from kiosk.ui.qt.widgets import button, label

log = logging.getLogger(__name__)

TILES = ("tickets", "served", "no_shows", "transfers", "wait", "wait_p90", "sla", "ikm")


def _load(config: Config, period: Period, day: str) -> Report:
    from kiosk.reports.service import make_report

    return make_report(config, period, day)


def _save(config: Config, report: Report, lang: str) -> Path:
    from kiosk.reports.pdf import render_pdf

    out = config.data_dir / "reports" / f"laporan-{report.period}-{report.first_day}.pdf"
    return render_pdf(report, out, lang)


class ManagerWindow(QWidget):
    """Performance today / this month: tiles, a table per service, and "Save PDF"."""

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("managerWindow")
        self.config = config
        self.t = Translator(config.device.language)
        self.period: Period = "day"
        self.report: Report | None = None
        self.runner = TaskRunner("manager-report", self)
        root = QVBoxLayout(self)
        root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(24, 20, 24, 20)
        root.setSpacing(14)
        top = QHBoxLayout()
        self.title = label("", "sectionTitle", wrap=False)
        self.day_button = button("", "", lambda: self.show_period("day"), name="periodDay")
        self.month_button = button("", "", lambda: self.show_period("month"), name="periodMonth")
        self.refresh_button = button("", "", self.refresh, name="refreshReport")
        self.save_button = button("", "primary", self.save_pdf, name="saveReport")
        self.close_button = button("", "", self.close, name="closeReport")
        top.addWidget(self.title, 1)
        for widget in (self.day_button, self.month_button, self.refresh_button, self.save_button, self.close_button):
            top.addWidget(widget)
        root.addLayout(top)
        self.caption = label("", "caption")
        root.addWidget(self.caption)
        tiles = QGridLayout()
        tiles.setSpacing(10)
        self.tiles: dict[str, tuple[QFrame, QLabel, QLabel]] = {}
        for i, name in enumerate(TILES):
            frame = QFrame()
            frame.setObjectName("current")
            box = QVBoxLayout(frame)
            value = label("—", "tileValue", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
            value.setAccessibleName(f"tile_{name}")
            caption = label("", "note", align=Qt.AlignmentFlag.AlignCenter)
            box.addWidget(value)
            box.addWidget(caption)
            self.tiles[name] = (frame, value, caption)
            tiles.addWidget(frame, i // 4, i % 4)
        root.addLayout(tiles)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("serviceTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        root.addWidget(self.table, 1)
        self.status = label("", "message")
        root.addWidget(self.status)
        self._scale: Scale | None = None
        self._apply_style()
        self.retranslate()

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("report.screen.title"))
        self.day_button.setText(t("report.screen.period_day"))
        self.month_button.setText(t("report.screen.period_month"))
        self.refresh_button.setText(t("report.screen.refresh"))
        self.save_button.setText(t("report.screen.save_pdf"))
        self.close_button.setText(t("report.screen.close"))
        for name, (_frame, _value, caption) in self.tiles.items():
            caption.setText(t(f"report.tile.{name}"))
        self.table.setHorizontalHeaderLabels([t("report.col.service"), t("report.col.tickets"), t("report.col.served"),
                                              t("report.col.no_shows"), t("report.col.wait"), t("report.col.sla"),
                                              t("report.col.ikm")])

    def today(self) -> str:
        return datetime.now(ZoneInfo(self.config.site.timezone)).date().isoformat()

    def show_period(self, period: Period) -> None:
        self.period = period
        self.refresh()

    def refresh(self) -> None:
        config, period, day = self.config, self.period, self.today()
        self._say(self.t("report.screen.loading"))
        self.runner.run(lambda: _load(config, period, day), on_done=self._show,
                        on_error=lambda exc: self._say(self.t("report.screen.failed", reason=str(exc)), error=True))

    def _show(self, report: Report) -> None:
        self.report = report
        t, f = self.t, Fmt(self.t)
        total = report.total
        ikm = report.ikm
        ikm_text = "–"
        if ikm is not None and ikm.ikm is not None and ikm.category:
            ikm_text = f"{f.dec(float(ikm.ikm), 2)} {ikm.category}"
        values = {
            "tickets": f.int(total.tickets), "served": f.int(total.served),
            "no_shows": f.int(total.no_shows), "transfers": f.int(total.transfers),
            "wait": t("report.minutes", n=f.minutes(total.waiting.mean)),
            "wait_p90": t("report.minutes", n=f.minutes(total.waiting.p90)),
            "sla": f.share(total.sla_met, total.sla_checked), "ikm": ikm_text,
        }
        for name, (_frame, value, _caption) in self.tiles.items():
            value.setText(values[name])
        self.title.setText(t("report.screen.title") if report.period == "day" else t("report.screen.title_month"))
        caption = period_text(report, t)
        if ikm is not None and ikm.category:
            caption += " · " + t("report.summary.ikm", ikm=f.dec(float(ikm.ikm), 2) if ikm.ikm is not None else "–",
                                 category=ikm.category, quality=t(f"report.quality.{CATEGORY_KEYS[ikm.category]}"),
                                 respondents=f.int(ikm.respondents))
        self.caption.setText(caption)
        rows = [g for g in report.by_service if g.tickets]
        self.table.setRowCount(len(rows))
        for r, g in enumerate(rows):
            name = report.service_names.get(g.key, {}).get(t.lang, str(g.key))
            ikm_cell = (f"{f.dec(float(g.ikm.ikm), 2)} {g.ikm.category} (n={g.ikm.respondents})"
                        if g.ikm is not None and g.ikm.ikm is not None else "–")
            cells = [name, f.int(g.tickets), f.int(g.served), f.int(g.no_shows),
                     f"{f.minutes(g.waiting.mean)} / {f.minutes(g.waiting.median)} / {f.minutes(g.waiting.p90)}",
                     f.share(g.sla_met, g.sla_checked), ikm_cell]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self._say("")

    def save_pdf(self) -> None:
        report, config, lang = self.report, self.config, self.t.lang
        if report is None:
            return
        self.runner.run(lambda: _save(config, report, lang),
                        on_done=lambda path: self._say(self.t("report.screen.saved", path=str(path))),
                        on_error=lambda exc: self._say(self.t("report.screen.failed", reason=str(exc)), error=True))

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _apply_style(self) -> None:
        scale = Scale(unit=min((self.width() or 1600) / 1600, (self.height() or 900) / 900))
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(console_style(scale)
                               + f"QLabel#tileValue {{ font-size: {scale.font(40)}px; font-weight: 800; }}"
                               + f"QTableWidget {{ font-size: {scale.font(20)}px; }}")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_style()

    def shutdown(self) -> None:
        self.runner.stop()
