"""The setup wizard's seam to other areas' work: USB printer detection from sysfs."""

from __future__ import annotations

from pathlib import Path

from kiosk.setup_actions import usb_printer_ids


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
