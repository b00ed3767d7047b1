"""The fleet page and a device's history page, rendered on the server from the templates in
``central_api/templates/`` (every value escaped by :class:`kiosk.utils.html_template.HtmlTemplate`;
no script, no front-end build). Indonesian first, English beside it.

The page reloads itself every :data:`REFRESH_SECONDS` (a ``<meta http-equiv="refresh">``, which keeps
the chosen sort and filters in the address); devices send a heartbeat every minute.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from central_api.fleet_rules import (
    LIGHT_ORDER,
    PROBLEMS,
    Assessment,
    FleetThresholds,
    assess,
    build_key,
    newest_build,
)
from central_api.fleet_store import Seen
from kiosk.utils.html_template import HtmlTemplate

REFRESH_SECONDS = 60
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _template(name: str) -> HtmlTemplate:
    return HtmlTemplate((TEMPLATES / name).read_text(encoding="utf-8"))


CSS = Markup((TEMPLATES / "fleet.css").read_text(encoding="utf-8"))
_PAGE, _GROUP, _ROW = _template("fleet.html"), _template("fleet_group.html"), _template("fleet_row.html")
_DEVICE, _HOUR, _LOGIN = _template("fleet_device.html"), _template("fleet_hour.html"), _template("fleet_login.html")
_OPTION = HtmlTemplate('<option value="$value"$selected>$label</option>')
_REASON = HtmlTemplate('<li data-reason="$code">$id_text <span class="en">/ $en_text</span></li>')
_BILINGUAL = HtmlTemplate('<span class="bi">$id_text <span class="en">/ $en_text</span></span>')
_SORT_LINK = HtmlTemplate('<a href="$href" class="sort" data-sort="$key">$label$arrow</a>')
_FACT = HtmlTemplate("<tr><th>$label</th><td>$value</td></tr>")
_EMPTY = HtmlTemplate('<p class="empty" id="empty">$text</p>')
_MESSAGE = HtmlTemplate('<!doctype html><html lang="id"><meta charset="utf-8"><meta name="viewport" '
                        'content="width=device-width, initial-scale=1"><style>$css</style><main><p class="empty">'
                        '$text</p><p><a href="/fleet">Kembali / Back</a></p></main></html>')

LIGHT_WORDS = {"red": ("MERAH", "red"), "yellow": ("KUNING", "yellow"), "green": ("HIJAU", "green")}
REASON_TEXTS: dict[str, tuple[str, str]] = {
    "not_seen": ("Tidak terlihat lebih dari {not_seen_minutes:g} menit", "Not seen for over {not_seen_minutes:g} min"),
    "revoked": ("Perangkat dicabut", "Device revoked"),
    "paper_out": ("Kertas habis", "Paper out"),
    "cover_open": ("Tutup printer terbuka", "Printer cover open"),
    "printer_offline": ("Printer tidak menjawab", "Printer offline"),
    "printer_error": ("Printer bermasalah", "Printer error"),
    "paper_low": ("Kertas hampir habis", "Paper low"),
    "queue_host_unreachable": ("Server antrean tidak terjangkau", "Queue host unreachable"),
    "backlog_high": ("Antrean kirim lebih dari {backlog_items_red} atau lebih tua dari {backlog_oldest_hours:g} jam",
                     "Outbox over {backlog_items_red} or older than {backlog_oldest_hours:g} h"),
    "backlog": ("Antrean kirim lebih dari {backlog_items}", "Outbox over {backlog_items} items"),
    "old_build": ("Versi lebih lama dari yang terbaru", "Older build than the newest"),
    "clock_off": ("Jam meleset lebih dari {clock_seconds:g} detik", "Clock off by over {clock_seconds:g} s"),
    "disk_low": ("Disk hampir penuh (< {disk_free_mb} MB)", "Disk nearly full (< {disk_free_mb} MB)"),
    "camera_missing": ("Kamera tidak ditemukan", "Camera missing"),
}
SORTS: dict[str, tuple[str, str]] = {"light": ("Status", ""), "device": ("Perangkat", "Device"),
                                     "seen": ("Terakhir terlihat", "Last seen"),
                                     "backlog": ("Antrean kirim", "Outbox"), "build": ("Versi", "Build")}


@dataclass(frozen=True)
class DeviceRow:
    seen: Seen
    assessment: Assessment
    seen_ago: float

    @property
    def summary(self) -> Mapping[str, Any]:
        return self.seen.summary


def _ago(seconds: float) -> Markup:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return _BILINGUAL.render(id_text=f"{seconds:.0f} dtk lalu", en_text=f"{seconds:.0f} s ago")
    if seconds < 5400:
        return _BILINGUAL.render(id_text=f"{seconds / 60:.0f} mnt lalu", en_text=f"{seconds / 60:.0f} min ago")
    if seconds < 172800:
        return _BILINGUAL.render(id_text=f"{seconds / 3600:.0f} jam lalu", en_text=f"{seconds / 3600:.0f} h ago")
    return _BILINGUAL.render(id_text=f"{seconds / 86400:.0f} hari lalu", en_text=f"{seconds / 86400:.0f} days ago")


@functools.lru_cache(maxsize=8)
def _light(light: str) -> Markup:
    id_word, en_word = LIGHT_WORDS[light]
    return _BILINGUAL.render(id_text=id_word, en_text=en_word)


def _backlog(summary: Mapping[str, Any]) -> str:
    waiting = int(summary.get("outbox_waiting") or 0)
    oldest = summary.get("outbox_oldest_seconds")
    if not waiting or oldest is None:
        return str(waiting)
    return f"{waiting} ({int(oldest) / 3600:.1f} h)"


PRINTER_WORDS = {"ok": ("siap", "ready"), "paper_low": ("kertas hampir habis", "paper low"),
                 "paper_out": ("kertas habis", "paper out"), "cover_open": ("tutup terbuka", "cover open"),
                 "offline": ("tidak menjawab", "offline"), "timeout": ("tidak menjawab", "timed out"),
                 "error": ("bermasalah", "error"), "none": ("tanpa printer", "none"),
                 "unknown": ("belum mencetak", "no print yet")}


def _printer(summary: Mapping[str, Any]) -> Markup | str:
    words = PRINTER_WORDS.get(str(summary.get("printer", "")))
    return _BILINGUAL.render(id_text=words[0], en_text=words[1]) if words else str(summary.get("printer", ""))


def _clock(summary: Mapping[str, Any]) -> str:
    offset = summary.get("clock_offset_seconds")
    return "?" if offset is None else f"{float(offset):+.0f} s"


class FleetView:
    """Renders the pages with the thresholds the lights were judged by."""

    def __init__(self, thresholds: FleetThresholds) -> None:
        self.thresholds = thresholds
        values = vars(thresholds)
        self.reason_texts = {code: (id_text.format(**values), en_text.format(**values))
                             for code, (id_text, en_text) in REASON_TEXTS.items()}
        self._reason_cache: dict[tuple[str, ...], Markup] = {}  # a few dozen combinations in a whole fleet

    @staticmethod
    def newest(summaries: Iterable[Mapping[str, Any]]) -> str | None:
        return newest_build(str(s.get("build", "")) for s in summaries if s.get("build"))

    def rows(self, latest: Sequence[Seen], revoked: set[str], now: float) -> list[DeviceRow]:
        newest = self.newest(s.summary for s in latest)
        rows = []
        for seen in latest:
            ago = now - seen.received_ms / 1000
            rows.append(DeviceRow(seen, assess(seen.summary, seen_seconds_ago=ago, newest=newest,
                                               thresholds=self.thresholds, revoked=seen.device_id in revoked), ago))
        return rows

    def _reasons(self, reasons: tuple[str, ...]) -> Markup:
        cached = self._reason_cache.get(reasons)
        if cached is None:
            cached = self._reason_cache[reasons] = self._reasons_html(reasons)
        return cached

    def _reasons_html(self, reasons: tuple[str, ...]) -> Markup:
        return _REASON.join([{"code": code, "id_text": self.reason_texts[code][0],
                              "en_text": self.reason_texts[code][1]} for code in reasons])

    # -- the fleet page -----------------------------------------------------------------------

    def page(self, latest: Sequence[Seen], revoked: set[str], *, now: float, sort: str = "light",
             order: str = "asc", region: str = "", problem: str = "", who: str = "") -> str:
        sort = sort if sort in SORTS else "light"
        order = "desc" if order == "desc" else "asc"
        rows = self.rows(latest, revoked, now)
        regions = sorted({str(r.summary.get("region", "")) for r in rows} - {""})
        shown = [r for r in rows if _matches(r, region, problem)]
        tally = Counter(r.assessment.light for r in shown)
        counts = Markup(" ").join(Markup('<span class="count" data-count="{0}"><span class="light {0}">{1}</span> '
                                         '<b>{2}</b></span>').format(light, _light(light), tally.get(light, 0))
                                  for light in ("red", "yellow", "green"))
        query = {"region": region, "problem": problem}
        groups = self._groups(shown, sort, order, query) if shown else _EMPTY.render(
            text="Tidak ada perangkat yang cocok. / No device matches." if rows else
            "Belum ada detak dari perangkat mana pun. / No device has sent a heartbeat yet.")
        generated = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return str(_PAGE.render(css=CSS, refresh=REFRESH_SECONDS, generated=generated, who=who,
                                regions=self._region_options(regions, region),
                                problems=self._problem_options(problem), sort=sort, order=order,
                                counts=counts, groups=groups))

    def _groups(self, rows: list[DeviceRow], sort: str, order: str, query: dict[str, str]) -> Markup:
        by_mpp: dict[str, list[DeviceRow]] = {}
        for row in rows:
            by_mpp.setdefault(str(row.summary.get("mpp_code", "?")), []).append(row)
        reverse = order == "desc"
        for members in by_mpp.values():
            members.sort(key=_sort_key(sort), reverse=reverse)
        # MPPs with the worst light first (then by code): the ones that need someone come up top
        ordered = sorted(by_mpp.items(), key=lambda item: (min(LIGHT_ORDER[r.assessment.light] for r in item[1]),
                                                           item[0]))
        headers = {f"h_{key}": self._sort_link(key, sort, order, query) for key in SORTS}
        parts = []
        for code, members in ordered:
            first = members[0].summary
            tally = Counter(r.assessment.light for r in members)
            parts.append(_GROUP.render(
                code=code, name=first.get("mpp_name", ""), region=first.get("region", ""),
                tally=" ".join(f"{LIGHT_WORDS[light][0].lower()} {tally[light]}"
                               for light in ("red", "yellow", "green") if tally[light]),
                rows=_ROW.join([self._row(r) for r in members]), **headers))
        return Markup("").join(parts)

    def _row(self, row: DeviceRow) -> dict[str, object]:
        s = row.summary
        light = row.assessment.light
        return {"device_id": row.seen.device_id, "light": light, "light_word": _light(light),
                "reasons": self._reasons(row.assessment.reasons), "name": s.get("device_name", row.seen.device_id),
                "role": s.get("role", ""), "seen": _ago(row.seen_ago), "backlog": _backlog(s),
                "printer": _printer(s), "build": s.get("build", ""), "clock": _clock(s)}

    @staticmethod
    def _sort_link(key: str, sort: str, order: str, query: dict[str, str]) -> Markup:
        next_order = "desc" if key == sort and order == "asc" else "asc"
        href = "/fleet?" + urlencode({**query, "sort": key, "order": next_order})
        arrow = (" ▲" if order == "asc" else " ▼") if key == sort else ""
        label = " / ".join(word for word in SORTS[key] if word)
        return _SORT_LINK.render(href=href, key=key, label=label, arrow=arrow)

    @staticmethod
    def _region_options(regions: list[str], chosen: str) -> Markup:
        options: list[dict[str, object]] = [{"value": "", "selected": "", "label": "Semua / All"}]
        options += [{"value": r, "selected": Markup(" selected") if r == chosen else "", "label": r} for r in regions]
        return _OPTION.join(options)

    def _problem_options(self, chosen: str) -> Markup:
        options: list[dict[str, object]] = [{"value": "", "selected": "", "label": "Semua perangkat / All devices"},
                   {"value": "any", "selected": Markup(" selected") if chosen == "any" else "",
                    "label": "Ada masalah / Any problem"}]
        options += [{"value": code, "selected": Markup(" selected") if code == chosen else "",
                     "label": f"{self.reason_texts[code][0]} / {self.reason_texts[code][1]}"} for code in PROBLEMS]
        return _OPTION.join(options)

    # -- a device's page ----------------------------------------------------------------------

    def device(self, latest: Seen, history: Sequence[Seen], revoked: bool, newest: str | None, *, now: float) -> str:
        s = latest.summary
        now_assessment = assess(s, seen_seconds_ago=now - latest.received_ms / 1000, newest=newest,
                                thresholds=self.thresholds, revoked=revoked)
        facts = [("Terakhir terlihat / Last seen", _ago(now - latest.received_ms / 1000)),
                 ("Peran / Role", s.get("role", "")), ("Versi / Build", f"{s.get('build', '')} (terbaru / newest "
                                                                         f"{newest or '?'})"),
                 ("Konfigurasi / Config", s.get("config_hash", "")),
                 ("Menyala / Uptime", f"{int(s.get('uptime_seconds') or 0) / 3600:.1f} h"),
                 ("Antrean kirim / Outbox", _backlog(s)),
                 ("Sinkron terakhir / Last sync", s.get("last_sync_at") or "-"),
                 ("Printer", _printer(s)), ("Kamera / Camera", s.get("camera", "")),
                 ("Disk kosong / Disk free", f"{s.get('disk_free_mb', 0)} MB"),
                 ("Server antrean / Queue host", s.get("queue_host", "")), ("Jam / Clock", _clock(s))]
        return str(_DEVICE.render(
            css=CSS, refresh=REFRESH_SECONDS, name=s.get("device_name", latest.device_id),
            mpp=f"{s.get('mpp_code', '')} {s.get('mpp_name', '')}", light=now_assessment.light,
            light_word=_light(now_assessment.light), reasons=self._reasons(now_assessment.reasons),
            facts=_FACT.join([{"label": label, "value": value} for label, value in facts]),
            hours=_HOUR.join(self._hours(history))))

    def _hours(self, history: Sequence[Seen]) -> list[dict[str, object]]:
        """One row per hour that had heartbeats, newest first: the worst light of the hour, its reasons, how
        many heartbeats came (60 = online all hour), the largest backlog and the last printer state."""
        hours: dict[int, list[Seen]] = {}
        for seen in history:
            hours.setdefault(seen.received_ms // 3_600_000, []).append(seen)
        rows = []
        for hour in sorted(hours, reverse=True):
            beats = hours[hour]
            judged = [assess(b.summary, seen_seconds_ago=0, newest=None, thresholds=self.thresholds) for b in beats]
            worst = min(judged, key=lambda a: LIGHT_ORDER[a.light])
            reasons = tuple(sorted({r for a in judged for r in a.reasons}, key=list(REASON_TEXTS).index))
            rows.append({"hour": datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:00"),
                         "light": worst.light, "light_word": _light(worst.light), "reasons": self._reasons(reasons),
                         "count": len(beats), "backlog": max(int(b.summary.get("outbox_waiting") or 0) for b in beats),
                         "printer": _printer(beats[-1].summary), "build": beats[-1].summary.get("build", "")})
        return rows

    @staticmethod
    def unknown_device(device_id: str) -> str:
        return str(_MESSAGE.render(css=CSS, text=f"Perangkat {device_id[:64]} belum pernah mengirim detak. / "
                                                 f"Device {device_id[:64]} has never sent a heartbeat."))


def _matches(row: DeviceRow, region: str, problem: str) -> bool:
    if region and row.summary.get("region", "") != region:
        return False
    if problem == "any":
        return row.assessment.light != "green"
    return not problem or problem in row.assessment.reasons


def _sort_key(sort: str) -> Any:
    if sort == "device":
        return lambda r: str(r.summary.get("device_name", r.seen.device_id))
    if sort == "seen":
        return lambda r: r.seen_ago
    if sort == "backlog":
        return lambda r: int(r.summary.get("outbox_waiting") or 0)
    if sort == "build":
        return lambda r: build_key(str(r.summary.get("build", "")))
    return lambda r: (LIGHT_ORDER[r.assessment.light], -len(r.assessment.reasons),
                      str(r.summary.get("device_name", "")))


LOGIN_MESSAGES = {
    "": "Masuk untuk melihat armada perangkat. / Sign in to see the device fleet.",
    "needed": "Halaman ini perlu masuk (token admin atau pengguna TI). / This page needs you to sign in "
              "(admin token or IT user).",
    "wrong": "Nama pengguna atau kata sandi salah. / Wrong user name or password.",
    "too_many": "Terlalu banyak percobaan; tunggu sebentar. / Too many attempts; wait a little.",
}


def login_page(state: str) -> str:
    return str(_LOGIN.render(css=CSS, message=LOGIN_MESSAGES.get(state, LOGIN_MESSAGES[""])))
