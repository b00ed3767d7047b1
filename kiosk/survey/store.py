"""Survey responses kept on this machine (``survey.db`` in the data folder), until synced.

One row per response; a ticket can be rated once (a unique index on the ticket id), answers are
columns ``u1``..``u9`` so the IKM of any group is one SQL ``GROUP BY`` with ``COUNT``/``SUM``.
No NIK, no name: a response knows its ticket, service, agency and counter. The ticket leads to the
queue's record (masked NIK, application), so responses are pseudonymous (``docs/privacy.md``).
The database opens lazily on first use, so a screen can hold a store without touching the disk.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.storage.store import Database, Schema, open_database
from kiosk.survey.ikm import IkmResult, from_totals
from kiosk.survey.model import DEMOGRAPHICS, ELEMENTS, AlreadyRated, SurveyResponse

_ANSWER_COLUMNS = ", ".join(f"u{i} INTEGER CHECK (u{i} BETWEEN 1 AND 4)" for i in range(1, len(ELEMENTS) + 1))

SURVEY_SCHEMA = Schema("survey", [
    f"""
    CREATE TABLE responses (
        id TEXT PRIMARY KEY,
        submitted_at TEXT NOT NULL,
        day TEXT NOT NULL,
        ticket_id TEXT,
        ticket_number TEXT,
        service_code TEXT,
        agency TEXT,
        counter INTEGER,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        {_ANSWER_COLUMNS},
        sex TEXT, age_band TEXT, education TEXT, occupation TEXT,
        suggestion TEXT NOT NULL DEFAULT '',
        complaint TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX responses_ticket ON responses(ticket_id) WHERE ticket_id IS NOT NULL;
    CREATE INDEX responses_day ON responses(day, service_code);
    """,
])

GROUPINGS = {"service": "service_code", "agency": "agency", "counter": "counter", "day": "day", "all": "'all'"}
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def aggregate_sql(where: str = "1", group: str = "'all'") -> str:
    """``SELECT key, respondents, n1..n9, s1..s9, complete`` for the responses matching ``where``
    (complete = all nine answered, the responses that count toward the sample)."""
    counts = ", ".join(f"COUNT(u{i})" for i in range(1, len(ELEMENTS) + 1))
    sums = ", ".join(f"TOTAL(u{i})" for i in range(1, len(ELEMENTS) + 1))
    complete = " AND ".join(f"u{i} IS NOT NULL" for i in range(1, len(ELEMENTS) + 1))
    return (f"SELECT {group} AS key, COUNT(*), {counts}, {sums}, TOTAL({complete}) FROM responses "
            f"WHERE {where} GROUP BY 1 ORDER BY 1")


def result_from_row(row: Sequence[Any]) -> IkmResult:
    n = len(ELEMENTS)
    return from_totals(int(row[1]), [int(v) for v in row[2:2 + n]], [int(v) for v in row[2 + n:2 + 2 * n]],
                       int(row[2 + 2 * n]))


class SurveyStore:
    """Records and reads responses; safe across threads (one connection, one lock)."""

    def __init__(self, path: Path, *, clock: Clock = _now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._db: Database | None = None
        self._lock = threading.Lock()

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = open_database(self.path, SURVEY_SCHEMA, synchronous="FULL")
            return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def record(self, response: SurveyResponse) -> str:
        """Store a response; returns its id. Raises :class:`AlreadyRated` for a rated ticket."""
        now = self._clock().astimezone(UTC)
        response_id = str(uuid.uuid4())
        row: dict[str, Any] = {
            "id": response_id, "submitted_at": now.isoformat(timespec="seconds"),
            "day": response.day or now.date().isoformat(), "ticket_id": response.ticket_id,
            "ticket_number": response.ticket_number, "service_code": response.service_code,
            "agency": response.agency, "counter": response.counter, "channel": response.channel,
            "lang": response.lang, "suggestion": response.suggestion.strip(),
            "complaint": response.complaint.strip(),
        }
        for i, answer in enumerate(response.answers, start=1):
            row[f"u{i}"] = answer
        for name in DEMOGRAPHICS:
            row[name] = response.demographics.get(name)
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        with self.db.transaction() as conn:
            if response.ticket_id is not None and conn.execute(
                    "SELECT 1 FROM responses WHERE ticket_id = ?", (response.ticket_id,)).fetchone():
                raise AlreadyRated(response.ticket_number)
            conn.execute(f"INSERT INTO responses({columns}) VALUES ({marks})", list(row.values()))
        return response_id

    def is_rated(self, ticket_id: str) -> bool:
        with self.db.reading() as conn:
            return conn.execute("SELECT 1 FROM responses WHERE ticket_id = ?", (ticket_id,)).fetchone() is not None

    def ikm(self, by: str = "all", first_day: str | None = None, last_day: str | None = None) -> dict[Any, IkmResult]:
        """IKM per service, agency, counter, day or overall, for days in [first_day, last_day]."""
        if by not in GROUPINGS:
            raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
        where, params = _day_range(first_day, last_day)
        with self.db.reading() as conn:
            rows = conn.execute(aggregate_sql(where, GROUPINGS[by]), params).fetchall()
        return {row[0]: result_from_row(row) for row in rows}

    def demographics(self, first_day: str | None = None, last_day: str | None = None) -> dict[str, dict[str, int]]:
        where, params = _day_range(first_day, last_day)
        out: dict[str, dict[str, int]] = {}
        with self.db.reading() as conn:
            for name in DEMOGRAPHICS:
                rows = conn.execute(f"SELECT COALESCE({name}, 'not_given'), COUNT(*) FROM responses "
                                    f"WHERE {where} GROUP BY 1 ORDER BY 1", params).fetchall()
                out[name] = {r[0]: r[1] for r in rows}
        return out

    def feedback(self, first_day: str | None = None, last_day: str | None = None,
                 limit: int = 200) -> list[dict[str, Any]]:
        """Suggestions and complaints, newest first (for the manager's report)."""
        where, params = _day_range(first_day, last_day)
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT day, service_code, counter, suggestion, complaint FROM responses "
                                f"WHERE {where} AND (suggestion != '' OR complaint != '') "
                                "ORDER BY submitted_at DESC LIMIT ?", [*params, limit]).fetchall()
        return [dict(r) for r in rows]

    def responses_on(self, day: str) -> list[dict[str, Any]]:
        """Every response of one day, as plain JSON-ready records (for the upload)."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT * FROM responses WHERE day = ? ORDER BY submitted_at, id", (day,)).fetchall()
        out = []
        for r in rows:
            record = dict(r)
            record["answers"] = [record.pop(f"u{i}") for i in range(1, len(ELEMENTS) + 1)]
            record["demographics"] = {n: record.pop(n) for n in DEMOGRAPHICS if record.get(n) is not None}
            for n in DEMOGRAPHICS:
                record.pop(n, None)
            out.append(record)
        return out


def _day_range(first_day: str | None, last_day: str | None) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    if first_day is not None:
        clauses.append("day >= ?")
        params.append(first_day)
    if last_day is not None:
        clauses.append("day <= ?")
        params.append(last_day)
    return " AND ".join(clauses), params
