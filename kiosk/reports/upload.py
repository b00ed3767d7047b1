"""Daily uploads to MPP Digital through the sync outbox: the day's queue figures and survey answers.

Two record kinds go into the same ordered outbox as the applications
(:meth:`kiosk.sync.outbox.ApplicationStore.enqueue_record`):

* ``queue_daily`` — one per MPP, device and day (id ``"<day>/<mpp code>/<device id>"``): the
  report's figures for that day (counts, durations in seconds, SLA) per service, agency, counter
  and hour, and per-element survey *counts and sums* (not only the IKM), so the central side can
  add days and MPPs up exactly and compute its own IKM;
* ``survey_response`` — one per response (id = the response's uuid): the nine answers,
  demographics, suggestion/complaint, day, service, agency, counter. No NIK, no name, and neither the
  ticket nor the time of the rating: MPP Digital also receives applications with their ticket number
  and NIK, so those two would link a rating to a person there. The ticket stays on this machine,
  where it keeps a ticket to one rating (``docs/privacy.md``).

Enqueueing the same day again is a no-op for records already queued (the outbox ignores a known id),
so running it twice, or after a crash, never sends a day twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.reports.data import Durations, GroupFigures, Report
from kiosk.survey.ikm import IkmResult
from kiosk.survey.store import SurveyStore

QUEUE_DAILY_KIND = "queue_daily"
SURVEY_RESPONSE_KIND = "survey_response"
PAYLOAD_VERSION = 2  # 2: survey responses without ticket and time; IKM with its complete responses
# Kept on this machine only: they would link a rating to the application (and NIK) at MPP Digital.
LOCAL_ONLY_FIELDS = ("ticket_id", "ticket_number", "submitted_at")


class Outbox(Protocol):
    def enqueue_record(self, kind: str, record_id: str, payload: dict[str, Any]) -> bool: ...


@dataclass(frozen=True)
class Enqueued:
    day: str
    daily_record: str
    daily_new: bool
    responses: int
    responses_new: int


def _durations(d: Durations) -> dict[str, Any]:
    return {"count": d.count, "mean_s": _round(d.mean), "median_s": _round(d.median), "p90_s": _round(d.p90)}


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _ikm(result: IkmResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    ikm = result.ikm
    return {"respondents": result.respondents, "complete": result.complete,
            "answers": [e.answers for e in result.elements], "sums": [e.total for e in result.elements],
            "ikm": str(ikm) if ikm is not None else None, "category": result.category}


def _group(g: GroupFigures) -> dict[str, Any]:
    return {"key": g.key, "tickets": g.tickets, "served": g.served, "no_shows": g.no_shows,
            "cancelled": g.cancelled, "transfers": g.transfers, "applications": g.applications,
            "waiting": _durations(g.waiting), "service": _durations(g.service),
            "sla_checked": g.sla_checked, "sla_met": g.sla_met, "ikm": _ikm(g.ikm)}


def daily_payload(report: Report, device_id: str) -> dict[str, Any]:
    """The ``queue_daily`` record of a one-day report."""
    if report.period != "day":
        raise ValueError("daily uploads are built from a one-day report")
    return {
        "version": PAYLOAD_VERSION, "mpp_code": report.mpp_code, "device": device_id, "day": report.first_day,
        "timezone": report.timezone, "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "total": _group(report.total), "by_service": [_group(g) for g in report.by_service],
        "by_agency": [_group(g) for g in report.by_agency], "by_counter": [_group(g) for g in report.by_counter],
        "by_hour": [_group(g) for g in report.by_hour], "survey_demographics": report.demographics,
    }


def survey_payloads(store: SurveyStore, day: str, mpp_code: str) -> list[tuple[str, dict[str, Any]]]:
    """``(record id, payload)`` of every survey response of ``day``."""
    out = []
    for record in store.responses_on(day):
        shared = {k: v for k, v in record.items() if k not in LOCAL_ONLY_FIELDS}
        payload = {"version": PAYLOAD_VERSION, "mpp_code": mpp_code, **shared}
        out.append((str(record["id"]), payload))
    return out


def enqueue_day(outbox: Outbox, report: Report, store: SurveyStore | None, device_id: str) -> Enqueued:
    """Queue the day's aggregate and its survey responses for upload (idempotent per record id)."""
    day = report.first_day
    record_id = f"{day}/{report.mpp_code}/{device_id}"
    daily_new = outbox.enqueue_record(QUEUE_DAILY_KIND, record_id, daily_payload(report, device_id))
    responses = survey_payloads(store, day, report.mpp_code) if store is not None else []
    new = sum(outbox.enqueue_record(SURVEY_RESPONSE_KIND, rid, payload) for rid, payload in responses)
    return Enqueued(day, record_id, daily_new, len(responses), new)
