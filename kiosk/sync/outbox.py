"""The kiosk's own store of citizens' applications and the outbox that feeds the central API.

Local first: :meth:`ApplicationStore.save` writes the application, its attachments (content-
addressed by SHA-256, so the same photo is kept once) and an outbox entry in ONE SQLite transaction
on a database opened with ``synchronous=FULL``, and returns only after that commit: once the citizen
sees "saved", a power cut cannot take it back. The sync engine (:mod:`kiosk.sync.engine`) drains
the outbox in order; every entry is ``pending``, ``sending``, ``sent`` or ``rejected`` (with the
server's reason), so regional IT can see what waits.

Privacy: the NIK, the form fields, face and document images and queued records are encrypted at
rest with AES-GCM (authenticated: a changed byte is detected, never decrypted into garbage). The
256-bit key lives in ``<data dir>/applications.key``, created with mode 0600 on first use; a key
that does not fit the database (lost, replaced) stops the store with a clear message instead of
making a new key. :meth:`ApplicationStore.purge_expired` deletes NIKs, images and fields of
applications the central API confirmed more than ``retention_days`` ago (only the masked NIK,
number, service and status stay for the diagnostics screen).

Other areas queue their own uploads here too (survey answers, queue statistics):
:meth:`ApplicationStore.enqueue_record` keeps them in the same ordered outbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from kiosk.citizen.nik import InvalidNik, parse_nik
from kiosk.complaints.filing import COMPLAINT_KIND
from kiosk.storage.sealing import Sealer, load_or_create_key
from kiosk.storage.store import Database, Schema, StoreError, open_database
from kiosk.sync.outbox_values import (
    STATES,
    ApplicationDataGone,
    ApplicationState,
    NewApplication,
    OutboxItem,
    OutboxState,
    OutgoingApplication,
    OutgoingAttachment,
    SavedApplication,
)
from kiosk.utils.privacy import mask_nik

log = logging.getLogger(__name__)


DB_FILE = "applications.sqlite3"
KEY_FILE = "applications.key"
APPLICATION_KIND = "application"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
_KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")

SCHEMA = Schema("applications", [
    """
    CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        service_code TEXT NOT NULL,
        nik_masked TEXT NOT NULL,
        nik_enc BLOB,
        fields_enc BLOB,
        ticket_number TEXT,
        lang TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        central_status TEXT NOT NULL DEFAULT '',
        central_note TEXT NOT NULL DEFAULT '',
        status_updated_at TEXT,
        synced_at TEXT,
        purged_at TEXT
    );
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        data_enc BLOB
    );
    CREATE TABLE attachments (
        application_id TEXT NOT NULL REFERENCES applications(id),
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        content_type TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES blobs(sha256),
        size INTEGER NOT NULL,
        PRIMARY KEY (application_id, position)
    );
    CREATE INDEX attachments_by_blob ON attachments(sha256);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        payload_enc BLOB,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (kind, ref_id)
    );
    CREATE INDEX outbox_by_state ON outbox(state, seq);
    CREATE TABLE day_numbers (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    "CREATE INDEX applications_by_ticket ON applications(ticket_number);",
])


# -- the store --------------------------------------------------------------------------------

def _now_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _canonical(value: Any) -> bytes:
    """Strict JSON (no NaN or Infinity, which the central API refuses for good): a bad value is
    refused at the door, not after it has waited in the outbox."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


class ApplicationStore:
    """The applications database in the data dir (``applications.sqlite3``, WAL, synchronous=FULL).

    Safe to share between threads (one connection behind a lock) and between processes (the GUI
    and ``kiosk sync now``: SQLite's own locking; the outbox tolerates two senders because every
    send is idempotent at the server).
    """

    def __init__(self, data_dir: Path, *, status_url_template: str = "", number_prefix: str = "APP",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self.status_url_template = status_url_template
        self.number_prefix = number_prefix
        self._clock = clock or (lambda: datetime.now().astimezone())
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        self.db: Database = open_database(self.path, SCHEMA, synchronous="FULL")
        try:
            self._check_sound()
            self._sealer = Sealer(self._key(fresh))
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ApplicationStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _bookkeeping(self) -> Iterator[sqlite3.Connection]:
        """A write transaction without the fsync of ``synchronous=FULL``, for outbox state marks.

        Losing a "sending"/"sent" mark in a power cut only means the item is sent again, which
        the server answers idempotently; the application itself is always written with FULL.
        """
        with self.db.reading() as conn:
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self.db.transaction() as tx:
                    yield tx
            finally:
                conn.execute("PRAGMA synchronous=FULL")

    def _check_sound(self) -> None:
        with self.db.reading() as conn:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            raise StoreError(self.path, "the applications database is damaged (" + "; ".join(rows[:3]) + "). "
                             "It was left untouched: copy it aside for IT and restore a backup.")

    def _key(self, fresh: bool) -> bytes:
        key_path = self.data_dir / KEY_FILE
        with self.db.reading() as conn:
            check = conn.execute("SELECT value FROM sync_meta WHERE key='key_check'").fetchone()
        key = load_or_create_key(key_path, create=check is None)
        sealer = Sealer(key)
        if check is None:
            with self.db.transaction() as conn:
                conn.execute("INSERT OR IGNORE INTO sync_meta(key, value) VALUES ('key_check', ?)",
                             (sealer.seal(b"mpp-kiosk", "key_check").hex(),))
        else:
            try:
                sealer.open(bytes.fromhex(check[0]), "key_check")
            except (InvalidTag, ValueError):
                raise StoreError(key_path, "this encryption key does not belong to the applications database "
                                 f"{self.path}; restore the matching key file. Nothing was changed.") from None
        return key

    # -- saving -----------------------------------------------------------------------------

    def save(self, application: NewApplication) -> SavedApplication:
        """Store the application, its attachments and its outbox entry in one transaction.

        Saving the same ``id`` again with the same content returns the first result (a double tap
        is harmless); different content under a used id raises ``ValueError``. A full disk or an
        unwritable folder raises :class:`StoreError` and leaves nothing behind.
        """
        _validate(application)
        fields = dict(application.fields)
        prepared = [(a, a.sha256) for a in application.attachments]
        content = hashlib.sha256(_canonical({
            "service_code": application.service_code, "nik": application.nik, "fields": fields,
            "attachments": [[a.kind, a.content_type, sha] for a, sha in prepared],
            "ticket_number": application.ticket_number, "lang": application.lang})).hexdigest()
        sealed_blobs = {sha: self._sealer.seal(a.data, f"blob:{sha}") for a, sha in prepared}
        nik_enc = self._sealer.seal(application.nik.encode("utf-8"), f"nik:{application.id}")
        fields_enc = self._sealer.seal(_canonical(fields), f"fields:{application.id}")
        moment = self._clock()
        created_at = _now_iso(moment)
        day = moment.strftime("%Y%m%d")
        with self.db.transaction() as conn:
            existing = conn.execute("SELECT number, content_sha256, created_at FROM applications WHERE id=?",
                                    (application.id,)).fetchone()
            if existing is not None:
                if existing["content_sha256"] != content:
                    raise ValueError(f"application {application.id} was already saved with other content")
                return self._saved(application.id, existing["number"], existing["created_at"])
            row = conn.execute("SELECT last FROM day_numbers WHERE day=?", (day,)).fetchone()
            serial = (row["last"] if row else 0) + 1
            conn.execute("INSERT OR REPLACE INTO day_numbers(day, last) VALUES (?, ?)", (day, serial))
            number = f"{self.number_prefix}-{day}-{serial:04d}"
            conn.execute(
                "INSERT INTO applications(id, number, service_code, nik_masked, nik_enc, fields_enc, ticket_number,"
                " lang, content_sha256, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (application.id, number, application.service_code, mask_nik(application.nik), nik_enc, fields_enc,
                 application.ticket_number, application.lang, content, created_at))
            for position, (attachment, sha) in enumerate(prepared):
                conn.execute("INSERT INTO blobs(sha256, size, data_enc) VALUES (?,?,?) ON CONFLICT(sha256) DO "
                             "UPDATE SET data_enc=excluded.data_enc WHERE blobs.data_enc IS NULL",
                             (sha, len(attachment.data), sealed_blobs[sha]))
                conn.execute("INSERT INTO attachments(application_id, position, kind, content_type, sha256, size)"
                             " VALUES (?,?,?,?,?,?)",
                             (application.id, position, attachment.kind, attachment.content_type, sha,
                              len(attachment.data)))
            conn.execute("INSERT INTO outbox(kind, ref_id, state, created_at, updated_at) VALUES (?,?,?,?,?)",
                         (APPLICATION_KIND, application.id, "pending", created_at, created_at))
        log.info("application %s saved (%s, NIK %s, %d attachments)", number, application.service_code,
                 mask_nik(application.nik), len(prepared))
        return self._saved(application.id, number, created_at)

    def _saved(self, app_id: str, number: str, created_at: str) -> SavedApplication:
        return SavedApplication(id=app_id, number=number, status_url=self.status_url(app_id, number),
                                created_at=created_at)

    def status_url(self, app_id: str, number: str = "") -> str:
        """The address a citizen's phone opens from the receipt's QR; empty when not configured."""
        if not self.status_url_template:
            return ""
        return self.status_url_template.replace("{id}", app_id).replace("{number}", number)

    def enqueue_record(self, kind: str, record_id: str, payload: Mapping[str, Any]) -> bool:
        """Queue one record (survey answer, daily queue statistics...) for upload, in outbox order.

        ``record_id`` is the client's id, unique forever for that kind (a uuid4 or e.g.
        ``"2026-11-23/kiosk-01"``); enqueueing the same id again is ignored (returns False).
        The payload must be JSON; it is encrypted at rest like everything else here.
        """
        if kind == APPLICATION_KIND or not _KIND_PATTERN.fullmatch(kind):
            raise ValueError(f"record kind {kind!r} must be lowercase letters, digits and _ (not 'application')")
        if not record_id or len(record_id) > 200:
            raise ValueError("record_id must be 1 to 200 characters")
        sealed = self._sealer.seal(_canonical(dict(payload)), f"record:{kind}:{record_id}")
        now = _now_iso(self._clock())
        with self.db.transaction() as conn:
            cursor = conn.execute("INSERT OR IGNORE INTO outbox(kind, ref_id, state, payload_enc, created_at,"
                                  " updated_at) VALUES (?,?,?,?,?,?)", (kind, record_id, "pending", sealed, now, now))
            return cursor.rowcount == 1

    # -- reading for people -----------------------------------------------------------------

    def counts(self, kind: str | None = None) -> dict[str, int]:
        """How many outbox entries are in each state (every state present, 0 when none)."""
        query = "SELECT state, COUNT(*) FROM outbox" + (" WHERE kind=?" if kind else "") + " GROUP BY state"
        with self.db.reading() as conn:
            found = dict(conn.execute(query, (kind,) if kind else ()).fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}

    def items(self, state: OutboxState | None = None, limit: int = 100, kind: str | None = None) -> list[OutboxItem]:
        """Outbox entries, oldest first (rejected ones keep the server's reason)."""
        where: list[str] = []
        params: list[str] = []
        if state is not None:
            where.append("o.state=?")
            params.append(state)
        if kind is not None:
            where.append("o.kind=?")
            params.append(kind)
        query = ("SELECT o.*, a.number, a.service_code, a.nik_masked FROM outbox o LEFT JOIN applications a "
                 "ON o.kind='application' AND a.id=o.ref_id" + (" WHERE " + " AND ".join(where) if where else "")
                 + " ORDER BY o.seq LIMIT ?")
        with self.db.reading() as conn:
            rows = conn.execute(query, (*params, limit)).fetchall()
        return [_item(r) for r in rows]

    def status(self, app_id: str) -> ApplicationState | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT a.*, o.state, o.reason FROM applications a JOIN outbox o ON o.kind="
                               "'application' AND o.ref_id=a.id WHERE a.id=?", (app_id,)).fetchone()
        if row is None:
            return None
        return ApplicationState(id=row["id"], number=row["number"], service_code=row["service_code"],
                                nik_masked=row["nik_masked"], created_at=row["created_at"], sync_state=row["state"],
                                reason=row["reason"], central_status=row["central_status"],
                                central_note=row["central_note"], status_updated_at=row["status_updated_at"])

    def find_by_ticket(self, ticket_number: str, *, day: str | None = None, tz: tzinfo | None = None) -> str | None:
        """The newest application filed with queue ticket ``ticket_number`` (on local ``day``,
        ``YYYY-MM-DD`` in ``tz``, when given), so a counter can find it from the ticket."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, created_at FROM applications WHERE ticket_number=? "
                                "ORDER BY created_at DESC LIMIT 50", (ticket_number,)).fetchall()
        for row in rows:
            if day is None:
                return str(row["id"])
            created = datetime.fromisoformat(row["created_at"]).astimezone(tz)
            if created.date().isoformat() == day:
                return str(row["id"])
        return None

    def public_status(self, app_id: str) -> dict[str, Any] | None:
        """What a status page may show (no NIK, no fields): number, service, sync state, central status."""
        state = self.status(app_id)
        if state is None:
            return None
        return {"number": state.number, "service_code": state.service_code, "sync_state": state.sync_state,
                "central_status": state.central_status, "central_note": state.central_note,
                "updated_at": state.status_updated_at or state.created_at}

    def last_sync(self) -> dict[str, str]:
        """Engine bookkeeping for the diagnostics screen: last attempt, last success, last error."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT key, value FROM sync_meta WHERE key LIKE 'last_%'").fetchall()
        return {r["key"]: r["value"] for r in rows}

    # -- for the sync engine ----------------------------------------------------------------

    def due(self, limit: int = 50) -> list[OutboxItem]:
        """Entries still to send (pending, or sending when a previous run was cut short), in order."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT o.*, a.number, a.service_code, a.nik_masked FROM outbox o LEFT JOIN "
                                "applications a ON o.kind='application' AND a.id=o.ref_id WHERE o.state IN "
                                "('pending', 'sending') ORDER BY o.seq LIMIT ?", (limit,)).fetchall()
        return [_item(r) for r in rows]

    def mark_sending(self, seqs: Sequence[int]) -> None:
        now = _now_iso(self._clock())
        with self._bookkeeping() as conn:
            conn.executemany("UPDATE outbox SET state='sending', attempts=attempts+1, updated_at=? WHERE seq=? "
                             "AND state IN ('pending','sending')", [(now, s) for s in seqs])

    def mark_retry(self, seqs: Sequence[int], error: str) -> None:
        """Back to pending after a retryable failure; ``error`` is shown to IT until it succeeds."""
        now = _now_iso(self._clock())
        with self._bookkeeping() as conn:
            conn.executemany("UPDATE outbox SET state='pending', last_error=?, updated_at=? WHERE seq=? AND "
                             "state IN ('pending','sending')", [(error[:500], now, s) for s in seqs])

    def mark_sent(self, seq: int, *, central_status: str = "", note: str = "") -> None:
        now = _now_iso(self._clock())
        with self._bookkeeping() as conn:
            row = conn.execute("UPDATE outbox SET state='sent', last_error='', reason='', updated_at=?, sent_at=? "
                               "WHERE seq=? RETURNING kind, ref_id", (now, now, seq)).fetchone()
            if row is not None and row["kind"] == APPLICATION_KIND:
                conn.execute("UPDATE applications SET synced_at=?, central_status=CASE WHEN ?='' THEN "
                             "central_status ELSE ? END, central_note=?, status_updated_at=? WHERE id=?",
                             (now, central_status, central_status, note, now, row["ref_id"]))

    def mark_records_sent(self, seqs: Sequence[int]) -> None:
        now = _now_iso(self._clock())
        with self._bookkeeping() as conn:
            conn.executemany("UPDATE outbox SET state='sent', last_error='', updated_at=?, sent_at=? WHERE seq=?",
                             [(now, now, s) for s in seqs])

    def mark_rejected(self, seq: int, reason: str) -> None:
        """Stop sending this entry: the server refused it for good; ``reason`` is shown to IT."""
        now = _now_iso(self._clock())
        with self._bookkeeping() as conn:
            conn.execute("UPDATE outbox SET state='rejected', reason=?, updated_at=? WHERE seq=?",
                         (reason[:1000], now, seq))

    def requeue(self, seq: int) -> bool:
        """Send a rejected entry again (after IT fixed the cause); True if it was rejected."""
        now = _now_iso(self._clock())
        with self.db.transaction() as conn:
            cursor = conn.execute("UPDATE outbox SET state='pending', reason='', updated_at=? WHERE seq=? AND "
                                  "state='rejected'", (now, seq))
            return cursor.rowcount == 1

    def outgoing_application(self, app_id: str) -> OutgoingApplication:
        """The request body for the central API (NIK and fields decrypted) and its attachments."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM applications WHERE id=?", (app_id,)).fetchone()
            attachments = conn.execute("SELECT * FROM attachments WHERE application_id=? ORDER BY position",
                                       (app_id,)).fetchall()
        if row is None:
            raise ApplicationDataGone(f"application {app_id} is not in the store")
        if row["nik_enc"] is None or row["fields_enc"] is None:
            raise ApplicationDataGone(f"application {row['number']}: its data was deleted by the retention job")
        try:
            nik = self._sealer.open(row["nik_enc"], f"nik:{app_id}").decode("utf-8")
            fields = json.loads(self._sealer.open(row["fields_enc"], f"fields:{app_id}"))
        except InvalidTag:
            raise ApplicationDataGone(f"application {row['number']}: its data fails the integrity check") from None
        outgoing = [OutgoingAttachment(kind=a["kind"], content_type=a["content_type"], sha256=a["sha256"],
                                       size=a["size"]) for a in attachments]
        body = {"number": row["number"], "service_code": row["service_code"], "nik": nik, "fields": fields,
                "ticket_number": row["ticket_number"], "lang": row["lang"], "created_at": row["created_at"],
                "attachments": [{"kind": a.kind, "content_type": a.content_type, "sha256": a.sha256, "size": a.size}
                                for a in outgoing]}
        return OutgoingApplication(id=app_id, body=body, attachments=outgoing)

    def blob(self, sha256: str) -> bytes:
        """An attachment's bytes (decrypted; AES-GCM proves they are the bytes saved under this hash)."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT data_enc FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        if row is None or row["data_enc"] is None:
            raise ApplicationDataGone(f"attachment {sha256[:12]}… is no longer stored")
        try:  # the tag covers the bytes and binds them to their hash (associated data): no re-hash needed
            return self._sealer.open(row["data_enc"], f"blob:{sha256}")
        except InvalidTag:
            raise ApplicationDataGone(f"attachment {sha256[:12]}… fails the integrity check") from None

    def record_payload(self, item: OutboxItem) -> dict[str, Any]:
        with self.db.reading() as conn:
            row = conn.execute("SELECT payload_enc FROM outbox WHERE seq=?", (item.seq,)).fetchone()
        if row is None or row["payload_enc"] is None:
            raise ApplicationDataGone(f"record {item.kind}/{item.ref_id} has no payload")
        return json.loads(self._sealer.open(row["payload_enc"], f"record:{item.kind}:{item.ref_id}"))

    def applications_awaiting_status(self, final_statuses: Sequence[str], limit: int = 200) -> list[str]:
        """Ids of sent applications whose central status may still change (oldest update first)."""
        marks = ",".join("?" for _ in final_statuses) or "''"
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT id FROM applications WHERE synced_at IS NOT NULL AND central_status NOT IN "
                                f"({marks}) ORDER BY COALESCE(status_updated_at, created_at) LIMIT ?",
                                (*final_statuses, limit)).fetchall()
        return [r["id"] for r in rows]

    def set_central_status(self, app_id: str, status: str, note: str, updated_at: str) -> bool:
        """Record a status pulled from the central API; True if it changed."""
        with self._bookkeeping() as conn:
            cursor = conn.execute("UPDATE applications SET central_status=?, central_note=?, status_updated_at=? "
                                  "WHERE id=? AND (central_status IS NOT ? OR central_note IS NOT ?)",
                                  (status, note, updated_at or _now_iso(self._clock()), app_id, status, note))
            return cursor.rowcount == 1

    def meta(self, key: str) -> str | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT value FROM sync_meta WHERE key=?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self._bookkeeping() as conn:
            conn.executemany("INSERT OR REPLACE INTO sync_meta(key, value) VALUES (?, ?)", list(values.items()))

    # -- retention --------------------------------------------------------------------------

    def purge_expired(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete NIK, fields and images of applications (and complaints' records) synced more than
        ``retention_days`` ago.

        An image shared with an application that is not yet due (same photo attached twice) is
        kept until that one is due too. Returns how many applications and complaints were purged.
        """
        cutoff = _now_iso((now or self._clock()) - timedelta(days=retention_days))
        stamp = _now_iso(now or self._clock())
        with self.db.transaction() as conn:
            # a complaint's text and contact are personal too: gone once the central API has had them as long
            forgotten = conn.execute("UPDATE outbox SET payload_enc=NULL WHERE kind=? AND state='sent' AND "
                                     "sent_at <= ? AND payload_enc IS NOT NULL", (COMPLAINT_KIND, cutoff)).rowcount
            due = [r["id"] for r in conn.execute(
                "SELECT id FROM applications WHERE synced_at IS NOT NULL AND synced_at <= ? AND purged_at IS NULL",
                (cutoff,)).fetchall()]
            if not due:
                return forgotten
            conn.executemany("UPDATE applications SET nik_enc=NULL, fields_enc=NULL, purged_at=? WHERE id=?",
                             [(stamp, app_id) for app_id in due])
            conn.execute("UPDATE blobs SET data_enc=NULL WHERE data_enc IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                         "attachments t JOIN applications a ON a.id=t.application_id WHERE t.sha256=blobs.sha256 "
                         "AND a.purged_at IS NULL)")
        log.info("retention: deleted personal data of %d applications (and %d complaints) synced before %s",
                 len(due), forgotten, cutoff)
        return len(due) + forgotten


def _item(row: Any) -> OutboxItem:
    return OutboxItem(seq=row["seq"], kind=row["kind"], ref_id=row["ref_id"], state=row["state"],
                      attempts=row["attempts"], last_error=row["last_error"], reason=row["reason"],
                      created_at=row["created_at"], updated_at=row["updated_at"], sent_at=row["sent_at"],
                      number=row["number"] or "", service_code=row["service_code"] or "",
                      nik_masked=row["nik_masked"] or "")


def _validate(application: NewApplication) -> None:
    try:
        uuid.UUID(application.id)
    except (ValueError, TypeError, AttributeError):
        raise ValueError("application id must be a UUID made when the form starts") from None
    if not application.service_code:
        raise ValueError("service_code is required")
    if not re.fullmatch(r"\d{16}", application.nik or ""):
        raise ValueError("nik must be 16 digits")
    try:
        parse_nik(application.nik)
    except InvalidNik as exc:  # the same rules as the keypad; the NIK itself is never echoed
        raise ValueError(f"nik is not a valid NIK ({exc.problem.value})") from None
    if len(application.attachments) > MAX_ATTACHMENTS:
        raise ValueError(f"at most {MAX_ATTACHMENTS} attachments")
    for attachment in application.attachments:
        if not attachment.kind or not attachment.content_type or not attachment.data:
            raise ValueError("every attachment needs a kind, a content type and data")
        if len(attachment.data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"attachment {attachment.kind} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
    try:
        _canonical(dict(application.fields))
    except (TypeError, ValueError):
        raise ValueError("fields must be JSON values (text, numbers, true/false, lists, tables)") from None


def new_application_id() -> str:
    """A fresh application id (uuid4): make it once when the citizen starts the form."""
    return str(uuid.uuid4())


