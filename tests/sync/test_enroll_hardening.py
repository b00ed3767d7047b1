"""Issue 21 (items 2 and 6): enrollment codes cannot be guessed, refused codes all look alike, and a
lost enrollment answer does not burn the code."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sync_helpers import ENROLL_CODE

from central_api.app import EnrollLimits, EnrollThrottle, RunningCentral
from central_api.contract import ApiError
from kiosk.sync.central_client import PENDING_ENROLL_FILE, CentralClient, CentralError, CentralRejected

LONG_CODE = "long-random-" + "x" * 12
ROOT = Path(__file__).resolve().parents[2]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DATA_DIR", "KIOSK_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _try(url: str, code: str, request_id: str | None = None) -> requests.Response:
    body = {"code": code, "device_name": "guess", "request_id": request_id or secrets.token_hex(8)}
    return requests.post(url + "/v1/enroll", json=body, timeout=10)


def test_wrong_unknown_and_used_codes_get_the_identical_answer(central: RunningCentral) -> None:
    assert _try(central.url, ENROLL_CODE).status_code == 201
    wrong = _try(central.url, ENROLL_CODE[:-1] + "9")  # one character off a real code
    unknown = _try(central.url, secrets.token_urlsafe(18))
    used = _try(central.url, ENROLL_CODE)  # real, but taken by another request
    answers = {(r.status_code, r.content, r.headers["content-type"]) for r in (wrong, unknown, used)}
    assert len(answers) == 1
    status, content, _type = answers.pop()
    assert status == 403 and b"enroll_refused" in content


def test_a_burst_of_guesses_is_cut_off_by_429_without_touching_the_store(tmp_path: Path) -> None:
    limits = EnrollLimits(per_client_burst=5, per_client_per_s=2.0, global_burst=100, global_per_s=50.0)
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=[LONG_CODE], enroll_limits=limits) as server:
        statuses = [_try(server.url, secrets.token_urlsafe(6)).status_code for _ in range(6)]
        assert statuses == [403] * 5 + [429]
        # the real code while throttled: refused before the store, so the code is not used up
        throttled = _try(server.url, LONG_CODE, "request-while-throttled")
        assert throttled.status_code == 429 and throttled.json()["error"] == "too_many_attempts"
        assert int(throttled.headers["Retry-After"]) >= 1
        # a sustained guessing run: what gets through is the refill rate, not the server's speed
        started, through, tries = time.monotonic(), 0, 0
        while time.monotonic() - started < 1.5 and tries < 2000:
            tries += 1
            through += _try(server.url, secrets.token_urlsafe(6)).status_code != 429
        elapsed = time.monotonic() - started
        print(f"guesses tried {tries / elapsed:.0f}/s, through {through / elapsed:.1f}/s")
        assert through <= 2.0 * elapsed + 2
        time.sleep(1.0)
        assert _try(server.url, LONG_CODE, "a-later-request").status_code == 201


def test_default_limits_hold_a_single_client_to_a_trickle(tmp_path: Path) -> None:
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=[LONG_CODE]) as server:
        statuses = [_try(server.url, secrets.token_urlsafe(6)).status_code for _ in range(30)]
    assert 429 in statuses[:11] and statuses.count(403) <= 11


def test_the_global_bucket_stops_guesses_spread_over_many_addresses() -> None:
    throttle = EnrollThrottle(EnrollLimits(per_client_burst=3, per_client_per_s=0.01,
                                           global_burst=20, global_per_s=0.01))
    refused = 0
    for n in range(40):
        try:
            throttle.check(f"10.0.0.{n}")
        except ApiError as exc:
            assert exc.status == 429 and "Retry-After" in exc.headers
            refused += 1
    assert refused == 20


def test_short_codes_are_refused_when_configured(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        RunningCentral(tmp_path / "c.sqlite3", enroll_codes=["abcd"], min_code_length=16)
    result = subprocess.run([sys.executable, "-m", "kiosk", "central-api", "--port", "0", "--db",
                             str(tmp_path / "d.sqlite3"), "--enroll-code", "short-code-1"], env=child_env(),
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "at least 16 characters" in result.stderr


def test_the_command_makes_a_long_random_code(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "central-api", "--port", "0", "--db",
                             str(tmp_path / "c.sqlite3")], env=child_env(), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
    finally:
        proc.kill()
        proc.communicate(timeout=15)  # also closes the pipe
    assert line.startswith("enrollment code: ") and len(line.split(": ", 1)[1].strip()) >= 24


def test_a_lost_enrollment_answer_does_not_burn_the_code(central: RunningCentral, tmp_path: Path) -> None:
    data = tmp_path / "kiosk-data"
    central.faults.drop_after_commit_rate = 1.0
    with CentralClient(central.url, None, data_dir=data) as client, pytest.raises(CentralError):
        client.enroll(ENROLL_CODE)  # committed at the server, every answer lost
    assert (data / PENDING_ENROLL_FILE).stat().st_mode & 0o777 == 0o600
    assert ENROLL_CODE not in (data / PENDING_ENROLL_FILE).read_text(encoding="utf-8")
    with central.store.reading() as conn:
        committed = [row["id"] for row in conn.execute("SELECT id FROM devices").fetchall()]
    assert len(committed) == 1
    central.faults.drop_after_commit_rate = 0.0
    with CentralClient(central.url, None, data_dir=data) as again:  # a new run of `kiosk sync enroll`
        creds = again.enroll(ENROLL_CODE)
    assert creds.device_id == committed[0]
    assert not (data / PENDING_ENROLL_FILE).exists()
    with CentralClient(central.url, None, data_dir=tmp_path / "other") as other, pytest.raises(CentralRejected):
        other.enroll(ENROLL_CODE)  # another kiosk still cannot take the used code
