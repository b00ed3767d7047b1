"""Installation checks beyond the app itself: the queue host and its clock, the central API, the
printer, the camera and face model, disk space, the admin PIN, the app version.

Each check takes the :class:`~kiosk.config.schema.Config` and returns ``(level, detail, advice)``: the
level (ok / warning / error), a technical detail for regional IT (English, goes into
``selftest.json`` and the log; a :class:`~kiosk.i18n.keyed.Keyed` text whose ``admin.finding.*`` key
the screen shows instead, in its language) and an advice key (``admin.advice.*`` in
``kiosk/i18n/*/admin.toml``) saying what to do, shown translated on the diagnostics screen. They are registered in
:data:`kiosk.setup.checks.CHECKS`, which both ``kiosk selftest`` and the diagnostics screen run. No Qt
here: the screen runs them on a worker thread.
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import shutil
import socket
import sys
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal

from kiosk import __version__
from kiosk.config.schema import Config
from kiosk.i18n.keyed import Keyed
from kiosk.storage.data_dir import MIN_FREE_BYTES

Level = Literal["ok", "warning", "error"]
Finding = tuple[Level, str, str]

NETWORK_TIMEOUT_SECONDS = 3.0
CLOCK_WARNING_SECONDS = 30.0   # ticket times and waiting estimates start to look wrong
CLOCK_ERROR_SECONDS = 300.0    # the daily number reset and the audit trail are off
DISK_WARNING_BYTES = 20 * MIN_FREE_BYTES
MODEL_FILES = {"face_landmarker.task": 3_000_000}  # name: smallest plausible size in bytes


# -- the queue host and its clock -----------------------------------------------------------

def probe_queue_host(url: str, timeout: float = NETWORK_TIMEOUT_SECONDS) -> tuple[float, float]:
    """Ask the queue host's ``/v1/health``; (round trip in ms, its clock minus ours in seconds).

    Raises ``OSError`` (or a ``requests`` error) when it cannot be reached or answers wrongly.
    The offset uses the host's JSON time, else its HTTP ``Date`` header, measured at mid-flight.
    """
    import requests

    started_wall, started = time.time(), time.perf_counter()
    response = requests.get(url.rstrip("/") + "/v1/health", timeout=timeout)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    host_time: float | None = None
    try:
        host_time = datetime.fromisoformat(response.json()["time"]).timestamp()
    except (ValueError, KeyError, TypeError):
        date = response.headers.get("Date")
        if date:
            host_time = parsedate_to_datetime(date).timestamp()
    if host_time is None:
        raise OSError("the queue host did not say its time (is this URL really a queue host?)")
    ours = started_wall + elapsed / 2
    return elapsed * 1000, host_time - ours


def check_queue_host(config: Config) -> Finding:
    url = config.queue.host_url
    if not url:
        return "ok", Keyed("no queue host: tickets are issued in this process (one-machine demo)",
                           "admin.finding.queue_host.none"), ""
    try:
        latency_ms, offset = probe_queue_host(url)
    except Exception as exc:
        return "error", Keyed(f"queue host {url} not reachable: {_short(exc)}", "admin.finding.queue_host.down",
                              url=url), "admin.advice.queue_host_down"
    english = f"queue host {url} answered in {latency_ms:.0f} ms; clock offset {offset:+.1f} s"
    values = {"url": url, "ms": f"{latency_ms:.0f}", "offset": f"{offset:+.1f}"}
    if abs(offset) >= CLOCK_WARNING_SECONDS:
        level: Level = "error" if abs(offset) >= CLOCK_ERROR_SECONDS else "warning"
        return level, Keyed(english, "admin.finding.queue_host.clock_off", **values), "admin.advice.clock"
    return "ok", Keyed(english, "admin.finding.queue_host.ok", **values), ""


# -- central API ------------------------------------------------------------------------------

def check_central(config: Config) -> Finding:
    url = config.central.api_url
    if not url:
        return "ok", Keyed("no central API configured: this device works offline only",
                           "admin.finding.central.none"), ""
    try:
        answer_detail = _central_health(url, config)
    except Exception as exc:
        return "warning", Keyed(f"central API {url} not reachable: {_short(exc)} (data waits in the outbox)",
                                "admin.finding.central.down", url=url), "admin.advice.central_down"
    enrolled = central_enrollment(config)
    if enrolled is False:
        return "warning", Keyed(f"central API {url} reachable; this device is not enrolled",
                                "admin.finding.central.not_enrolled", url=url), "admin.advice.enroll"
    suffix = "; device enrolled" if enrolled else ""
    return "ok", Keyed(f"central API {url} reachable ({answer_detail}){suffix}",
                       "admin.finding.central.enrolled" if enrolled else "admin.finding.central.ok", url=url), ""


def _plain_health(url: str) -> str:
    import requests

    response = requests.get(url, timeout=NETWORK_TIMEOUT_SECONDS)
    if response.status_code >= 500:
        raise OSError(f"HTTP {response.status_code}")
    return f"HTTP {response.status_code}"


def _central_health(url: str, config: Config) -> str:
    """Ask the central API's health endpoint through the sync area's client when this build has it."""
    try:
        from kiosk.sync.central_client import CentralClient
    except ImportError:
        return _plain_health(url)
    with CentralClient(url, None, timeout=NETWORK_TIMEOUT_SECONDS, data_dir=config.data_dir) as client:
        client.health()
    return "health ok"


def central_enrollment(config: Config) -> bool | None:
    """Whether this device holds central credentials (saved by enrollment); None when this build
    cannot tell."""
    try:
        from kiosk.sync.central_client import DeviceCredentials, credentials_path
    except ImportError:
        return None
    try:
        return DeviceCredentials.load(credentials_path(config.data_dir)) is not None
    except Exception:
        return False


# -- sync backlog ---------------------------------------------------------------------------

def check_sync_backlog(config: Config) -> Finding:
    """What waits in the sync area's outbox (its ``backlog``: no encryption key needed, nothing
    created), what the central API refused, and the outbox database's integrity; a warning when
    something is older than a day or was refused."""
    try:
        from kiosk.sync import backlog
        from kiosk.sync.outbox import DB_FILE, SCHEMA
    except ImportError:
        return "ok", Keyed("sync is not part of this build", "admin.finding.sync_backlog.no_sync"), ""
    path = config.data_dir / DB_FILE
    if not path.exists():
        return "ok", Keyed("nothing stored for the central API yet", "admin.finding.sync_backlog.empty"), ""
    from kiosk.storage.store import open_database

    db = open_database(path, SCHEMA, synchronous="FULL")
    try:
        problems = db.integrity_errors()
        with db.reading() as conn:
            rejected = int(conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'rejected'").fetchone()[0])
    finally:
        db.close()
    if problems:
        return "error", Keyed(f"{path} is damaged: {'; '.join(problems[:3])}", "admin.finding.database.damaged",
                              path=str(path), count=len(problems)), "admin.advice.database"
    pending, oldest_hours = backlog(config)
    detail = Keyed(f"{pending} waiting to be sent (oldest {oldest_hours:.1f} h), {rejected} refused by the central API",
                   "admin.finding.sync_backlog.counts", pending=pending, hours=round(oldest_hours), rejected=rejected)
    if rejected or oldest_hours >= 24:
        return "warning", detail, "admin.advice.sync"
    return "ok", detail, ""


# -- printer ----------------------------------------------------------------------------------

def check_printer(config: Config) -> Finding:
    kind, target = config.printer.kind, config.printer.target
    if kind == "none":
        return "ok", Keyed("no ticket printer configured (the ticket is shown on screen only)",
                           "admin.finding.printer.none"), ""
    if kind == "file":
        folder = Path(target).expanduser() if target else None
        if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK):
            return "error", Keyed(f"printer folder {target or '(empty)'} missing or not writable",
                                  "admin.finding.printer.folder_missing", target=_or_empty(target)), \
                "admin.advice.printer"
        return "ok", Keyed(f"tickets are saved as files in {folder}", "admin.finding.printer.folder_ok",
                           target=str(folder)), ""
    if kind == "escpos-network":
        host, _, port = target.rpartition(":")
        try:
            with socket.create_connection((host or target, int(port or 9100)), timeout=NETWORK_TIMEOUT_SECONDS):
                pass
        except (OSError, ValueError) as exc:
            return "error", Keyed(f"network printer {target} not reachable: {_short(exc)}",
                                  "admin.finding.printer.network_down", target=target), "admin.advice.printer"
        return "ok", Keyed(f"network printer {target} answers", "admin.finding.printer.network_ok", target=target), ""
    if kind == "escpos-serial":
        if not Path(target).exists():
            return "error", Keyed(f"serial printer port {target or '(empty)'} does not exist",
                                  "admin.finding.printer.serial_missing", target=_or_empty(target)), \
                "admin.advice.printer"
        return "ok", Keyed(f"serial port {target} present", "admin.finding.printer.serial_ok", target=target), ""
    if kind == "escpos-usb":
        found = usb_device_present(target)
        if found is False:
            return "error", Keyed(f"USB printer {target} is not plugged in (or not powered)",
                                  "admin.finding.printer.usb_missing", target=target), "admin.advice.printer"
        told = "present" if found else "configured (presence not checked here)"
        return "ok", Keyed(f"USB printer {target} {told}",
                           "admin.finding.printer.usb_ok" if found else "admin.finding.printer.usb_unchecked",
                           target=target), ""
    if kind == "system":
        if shutil.which("lp") is None and sys.platform != "win32":
            return "error", Keyed("no system print command (lp) installed", "admin.finding.printer.no_lp"), \
                "admin.advice.printer"
        return "ok", Keyed(f"system printer {target or '(default)'}", "admin.finding.printer.system_ok",
                           target=target or Keyed("(default)", "admin.finding.printer.default")), ""
    return "warning", Keyed(f"printer kind {kind} is not checked by this build", "admin.finding.printer.unknown_kind",
                            kind=kind), ""


def usb_device_present(ids: str) -> bool | None:
    """Is a USB device ``"0x0416:0x5011"`` plugged in? None when the system does not say (not Linux)."""
    vendor, _, product = ids.lower().partition(":")
    devices = Path("/sys/bus/usb/devices")
    if not devices.is_dir():
        return None
    want = (vendor.removeprefix("0x").zfill(4), product.removeprefix("0x").zfill(4))
    for device in devices.iterdir():
        try:
            found = ((device / "idVendor").read_text().strip(), (device / "idProduct").read_text().strip())
        except OSError:
            continue
        if found == want:
            return True
    return False


# -- camera and face model ------------------------------------------------------------------

def camera_devices() -> list[str]:
    """Video devices the system offers (Linux: /dev/video*; elsewhere the camera area decides)."""
    return sorted(glob.glob("/dev/video*")) if sys.platform.startswith("linux") else []


def camera_present(device: str) -> bool:
    """Whether the configured camera (or its demo stand-in file) is there. Outside Linux there is no cheap
    way to tell, so it counts as present and the screen that opens it says when it is not."""
    device = device.strip()
    if not device.isdigit() and not device.startswith("/dev/"):
        return Path(device).expanduser().exists()
    if not sys.platform.startswith("linux"):
        return True
    return (device if device.startswith("/dev/") else f"/dev/video{device}") in camera_devices()


def _face_enabled(config: Config) -> bool:
    face = getattr(config, "face", None)
    return bool(getattr(face, "enabled", True))


def _camera_uses(config: Config) -> list[str]:
    """What this device uses its camera for (face check, QR reading), in words for IT."""
    uses = ["face check"] if _face_enabled(config) else []
    if getattr(getattr(config, "camera", None), "qr_scanning", False):
        uses.append("QR reading (Cek status, digital ID)")
    if getattr(getattr(config, "display", None), "status_camera", False):
        uses.append("the board's Cek status")
    return uses


def check_camera(config: Config) -> Finding:
    uses = _camera_uses(config)
    if not uses:
        return "ok", Keyed("no camera needed (face check and QR reading turned off)", "admin.finding.camera.unused"), ""
    configured = str(getattr(getattr(config, "camera", None), "device", "0"))
    if not configured.isdigit() and not configured.startswith("/dev/"):  # a demo video or image folder
        if Path(configured).expanduser().exists():
            return "ok", Keyed(f"camera stand-in {configured} (demo video or pictures)",
                               "admin.finding.camera.stand_in", path=configured), ""
        return "error", Keyed(f"camera stand-in {configured} does not exist", "admin.finding.camera.stand_in_missing",
                              path=configured), "admin.advice.camera"
    devices = camera_devices()
    if not devices:
        if not sys.platform.startswith("linux"):
            return "ok", Keyed("camera presence is checked when the face step opens (not Linux)",
                               "admin.finding.camera.unchecked"), ""
        return "warning", Keyed(f"no camera found for the {' and '.join(uses)}: citizens type their NIK, "
                                "\"Cek status\" says the camera cannot be used", "admin.finding.camera.none"), \
            "admin.advice.camera"
    wanted = configured if configured.startswith("/dev/") else f"/dev/video{configured}"
    if wanted not in devices:
        return "warning", Keyed(f"camera {wanted} not found; present: {', '.join(devices)}",
                                "admin.finding.camera.other", device=wanted, present=", ".join(devices)), \
            "admin.advice.camera"
    return "ok", Keyed(f"camera {wanted} present", "admin.finding.camera.ok", device=wanted), ""


def check_model(config: Config) -> Finding:
    folder = config.model_dir  # KIOSK_MODEL_DIR, [face] model_dir, or the data folder's (or the build's) models/
    try:
        from kiosk.camera.models import verify_model
    except ImportError:
        missing = [name for name, smallest in MODEL_FILES.items()
                   if not (folder / name).is_file() or (folder / name).stat().st_size < smallest]
        if missing:
            return "error", Keyed(f"face model {', '.join(missing)} missing or damaged in {folder}",
                                  "admin.finding.model.missing", path=str(folder)), "admin.advice.model"
        digest = hashlib.sha256((folder / "face_landmarker.task").read_bytes()).hexdigest()[:12]
        return "ok", Keyed(f"face model in {folder} (face_landmarker.task sha256 {digest}...)",
                           "admin.finding.model.ok", path=str(folder)), ""
    status = verify_model(folder)
    if status.ok:
        return "ok", Keyed(status.message, "admin.finding.model.ok", path=str(status.path)), ""
    if not _face_enabled(config):
        return "ok", Keyed(f"face check turned off ([face] enabled = false); {status.message}",
                           "admin.finding.face_off"), ""
    return "error", Keyed(status.message, "admin.finding.model.missing", path=str(status.path)), "admin.advice.model"


# -- disk, admin PIN, version -----------------------------------------------------------------

def check_disk(config: Config) -> Finding:
    folder = config.data_dir
    probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path("/"))
    usage = shutil.disk_usage(probe)
    free_mb = usage.free // (1024 * 1024)
    detail = f"{free_mb} MB free of {usage.total // (1024 * 1024)} MB on the disk holding {folder}"
    values = {"free_mb": free_mb, "total_mb": usage.total // (1024 * 1024), "path": str(folder)}
    if usage.free < MIN_FREE_BYTES:
        need_mb = MIN_FREE_BYTES // (1024 * 1024)
        return "error", Keyed(detail + f" (the app needs {need_mb} MB)", "admin.finding.disk.full", need_mb=need_mb,
                              **values), "admin.advice.disk"
    if usage.free < DISK_WARNING_BYTES:
        return "warning", Keyed(detail, "admin.finding.disk.low", **values), "admin.advice.disk"
    return "ok", Keyed(detail, "admin.finding.disk.ok", **values), ""


def check_admin_pin(config: Config) -> Finding:
    if not config.admin.pin_hash:
        return "warning", Keyed("no admin PIN set: the demo PIN opens the admin menu",
                                "admin.finding.admin_pin.demo"), \
            "admin.advice.admin_pin"
    return "ok", Keyed("admin PIN set", "admin.finding.admin_pin.ok"), ""


def check_version(config: Config) -> Finding:
    built = bool(getattr(sys, "frozen", False))
    english = (f"MPP Kiosk {__version__}{' (built app)' if built else ''}, Python {platform.python_version()}, "
               f"{platform.system()}")
    return "ok", Keyed(english, "admin.finding.version.built" if built else "admin.finding.version.ok",
                       version=__version__, python=platform.python_version(), system=platform.system()), ""


def _or_empty(target: str) -> str:
    return target or Keyed("(empty)", "admin.finding.printer.empty")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
