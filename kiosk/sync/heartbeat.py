"""Heartbeats: every minute, each enrolled device tells the central API how it is, so regional IT sees
the whole fleet on one page (``/fleet`` of the reference server) without travelling.

:class:`HealthSummary` is the summary, built field by field from typed values only (numbers, fixed
choices, codes with a pattern): nothing personal can get in (no NIK, no citizen's name, no free text
from an application). :class:`HealthCollector` measures it from the configuration, the outbox (read
without its key), the disk and the probes the composition root hands in (printer, camera, queue
host: they live in higher layers). :class:`HeartbeatSender` sends it on its own thread (never the
GUI's), through the device's signed :class:`~kiosk.sync.central_client.CentralClient`.

Offline, nothing piles up: each tick measures a fresh summary and sends that one; a failed one is
simply replaced by the next, so a device coming back sends one summary (the latest), not a flood.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, get_args

from kiosk import __version__
from kiosk.sync.central_client import CentralAuthError, CentralError, HeartbeatReceipt, NotEnrolled

if TYPE_CHECKING:
    from kiosk.config.schema import Config

log = logging.getLogger(__name__)

PrinterState = Literal["ok", "paper_low", "paper_out", "cover_open", "offline", "timeout", "error", "none", "unknown"]
CameraState = Literal["ok", "missing", "unused", "unknown"]
QueueHostState = Literal["reachable", "unreachable", "none", "unknown"]
Role = Literal["kiosk", "counter", "display", "all-in-one", "queue-host", "complaints"]
ROLES: tuple[str, ...] = get_args(Role)
PRINTER_STATES: tuple[str, ...] = ("ok", "paper_low", "paper_out", "cover_open", "offline", "timeout", "error",
                                   "none", "unknown")
CAMERA_STATES: tuple[str, ...] = ("ok", "missing", "unused", "unknown")
QUEUE_HOST_STATES: tuple[str, ...] = ("reachable", "unreachable", "none", "unknown")
_State = TypeVar("_State", bound=str)
DEFAULT_INTERVAL_SECONDS = 60.0
REFUSED_BACKOFF = 10  # a device the server refuses (revoked, not enrolled) tries again after 10 intervals
_SECRET_KEYS = {("queue", "device_token"), ("admin", "pin_hash")}  # never part of the hashed configuration
_LONG_NUMBER = re.compile(r"[0-9]{5,}")
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")


@dataclass(frozen=True)
class HealthSummary:
    """One heartbeat's body (the central API's ``HeartbeatBody``): typed fields only."""

    measured_at: str
    build: str
    config_hash: str
    role: Role
    device_name: str
    mpp_code: str
    mpp_name: str
    region: str
    uptime_seconds: int
    outbox_waiting: int
    outbox_oldest_seconds: int | None
    last_sync_at: str | None
    printer: PrinterState
    camera: CameraState
    disk_free_mb: int
    queue_host: QueueHostState
    clock_offset_seconds: float | None

    def to_wire(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _unknown_printer() -> PrinterState:
    return "unknown"


def _unknown_camera() -> CameraState:
    return "unknown"


def _no_queue_host() -> QueueHostState:
    return "none"


@dataclass(frozen=True)
class Probes:
    """What the device knows of its hardware and neighbours, asked by the composition root's probes
    (each quick: a file read or a short network call; they run on the heartbeat's thread)."""

    printer: Callable[[], PrinterState] = _unknown_printer
    camera: Callable[[], CameraState] = _unknown_camera
    queue_host: Callable[[], QueueHostState] = _no_queue_host


def place_name(text: str) -> str:
    """A site's name or region as the heartbeat carries it: at most 80 characters, and no run of five or
    more digits (a NIK typed into the wrong field of the configuration goes no further)."""
    return _LONG_NUMBER.sub("…", text.strip())[:80]


def config_hash(config: Config) -> str:
    """SHA-256 of the effective configuration (without its secrets), so IT sees which devices differ."""
    values = dataclasses.asdict(config)
    values.pop("source", None)
    for section, key in _SECRET_KEYS:
        if isinstance(values.get(section), dict):
            values[section].pop(key, None)
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def outbox_state(config: Config, now: datetime) -> tuple[int, int | None, str | None]:
    """(waiting entries, age in seconds of the oldest, last sync that emptied the outbox), read without the
    encryption key and without creating anything (as :func:`kiosk.sync.backlog`)."""
    from kiosk.storage.store import open_database
    from kiosk.sync.outbox import DB_FILE, SCHEMA

    path = Path(config.data_dir) / DB_FILE
    if not path.exists():
        return 0, None, None
    db = open_database(path, SCHEMA, synchronous="FULL")
    try:
        with db.reading() as conn:
            count, oldest = conn.execute("SELECT COUNT(*), MIN(created_at) FROM outbox "
                                         "WHERE state IN ('pending', 'sending')").fetchone()
            row = conn.execute("SELECT value FROM sync_meta WHERE key='last_success_at'").fetchone()
    finally:
        db.close()
    age = None
    if count and oldest:
        age = max(0, int((now - datetime.fromisoformat(oldest)).total_seconds()))
    return int(count or 0), age, _aware(row[0]) if row and row[0] else None


def _aware(text: str) -> str | None:
    """An ISO time with its offset (the outbox keeps UTC ones); None if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


class HealthCollector:
    """Measures this device's :class:`HealthSummary`. ``server_now`` is the clock the summary is dated by
    (the central client's, corrected to the server's like its signatures)."""

    def __init__(self, config: Config, role: Role, probes: Probes | None = None, *,
                 server_now: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.config, self.role, self.probes = config, role, probes or Probes()
        self._server_now, self._monotonic = server_now, monotonic
        self._started = monotonic()
        self._config_hash = config_hash(config)

    def collect(self, clock_offset_seconds: float | None = None) -> HealthSummary:
        config = self.config
        now = datetime.fromtimestamp(self._server_now(), UTC)
        waiting, oldest, last_sync = outbox_state(config, now)
        device_name = config.device.id if _DEVICE_NAME.fullmatch(config.device.id) else "unnamed"
        return HealthSummary(
            measured_at=now.isoformat(timespec="seconds"), build=__version__, config_hash=self._config_hash,
            role=self.role, device_name=device_name, mpp_code=config.site.mpp_code,
            mpp_name=place_name(config.site.name), region=place_name(getattr(config.site, "region", "")),
            uptime_seconds=int(self._monotonic() - self._started), outbox_waiting=waiting,
            outbox_oldest_seconds=oldest, last_sync_at=last_sync,
            printer=_probe(self.probes.printer, PRINTER_STATES, "unknown"),
            camera=_probe(self.probes.camera, CAMERA_STATES, "unknown"),
            disk_free_mb=_disk_free_mb(Path(config.data_dir)),
            queue_host=_probe(self.probes.queue_host, QUEUE_HOST_STATES, "unknown"),
            clock_offset_seconds=None if clock_offset_seconds is None else round(clock_offset_seconds, 3))


def _probe(probe: Callable[[], _State], allowed: tuple[str, ...], fallback: _State) -> _State:
    """A probe's answer; a probe that fails or answers outside ``allowed`` says ``fallback`` (a heartbeat
    is never lost to one probe: the server would refuse the whole summary)."""
    try:
        answer = probe()
    except Exception as exc:  # a probe's bug or a device error: still send the rest
        log.warning("heartbeat probe %s failed: %s", getattr(probe, "__name__", "?"), exc)
        return fallback
    return answer if answer in allowed else fallback


def _disk_free_mb(folder: Path) -> int:
    probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path("/"))
    return int(shutil.disk_usage(probe).free // (1024 * 1024))


class HeartbeatClient(Protocol):
    """What the sender needs of :class:`kiosk.sync.central_client.CentralClient`."""

    def heartbeat(self, summary: dict[str, object]) -> HeartbeatReceipt: ...
    def close(self) -> None: ...


@dataclass
class HeartbeatStats:
    sent: int = 0
    failed: int = 0
    last_error: str = ""
    last_sent_at: float | None = None


@dataclass
class HeartbeatSender:
    """Sends :meth:`HealthCollector.collect` through ``client`` every ``interval_seconds`` on its own thread.

    One summary per tick, measured just before it is sent: a tick that fails leaves nothing behind
    (the next tick measures anew), so a device that was offline sends only its latest summary. A
    device the server refuses (revoked, not enrolled) waits :data:`REFUSED_BACKOFF` intervals."""

    client: HeartbeatClient
    collector: HealthCollector
    interval_seconds: float = DEFAULT_INTERVAL_SECONDS
    stats: HeartbeatStats = field(default_factory=HeartbeatStats)
    clock_offset_seconds: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _refused: bool = False

    def beat_once(self) -> bool:
        """Measure and send one summary now; True when the server took it."""
        try:
            summary = self.collector.collect(self.clock_offset_seconds)
            receipt = self.client.heartbeat(summary.to_wire())
        except (CentralAuthError, NotEnrolled) as exc:
            self._failed(exc, refused=True)
            return False
        except CentralError as exc:
            self._failed(exc, refused=False)
            return False
        except Exception as exc:  # the outbox file or a bug: logged, and the next tick tries again
            log.error("heartbeat could not be measured", exc_info=exc)
            self._failed(exc, refused=False)
            return False
        if self.stats.last_error:
            log.info("heartbeat: the central API takes them again")
        self.clock_offset_seconds = receipt.clock_offset_seconds
        self.stats.sent += 1
        self.stats.last_error, self.stats.last_sent_at, self._refused = "", time.time(), False
        return True

    def _failed(self, exc: BaseException, *, refused: bool) -> None:
        if not self.stats.last_error:  # once per outage, not every minute
            log.warning("heartbeat not sent (%s); the next one replaces it", exc)
        self.stats.failed += 1
        self.stats.last_error, self._refused = str(exc) or exc.__class__.__name__, refused

    def start(self, first_delay_seconds: float = 5.0) -> None:
        """Begin beating on a daemon thread, the first one shortly after start-up."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(first_delay_seconds,), name="heartbeat", daemon=True)
        self._thread.start()

    def _run(self, first_delay: float) -> None:
        delay = first_delay
        while not self._stop.wait(delay):
            self.beat_once()
            delay = self.interval_seconds * (REFUSED_BACKOFF if self._refused else 1)

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (a request in flight ends within the client's timeout) and close the client."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.client.close()
