"""Running as a service: the systemd units parse, and a kiosk killed hard comes back on its welcome
screen with every ticket still in the database (what Restart=on-failure relies on)."""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.catalog.site import load_site_catalog
from kiosk.config.schema import load_config
from kiosk.core import open_engine

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
FIRST_FRAME = "kiosk first frame painted"


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("name,scope", [("mpp-kiosk@.service", "user"), ("mpp-queue-host.service", "system")])
def test_units_have_the_restart_policy_and_a_target(name: str, scope: str) -> None:
    unit = read_unit(UNITS / name)
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert int(service["RestartSec"]) <= 5
    assert " run " in service["ExecStart"] + " "
    assert unit["Install"]["WantedBy"] == ("graphical-session.target" if scope == "user" else "multi-user.target")
    if scope == "system":
        assert service["User"] != "root" and "queue-host" in service["ExecStart"]
        assert service["ReadWritePaths"] == service["Environment"].split("=", 1)[1]
    else:
        assert service["ExecStart"].endswith("run %i")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("name,instance", [("mpp-kiosk@.service", "mpp-kiosk@kiosk.service"),
                                           ("mpp-queue-host.service", "mpp-queue-host.service"),
                                           ("mpp-daily-upload.service", "mpp-daily-upload.service")])
def test_systemd_analyze_verifies_the_units(tmp_path: Path, name: str, instance: str) -> None:
    # The units name the installed build; verify them with an executable that exists here.
    true = shutil.which("true") or "/bin/true"
    text = (UNITS / name).read_text(encoding="utf-8").replace("/opt/mpp-kiosk/mpp-kiosk", true)
    unit = tmp_path / instance
    unit.write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stderr.splitlines() if instance in line or "Unknown" in line]
    assert result.returncode == 0 and not problems, result.stderr


def start_kiosk(site: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(site), "run", "kiosk"],
                                stdout=out, stderr=out, env=env, cwd=ROOT)


def wait_for_first_frame(proc: subprocess.Popen[bytes], log: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(encoding="utf-8", errors="replace").count(FIRST_FRAME) >= count:
            return
        if proc.poll() is not None:
            raise AssertionError(f"kiosk exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    raise AssertionError(f"no first frame within {timeout} s:\n{log.read_text(errors='replace')}")


@pytest.mark.slow
def test_killed_kiosk_restarts_on_welcome_with_no_ticket_lost(tmp_path: Path) -> None:
    data = tmp_path / "data"
    site = tmp_path / "site.toml"
    site.write_text(f'[device]\nrole = "kiosk"\nfullscreen = true\ndata_dir = "{data}"\n\n[kiosk]\nspeech = "off"\n',
                    encoding="utf-8")
    config = load_config(site)
    log = tmp_path / "kiosk.out"
    proc = start_kiosk(site, log)
    try:
        wait_for_first_frame(proc, log, 1)
        catalog, _ = load_site_catalog(config)
        engine = open_engine(config, catalog)  # a second writer on the kiosk's own database (WAL)
        try:
            issued = [engine.issue("KTP-EL", request_id=f"crash-{i}").ticket for i in range(3)]
        finally:
            engine.close()
        proc.send_signal(signal.SIGKILL)  # no clean-up at all: what a crash or a power cut looks like
        assert proc.wait(timeout=10) == -signal.SIGKILL
        proc = start_kiosk(site, log)  # what systemd's Restart=on-failure does
        wait_for_first_frame(proc, log, 2)  # the welcome screen painted again
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)  # systemctl stop: the locked-down kiosk still ends cleanly
        assert proc.wait(timeout=15) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    engine = open_engine(config, catalog)
    try:
        for ticket in issued:
            assert engine.get(ticket.id).number == ticket.number
        after = engine.issue("KTP-EL", request_id="after-restart").ticket
        assert after.number not in {t.number for t in issued}
    finally:
        engine.close()
    assert "Traceback" not in log.read_text(errors="replace")


def test_the_nightly_upload_reports_yesterday_and_queues_it_on_the_queue_host_machine() -> None:
    service = read_unit(UNITS / "mpp-daily-upload.service")["Service"]
    timer = read_unit(UNITS / "mpp-daily-upload.timer")
    assert service["Type"] == "oneshot" and service["User"] != "root"
    command = service["ExecStart"]
    assert "date -d yesterday" in command and "report --period day" in command and "--enqueue" in command
    assert service["ExecStartPost"].startswith("-") and service["ExecStartPost"].endswith("sync now")
    assert service["ReadWritePaths"] == service["Environment"].split("=", 1)[1]
    assert timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    from kiosk.app.cli import build_parser  # the command line the unit runs must parse

    args = build_parser().parse_args(["report", "--period", "day", "--date", "2026-11-22", "--out", "x.pdf",
                                      "--csv", "d", "--enqueue"])
    assert args.enqueue and args.period == "day"
