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

from kiosk.config import Config, PrinterSection
from kiosk.diagnostics import camera_devices, probe_queue_host


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


def enroll_device(api_url: str, code: str, device_id: str, data_dir: Path) -> str:
    """Trade the one-time enrollment code for device credentials (saved in ``data_dir``); the
    central API's id for this device."""
    client_class = _optional("kiosk.sync.central_client", "CentralClient")
    with client_class(api_url, None, data_dir=data_dir) as client:
        credentials = client.enroll(code.strip(), device_name=device_id)
    return str(credentials.device_id)


def sync_now(config: Config) -> str:
    """Send what waits in the outbox now; a short summary for the admin."""
    run = _optional("kiosk.sync", "sync_now")
    return str(run(config))


def detect_printers() -> list[str]:
    """Receipt printers the printing area recognises (USB ids or addresses)."""
    detect = _optional("kiosk.printing", "detect_printers")
    return [str(p) for p in detect()]


def test_print(config: Config, printer: PrinterSection) -> None:
    """Print one test ticket on ``printer`` (the wizard's unsaved choice)."""
    print_test = _optional("kiosk.printing", "print_test")
    print_test(dataclasses.replace(config, printer=printer))


def list_cameras() -> list[str]:
    """Cameras to choose from: the camera area's list when it has one, else the system's devices."""
    try:
        lister = _optional("kiosk.camera", "list_cameras")
    except NotAvailable:
        return camera_devices()
    return [str(c) for c in lister()]
