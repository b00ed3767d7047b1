"""Issue 21 item 2 (lockout): an address that had too many codes refused is locked out, even once its
rate limit would let it try again, until an admin lifts it (admin route or ``kiosk central-api
clear-lockouts``)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
import requests

from central_api.app import EnrollLimits, EnrollThrottle, RunningCentral
from central_api.contract import ApiError
from kiosk.app.cli import main

CODE = "the-right-code-" + "k" * 12
TOKEN = "lockout-admin-token"
ROOMY = EnrollLimits(per_client_burst=100, per_client_per_s=100.0, global_burst=100, global_per_s=100.0,
                     lockout_after=5)  # the rate limit never bites here: only the lockout can


def _try(url: str, code: str) -> requests.Response:
    return requests.post(url + "/v1/enroll", json={"code": code, "request_id": secrets.token_hex(8)}, timeout=10)


def _lock_out(server: RunningCentral) -> None:
    for _ in range(5):
        assert _try(server.url, "wrong-" + secrets.token_hex(8)).json()["error"] == "enroll_refused"


def test_locked_out_until_an_admin_lifts_it_over_the_admin_route(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO), RunningCentral(tmp_path / "c.sqlite3", enroll_codes=[CODE],
                                                       enroll_limits=ROOMY, admin_token=TOKEN) as server:
        _lock_out(server)
        locked = _try(server.url, CODE)  # the right code, while locked out
        assert locked.status_code == 403 and locked.json()["error"] == "locked_out"
        assert set(locked.json()) == {"error", "message"} and "regional IT" in locked.json()["message"]
        assert _try(server.url, "wrong-again-1234").json()["error"] == "locked_out"
        assert server.store.count("devices") == 0  # refused before the store: the code is still free
        listed = requests.get(server.url + "/admin/enroll-lockouts", headers={"X-Admin-Token": TOKEN}, timeout=5)
        assert listed.json() == {"locked_out": ["127.0.0.1"]}
        assert requests.post(server.url + "/admin/enroll-lockouts/clear", timeout=5).status_code == 404  # no token
        lifted = requests.post(server.url + "/admin/enroll-lockouts/clear", json={"address": "127.0.0.1"},
                               headers={"X-Admin-Token": TOKEN}, timeout=5)
        assert lifted.status_code == 200 and lifted.json() == {"cleared": ["127.0.0.1"], "locked_out": []}
        assert _try(server.url, CODE).status_code == 201
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "locked out" in
                r.getMessage()]
    assert len(warnings) == 1 and "127.0.0.1" in warnings[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert CODE not in logged and "wrong-" not in logged


def test_the_command_line_lifts_a_lockout(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=[CODE], enroll_limits=ROOMY,
                        admin_token=TOKEN) as server:
        _lock_out(server)
        assert _try(server.url, CODE).json()["error"] == "locked_out"
        assert main(["central-api", "clear-lockouts", "--url", server.url, "--admin-token", "wrong"]) == 1
        assert _try(server.url, CODE).json()["error"] == "locked_out"
        monkeypatch.setenv("KIOSK_CENTRAL_ADMIN_TOKEN", TOKEN)
        capsys.readouterr()
        assert main(["central-api", "clear-lockouts", "--url", server.url]) == 0
        assert "lifted: 127.0.0.1" in capsys.readouterr().out
        assert _try(server.url, CODE).status_code == 201
        assert main(["central-api", "clear-lockouts", "--url", server.url]) == 0
        assert "no address was locked out" in capsys.readouterr().out


def test_replaying_ones_own_enrollment_does_not_wipe_the_count(tmp_path: Path) -> None:
    with RunningCentral(tmp_path / "c.sqlite3", enroll_codes=[CODE], enroll_limits=ROOMY) as server:
        own = {"code": CODE, "request_id": "my-own-request-1"}
        assert requests.post(server.url + "/v1/enroll", json=own, timeout=5).status_code == 201
        for n in range(5):
            if n == 4:  # the repeat answers 200 (a lost answer), but the four refusals still count
                assert requests.post(server.url + "/v1/enroll", json=own, timeout=5).status_code == 200
            assert _try(server.url, "wrong-" + secrets.token_hex(8)).json()["error"] == "enroll_refused"
        assert requests.post(server.url + "/v1/enroll", json=own, timeout=5).json()["error"] == "locked_out"


def test_lockout_counts_per_address_and_an_admin_lifts_one_or_all() -> None:
    throttle = EnrollThrottle(EnrollLimits(per_client_burst=50, per_client_per_s=50.0, global_burst=500,
                                           global_per_s=500.0, lockout_after=3))
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(3):
            throttle.check(address)
            throttle.refused(address)
    throttle.check("10.0.0.4")
    throttle.refused("10.0.0.4")
    throttle.refused("10.0.0.4")
    throttle.succeeded("10.0.0.4")  # an accepted code wipes the address's earlier mistakes
    throttle.refused("10.0.0.4")
    assert throttle.locked() == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    with pytest.raises(ApiError) as refused:
        throttle.check("10.0.0.1")
    assert refused.value.status == 403 and refused.value.code == "locked_out"
    assert throttle.clear("10.0.0.2") == ["10.0.0.2"] and throttle.clear("10.9.9.9") == []
    throttle.check("10.0.0.2")
    assert throttle.clear() == ["10.0.0.1", "10.0.0.3"] and throttle.locked() == []
    throttle.check("10.0.0.1")


def test_the_default_limits_lock_out_after_twenty_refusals() -> None:
    assert EnrollLimits().lockout_after == 20
