"""The setup wizard's seam to other areas' work: USB printer detection from sysfs."""

from __future__ import annotations

from pathlib import Path

from kiosk.setup.actions import usb_printer_ids


def make_device(root: Path, name: str, vendor: str, product: str, interface_class: str) -> None:
    device = root / "devices" / name
    (device / f"{name}:1.0").mkdir(parents=True)
    (device / "idVendor").write_text(vendor + "\n")
    (device / "idProduct").write_text(product + "\n")
    (device / f"{name}:1.0" / "bInterfaceClass").write_text(interface_class + "\n")
    (root / "bus").mkdir(exist_ok=True)
    (root / "bus" / name).symlink_to(device)
    (root / "bus" / f"{name}:1.0").symlink_to(device / f"{name}:1.0")


def test_only_printer_class_devices_are_offered(tmp_path: Path) -> None:
    make_device(tmp_path, "1-1", "0416", "5011", "07")  # a receipt printer
    make_device(tmp_path, "1-2", "046d", "c52b", "03")  # a keyboard
    assert usb_printer_ids(tmp_path / "bus") == ["0x0416:0x5011"]
    assert usb_printer_ids(tmp_path / "missing") == []


def test_sync_now_sends_the_outbox_to_the_reference_central(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    """The admin menu's "sync now" (SyncJobs, shown by the sync area's panel) against a real
    central API on loopback: enroll, queue a record, send it, the status says so."""
    import dataclasses

    from central_api.app import RunningCentral
    from kiosk.setup.actions import SyncJobs, enroll_device
    from kiosk.setup.diagnostics import check_sync_backlog

    central = RunningCentral(tmp_path / "central" / "central.sqlite3", enroll_codes=["sync-code-1"])
    try:
        online = dataclasses.replace(config, central=dataclasses.replace(config.central, api_url=central.url))
        enroll_device(central.url, "sync-code-1", online.device.id, online.data_dir, allow_insecure_http=True)
        jobs = SyncJobs(online)
        try:
            assert jobs.store.enqueue_record("survey", "resp-1", {"u1": 4, "ticket": "A-001"})
            assert check_sync_backlog(online)[1].startswith("1 waiting")
            report = jobs.sync_now()
            assert report.sent == 1 and report.error == ""
            status = jobs.status()
            assert status["enrolled"] is True and status["counts"].get("pending", 0) == 0
        finally:
            jobs.close()
        assert check_sync_backlog(online)[:2] == ("ok",
                                                  "0 waiting to be sent (oldest 0.0 h), 0 refused by the central API")
    finally:
        central.stop()
