"""The sync engine: drains the outbox to the central API, then pulls statuses and the catalog.

Rules it keeps (issue 6):

* **In order.** Entries go oldest first. A retryable failure (network, timeout, 5xx, 409 "still
  in flight") stops the pass and the whole queue waits with exponential backoff plus jitter, so a
  later item never overtakes an earlier one.
* **Exactly once at the server.** Each application carries its client UUID as ``Idempotency-Key``;
  the server keeps it unique forever, so resending after a lost answer or a kill is harmless.
  Attachments are uploaded by SHA-256, only those the server says it lacks.
* **Stop and flag.** A 4xx that retrying cannot fix marks that entry ``rejected`` with the server's
  message (shown to IT) and the pass continues with the next one. 401/403 stop the whole pass: it is
  the device that is refused, not the item.
* **Restart-safe.** An entry left ``sending`` by a killed process is simply sent again.

It never touches Qt; the GUI runs it on a worker thread (``kiosk/ui/qt/sync_worker.py``) and the
command line through ``kiosk sync now`` / ``kiosk sync status``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.complaints.filing import COMPLAINT_KIND
from kiosk.sync.central_client import (
    CentralAuthError,
    CentralClient,
    CentralError,
    CentralRejected,
    CentralUnavailable,
    NotEnrolled,
)
from kiosk.sync.complaints_client import send_complaint
from kiosk.sync.outbox import APPLICATION_KIND, ApplicationStore
from kiosk.sync.outbox_values import ApplicationDataGone, OutboxItem

if TYPE_CHECKING:
    from kiosk.config.schema import Config

log = logging.getLogger(__name__)

FINAL_STATUSES = ("completed", "rejected")
CATALOG_CACHE_FILE = "central-catalog.json"
RECORD_BATCH = 100


@dataclass
class SyncReport:
    """What one run did; ``stopped`` says why it ended (``"drained"``, ``"unavailable"``, ...)."""

    sent: int = 0
    rejected: int = 0
    retries: int = 0
    attachments_uploaded: int = 0
    attachment_bytes: int = 0
    statuses_updated: int = 0
    catalog_updated: bool = False
    purged: int = 0
    stopped: str = "drained"
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Retry(Exception):
    """A retryable failure of the entries in ``seqs``."""

    def __init__(self, seqs: list[int], error: CentralError) -> None:
        super().__init__(str(error))
        self.seqs, self.error = seqs, error


class SyncEngine:
    """Sends the outbox of ``store`` through ``client``. One engine per thread or process."""

    def __init__(self, store: ApplicationStore, client: CentralClient, *, catalog_cache: Path | None = None,
                 retention_days: int | None = None, backoff_base: float = 1.0, backoff_max: float = 300.0,
                 rng: random.Random | None = None, sleep: Callable[[float], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.client = client
        self.catalog_cache = catalog_cache
        self.retention_days = retention_days
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._monotonic = monotonic
        self.consecutive_failures = 0

    def close(self) -> None:
        """Close the client's HTTP session (the store belongs to whoever opened it)."""
        self.client.close()

    def stop(self) -> None:
        """Ask a running :meth:`drain` to end at the next safe point (between requests or in a wait)."""
        self._stop.set()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def backoff_delay(self, failures: int) -> float:
        """Exponential backoff with jitter: base·2^(n-1), capped, times a random factor in [0.5, 1]."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, failures - 1)))
        return delay * (0.5 + 0.5 * self._rng.random())

    # -- the whole job ----------------------------------------------------------------------

    def sync_once(self, *, max_seconds: float | None = None) -> SyncReport:
        """Drain the outbox (retrying until ``max_seconds``), then pull statuses and the catalog."""
        report = self.drain(max_seconds=max_seconds)
        if report.stopped == "drained":
            try:
                report.statuses_updated = self.pull_statuses()
                report.catalog_updated = self.pull_catalog()
            except CentralError as exc:
                report.error = str(exc)
                log.warning("pulling statuses or the catalog failed: %s", exc)
        if self.retention_days is not None:
            report.purged = self.store.purge_expired(self.retention_days)
        return report

    def drain(self, *, max_seconds: float | None = None) -> SyncReport:
        """Send due entries in order. Without ``max_seconds``: one attempt, return on the first
        retryable failure; with it: back off and retry until drained or the time is up."""
        report = SyncReport()
        deadline = None if max_seconds is None else self._monotonic() + max_seconds
        self._stop.clear()
        now = _utc_now()
        self.store.set_meta({"last_attempt_at": now})
        while not self._stop.is_set():
            items = self.store.due(limit=RECORD_BATCH)
            if not items:
                report.stopped = "drained"
                self.consecutive_failures = 0
                self.store.set_meta({"last_success_at": _utc_now(), "last_error": ""})
                return report
            try:
                self._send(items, report)
                self.consecutive_failures = 0
            except _Retry as retry:
                self.store.mark_retry(retry.seqs, str(retry.error))
                self.consecutive_failures += 1
                report.retries += 1
                report.error = str(retry.error)
                delay = self.backoff_delay(self.consecutive_failures)
                if deadline is None or self._monotonic() + delay > deadline:
                    report.stopped = "unavailable"
                    break
                self._sleep(delay)
            except (CentralAuthError, NotEnrolled) as exc:
                report.stopped, report.error = "not_accepted", str(exc)
                log.warning("sync stopped: the central API does not accept this kiosk: %s", exc)
                break
        else:
            report.stopped = "stopped"
        self.store.set_meta({"last_error": report.error})
        return report

    # -- sending ----------------------------------------------------------------------------

    def _send(self, items: list[OutboxItem], report: SyncReport) -> None:
        """Send ``items`` in order; raises :class:`_Retry` at the first retryable failure."""
        index = 0
        while index < len(items):
            if self._stop.is_set():
                return
            item = items[index]
            if item.kind in (APPLICATION_KIND, COMPLAINT_KIND):  # one by one: each has its own endpoint
                send_one = self._send_application if item.kind == APPLICATION_KIND else self._send_complaint
                send_one(item, report)
                index += 1
                continue
            batch = [item]
            while index + len(batch) < len(items) and items[index + len(batch)].kind == item.kind:
                batch.append(items[index + len(batch)])
            self._send_records(batch, report)
            index += len(batch)

    def _send_application(self, item: OutboxItem, report: SyncReport) -> None:
        """One application: its missing attachments first, then the body (idempotent by its id)."""

        def send() -> str:
            outgoing = self.store.outgoing_application(item.ref_id)
            hashes = [a.sha256 for a in outgoing.attachments]
            missing = self.client.missing_attachments(hashes) if hashes else set()
            for attachment in outgoing.attachments:
                if attachment.sha256 in missing:
                    data = self.store.blob(attachment.sha256)
                    self.client.put_attachment(attachment.sha256, data, attachment.content_type)
                    missing.discard(attachment.sha256)
                    report.attachments_uploaded += 1
                    report.attachment_bytes += len(data)
            return self.client.put_application(item.ref_id, outgoing.body).status

        status = self._send_one(item, report, send)
        if status is not None:
            self.store.mark_sent(item.seq, central_status=status)

    def _send_complaint(self, item: OutboxItem, report: SyncReport) -> None:
        """One complaint to ``POST /v1/complaints``: sent until confirmed, stored once (idempotent by its id)."""

        def send() -> str:
            send_complaint(self.client, self.store.record_payload(item))
            return "sent"

        if self._send_one(item, report, send) is not None:
            self.store.mark_records_sent([item.seq])

    def _send_one(self, item: OutboxItem, report: SyncReport, send: Callable[[], str]) -> str | None:
        """Run ``send`` for one item with its own endpoint: what it answered, or None when the item was
        rejected for good (its data gone, or the central API refused it: marked so, with the reason).
        Raises :class:`_Retry` when the central API cannot be reached; the kiosk not accepted stops the round."""
        self.store.mark_sending([item.seq])
        try:
            answer = send()
        except ApplicationDataGone as exc:
            self._reject(item, f"cannot be sent: {exc}", report)
            return None
        except CentralUnavailable as exc:
            raise _Retry([item.seq], exc) from exc
        except CentralAuthError:
            self.store.mark_retry([item.seq], "the central API does not accept this kiosk")
            raise
        except CentralRejected as exc:
            self._reject(item, f"HTTP {exc.status} {exc.code}: {exc.message}", report)
            return None
        report.sent += 1
        self.consecutive_failures = 0  # progress: the next failure backs off from the start again
        return answer

    def _send_records(self, batch: list[OutboxItem], report: SyncReport) -> None:
        seqs = [i.seq for i in batch]
        self.store.mark_sending(seqs)
        payloads = []
        for item in batch:
            try:
                payloads.append((item, self.store.record_payload(item)))
            except ApplicationDataGone as exc:
                self._reject(item, str(exc), report)
        if not payloads:
            return
        try:
            result = self.client.upload_records(batch[0].kind, [(i.ref_id, p) for i, p in payloads])
        except CentralUnavailable as exc:
            raise _Retry([i.seq for i, _ in payloads], exc) from exc
        except CentralAuthError:
            self.store.mark_retry([i.seq for i, _ in payloads], "the central API does not accept this kiosk")
            raise
        except CentralRejected as exc:
            if len(payloads) > 1:  # find the culprit: send one by one
                for item, _payload in payloads:
                    self._send_records([item], report)
                return
            self._reject(payloads[0][0], f"HTTP {exc.status} {exc.code}: {exc.message}", report)
            return
        done = set(result.accepted) | set(result.duplicates)
        self.store.mark_records_sent([i.seq for i, _ in payloads if i.ref_id in done])
        report.sent += sum(1 for i, _ in payloads if i.ref_id in done)
        if done:
            self.consecutive_failures = 0
        unconfirmed = []
        for item, _payload in payloads:
            if item.ref_id in result.conflicts:
                self._reject(item, f"conflict: {result.conflicts[item.ref_id]}", report)
            elif item.ref_id not in done:
                unconfirmed.append(item.seq)
        if unconfirmed:  # should not happen; treat like a lost answer so the queue backs off
            raise _Retry(unconfirmed, CentralUnavailable("the central API did not confirm some records"))

    def _reject(self, item: OutboxItem, reason: str, report: SyncReport) -> None:
        self.store.mark_rejected(item.seq, reason)
        report.rejected += 1
        label = item.number or f"{item.kind}/{item.ref_id}"
        log.warning("sync: %s rejected: %s", label, reason)

    # -- pulling ----------------------------------------------------------------------------

    def pull_statuses(self) -> int:
        """Ask the central API how sent applications stand; returns how many changed."""
        ids = self.store.applications_awaiting_status(FINAL_STATUSES)
        changed = 0
        for start in range(0, len(ids), 100):
            for status in self.client.application_statuses(ids[start:start + 100]):
                if self.store.set_central_status(status.id, status.status, status.note, status.updated_at):
                    changed += 1
        return changed

    def pull_catalog(self) -> bool:
        """Refresh the cached service catalog when the central one changed (ETag); True if it did."""
        if self.catalog_cache is None:
            return False
        etag = self.store.meta("catalog_etag") if self.catalog_cache.exists() else None
        data, new_etag = self.client.catalog(etag)
        if data is None:
            return False
        tmp = self.catalog_cache.with_name(self.catalog_cache.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.catalog_cache)
        self.store.set_meta({"catalog_etag": new_etag or ""})
        log.info("service catalog updated from the central API (ETag %s)", new_etag)
        return True


def engine_for_config(config: Config, store: ApplicationStore, *, api_url: str | None = None) -> SyncEngine:
    """The engine as configured (``[central]``), with the credentials saved in the data dir.

    ``api_url`` overrides the configured address (the demo's own central API). Call
    :meth:`SyncEngine.close` at the end to close its HTTP session (the store stays the caller's).
    """
    central = config.central
    client = CentralClient.from_data_dir(api_url or central.api_url, config.data_dir, ca_file=central.ca_file or None,
                                         timeout=central.timeout_seconds)
    return SyncEngine(store, client, catalog_cache=Path(config.data_dir) / CATALOG_CACHE_FILE,
                      retention_days=central.retention_days)


def sync_status(store: ApplicationStore, *, enrolled: bool | None = None, api_url: str = "",
                limit: int = 50) -> dict[str, Any]:
    """The diagnostics picture as JSON: counts per state, what waits or was refused, last sync."""
    waiting = store.items(state="pending", limit=limit) + store.items(state="sending", limit=limit)
    rejected = store.items(state="rejected", limit=limit)

    def row(item: OutboxItem) -> dict[str, Any]:
        return {"seq": item.seq, "kind": item.kind, "id": item.ref_id, "number": item.number,
                "service_code": item.service_code, "state": item.state, "attempts": item.attempts,
                "last_error": item.last_error, "reason": item.reason, "created_at": item.created_at}

    return {"api_url": api_url, "enrolled": enrolled, "counts": store.counts(), **store.last_sync(),
            "waiting": [row(i) for i in sorted(waiting, key=lambda i: i.seq)[:limit]],
            "rejected": [row(i) for i in rejected]}


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
