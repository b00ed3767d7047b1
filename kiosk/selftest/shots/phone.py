"""The status page behind the ticket's QR as a citizen's phone shows it (412×915 CSS px), for ``kiosk selftest``.

The page is the queue host's own (:func:`kiosk.queue.phone_page.status_page`) for tickets on a throw-away
queue, with this site's name. Debian's ``chromium`` draws it headless when it is installed (the test
setup installs it; a kiosk does not need it); without it the pages are kept as HTML, to open on a phone.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.config.schema import Config
from kiosk.i18n import LANGUAGES
from kiosk.queue.engine import QueueEngine
from kiosk.queue.models import ServiceRule
from kiosk.queue.phone_page import status_page
from kiosk.queue.status import ticket_status

log = logging.getLogger(__name__)

PHONE = (412, 915)  # a common Android phone's CSS viewport, drawn at 2 device pixels per CSS pixel
_DRAW_SECONDS = 60


def capture_phone_status(config: Config, out: Path) -> list[Path]:
    """``phone-status-{lang}-01-waiting``, ``-02-near`` (3 or fewer ahead), ``-03-called``, ``-04-done``:
    PNGs when Chromium is there, else HTML files. Drawn from a file, the page's script shows the sound
    button but asks no host (the live page itself is tested in tests/queue/test_status_page_live.py)."""
    out.mkdir(parents=True, exist_ok=True)
    pages: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-phone-") as scratch:
        tz = ZoneInfo(config.site.timezone)
        engine = QueueEngine.open(Path(scratch) / "queue.db", [ServiceRule("KTP-EL", "A", 100, 10)], tz)
        try:
            for i in range(6):
                engine.issue("KTP-EL", request_id=f"phone-before-{i}")
            mine = {lang: engine.issue("KTP-EL", request_id=f"phone-{lang}", lang=lang).ticket for lang in LANGUAGES}
            local = datetime.now(UTC).astimezone(tz).strftime("%H:%M")

            def draw(name: str, counter: int = 0) -> None:
                for i, (lang, ticket) in enumerate(mine.items()):
                    if counter:  # each language's ticket at its own counter
                        engine.call_specific(counter + i, ticket.number, actor="selftest@phone")
                    pages[f"{lang}-{name}"] = status_page(ticket_status(engine, engine.get(ticket.id)), lang, local,
                                                          config.site.name)

            draw("01-waiting")
            for _ in range(4):
                engine.call_next(9, ["KTP-EL"], actor="selftest@phone")
            draw("02-near")
            draw("03-called", counter=3)
            for ticket in mine.values():
                engine.finish(engine.start(ticket.id, actor="selftest@phone").id, actor="selftest@phone")
            draw("04-done")
        finally:
            engine.close()
        return [_draw(html, out / f"phone-status-{name}", Path(scratch)) for name, html in pages.items()]


def _draw(html: str, stem: Path, scratch: Path) -> Path:
    """The page as a phone draws it (``stem``.png), or its HTML (``stem``.html) when Chromium is missing or fails."""
    page = stem.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    chromium = shutil.which("chromium")
    if chromium is None:
        log.info("no chromium: the phone's status page is kept as %s", page)
        return page
    picture = stem.with_suffix(".png")
    width, height = PHONE
    # --no-sandbox: Chromium's sandbox refuses to start as root; the page is our own file, fetching nothing.
    command = [chromium, "--headless=new", "--no-sandbox", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={scratch / 'chromium'}", f"--window-size={width},{height}",
               "--force-device-scale-factor=2", f"--screenshot={picture}", page.resolve().as_uri()]
    try:
        subprocess.run(command, capture_output=True, timeout=_DRAW_SECONDS, check=True,
                       env={**os.environ, "HOME": str(scratch)})
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("chromium could not draw the phone's status page (kept as %s): %s", page, exc)
        return page
    page.unlink()
    return picture
