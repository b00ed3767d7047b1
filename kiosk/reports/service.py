"""A report from this machine's data: the figures (queue, survey, outbox) and their upload to MPP Digital.

One call for each thing a manager asks for, used by ``kiosk report`` and by the manager screen alike.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import Config
from kiosk.reports.data import Period, Report, build_report

log = logging.getLogger(__name__)
QUEUE_DB, SURVEY_DB = "queue.db", "survey.db"


def sync_counts(config: Config) -> dict[str, Any] | None:
    """Applications per outbox state (``ApplicationStore.counts("application")``), or None.

    None when this machine keeps no application store (a queue host, a counter): the report then
    says "not available" instead of guessing. The store is only opened if its file exists, so a
    report never creates one (nor its key).
    """
    try:
        from kiosk.sync.outbox import DB_FILE, ApplicationStore
    except ImportError:
        return None
    if not (config.data_dir / DB_FILE).exists():
        return None
    try:
        with ApplicationStore(config.data_dir) as store:
            return dict(store.counts("application"))
    except Exception as exc:  # the outbox is another area's: a broken one must not stop the report
        log.warning("application counts unavailable: %s", exc)
        return None


def enqueue_uploads(config: Config, day: str) -> dict[str, Any]:
    """Queue ``day``'s figures and survey answers for MPP Digital in the sync outbox."""
    from kiosk.reports.upload import enqueue_day
    from kiosk.survey.store import SurveyStore
    from kiosk.sync.outbox import ApplicationStore

    report = make_report(config, "day", day)
    survey_path = config.data_dir / SURVEY_DB
    store = SurveyStore(survey_path) if survey_path.exists() else None
    try:
        with ApplicationStore(config.data_dir) as outbox:
            done = enqueue_day(outbox, report, store, config.device.id)
    finally:
        if store is not None:
            store.close()
    return {"day": done.day, "daily_record": done.daily_record, "daily_new": done.daily_new,
            "survey_responses": done.responses, "survey_responses_new": done.responses_new}


def make_report(config: Config, period: Period, day: str, *, complaints: bool = False) -> Report:
    """``complaints``: also fetch the complaint figures from the central API (``kiosk report``; the
    manager screen does not wait for the network)."""
    catalog, _error = load_site_catalog(config)
    report = build_report(config.data_dir / QUEUE_DB, config.data_dir / SURVEY_DB, catalog, period=period, day=day,
                          site_name=config.site.name, mpp_code=config.site.mpp_code,
                          tz=ZoneInfo(config.site.timezone), applications=sync_counts(config))
    from kiosk.reports.bookings import booking_figures

    report.bookings = booking_figures(config.data_dir / QUEUE_DB, report.first_day, report.last_day,
                                      report.generated_at.date().isoformat())
    if complaints:
        from kiosk.reports.complaints import fetch_complaint_part

        report.complaints = fetch_complaint_part(config, report.first_day, report.last_day)
    return report
