"""The one-page public notice of the SKM results (IKM), to print and post in the MPP's lobby.

PermenPANRB 14/2017 asks that survey results be published and followed up, and the public-service
evaluation scores both. The notice says, in large type for a lobby wall: the period, the IKM and its
quality grade (A–D), the score of each of the nine elements, how many citizens answered against the
minimum sample, and the follow-up actions taken (from a small text file the manager writes, one
action per line). Everything fits one A4 page: the body shrinks rather than spill onto a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.i18n import Translator
from kiosk.reports.data import Report, ReportError
from kiosk.reports.pdf import CATEGORY_COLOURS, GRID, INK, MUTED, PRIMARY, SURFACE, Fmt, period_text, sample_text
from kiosk.survey.ikm import CATEGORY_KEYS

MAX_ACTIONS = 10
MAX_ACTION_CHARS = 240
WIDTH, HEIGHT = A4[0] - 36 * mm, A4[1] - 40 * mm


def read_actions(path: Path) -> list[str]:
    """The follow-up actions in ``path``: UTF-8 text, one action a line; blank lines and ``#`` lines skipped."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file (the follow-up actions, one a line).") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: is not UTF-8 text; save it as UTF-8.") from None
    actions = [line.strip().lstrip("-•*").strip() for line in text.splitlines()]
    actions = [a for a in actions if a and not a.startswith("#")]
    if len(actions) > MAX_ACTIONS:
        raise ReportError(f"{path}: {len(actions)} actions; a notice that people read lists at most {MAX_ACTIONS}.")
    long = [i for i, a in enumerate(actions, start=1) if len(a) > MAX_ACTION_CHARS]
    if long:
        raise ReportError(f"{path}: action {long[0]} is longer than {MAX_ACTION_CHARS} characters; shorten it.")
    return actions


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["Normal"]

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, fontSize=size, leading=size * 1.25, textColor=kw.pop("color", INK),
                              **kw)

    return {
        "title": style("title", 26, fontName="Helvetica-Bold", color=PRIMARY, alignment=TA_CENTER),
        "subtitle": style("subtitle", 16, fontName="Helvetica-Bold", alignment=TA_CENTER),
        "period": style("period", 13, color=MUTED, alignment=TA_CENTER),
        "label": style("label", 13, color=MUTED, alignment=TA_CENTER),
        "value": style("value", 54, fontName="Helvetica-Bold", alignment=TA_CENTER),
        "grade": style("grade", 30, fontName="Helvetica-Bold", alignment=TA_CENTER),
        "h2": style("h2", 15, fontName="Helvetica-Bold", color=PRIMARY, spaceBefore=8, spaceAfter=4),
        "body": style("body", 12.5),
        "cell": style("cell", 12),
        "note": style("note", 9.5, color=MUTED),
    }


def long_date(iso: str, t: Translator) -> str:
    """"2026-07-01" → "1 Juli 2026" (a lobby notice is read by people, not spreadsheets)."""
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{day} {t(f'report.month.m{month}')} {year}"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _headline(report: Report, t: Translator, f: Fmt, s: dict[str, ParagraphStyle]) -> Table | Paragraph:
    ikm = report.ikm
    if ikm is None or ikm.respondents == 0:
        return Paragraph(t("skm.notice.no_responses"), s["subtitle"])
    if ikm.ikm is None or ikm.category is None:
        return Paragraph(t("skm.notice.not_computed", elements=", ".join(ikm.missing_elements)), s["subtitle"])
    colour = colors.HexColor(CATEGORY_COLOURS[ikm.category])
    grade = ParagraphStyle("gradeColour", parent=s["grade"], textColor=colour)
    quality = t(f"report.quality.{CATEGORY_KEYS[ikm.category]}")
    cells = [[[Paragraph(t("skm.notice.ikm_label"), s["label"]), Paragraph(f.dec(float(ikm.ikm), 2), s["value"])],
              [Paragraph(t("skm.notice.grade_label"), s["label"]),
               Paragraph(t("skm.notice.grade", category=ikm.category, quality=quality), grade)]]]
    table = Table(cells, colWidths=[WIDTH / 2] * 2)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), SURFACE), ("BOX", (0, 0), (-1, -1), 1, GRID),
        ("BACKGROUND", (1, 0), (1, 0), colour.clone(alpha=0.14)), ("LINEBEFORE", (1, 0), (1, 0), 2, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 10),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 14),
    ]))
    return table


def _elements(report: Report, t: Translator, f: Fmt, s: dict[str, ParagraphStyle]) -> Table | None:
    ikm = report.ikm
    if ikm is None or ikm.respondents == 0:
        return None
    head = ParagraphStyle("head", parent=s["cell"], fontName="Helvetica-Bold")
    rows: list[list[Any]] = [[Paragraph(t("skm.notice.col_element"), head), Paragraph(t("skm.notice.col_nrr"), head),
                              Paragraph(t("skm.notice.col_value"), head)]]
    for e in ikm.elements:
        nrr = float(e.nrr) if e.nrr is not None else None
        rows.append([Paragraph(f"{e.code} · {_esc(t(f'survey.element.{e.key}.name'))}", s["cell"]),
                     f.dec(nrr, 2), f.dec(nrr * 25 if nrr is not None else None, 2)])
    table = Table(rows, colWidths=[WIDTH * 0.6, WIDTH * 0.2, WIDTH * 0.2], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 1), (-1, -1), "Helvetica", 12), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SURFACE), ("LINEBELOW", (0, 0), (-1, 0), 1, PRIMARY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, GRID), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]))
    return table


def render_notice(report: Report, out: Path, lang: str = "id", actions: list[str] | None = None) -> Path:
    """Write the one-page public IKM notice of ``report``'s period to ``out`` (PDF); returns the path."""
    t = Translator(lang)
    f = Fmt(t)
    s = _styles()
    period = period_text(report, t)
    body: list[Any] = [
        Paragraph(t("skm.notice.title"), s["title"]),
        Paragraph(_esc(t("skm.notice.subtitle", site=report.site_name)), s["subtitle"]),
        Paragraph(t("skm.notice.period", period=period, first=long_date(report.first_day, t),
                    last=long_date(report.last_day, t)), s["period"]),
        Spacer(1, 10), _headline(report, t, f, s), Spacer(1, 6),
        Paragraph(sample_text(report, t, f), s["body"]),
    ]
    elements = _elements(report, t, f, s)
    if elements is not None:
        body += [Paragraph(t("skm.notice.elements"), s["h2"]), elements]
    body.append(Paragraph(t("skm.notice.actions"), s["h2"]))
    if actions:
        body += [Paragraph(f"{i}. {_esc(a)}", s["body"]) for i, a in enumerate(actions, start=1)]
    else:
        body.append(Paragraph(t("skm.notice.no_actions"), s["body"]))
    body += [Spacer(1, 8), Paragraph(t("skm.notice.method"), s["note"]), Paragraph(t("skm.sample.rule"), s["note"]),
             Spacer(1, 4), Paragraph(t("skm.notice.thanks"), s["note"])]
    generated = report.generated_at.strftime("%d-%m-%Y")

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(PRIMARY)
        canvas.rect(0, A4[1] - 8 * mm, A4[0], 8 * mm, stroke=0, fill=1)  # a coloured band: reads as a notice
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, t("skm.notice.footer", site=report.site_name, generated=generated))
        canvas.restoreState()

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=t("skm.notice.title"), author=report.site_name, subject=period)
    doc.build([KeepInFrame(WIDTH, HEIGHT, body, mode="shrink")], onFirstPage=footer)
    return out
