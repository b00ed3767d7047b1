"""``kiosk report``: the performance report of a day, month, semester or year, as PDF (and CSV tables),
and the one-page public notice of the period's SKM results (``--notice``)."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from pathlib import Path
from typing import Any

from kiosk.app.commands.common import EXIT_BAD_INPUT, EXIT_OK, Commands, UsageError, site_config
from kiosk.config.schema import Config
from kiosk.i18n import Translator
from kiosk.reports.complaints import write_complaints_csv
from kiosk.reports.data import GroupFigures, Period, Report, ReportError, resolve_period
from kiosk.reports.notice import read_actions, render_notice
from kiosk.reports.pdf import month_label, render_pdf
from kiosk.reports.service import enqueue_uploads, make_report

log = logging.getLogger(__name__)


def register(commands: Commands) -> None:
    report = commands.add_parser("report", help="performance report (PDF, optional CSV) and the public SKM notice "
                                                "for a day, month, semester or year")
    report.add_argument("--period", required=True,
                        help="day or month (with --date), or a period by name: 2026-10, 2026-S1, 2026-S2, 2026")
    report.add_argument("--date", help="YYYY-MM-DD: a day inside the period, for --period day|month|semester|year")
    report.add_argument("--out", type=Path, help="the report PDF to write")
    report.add_argument("--notice", type=Path, help="also write the one-page public IKM notice (PDF) to print and post")
    report.add_argument("--actions", type=Path,
                        help="for --notice: a UTF-8 text file of the follow-up actions taken, one a line")
    report.add_argument("--csv", type=Path, help="also write CSV tables into this folder")
    report.add_argument("--lang", choices=("id", "en"), default="id")
    report.add_argument("--enqueue", action="store_true",
                        help="with --period day: also queue that day's figures and survey answers for MPP Digital")
    report.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    config = site_config(args)
    if args.out is None and args.notice is None:
        raise UsageError("say what to write: --out REPORT.pdf, --notice NOTICE.pdf, or both")
    if args.actions is not None and args.notice is None:
        raise UsageError("--actions goes with --notice (the actions are printed on the public notice)")
    try:
        period, day = resolve_period(args.period, args.date)
    except ReportError as exc:
        print(f"Cannot make the report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.enqueue and period != "day":
        raise UsageError("--enqueue needs --period day (one upload per day)")
    return run_report(config, period, day, args.out, args.csv, args.lang, enqueue=args.enqueue,
                      notice=args.notice, actions_file=args.actions)


def run_report(config: Config, period: Period, day: str, out: Path | None, csv_dir: Path | None, lang: str,
               enqueue: bool = False, notice: Path | None = None, actions_file: Path | None = None) -> int:
    from kiosk.storage.store import StoreError

    try:
        actions = read_actions(actions_file) if actions_file is not None else None
        report = make_report(config, period, day, complaints=True)
        if out is not None:
            render_pdf(report, out, lang)
        if notice is not None:
            render_notice(report, notice, lang, actions)
        written = write_csv(report, csv_dir, lang) if csv_dir is not None else []
        uploads = enqueue_uploads(config, report.first_day) if enqueue else None
    except (ReportError, StoreError) as exc:
        print(f"Cannot make the report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"Cannot write the report: {exc.filename or out or notice}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if report.complaints is not None and report.complaints.figures is None:
        print(f"Note: the complaint figures could not be fetched ({report.complaints.unavailable}); "
              "the report says so.", file=sys.stderr)
    if notice is not None and not actions:
        print("Note: the notice says follow-up actions are being prepared; list them with --actions FILE.",
              file=sys.stderr)
    print(json.dumps({"pdf": str(out) if out else None, "notice": str(notice) if notice else None,
                      "csv": [str(p) for p in written], "period": report.period,
                      "first_day": report.first_day, "last_day": report.last_day, "tickets": report.total.tickets,
                      "served": report.total.served,
                      "ikm": float(report.ikm.ikm) if report.ikm and report.ikm.ikm is not None else None,
                      "category": report.ikm.category if report.ikm else None,
                      "sample": report.sample.to_json(),
                      "complaints": report.complaints.to_json() if report.complaints is not None else None,
                      "bookings": report.bookings.to_json() if report.bookings is not None else None,
                      **({"uploads": uploads} if uploads is not None else {})},
                     ensure_ascii=False))
    return EXIT_OK


def _minutes(seconds: float | None) -> str:
    return f"{seconds / 60:.2f}" if seconds is not None else ""


def _row(name: str, g: GroupFigures) -> list[Any]:
    ikm = g.ikm
    return [g.key, name, g.tickets, g.served, g.no_shows, g.cancelled, g.transfers, g.applications,
            _minutes(g.waiting.mean), _minutes(g.waiting.median), _minutes(g.waiting.p90),
            _minutes(g.service.mean), _minutes(g.service.median), _minutes(g.service.p90),
            g.sla_checked, g.sla_met, f"{100 * g.sla_met / g.sla_checked:.1f}" if g.sla_checked else "",
            ikm.respondents if ikm else 0, ikm.complete if ikm else 0,
            f"{ikm.ikm}" if ikm and ikm.ikm is not None else "", ikm.category or "" if ikm else ""]


HEADER = ["key", "name", "tickets", "served", "no_shows", "cancelled", "transfers", "applications",
          "wait_mean_min", "wait_median_min", "wait_p90_min", "service_mean_min", "service_median_min",
          "service_p90_min", "sla_checked", "sla_met", "sla_percent", "ikm_respondents", "ikm_complete", "ikm",
          "ikm_category"]


def write_csv(report: Report, folder: Path, lang: str) -> list[Path]:
    """One CSV per table (UTF-8, comma, dot decimals, minutes), for spreadsheets."""
    t = Translator(lang)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "summary": [(t("report.title"), report.total)],
        "by_service": [(report.service_names.get(g.key, {}).get(lang, g.key), g) for g in report.by_service],
        "by_agency": [(report.agency_names.get(g.key, {}).get(lang, g.key), g) for g in report.by_agency],
        "by_counter": [(t("report.counter_name", number=g.key), g) for g in report.by_counter],
        "by_day": [(g.key, g) for g in report.by_day],
        "by_month": [(month_label(g.key, t), g) for g in report.by_month],
        "by_hour": [(f"{int(g.key):02d}:00", g) for g in report.by_hour],
    }
    written = []
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(_row(str(label), g) for label, g in rows)
        written.append(path)
    path = folder / "ikm_elements.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "element", "answers", "nrr"])
        if report.ikm is not None:
            for e in report.ikm.elements:
                writer.writerow([e.code, t(f"survey.element.{e.key}.name"), e.answers,
                                 f"{float(e.nrr):.4f}" if e.nrr is not None else ""])
    written.append(path)
    path = folder / "skm_sample.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        sample = report.sample.to_json()
        writer = csv.writer(f)
        writer.writerow(["first_day", "last_day", *sample])
        writer.writerow([report.first_day, report.last_day, *(int(v) for v in sample.values())])
    written.append(path)
    complaints = write_complaints_csv(report.complaints, folder) if report.complaints is not None else None
    return [*written, complaints] if complaints is not None else written
