"""``kiosk print-test`` (regional IT's test print) and the selftest's printer check."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.app.cli import main
from kiosk.config.schema import Config, PrinterSection
from kiosk.printing.health import printer_health
from kiosk.printing.service import STATUS_FILE


def write_config(tmp_path: Path, printer: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'[device]\ndata_dir = "{tmp_path / "data"}"\n\n[printer]\n{printer}\n', encoding="utf-8")
    return path


def test_print_test_into_png_and_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    config = write_config(tmp_path, 'kind = "none"\nstatus_url_template = "https://antrean.contoh.go.id/s/{token}"')
    assert main(["--config", str(config), "print-test", "--out", str(tmp_path / "t.png"), "--lang", "en"]) == 0
    with Image.open(tmp_path / "t.png") as image:
        assert image.width == 576
        codes = zxingcpp.read_barcodes(image.convert("L"))
    assert [c.text[:31] for c in codes] == ["https://antrean.contoh.go.id/s/"]
    assert main(["--config", str(config), "print-test", "--out", str(tmp_path / "t.pdf"), "--width", "58"]) == 0
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    assert "58 mm" in capsys.readouterr().out
    assert main(["--config", str(config), "print-test", "--out", str(tmp_path / "t.txt")]) == 2
    assert not (tmp_path / "data" / STATUS_FILE).exists()  # a file is not the printer


def test_print_test_without_a_printer_says_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    assert main(["--config", str(write_config(tmp_path, 'kind = "none"')), "print-test"]) == 1
    assert "--out ticket.pdf" in capsys.readouterr().err


def test_print_test_on_an_unreachable_printer_fails_and_is_remembered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    config = write_config(tmp_path, f'kind = "escpos-network"\ntarget = "127.0.0.1:{port}"\ntimeout_seconds = 3')
    assert main(["--config", str(config), "print-test"]) == 1
    assert "Test print FAILED" in capsys.readouterr().err
    assert '"reason": "offline"' in (tmp_path / "data" / STATUS_FILE).read_text(encoding="utf-8")
    assert main(["--config", str(write_config(tmp_path, 'kind = "escpos-usb"\ntarget = "usb1"')), "print-test"]) == 2


def test_printer_health_levels(tmp_path: Path) -> None:
    data = tmp_path / "data"

    def health(**printer: object) -> tuple[str, str, str]:
        from kiosk.config.schema import DeviceSection

        return printer_health(Config(device=DeviceSection(data_dir=str(data)),
                                     printer=PrinterSection(**printer)))  # type: ignore[arg-type]

    assert health(kind="none")[0] == "ok"
    assert health(kind="file", target=str(tmp_path / "tickets"))[0] == "ok"
    level, detail, advice = health(kind="escpos-usb", target="nonsense")
    assert level == "error" and "0x0416:0x5011" in detail and advice == "admin.advice.printer"
    data.mkdir()
    (data / STATUS_FILE).write_text('{"ok": false, "needs_attention": true, "reason": "paper_out", '
                                    '"detail": "the paper roll is empty", "ticket": "A-007", "at": "09:41"}')
    level, detail, _ = health(kind="file", target=str(tmp_path / "tickets"))
    assert level == "warning" and "A-007" in detail and "new paper roll" in detail
