"""The report as a PDF for the record (A4, reportlab): summary tiles, charts, tables, IKM.

Layout for a manager reading on paper: the page-one summary answers "how did we do?" (tickets,
waiting, SLA, IKM with its category); charts show where and when people waited; tables give every
number by service, agency, counter and day. Indonesian by default; numbers use the language's
decimal mark.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kiosk.i18n import Translator
from kiosk.reports.bookings import booking_story
from kiosk.reports.complaints import complaint_story
from kiosk.reports.data import Durations, GroupFigures, Report
from kiosk.survey.ikm import CATEGORY_KEYS, IkmResult
from kiosk.survey.model import DEMOGRAPHICS

PRIMARY = colors.HexColor("#0b4f9c")
INK = colors.HexColor("#0f172a")
MUTED = colors.HexColor("#475569")
SURFACE = colors.HexColor("#eef2f7")
GRID = colors.HexColor("#cbd5e1")
CATEGORY_COLOURS = {"A": "#0f6b3a", "B": "#2563eb", "C": "#b45309", "D": "#a4161a"}
TOP_SERVICES = 12
WIDTH = A4[0] - 30 * mm


class Fmt:
    """Numbers as the reader's language writes them (Indonesian: 1.234,5). Inside this class ``int``
    is the method below, hence ``builtins.int`` in the annotations."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self.id = t.lang == "id"

    def int(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.id else text

    def dec(self, value: float | None, places: builtins.int = 1) -> str:
        if value is None:
            return "–"
        text = f"{value:,.{places}f}"
        if self.id:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return text

    def minutes(self, seconds: float | None) -> str:
        return self.dec(seconds / 60 if seconds is not None else None)

    def share(self, part: builtins.int, whole: builtins.int) -> str:
        return f"{self.dec(100 * part / whole)}%" if whole else "–"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=20, leading=24, textColor=PRIMARY,
                                spaceAfter=2, alignment=0),
        "site": ParagraphStyle("site", parent=base["Normal"], fontSize=13, leading=16, textColor=INK,
                               fontName="Helvetica-Bold"),
        "meta": ParagraphStyle("meta", parent=base["Normal"], fontSize=9.5, leading=12, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=13.5, leading=17, textColor=PRIMARY,
                             spaceBefore=10, spaceAfter=5),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=9.5, leading=12.5, textColor=INK),
        "note": ParagraphStyle("note", parent=base["Normal"], fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=8, leading=9.5, textColor=INK),
        "head": ParagraphStyle("head", parent=base["Normal"], fontSize=7, leading=8.5, textColor=INK),
        "tileLabel": ParagraphStyle("tileLabel", parent=base["Normal"], fontSize=8.5, leading=10,
                                    textColor=MUTED, alignment=TA_CENTER),
        "tileValue": ParagraphStyle("tileValue", parent=base["Normal"], fontSize=17, leading=20,
                                    textColor=INK, fontName="Helvetica-Bold", alignment=TA_CENTER),
    }


def period_text(report: Report, t: Translator) -> str:
    year, month, day = (int(x) for x in report.first_day.split("-"))
    month_name = t(f"report.month.m{month}")
    if report.period == "year":
        return t("skm.period.year", year=year)
    if report.period == "semester":
        return t("skm.period.semester", n=t(f"skm.period.semester_{1 if month <= 6 else 2}"), year=year)
    if report.period == "month":
        return t("report.period_month", month=month_name, year=year)
    return t("report.period_day", day=day, month=month_name, year=year)


def render_pdf(report: Report, out: Path, lang: str = "id") -> Path:
    """Write the report to ``out`` (PDF); returns the path."""
    t = Translator(lang)
    f = Fmt(t)
    s = _styles()
    story: list[Any] = []
    generated = report.generated_at.strftime("%d-%m-%Y %H:%M")
    story.append(Paragraph(t("report.title"), s["title"]))
    story.append(Paragraph(f"{_esc(report.site_name)} ({_esc(report.mpp_code)})", s["site"]))
    story.append(Paragraph(t("report.meta", period=period_text(report, t), first=report.first_day,
                             last=report.last_day, generated=generated, tz=report.timezone), s["meta"]))
    story.append(Spacer(1, 6))
    story.append(_summary_tiles(report, t, f, s))
    story.append(Spacer(1, 4))
    story.append(Paragraph(_summary_sentence(report, t, f), s["body"]))

    story.append(Paragraph(t("report.chart_services"), s["h2"]))
    story.append(_service_chart(report, t, f))
    story.append(Paragraph(t("report.chart_hours"), s["h2"]))
    story.append(_hour_chart(report, t, f))
    story.append(Paragraph(t("report.chart_hours_note"), s["note"]))

    story.append(PageBreak())
    story.append(Paragraph(t("report.by_service"), s["h2"]))
    story.append(Paragraph(t("report.columns_note"), s["note"]))
    story.append(Spacer(1, 3))
    names = {code: n.get(lang, code) for code, n in report.service_names.items()}
    story.append(_figures_table(report.by_service, t, f, s, lambda key: names.get(key, key), t("report.col.service"),
                                first_width=46 * mm))
    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph(t("report.by_agency"), s["h2"]))
    agencies = {code: n.get(lang, code) for code, n in report.agency_names.items()}
    story.append(_figures_table(report.by_agency, t, f, s, lambda key: agencies.get(key, key), t("report.col.agency"),
                                first_width=46 * mm))
    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph(t("report.by_counter"), s["h2"]))
    story.append(_figures_table(report.by_counter, t, f, s, lambda key: t("report.counter_name", number=key),
                                t("report.col.counter"), first_width=46 * mm))
    if report.period == "month":
        story.append(CondPageBreak(80 * mm))
        story.append(Paragraph(t("report.by_day"), s["h2"]))
        story.append(_figures_table(report.by_day, t, f, s, lambda key: key, t("report.col.day"),
                                    first_width=46 * mm))
    elif report.period in ("semester", "year"):
        story.append(CondPageBreak(80 * mm))
        story.append(Paragraph(t("skm.by_month"), s["h2"]))
        story.append(_figures_table(report.by_month, t, f, s, lambda key: month_label(key, t),
                                    t("skm.col_month"), first_width=46 * mm))
    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph(t("report.applications"), s["h2"]))
    story.append(_applications(report, t, f, s))
    if report.bookings is not None:  # kept by the queue host (kiosk.reports.bookings)
        story.append(CondPageBreak(60 * mm))
        story.extend(booking_story(report.bookings, t, s, WIDTH))
    if report.complaints is not None:  # fetched from the central API by ``kiosk report``
        story.append(CondPageBreak(60 * mm))
        story.extend(complaint_story(report.complaints, t, s, WIDTH))

    story.append(PageBreak())
    story.extend(_ikm_section(report, t, f, s, names))

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=t("report.title"), author=report.site_name,
                            subject=period_text(report, t))

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(15 * mm, 9 * mm, f"{report.site_name} · {t('report.title')} · {period_text(report, t)}")
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, t("report.page", n=doc_.page))
        canvas.restoreState()

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary_tiles(report: Report, t: Translator, f: Fmt, s: dict[str, ParagraphStyle]) -> Table:
    total = report.total
    ikm = report.ikm
    ikm_value = ikm.ikm if ikm is not None else None
    ikm_text = f"{f.dec(float(ikm_value), 2)} ({ikm.category})" if ikm is not None and ikm_value is not None else "–"
    tiles = [
        (t("report.tile.tickets"), f.int(total.tickets)),
        (t("report.tile.served"), f.int(total.served)),
        (t("report.tile.no_shows"), f"{f.int(total.no_shows)} ({f.share(total.no_shows, total.tickets)})"),
        (t("report.tile.transfers"), f.int(total.transfers)),
        (t("report.tile.wait"), t("report.minutes", n=f.minutes(total.waiting.mean))),
        (t("report.tile.wait_p90"), t("report.minutes", n=f.minutes(total.waiting.p90))),
        (t("report.tile.sla"), f.share(total.sla_met, total.sla_checked)),
        (t("report.tile.ikm"), ikm_text),
    ]
    cells = [[[Paragraph(value, s["tileValue"]), Paragraph(caption, s["tileLabel"])]
              for caption, value in tiles[i:i + 4]]
             for i in (0, 4)]
    table = Table(cells, colWidths=[WIDTH / 4] * 4)
    style = [("BACKGROUND", (0, 0), (-1, -1), SURFACE), ("BOX", (0, 0), (-1, -1), 0.5, GRID),
             ("INNERGRID", (0, 0), (-1, -1), 2, colors.white), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]
    if ikm is not None and ikm.category:
        style.append(("BACKGROUND", (3, 1), (3, 1), colors.HexColor(CATEGORY_COLOURS[ikm.category]).clone(alpha=0.18)))
    table.setStyle(TableStyle(style))
    return table


def _summary_sentence(report: Report, t: Translator, f: Fmt) -> str:
    total = report.total
    parts = [t("report.summary.wait", mean=f.minutes(total.waiting.mean), median=f.minutes(total.waiting.median),
               p90=f.minutes(total.waiting.p90)),
             t("report.summary.service", mean=f.minutes(total.service.mean), median=f.minutes(total.service.median),
               p90=f.minutes(total.service.p90))]
    if total.sla_checked:
        parts.append(t("report.summary.sla", met=f.int(total.sla_met), checked=f.int(total.sla_checked),
                       share=f.share(total.sla_met, total.sla_checked)))
    if report.ikm is not None and report.ikm.ikm is not None and report.ikm.category:
        parts.append(t("report.summary.ikm", ikm=f.dec(float(report.ikm.ikm), 2), category=report.ikm.category,
                       quality=t(f"report.quality.{CATEGORY_KEYS[report.ikm.category]}"),
                       respondents=f.int(report.ikm.respondents)))
    else:
        parts.append(t("report.summary.no_ikm"))
    parts.append(sample_text(report, t, f))
    return " ".join(parts)


def sample_text(report: Report, t: Translator, f: Fmt) -> str:
    """The SKM sample sentence: complete responses against the Krejcie–Morgan minimum, and whether reached."""
    sample = report.sample
    if sample.population == 0:
        return t("skm.sample.none")
    line = t("skm.sample.line", respondents=f.int(sample.respondents), population=f.int(sample.population),
             needed=f.int(sample.needed))
    verdict = t("skm.sample.reached") if sample.reached else t("skm.sample.short", count=sample.short_by)
    return f"{line} {verdict}"


def month_label(key: str, t: Translator) -> str:
    """"2026-07" → "Juli 2026"."""
    year, month = key.split("-")
    return f"{t(f'report.month.m{int(month)}')} {year}"


def _service_chart(report: Report, t: Translator, f: Fmt) -> Drawing:
    rows = [g for g in report.by_service if g.tickets][:TOP_SERVICES]
    rest = sum(g.tickets for g in report.by_service[TOP_SERVICES:])
    labels = [_short(report.service_names.get(g.key, {}).get(t.lang, str(g.key)), 34) for g in rows]
    values = [g.tickets for g in rows]
    if rest:
        labels.append(t("report.other_services", n=len(report.by_service) - TOP_SERVICES))
        values.append(rest)
    labels, values = labels[::-1], values[::-1]  # largest on top
    height = max(60, 15 * len(values)) + 30
    drawing = Drawing(WIDTH, height)
    if not values:
        drawing.add(String(WIDTH / 2, height / 2, t("report.no_data"), textAnchor="middle", fontSize=10))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 18
    chart.width, chart.height = WIDTH - 190, height - 26
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = lambda v: f.int(int(v))
    chart.bars[0].fillColor = PRIMARY
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f.int(int(v))
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _hour_chart(report: Report, t: Translator, f: Fmt) -> Drawing:
    hours = [g for g in report.by_hour if g.tickets]
    drawing = Drawing(WIDTH, 150)
    if not hours:
        drawing.add(String(WIDTH / 2, 75, t("report.no_data"), textAnchor="middle", fontSize=10))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 28
    chart.width, chart.height = WIDTH - 60, 105
    chart.data = [[round((g.waiting.mean or 0) / 60, 1) for g in hours]]
    chart.categoryAxis.categoryNames = [f"{int(g.key):02d}:00" for g in hours]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#f2b705")
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f.dec(v)
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(2, 140, t("report.axis_minutes"), fontSize=8, fillColor=MUTED))
    drawing.add(String(WIDTH / 2, 4, t("report.axis_hour"), fontSize=8, fillColor=MUTED, textAnchor="middle"))
    return drawing


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _figures_table(groups: Sequence[GroupFigures], t: Translator, f: Fmt, s: dict[str, ParagraphStyle],
                   name: Callable[[Any], str], first: str, first_width: float) -> Table:
    header = [first, t("report.col.tickets"), t("report.col.served"), t("report.col.no_shows"),
              t("report.col.transfers"), t("report.col.wait"), t("report.col.service_time"), t("report.col.sla"),
              t("report.col.ikm")]
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", s["head"]) for h in header]]

    def durations(d: Durations) -> str:
        return f"{f.minutes(d.mean)} / {f.minutes(d.median)} / {f.minutes(d.p90)}"

    def ikm_cell(result: IkmResult | None) -> str:
        if result is None or result.respondents == 0:
            return "–"
        if result.ikm is None:
            return t("report.ikm_incomplete", n=result.respondents)
        return f"{f.dec(float(result.ikm), 2)} {result.category} (n={f.int(result.respondents)})"

    for g in groups:
        rows.append([Paragraph(_esc(str(name(g.key))), s["cell"]), f.int(g.tickets), f.int(g.served),
                     f.int(g.no_shows), f.int(g.transfers), durations(g.waiting), durations(g.service),
                     f.share(g.sla_met, g.sla_checked), ikm_cell(g.ikm)])
    rest = WIDTH - first_width
    widths = [first_width] + [rest * w for w in (0.085, 0.085, 0.10, 0.10, 0.18, 0.18, 0.075, 0.195)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SURFACE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, PRIMARY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8fafc")]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _applications(report: Report, t: Translator, f: Fmt, s: dict[str, ParagraphStyle]) -> Paragraph:
    text = t("report.applications_filed", n=f.int(report.total.applications))
    counts = report.applications
    if counts:
        states = ", ".join(f"{t(f'report.sync_state.{k}') if t.has(f'report.sync_state.{k}') else k}: {f.int(int(v))}"
                           for k, v in counts.items() if isinstance(v, int))
        text += " " + t("report.sync_states", states=states)
    else:
        text += " " + t("report.sync_not_available")
    return Paragraph(text, s["body"])


def _ikm_section(report: Report, t: Translator, f: Fmt, s: dict[str, ParagraphStyle],
                 names: dict[str, str]) -> list[Any]:
    out: list[Any] = [Paragraph(t("report.ikm_title"), s["h2"]), Paragraph(t("report.ikm_method"), s["note"]),
                      Spacer(1, 4)]
    ikm = report.ikm
    if ikm is None or ikm.respondents == 0:
        out.append(Paragraph(t("report.summary.no_ikm"), s["body"]))
        return out
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", s["cell"]) for h in
                              (t("report.col.element"), t("report.col.answers"), t("report.col.nrr"),
                               t("report.col.weighted"))]]
    for e in ikm.elements:
        nrr = float(e.nrr) if e.nrr is not None else None
        rows.append([Paragraph(f"{e.code} · {_esc(t(f'survey.element.{e.key}.name'))}", s["cell"]), f.int(e.answers),
                     f.dec(nrr, 2), f.dec(nrr / 9 if nrr is not None else None, 3)])
    value = f.dec(float(ikm.ikm), 2) if ikm.ikm is not None else t("report.ikm_not_computed",
                                                                    elements=", ".join(ikm.missing_elements))
    category = f"{ikm.category} – {t(f'report.quality.{CATEGORY_KEYS[ikm.category]}')}" if ikm.category else "–"
    rows.append([Paragraph(f"<b>{t('report.ikm_total')}</b>", s["cell"]), f.int(ikm.respondents), value, category])
    table = Table(rows, colWidths=[WIDTH * 0.52, WIDTH * 0.14, WIDTH * 0.14, WIDTH * 0.20], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 8.5), ("BACKGROUND", (0, 0), (-1, 0), SURFACE),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, PRIMARY), ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
             ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9.5),
             ("LINEABOVE", (0, -1), (-1, -1), 1, INK)]
    if ikm.category:
        style.append(("TEXTCOLOR", (2, -1), (3, -1), colors.HexColor(CATEGORY_COLOURS[ikm.category])))
    table.setStyle(TableStyle(style))
    out.append(table)
    out.append(Spacer(1, 4))
    out.append(Paragraph(t("report.category_scale"), s["note"]))
    out.append(Spacer(1, 4))
    out.append(Paragraph(sample_text(report, t, f), s["body"]))
    out.append(Paragraph(t("skm.sample.rule"), s["note"]))

    demo_rows: list[list[Any]] = [[Paragraph(f"<b>{t('report.col.group')}</b>", s["cell"]),
                                   Paragraph(f"<b>{t('report.col.respondents')}</b>", s["cell"])]]
    for field_name, codes in DEMOGRAPHICS.items():
        counts = report.demographics.get(field_name, {})
        parts = [f"{t(f'survey.demographic.{field_name}.{code}')}: {f.int(counts[code])}"
                 for code in codes if counts.get(code)]
        if counts.get("not_given"):
            parts.append(f"{t('report.not_given')}: {f.int(counts['not_given'])}")
        demo_rows.append([Paragraph(t(f"survey.demographic.{field_name}.title"), s["cell"]),
                          Paragraph(" · ".join(parts) or "–", s["cell"])])
    demo = Table(demo_rows, colWidths=[WIDTH * 0.25, WIDTH * 0.75])
    demo.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SURFACE), ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out.append(KeepTogether([Paragraph(t("report.demographics"), s["h2"]), demo]))
    if report.feedback:
        items = []
        for entry in report.feedback:
            kind = t("report.complaint") if entry.get("complaint") else t("report.suggestion")
            text = entry.get("complaint") or entry.get("suggestion") or ""
            where = names.get(entry.get("service_code") or "", entry.get("service_code") or "–")
            items.append(Paragraph(f"<b>{kind}</b> · {entry['day']} · {_esc(where)}: {_esc(text)}", s["body"]))
        out.append(KeepTogether([Paragraph(t("report.feedback"), s["h2"]), *items]))
    return out
