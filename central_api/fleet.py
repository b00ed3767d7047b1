"""The fleet routes of the reference central API: devices' heartbeats in, the fleet page out.

* ``POST /v1/heartbeat`` (signed, in the contract): a device's health summary
  (:class:`central_api.fleet_contract.HeartbeatBody`), stored as its latest and in 7 days of history.
  A revoked device gets 403 ``device_revoked``, a summary measured in the future 422
  ``from_the_future``; unknown fields, bad values and bodies over 1 MB are refused by the shared
  mechanisms (422, 413) and nothing is stored.
* ``GET /fleet`` and ``GET /fleet/devices/{id}``: the page regional IT reads (HTML, Indonesian first
  with English), for the admin token (``X-Admin-Token`` or ``Authorization: Bearer``) or an IT user
  signed in at ``/fleet/login`` (a session cookie); anyone else gets 401 and the sign-in form.
* ``/admin/devices/{id}/revoke`` and ``/admin/it-users/{name}`` (admin token; hidden like the other
  admin routes).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from central_api.contract import ApiError, ErrorBody, Unicode, responses, same_secret
from central_api.fleet_contract import FUTURE_TOLERANCE_SECONDS, HeartbeatAnswer, HeartbeatBody
from central_api.fleet_page import REFRESH_SECONDS, FleetView, login_page
from central_api.fleet_rules import FleetThresholds
from central_api.fleet_store import FleetStore
from central_api.stores import utc_now
from central_api.throttle import EnrollLimits, EnrollThrottle

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_SECONDS = 60
SESSION_COOKIE = "fleet_session"
SESSION_SECONDS = 12 * 3600
USER_NAME = r"^[A-Za-z0-9._-]{1,64}$"
ADMIN_USER = "admin"


class ItUserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Unicode = Field(min_length=12, max_length=200)


def add_fleet_routes(app: FastAPI, fleet: FleetStore | None, *, admin_token: str,
                     signed: Callable[..., Any], thresholds: FleetThresholds | None = None) -> None:
    """Add the heartbeat, the fleet page and their admin routes; ``signed`` is the app's signature check
    (a dependency), ``fleet`` None only when the app is built for its OpenAPI document."""
    view = FleetView(thresholds or FleetThresholds.from_env())
    app.state.fleet = fleet
    sessions = _Sessions(fleet, admin_token)

    @app.post("/v1/heartbeat", tags=["fleet"], response_model=HeartbeatAnswer,
              responses={403: {"model": ErrorBody, "description": "This device was revoked by regional IT."},
                         **responses(400, 401, 413, 422, 503)})
    def heartbeat(body: HeartbeatBody, caller: Any = Depends(signed)) -> dict[str, Any]:  # noqa: B008 - FastAPI
        """A device's health summary, once a minute: kept as its latest and in 7 days of history.
        Nothing personal is in it (every field is typed); measured later than the server's time
        (beyond the signing window) is refused, and so is a revoked device; nothing is then stored."""
        assert fleet is not None
        now = time.time()
        if datetime.fromisoformat(body.measured_at).timestamp() > now + FUTURE_TOLERANCE_SECONDS:
            raise ApiError(422, "from_the_future", "measured_at is later than the server's time; "
                           "set the device's clock (NTP).", server_time=now)
        if not fleet.record(caller.device_id, body.model_dump(mode="json"), received_ms=int(now * 1000)):
            raise ApiError(403, "device_revoked", "This device was revoked by regional IT; enroll it again.")
        return {"received_at": utc_now(), "server_time": now, "interval_seconds": HEARTBEAT_INTERVAL_SECONDS}

    def admin(request: Request) -> None:
        if not admin_token or not same_secret(request.headers.get("x-admin-token", ""), admin_token):
            raise ApiError(404, "not_found", "Not found.")

    @app.post("/admin/devices/{device_id}/revoke", include_in_schema=False, dependencies=[Depends(admin)])
    def revoke(device_id: str) -> dict[str, Any]:
        assert fleet is not None
        fleet.revoke(device_id[:64])
        log.warning("device %s revoked: its heartbeats are refused", device_id[:64])
        return {"revoked": device_id[:64]}

    @app.put("/admin/it-users/{name}", include_in_schema=False, dependencies=[Depends(admin)])
    def add_it_user(name: str, body: ItUserBody) -> dict[str, Any]:
        assert fleet is not None
        if not re.fullmatch(USER_NAME, name) or name == ADMIN_USER:
            raise ApiError(422, "invalid_request", "name: 1 to 64 letters, digits, '.', '-' or '_' (not 'admin').")
        fleet.add_user(name, body.password)
        return {"user": name}

    _add_page_routes(app, fleet, view, sessions)


def _add_page_routes(app: FastAPI, fleet: FleetStore | None, view: FleetView, sessions: _Sessions) -> None:
    sign_ins = EnrollThrottle(EnrollLimits(lockout_after=2**31))

    @app.get("/fleet", include_in_schema=False, response_class=HTMLResponse)
    def fleet_page(request: Request, sort: str = "light", order: str = "asc", region: str = "",
                   problem: str = "") -> Response:
        who = sessions.who(request)
        if who is None:
            return _unauthorized(request)
        assert fleet is not None
        html = view.page(fleet.latest(), fleet.revoked(), now=time.time(), sort=sort, order=order,
                         region=region, problem=problem, who=who)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/fleet/devices/{device_id}", include_in_schema=False, response_class=HTMLResponse)
    def device_page(request: Request, device_id: str) -> Response:
        who = sessions.who(request)
        if who is None:
            return _unauthorized(request)
        assert fleet is not None
        now = time.time()
        latest = fleet.latest_of(device_id)
        if latest is None:
            return HTMLResponse(view.unknown_device(device_id), status_code=404)
        history = fleet.history(device_id, int((now - 7 * 86400) * 1000))
        newest = view.newest([s.summary for s in fleet.latest()])
        return HTMLResponse(view.device(latest, history, fleet.is_revoked(device_id), newest, now=now),
                            headers={"Cache-Control": "no-store"})

    @app.get("/fleet/login", include_in_schema=False, response_class=HTMLResponse)
    def login_form() -> HTMLResponse:
        return HTMLResponse(login_page(""))

    @app.post("/fleet/login", include_in_schema=False, response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        address = request.client.host if request.client else "?"
        try:  # the token buckets of enrollment, without its lockout: guessing a password takes years
            sign_ins.check(address)
        except ApiError as exc:
            return HTMLResponse(login_page("too_many"), status_code=exc.status, headers=exc.headers)
        form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=4)
        name = (form.get("name") or [""])[0].strip()
        password = (form.get("password") or [""])[0]
        if not sessions.check(name, password):
            log.warning("fleet page: refused sign-in for %r", name[:64])
            return HTMLResponse(login_page("wrong"), status_code=401)
        response = RedirectResponse("/fleet", status_code=303)
        response.set_cookie(SESSION_COOKIE, sessions.issue(name), max_age=SESSION_SECONDS, httponly=True,
                            samesite="strict", secure=request.url.scheme == "https", path="/fleet")
        return response

    @app.post("/fleet/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/fleet/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/fleet")
        return response


def _unauthorized(request: Request) -> Response:
    return HTMLResponse(login_page("needed"), status_code=401, headers={"Cache-Control": "no-store"})


class _Sessions:
    """Who reads the page: the admin token in a header, or a signed session cookie of an IT user (or of
    ``admin`` signed in with the admin token). The cookie is ``name.expiry.hmac`` under the fleet's
    session key, so it holds across restarts and worker processes."""

    def __init__(self, fleet: FleetStore | None, admin_token: str) -> None:
        self.fleet, self.admin_token = fleet, admin_token
        self._key: bytes | None = None

    def _session_key(self) -> bytes:
        if self._key is None:
            assert self.fleet is not None
            self._key = self.fleet.session_key()
        return self._key

    def who(self, request: Request) -> str | None:
        headers = request.headers
        token = headers.get("x-admin-token", "")
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            token = token or bearer[7:].strip()
        if token and self.admin_token and same_secret(token, self.admin_token):
            return ADMIN_USER
        return self._from_cookie(request.cookies.get(SESSION_COOKIE, ""))

    def check(self, name: str, password: str) -> bool:
        if not re.fullmatch(USER_NAME, name) or not password:
            return False
        if name == ADMIN_USER:
            return bool(self.admin_token) and same_secret(password, self.admin_token)
        assert self.fleet is not None
        return self.fleet.check_user(name, password)

    def issue(self, name: str, now: float | None = None) -> str:
        expiry = int((now or time.time()) + SESSION_SECONDS)
        return f"{name}.{expiry}.{self._mac(name, expiry)}"

    def _mac(self, name: str, expiry: int) -> str:
        return hmac.new(self._session_key(), f"{name}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def _from_cookie(self, value: str) -> str | None:
        parts = value.rsplit(".", 2)
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12 or not re.fullmatch(USER_NAME, parts[0]):
            return None
        name, expiry = parts[0], int(parts[1])
        if expiry < time.time() or not same_secret(parts[2], self._mac(name, expiry)):
            return None
        return name


__all__ = ["REFRESH_SECONDS", "add_fleet_routes"]
