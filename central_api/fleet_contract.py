"""The heartbeat's wire shape: a device's health summary, typed field by field.

Every field is a number, a boolean, a choice from a fixed list or a short code with a pattern; the
two names (the MPP's and its region) refuse any run of five or more digits. So nothing personal can
travel in a heartbeat (no NIK, no citizen's name, no free text), and an unknown field is refused
(422) rather than stored. Mirrors :class:`kiosk.sync.heartbeat.HealthSummary`, which builds it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from central_api.contract import AwareTime, valid_unicode

ROLES = ("kiosk", "counter", "display", "all-in-one", "queue-host", "complaints")
PRINTER_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "timeout", "error", "none", "unknown")
CAMERA_STATES = ("ok", "missing", "unused", "unknown")
QUEUE_HOST_STATES = ("reachable", "unreachable", "none", "unknown")
FUTURE_TOLERANCE_SECONDS = 300  # as the signature's clock window: a summary may not be measured later than that
MAX_OFFSET_SECONDS = 10 * 365 * 86400

_DIGITS = re.compile(r"[0-9]{5}")


def no_long_numbers(value: str) -> str:
    """A place name: no run of five digits (a NIK, a phone number) can hide in it."""
    if _DIGITS.search(value):
        raise ValueError("must not contain a number of five or more digits")
    return value


PlaceName = Annotated[str, Field(max_length=80), AfterValidator(valid_unicode), AfterValidator(no_long_numbers)]


class HeartbeatBody(BaseModel):
    """What a device says about itself every minute. Nothing personal: see the module's docstring.
    Strict: ``false`` is not a number, ``"3"`` is not a count."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "measured_at": "2026-11-23T02:15:04+00:00", "build": "0.1.0", "config_hash": "9f86d081884c7d65",
        "role": "kiosk", "device_name": "kiosk-01", "mpp_code": "MPP-3171", "mpp_name": "MPP Jakarta Pusat",
        "region": "DKI Jakarta", "uptime_seconds": 86400, "outbox_waiting": 3, "outbox_oldest_seconds": 420,
        "last_sync_at": "2026-11-23T02:14:31+00:00", "printer": "ok", "camera": "ok", "disk_free_mb": 51200,
        "queue_host": "reachable", "clock_offset_seconds": -0.4}]})
    measured_at: AwareTime = Field(description="When the summary was measured, on the device's clock corrected to "
                                               "the server's (as it signs); later than the server's time by more "
                                               f"than {FUTURE_TOLERANCE_SECONDS} s is refused (from_the_future).")
    build: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$", description="The app's version.")
    config_hash: str = Field(pattern=r"^[0-9a-f]{16,64}$",
                             description="SHA-256 (hex, at least 16 digits) of the effective configuration.")
    role: Literal["kiosk", "counter", "display", "all-in-one", "queue-host", "complaints"]
    device_name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$", description="[device] id of the site config.")
    mpp_code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")
    mpp_name: PlaceName = ""
    region: PlaceName = ""
    uptime_seconds: int = Field(ge=0, le=MAX_OFFSET_SECONDS)
    outbox_waiting: int = Field(ge=0, le=10_000_000, description="Outbox entries not yet accepted by the server.")
    outbox_oldest_seconds: int | None = Field(default=None, ge=0, le=MAX_OFFSET_SECONDS,
                                              description="Age of the oldest waiting entry; null when none waits.")
    last_sync_at: AwareTime | None = Field(default=None, description="The last drain that emptied the outbox.")
    printer: Literal["ok", "paper_low", "paper_out", "cover_open", "offline", "timeout", "error", "none", "unknown"]
    camera: Literal["ok", "missing", "unused", "unknown"]
    disk_free_mb: int = Field(ge=0, le=2**40)
    queue_host: Literal["reachable", "unreachable", "none", "unknown"] = Field(
        description="'none' on the queue host itself and on a one-machine setup.")
    clock_offset_seconds: float | None = Field(default=None, ge=-MAX_OFFSET_SECONDS, le=MAX_OFFSET_SECONDS,
                                               allow_inf_nan=False,
                                               description="The device's clock minus the server's, as measured "
                                                           "at its previous heartbeat; null before the first.")


class HeartbeatAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"received_at": "2026-11-23T02:15:04.120+00:00", "server_time": 1795400104.12, "interval_seconds": 60}]})
    received_at: str
    server_time: float = Field(description="Unix seconds: the device measures its clock offset from it.")
    interval_seconds: int = Field(description="When to send the next heartbeat.")
