"""The paper ticket: what is on it, where it goes, and drawing it as a PDF or as printer dots.

One layout (:func:`layout_ticket`) places every element once, in points, for a paper width; two
painters draw that same layout: :func:`render_pdf` (reportlab, for the OS spooler and the file sink)
and :func:`render_image` (Pillow at the thermal printer's 203 dpi, for ESC/POS and PNG files). A
second painter rather than rasterising the PDF: reportlab's own rasteriser needs rlPyCairo (not
installed), and poppler is a subprocess (tens of ms, and absent on Windows kiosks); drawing the
layout directly at 8 dots/mm puts every QR module on whole dots with no resampling blur. Both
painters use reportlab's bundled Bitstream Vera fonts, so the metrics are the same.

The ticket is printed in black only (thermal printers dither grey badly), with a number at least
about 1 cm tall, body text at 11 pt or more, and no personal data: no NIK, not even masked, no name.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.i18n import Translator
from kiosk.utils.paths import assets_dir

PRINTER_DPI = 203  # 8 dots per mm: nearly every receipt printer
MM = 72 / 25.4  # points per millimetre
# Printable width per paper roll (the print head is narrower than the paper).
PRINTABLE_MM: dict[int, float] = {80: 72.0, 58: 48.0}
LOGO_FILE = "mpp-logo.png"
REGULAR, BOLD = "Vera", "VeraBd"
NBSP = "\u00a0"
_TZ_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on one ticket, already in the citizen's language; safe to keep for reprints."""

    lang: str
    site_name: str
    number: str
    service_name: str
    agency_name: str
    counters: tuple[int, ...]
    people_ahead: int
    wait_minutes: int
    issued_at: datetime  # aware
    timezone: str
    status_url: str
    ticket_id: str = ""
    priority: bool = False
    verify_at_counter: bool = False
    device_id: str = ""
    identity_status: str = ""  # why the identity is checked at the counter: no NIK, a passport/KITAS (issue 16)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        data["counters"] = list(self.counters)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> TicketContent:
        values: dict[str, Any] = dict(data)  # parsed JSON: untyped until the dataclass holds it
        values["issued_at"] = datetime.fromisoformat(str(values["issued_at"]))
        values["counters"] = tuple(int(c) for c in values["counters"])
        return cls(**values)

    def local_time(self) -> datetime:
        return self.issued_at.astimezone(ZoneInfo(self.timezone))


def sample_content(site_name: str, status_url: str, lang: str = "id", paper_note: str = "",
                   tz: str = "Asia/Jakarta", device_id: str = "") -> TicketContent:
    """A realistic ticket for the test print (regional IT's ``kiosk print-test``)."""
    t = Translator(lang)
    return TicketContent(lang=lang, site_name=site_name, number="A-012",
                         service_name=t("printing.ticket.sample_service"),
                         agency_name=paper_note or t("printing.ticket.sample_agency"), counters=(1, 2),
                         people_ahead=4, wait_minutes=20, issued_at=datetime.now(UTC), timezone=tz,
                         status_url=status_url, device_id=device_id)


# -- layout ------------------------------------------------------------------------------------

Align = Literal["center", "left"]


@dataclass(frozen=True)
class TextLine:
    text: str
    font: str
    size: float  # points
    baseline: float  # points from the top of the content box
    align: Align = "center"
    inverted: bool = False  # white on a black band (the priority mark)


@dataclass(frozen=True)
class Picture:
    path: Path
    x: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class QrCode:
    matrix: tuple[tuple[bool, ...], ...]
    x: float
    top: float
    module: float  # points per module, a whole number of printer dots

    @property
    def size(self) -> float:
        return self.module * len(self.matrix)


@dataclass(frozen=True)
class Rule:
    top: float
    thickness: float = 1.2


@dataclass(frozen=True)
class TicketLayout:
    """Positioned elements; y grows downwards from the top of the printable area."""

    paper_width_mm: int
    width: float  # printable width, points
    height: float
    margin_x: float  # from the paper edge to the printable area, points
    texts: list[TextLine] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    qr: QrCode | None = None
    rules: list[Rule] = field(default_factory=list)
    number_line: TextLine | None = None

    @property
    def paper_width(self) -> float:
        return self.paper_width_mm * MM

    def number_cap_height_mm(self) -> float:
        """How tall the ticket number's capitals print, for the legibility check."""
        assert self.number_line is not None
        return _cap_height(self.number_line.font) * self.number_line.size / MM


@functools.cache
def _fonts_registered() -> bool:
    import reportlab

    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((REGULAR, "Vera.ttf"), (BOLD, "VeraBd.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    return True


def font_file(name: str) -> Path:
    import reportlab

    return Path(reportlab.__file__).parent / "fonts" / ("VeraBd.ttf" if name == BOLD else "Vera.ttf")


@functools.cache
def _cap_height(font: str) -> float:
    _fonts_registered()
    return float(pdfmetrics.getFont(font).face.capHeight) / 1000


def _width(text: str, font: str, size: float) -> float:
    _fonts_registered()
    return float(pdfmetrics.stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaks at plain spaces only (a no-break space keeps "± 23 menit" together);
    a word wider than the paper is cut by characters rather than printed past the edge."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while _width(word, font, size) > width:
            cut = len(word)
            while cut > 1 and _width(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return [line.replace(NBSP, " ") for line in lines]


@functools.lru_cache(maxsize=64)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


class _Flow:
    """Stacks lines top to bottom, wrapping and centring them in the printable width."""

    def __init__(self, layout: TicketLayout) -> None:
        self.layout = layout
        self.y = 0.0

    def gap(self, mm: float) -> None:
        self.y += mm * MM

    def text(self, text: str, size: float, bold: bool = False, leading: float = 1.18,
             inverted: bool = False) -> None:
        font = BOLD if bold else REGULAR
        width = self.layout.width - (6 * MM if inverted else 0)
        for line in wrap(text, font, size, width):
            ascent = _cap_height(font) * size
            self.y += size * leading if inverted else max(ascent, size * (leading - 0.22))
            entry = TextLine(line, font, size, self.y, inverted=inverted)
            self.layout.texts.append(entry)
            self.y += size * (leading - 1) + size * 0.22

    def rule(self) -> None:
        self.gap(2.2)
        self.layout.rules.append(Rule(self.y))
        self.gap(2.2)


def empty_layout(paper_width_mm: int) -> TicketLayout:
    """A blank slip of one paper width (80 or 58 mm) with the fonts ready: tickets and complaint slips."""
    if paper_width_mm not in PRINTABLE_MM:
        raise ValueError(f"paper width {paper_width_mm} mm is not supported; use 80 or 58")
    _fonts_registered()
    return TicketLayout(paper_width_mm=paper_width_mm, width=PRINTABLE_MM[paper_width_mm] * MM, height=0.0,
                        margin_x=(paper_width_mm - PRINTABLE_MM[paper_width_mm]) / 2 * MM)


def layout_ticket(content: TicketContent, paper_width_mm: int = 80) -> TicketLayout:
    """Place everything for one paper width (80 or 58 mm)."""
    layout = empty_layout(paper_width_mm)
    narrow, width = paper_width_mm == 58, layout.width
    t = Translator(content.lang)
    flow = _Flow(layout)
    dots = PRINTER_DPI / 72  # printer dots per point

    logo = assets_dir() / LOGO_FILE
    if logo.exists():
        side = (10 if narrow else 12) * MM
        layout.pictures.append(Picture(logo, (width - side) / 2, 0.0, side, side))
        flow.y = side + 1.5 * MM
    flow.text(content.site_name, 11 if narrow else 12, bold=True)
    flow.rule()

    flow.text(t("printing.ticket.heading"), 12 if narrow else 13)
    number_font_max = 62 if narrow else 80
    size = min(number_font_max, width * 0.96 / _width(content.number, BOLD, 1))
    flow.gap(2.5)
    flow.y += _cap_height(BOLD) * size
    layout.texts.append(TextLine(content.number, BOLD, size, flow.y))
    object.__setattr__(layout, "number_line", layout.texts[-1])
    flow.gap(3)
    if content.priority:
        flow.text(t("printing.ticket.priority"), 14, bold=True, inverted=True)
        flow.gap(1.5)

    flow.text(content.service_name, 12 if narrow else 13, bold=True)
    if content.agency_name:
        flow.text(content.agency_name, 11)
    flow.gap(2)
    if content.counters:
        flow.text(t("printing.ticket.counters", counters=", ".join(str(c) for c in content.counters)),
                  15 if narrow else 17, bold=True)
        flow.gap(1)
    ahead = (t("printing.ticket.ahead", count=content.people_ahead) if content.people_ahead
             else t("printing.ticket.nobody_ahead"))
    flow.text(ahead, 11 if narrow else 12)
    wait = t.minutes(content.wait_minutes).replace(" ", NBSP)  # "± 23 menit" never split over two lines
    flow.text(t("printing.ticket.estimate", wait=wait), 11 if narrow else 12)
    if content.verify_at_counter:
        flow.gap(1)
        if content.identity_status in ("no_nik", "travel_document"):  # no NIK: no "bring your KTP"
            flow.text(t("without_nik.print.heading"), 11 if narrow else 12, bold=True)
            flow.text(t(f"without_nik.print.{content.identity_status}"), 11 if narrow else 12)
        else:
            flow.text(t("printing.ticket.verify_at_counter"), 11 if narrow else 12, bold=True)
    flow.rule()

    matrix = qr_matrix(content.status_url)
    target = (26 if narrow else 30) * MM
    module_dots = max(3, int(target * dots / len(matrix)))
    module = module_dots / dots
    size_qr = module * len(matrix)
    flow.y += max(0.0, 4 * module - 2.2 * MM)  # a quiet zone of four modules below the rule
    qr_x = round((width - size_qr) / 2 * dots) / dots
    layout_qr = QrCode(matrix, qr_x, round(flow.y * dots) / dots, module)
    object.__setattr__(layout, "qr", layout_qr)
    flow.y = layout_qr.top + size_qr + 4 * module
    flow.text(t("printing.ticket.scan"), 10.5 if narrow else 11)
    flow.gap(1.5)
    local = content.local_time()
    stamp = f"{local:%d/%m/%Y} {local:%H:%M}{NBSP}{_TZ_ABBREVIATIONS.get(content.timezone, '')}".strip()
    flow.text(stamp, 12 if narrow else 13, bold=True)
    flow.gap(1)
    flow.text(t("printing.ticket.footer"), 9.5 if narrow else 10)
    if content.device_id:
        flow.text(content.device_id, 8)
    flow.gap(4)  # paper beyond the last line before the cut
    object.__setattr__(layout, "height", flow.y)
    return layout


# -- painters ----------------------------------------------------------------------------------

def render_pdf(layout: TicketLayout) -> bytes:
    """The ticket as a one-page PDF the size of the paper strip."""
    _fonts_registered()
    buffer = io.BytesIO()
    page_h = layout.height + 2 * MM
    canvas = Canvas(buffer, pagesize=(layout.paper_width, page_h), pageCompression=1)
    canvas.setTitle("Tiket antrean")

    def y(top: float) -> float:
        return page_h - MM - top

    ox = layout.margin_x
    for picture in layout.pictures:
        canvas.drawImage(ImageReader(str(picture.path)), ox + picture.x, y(picture.top + picture.height),
                         picture.width, picture.height, mask="auto")
    for rule in layout.rules:
        canvas.setLineWidth(rule.thickness)
        canvas.line(ox, y(rule.top), ox + layout.width, y(rule.top))
    for line in layout.texts:
        if line.inverted:
            band_h = line.size * 1.25
            canvas.setFillColorRGB(0, 0, 0)
            canvas.rect(ox, y(line.baseline) - line.size * 0.35, layout.width, band_h, stroke=0, fill=1)
            canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(line.font, line.size)
        canvas.drawCentredString(ox + layout.width / 2, y(line.baseline), line.text)
        canvas.setFillColorRGB(0, 0, 0)
    if layout.qr is not None:
        qr = layout.qr
        path = canvas.beginPath()
        for r, row in enumerate(qr.matrix):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules: smaller PDF, faster drawing
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    path.rect(ox + qr.x + start * qr.module, y(qr.top + (r + 1) * qr.module),
                              (c - start) * qr.module, qr.module)
                else:
                    c += 1
        canvas.drawPath(path, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@functools.lru_cache(maxsize=32)
def _pil_font(name: str, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(name)), pixels)


@functools.lru_cache(maxsize=8)
def _logo(path: Path, width: int, height: int) -> Image.Image:
    with Image.open(path) as source:
        return source.convert("L").resize((width, height), Image.Resampling.LANCZOS).point(
            lambda v: 255 if v > 140 else 0)


def render_image(layout: TicketLayout, dpi: int = PRINTER_DPI) -> Image.Image:
    """The printable area as a 1-bit image, as wide as the print head (a multiple of 8 dots)."""
    scale = dpi / 72
    width = int(round(layout.width * scale / 8)) * 8
    height = int(round(layout.height * scale))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for picture in layout.pictures:
        w, h = round(picture.width * scale), round(picture.height * scale)
        image.paste(_logo(picture.path, w, h), (round(picture.x * scale), round(picture.top * scale)))
    for rule in layout.rules:
        top = round(rule.top * scale)
        draw.rectangle([0, top, width - 1, top + max(1, round(rule.thickness * scale)) - 1], fill=0)
    for line in layout.texts:
        font = _pil_font(line.font, round(line.size * scale))
        baseline = round(line.baseline * scale)
        fill = 0
        if line.inverted:
            band_top = baseline - round(line.size * 0.9 * scale)
            draw.rectangle([0, band_top, width - 1, band_top + round(line.size * 1.25 * scale)], fill=0)
            fill = 255
        draw.text((width / 2, baseline), line.text, font=font, fill=fill, anchor="ms")
    if layout.qr is not None:
        qr = layout.qr
        m = round(qr.module * scale)
        x0, y0 = round(qr.x * scale), round(qr.top * scale)
        for r, row in enumerate(qr.matrix):
            for c, dark in enumerate(row):
                if dark:
                    draw.rectangle([x0 + c * m, y0 + r * m, x0 + (c + 1) * m - 1, y0 + (r + 1) * m - 1], fill=0)
    return image.convert("1", dither=Image.Dither.NONE)


def render_png(layout: TicketLayout, dpi: int = PRINTER_DPI) -> bytes:
    buffer = io.BytesIO()
    render_image(layout, dpi).save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def content_json(content: TicketContent) -> str:
    return json.dumps(content.to_json(), ensure_ascii=False)
