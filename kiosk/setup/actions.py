"""What the setup wizard and the admin menu *do*, away from Qt: test the queue host, enroll the
device, find and test the printer, list cameras, sync now.

Several of these belong to other areas (sync, printing, camera). This module is the one seam:
it uses their functions when the build has them and raises :class:`NotAvailable` otherwise, so the
screens can say "not in this version yet" instead of crashing. Every function is slow (network,
devices) and is run by the screens on a worker thread.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import Any

from kiosk.config.schema import Config, PrinterSection
from kiosk.setup.diagnostics import camera_devices, probe_queue_host


class NotAvailable(Exception):
    """This build has no implementation of the step (another area's work is not in it yet)."""


def _optional(module: str, name: str) -> Any:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        found = None
    if found is None:
        raise NotAvailable(f"{module}.{name}")
    return found


def test_queue_host(url: str) -> tuple[float, float]:
    """(round trip ms, clock offset s) of the queue host at ``url``; raises when unreachable."""
    return probe_queue_host(url)


def enroll_device(api_url: str, code: str, device_id: str, data_dir: Path, *,
                  allow_insecure_http: bool = False, mpp_code: str = "") -> str:
    """Trade the one-time enrollment code for device credentials (saved in ``data_dir``); the
    central API's id for this device. The answer carries the device secret, so only over https://
    (``[central] allow_insecure_http`` is for a development server). ``mpp_code`` (the site's) binds
    the device to its MPP and brings the MPP's booking key into the credentials."""
    if api_url.strip().lower().startswith("http://") and not allow_insecure_http:
        raise ValueError("the central API's address must start with https:// (the device secret travels on it)")
    client_class = _optional("kiosk.sync.central_client", "CentralClient")
    with client_class(api_url, None, data_dir=data_dir) as client:
        credentials = client.enroll(code.strip(), device_name=device_id, mpp_code=mpp_code.strip())
    return str(credentials.device_id)


class SyncJobs:
    """The admin menu's sync page: the outbox status, "send now" and "retry" over the sync area's
    store and central client (its :class:`~kiosk.ui.admin.sync_status.SyncStatusPanel` shows them)."""

    def __init__(self, config: Config) -> None:
        try:
            from kiosk.sync.outbox import ApplicationStore
        except ImportError:
            raise NotAvailable("kiosk.sync.outbox") from None
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = ApplicationStore(config.data_dir, status_url_template=config.central.status_url(),
                                      number_prefix=config.central.application_number_prefix)

    def status(self) -> Any:
        from kiosk.setup.diagnostics import central_enrollment
        from kiosk.sync.engine import sync_status

        return sync_status(self.store, enrolled=central_enrollment(self.config), api_url=self.config.central.api_url)

    def sync_now(self) -> Any:
        from kiosk.sync.engine import engine_for_config

        if not self.config.central.api_url:
            raise ValueError("no central API configured ([central] api_url)")
        engine = engine_for_config(self.config, self.store)
        try:
            return engine.sync_once(max_seconds=60)
        finally:
            engine.close()

    def requeue(self, seq: int) -> bool:
        return bool(self.store.requeue(seq))

    def close(self) -> None:
        self.store.close()


def detect_printers(usb_root: Path = Path("/sys/bus/usb/devices")) -> list[str]:
    """Printers to offer: the printing area's detection when it has one, else every plugged-in USB
    device with a printer-class interface (class 07), as the ``"0xVVVV:0xPPPP"`` the config wants."""
    try:
        detect = _optional("kiosk.printing", "detect_printers")
    except NotAvailable:
        return usb_printer_ids(usb_root)
    return [str(p) for p in detect()]


def usb_printer_ids(usb_root: Path) -> list[str]:
    found: set[str] = set()
    if not usb_root.is_dir():
        return []
    for interface in usb_root.glob("*:*"):
        try:
            if (interface / "bInterfaceClass").read_text().strip() != "07":
                continue
            device = interface.resolve().parent
            vendor = (device / "idVendor").read_text().strip()
            product = (device / "idProduct").read_text().strip()
        except OSError:
            continue
        found.add(f"0x{vendor}:0x{product}")
    return sorted(found)


def test_print(config: Config, printer: PrinterSection) -> str:
    """Print the printing area's sample ticket on ``printer`` (the wizard's unsaved choice); raises
    ``OSError`` with the printer's own words when it fails."""
    try:
        from kiosk.printing.service import PrintService
        from kiosk.printing.ticket import sample_content
    except ImportError:
        raise NotAvailable("kiosk.printing.service") from None
    trial = dataclasses.replace(config, printer=printer)
    service = PrintService.from_config(trial)
    if not service.enabled:
        status = service.last_status() or {}
        raise OSError(str(status.get("detail") or "the printer settings cannot work"))
    outcome = service.print_content(sample_content(trial.site.name, "", lang=trial.device.language,
                                                   tz=trial.site.timezone, device_id=trial.device.id))
    if not outcome.ok:
        raise OSError(outcome.detail or outcome.reason or "the printer did not print")
    return outcome.number


def list_cameras() -> list[str]:
    """Cameras to choose from: the camera area's list when it has one, else the system's devices."""
    try:
        lister = _optional("kiosk.camera", "list_cameras")
    except NotAvailable:
        return camera_devices()
    return [str(c) for c in lister()]
