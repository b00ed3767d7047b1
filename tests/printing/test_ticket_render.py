"""The ticket layout, drawn as a PDF and as printer dots, read back like a phone and a person would.

Each PDF is rasterised by poppler (``pdftoppm``) at the printer's 203 dpi and its QR decoded with
zxing-cpp back to the status address; the number is checked to print at least 9 mm tall (58 mm
paper) or 12 mm (80 mm), from the layout and in the pixels.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.catalog.services import default_catalog_path, load_catalog
from kiosk.config.schema import Config, PrinterSection, QueueSection
from kiosk.printing.service import ticket_content
from kiosk.printing.status import status_token_from_url
from kiosk.printing.ticket import (
    MM,
    PRINTER_DPI,
    TicketContent,
    layout_ticket,
    render_image,
    render_pdf,
)
from kiosk.queue.models import IssuedTicket, PriorityGroup, Ticket, TicketState
from kiosk.queue.status import status_token

CATALOG = load_catalog(default_catalog_path())
NIK = "3171012345678901"
MIN_NUMBER_MM = {80: 12.0, 58: 9.0}
DOTS_PER_MM = PRINTER_DPI / 25.4


def issued(service: str, number: str, *, lang: str, priority: PriorityGroup | None = None,
           verify: bool = False) -> IssuedTicket:
    now = datetime(2026, 11, 23, 2, 41, tzinfo=UTC)
    ticket = Ticket(id=f"6f1c2a9e-8d0b-4c35-9a51-{abs(hash((service, number, lang))) % 10**12:012d}",
                    number=number, service_code=service, prefix=number.split("-")[0], seq=int(number.split("-")[1]),
                    day="2026-11-23", priority=priority, state=TicketState.ISSUED, arrived_at=now, issued_at=now,
                    called_at=None, started_at=None, finished_at=None, counter=None, recalls=0, request_id="r",
                    identity_status="to_verify_at_counter" if verify else "none",
                    nik_masked="3171********8901" if verify else None, lang=lang, application_id=None)
    return IssuedTicket(ticket, people_ahead=7, estimated_wait_minutes=75)


def config(width: int, template: str = "") -> Config:
    return Config(printer=PrinterSection(kind="file", paper_width_mm=width, status_url_template=template),  # type: ignore[arg-type]
                  queue=QueueSection(host_url="http://10.20.0.5:8700", device_token="t"))


def pdftoppm(pdf: bytes, folder: Path) -> Image.Image:
    source = folder / "ticket.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(PRINTER_DPI), "-gray", "-png", "-singlefile", str(source),
                    str(folder / "ticket")], check=True, timeout=30)
    with Image.open(folder / "ticket.png") as image:
        return image.convert("L")


def decoded(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def number_height_px(image: Image.Image, top_px: int, bottom_px: int) -> int:
    """Rows with ink in the band where the layout put the number."""
    band = image.crop((0, max(0, top_px), image.width, bottom_px)).point(lambda v: 255 if v < 128 else 0)
    box = band.getbbox()
    assert box is not None, "no ink where the number should be"
    return box[3] - box[1]


CASES = [  # service, number, priority, identity check at the counter
    ("KTP-EL", "A-012", None, False),
    ("SIP-ATLM", "M-137", PriorityGroup.ELDERLY, True),
    ("AKTA-LAHIR", "C-001", None, True),
]

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is needed")


@pytest.mark.parametrize("width", [80, 58])
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("service", "number", "priority", "verify"), CASES)
def test_ticket_pdf_reads_back(tmp_path: Path, service: str, number: str, priority: PriorityGroup | None,
                               verify: bool, lang: str, width: int) -> None:
    ticket = issued(service, number, lang=lang, priority=priority, verify=verify)
    content = ticket_content(ticket, CATALOG, config(width))
    expected_url = f"http://10.20.0.5:8700/v1/status/{status_token(ticket.ticket.id)}"
    assert content.status_url == expected_url and content.lang == lang
    layout = layout_ticket(content, width)
    pdf = render_pdf(layout)

    raster = pdftoppm(pdf, tmp_path)
    assert abs(raster.width - width * DOTS_PER_MM) <= 1  # the page is the paper's width
    assert decoded(raster) == [expected_url]
    assert status_token_from_url(decoded(raster)[0]) == status_token(ticket.ticket.id)

    # The number: tall enough by the layout, and really that tall in the pixels.
    assert layout.number_cap_height_mm() >= MIN_NUMBER_MM[width]
    line = layout.number_line
    assert line is not None and line.text == number
    page_top_px = 1 * MM * PRINTER_DPI / 72  # render_pdf leaves 1 mm above the layout
    scale = PRINTER_DPI / 72
    top = round(page_top_px + (line.baseline - line.size) * scale)
    bottom = round(page_top_px + (line.baseline + 2) * scale)
    assert number_height_px(raster, top, bottom) >= MIN_NUMBER_MM[width] * DOTS_PER_MM

    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=30,
                          check=True).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert number in flat
    assert CATALOG.service(service).name.get(lang).split(" (")[0].split()[0] in flat
    assert ("Loket" if lang == "id" else "Counter") in flat and "WIB" in flat and "09:41" in flat
    assert ("PRIORITAS" if lang == "id" else "PRIORITY") in flat if priority else "PRIORIT" not in flat
    assert "3171" not in flat and "8901" not in flat  # no NIK, not even masked
    assert ticket.ticket.id not in flat


@pytest.mark.parametrize("width", [80, 58])
def test_printer_dots_match_the_pdf(tmp_path: Path, width: int) -> None:
    """The ESC/POS image is the same layout: head width in whole bytes, same QR, same number height."""
    ticket = issued("KTP-EL", "A-012", lang="id")
    content = ticket_content(ticket, CATALOG, config(width, "https://antrean.contoh.go.id/cek/{token}"))
    layout = layout_ticket(content, width)
    image = render_image(layout)
    assert image.mode == "1" and image.width == {80: 576, 58: 384}[width]
    assert abs(image.height - layout.height * PRINTER_DPI / 72) <= 1
    assert decoded(image.convert("L")) == [content.status_url]
    assert content.status_url.startswith("https://antrean.contoh.go.id/cek/")
    line = layout.number_line
    assert line is not None
    scale = PRINTER_DPI / 72
    assert number_height_px(image.convert("L"), round((line.baseline - line.size) * scale),
                            round((line.baseline + 2) * scale)) >= MIN_NUMBER_MM[width] * DOTS_PER_MM
    # Only black and white: a thermal head has no grey.
    assert set(image.convert("L").histogram()[1:255]) == {0}


def test_long_numbers_shrink_to_fit_and_stay_legible() -> None:
    base = ticket_content(issued("KTP-EL", "A-012", lang="id"), CATALOG, config(58))
    for number in ("A-1", "A-1234", "AB-123"):  # quotas up to 9999 a day; two-letter prefixes
        layout = layout_ticket(replace(base, number=number), 58)
        line = layout.number_line
        assert line is not None
        from kiosk.printing.ticket import _width

        assert _width(number, line.font, line.size) <= layout.width  # never past the paper's edge
        assert layout.number_cap_height_mm() >= 8.0


def test_ticket_content_round_trips_for_reprints() -> None:
    content = ticket_content(issued("SIP-ATLM", "M-137", lang="en", priority=PriorityGroup.PREGNANT,
                                    verify=True), CATALOG, config(80))
    assert TicketContent.from_json(content.to_json()) == content
    assert "nik" not in " ".join(content.to_json()).lower()
    assert content.priority and content.verify_at_counter and content.agency_name
    assert content.counters == CATALOG.service("SIP-ATLM").counters


def test_unknown_paper_width_is_refused() -> None:
    content = ticket_content(issued("KTP-EL", "A-012", lang="id"), CATALOG, config(80))
    with pytest.raises(ValueError, match="80 or 58"):
        layout_ticket(content, 76)
