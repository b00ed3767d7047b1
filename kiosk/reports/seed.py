"""A realistic month of queue and survey data, for the report's tests and benchmark.

Rows are written straight into the queue database (the engine's own schema, ``QUEUE_SCHEMA``) and
the survey store in a few bulk transactions, because driving the engine ticket by ticket would take
minutes for 100,000 tickets. The shapes follow what the engine writes: a ticket row with its final
state and times, and one event row per change (issued, called, recalled, started, transferred,
finished, no_show, cancelled), with the counter and actor. Deterministic for a given seed.
"""

from __future__ import annotations

import calendar
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.catalog.services import Catalog
from kiosk.queue.schema import QUEUE_SCHEMA
from kiosk.storage.store import open_database
from kiosk.survey.model import ELEMENTS
from kiosk.survey.store import SURVEY_SCHEMA

# Relative demand: adminduk services draw most of the lobby.
_HEAVY = {"KTP-EL": 30, "KK": 22, "IKD": 10, "AKTA-LAHIR": 9, "KIA": 6, "PINDAH": 5, "PINDAH-DATANG": 4,
          "AKTA-MATI": 3}
# Arrivals by local hour (08:00–15:00): a morning peak.
_HOURS = {8: 14, 9: 20, 10: 18, 11: 13, 12: 8, 13: 12, 14: 10, 15: 5}
_JAKARTA = ZoneInfo("Asia/Jakarta")
# One change of a ticket: when, event type, actor, counter (None before a call), detail.
_Event = tuple[datetime, str, str, int | None, dict[str, object]]


@dataclass(frozen=True)
class SeedSummary:
    tickets: int
    events: int
    responses: int
    days: list[str]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def open_days(year: int, month: int, weekdays: Sequence[int] = (0, 1, 2, 3, 4)) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [date(year, month, d) for d in range(1, last + 1) if date(year, month, d).weekday() in weekdays]


def seed_month(queue_db: Path, survey_db: Path | None, catalog: Catalog, year: int, month: int, *,
               tickets: int = 5000, tz: ZoneInfo = _JAKARTA, seed: int = 7,
               survey_share: float = 0.15) -> SeedSummary:
    """Write about ``tickets`` tickets spread over the month's weekdays (and their survey answers)."""
    rng = random.Random(seed)
    days = open_days(year, month)
    services = list(catalog.services)
    weights = [_HEAVY.get(s.code, 1) for s in services]
    hours, hour_weights = list(_HOURS), list(_HOURS.values())
    ticket_rows: list[tuple] = []
    event_rows: list[tuple] = []
    responses: list[tuple] = []
    per_day = [tickets // len(days) + (1 if i < tickets % len(days) else 0) for i in range(len(days))]
    for day, count in zip(days, per_day, strict=True):
        day_text = day.isoformat()
        sequences: dict[str, int] = {}
        arrivals = []
        for _ in range(count):
            hour = rng.choices(hours, hour_weights)[0]
            moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tz)
            arrivals.append((moment, rng.choices(services, weights)[0]))
        arrivals.sort(key=lambda a: a[0])
        for i, (arrived, service) in enumerate(arrivals):
            seq = sequences[service.ticket_prefix] = sequences.get(service.ticket_prefix, 0) + 1
            ticket_id = f"{day_text}-{i:05d}"
            number = f"{service.ticket_prefix}-{seq:03d}"
            priority = "elderly" if rng.random() < 0.08 else None
            busy = 2.2 if arrived.astimezone(tz).hour in (9, 10) else 1.0
            wait = timedelta(seconds=max(20, rng.gauss(12 * 60 * busy, 6 * 60)))
            first_counter = rng.choice(service.counters)
            actor = f"counter-{first_counter:02d}/clerk-{first_counter}"
            events: list[_Event] = [(arrived, "issued", "kiosk-01", None,
                                     {"service": service.code, "priority": priority})]
            outcome = rng.random()
            final_service, counter = service, first_counter
            called_at = started_at = finished_at = None
            recalls = 0
            if outcome < 0.03:  # left before being called
                state = "cancelled"
                events.append((arrived + wait / 2, "cancelled", "kiosk-01", None, {}))
            else:
                called_at = arrived + wait
                events.append((called_at, "called", actor, counter, {"service": service.code, "mode": "next"}))
                if outcome < 0.09:  # nobody came
                    state = "no_show"
                    for r in range(1, 4):
                        events.append((called_at + timedelta(minutes=r), "recalled", actor, counter, {"recalls": r}))
                    recalls = 3
                    events.append((called_at + timedelta(minutes=4), "no_show", actor, counter, {}))
                else:
                    state = "done"
                    started_at = called_at + timedelta(seconds=rng.randint(20, 90))
                    events.append((started_at, "started", actor, counter, {}))
                    if outcome < 0.12 and len(services) > 1:  # sent to another service's counter
                        target = rng.choice([s for s in services if s.code != service.code])
                        moved = started_at + timedelta(minutes=rng.randint(2, 6))
                        events.append((moved, "transferred", actor, counter,
                                       {"from": service.code, "to": target.code, "from_state": "serving",
                                        "served_seconds": int((moved - started_at).total_seconds())}))
                        final_service, counter = target, rng.choice(target.counters)
                        actor = f"counter-{counter:02d}/clerk-{counter}"
                        called_at = moved + timedelta(minutes=rng.randint(3, 20))
                        events.append((called_at, "called", actor, counter, {"service": target.code, "mode": "next"}))
                        started_at = called_at + timedelta(seconds=rng.randint(20, 90))
                        events.append((started_at, "started", actor, counter, {}))
                    minutes = max(1.5, rng.lognormvariate(0, 0.45) * final_service.typical_service_minutes)
                    finished_at = started_at + timedelta(minutes=minutes)
                    events.append((finished_at, "finished", actor, counter, {}))
            ticket_rows.append((
                ticket_id, number, final_service.code, service.code, service.ticket_prefix, seq, day_text,
                priority, state, _iso(arrived), _iso(arrived), _iso(called_at) if called_at else None,
                _iso(started_at) if started_at else None, _iso(finished_at) if finished_at else None,
                counter if state != "cancelled" else None, recalls, f"seed-{ticket_id}", "none", None, "id",
                f"APP-{ticket_id}" if final_service.application_form and state == "done" else None))
            for at, kind, who, at_counter, detail in events:
                event_rows.append((ticket_id, _iso(at), kind, who, at_counter, json.dumps(detail)))
            if survey_db is not None and state == "done" and rng.random() < survey_share:
                assert finished_at is not None
                responses.append(_response(rng, ticket_id, number, day_text, final_service.code,
                                           final_service.agency, counter, finished_at))
    _write(queue_db, survey_db, ticket_rows, event_rows, responses)
    return SeedSummary(len(ticket_rows), len(event_rows), len(responses), [d.isoformat() for d in days])


def _response(rng: random.Random, ticket_id: str, number: str, day: str, service: str, agency: str,
              counter: int, finished_at: datetime) -> tuple:
    mood = rng.choices((1, 2, 3), (1, 3, 14))[0]  # most citizens are satisfied, some are not
    answers: list[int | None] = []
    for index in range(len(ELEMENTS)):
        low = {1: 1, 2: 2, 3: 3}[mood]
        score = min(4, max(1, low + rng.choice((0, 1, 1)) - (1 if index == 2 and rng.random() < 0.3 else 0)))
        answers.append(None if index == 7 and rng.random() < 0.05 else score)
    demographic = (rng.choice(("male", "female")), rng.choice(("20_29", "30_39", "40_49", "50_59", "60_plus")),
                   rng.choice(("sma", "diploma", "s1", "smp")),
                   rng.choice(("private", "self_employed", "civil_servant")))
    complaint = "Antrean pagi terlalu lama." if mood == 1 and rng.random() < 0.3 else ""
    suggestion = "Tambah kursi di ruang tunggu." if rng.random() < 0.05 else ""
    submitted = (finished_at + timedelta(minutes=2)).astimezone(UTC).isoformat(timespec="seconds")
    return (f"r-{ticket_id}", submitted, day, ticket_id, number, service, agency, counter,
            rng.choice(("kiosk", "counter")), "id", *answers, *demographic, suggestion, complaint)


def _write(queue_db: Path, survey_db: Path | None, tickets: list[tuple], events: list[tuple],
           responses: list[tuple]) -> None:
    db = open_database(queue_db, QUEUE_SCHEMA)
    try:
        with db.transaction() as conn:
            conn.executemany(
                "INSERT INTO tickets(id, number, service_code, issued_service, prefix, seq, day, priority, state, "
                "arrived_at, issued_at, called_at, started_at, finished_at, counter, recalls, request_id, "
                "identity_status, nik_masked, lang, application_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
            conn.executemany("INSERT INTO events(ticket_id, at, type, actor, counter, detail) "
                             "VALUES (?, ?, ?, ?, ?, ?)", events)
    finally:
        db.close()
    if survey_db is None:
        return
    sdb = open_database(survey_db, SURVEY_SCHEMA)
    try:
        answers = ", ".join(f"u{i}" for i in range(1, len(ELEMENTS) + 1))
        with sdb.transaction() as conn:
            conn.executemany(
                "INSERT INTO responses(id, submitted_at, day, ticket_id, ticket_number, service_code, agency, counter, "
                f"channel, lang, {answers}, sex, age_band, education, occupation, suggestion, complaint) "
                f"VALUES ({', '.join('?' * (len(ELEMENTS) + 16))})", responses)
    finally:
        sdb.close()
