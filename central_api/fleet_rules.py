"""The fleet page's traffic light: one pure function from a device's latest heartbeat to a colour and
its reasons, so the rules are tested without a server, a database or a browser.

Red = citizens are (or soon will be) affected and someone must act now; yellow = look soon; green =
nothing to do. The thresholds are :class:`FleetThresholds` (defaults below; ``KIOSK_FLEET_*``
environment variables when the reference server starts, see ``docs/regional-it.md``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

Light = Literal["green", "yellow", "red"]
LIGHT_ORDER: dict[str, int] = {"red": 0, "yellow": 1, "green": 2}

# Every reason the page can give, with its light; the page words them (fleet_page.REASON_TEXTS).
REASON_LIGHT: dict[str, Light] = {
    "not_seen": "red",
    "revoked": "red",
    "paper_out": "red",
    "cover_open": "red",
    "printer_offline": "red",
    "printer_error": "yellow",
    "paper_low": "yellow",
    "queue_host_unreachable": "red",
    "backlog_high": "red",
    "backlog": "yellow",
    "old_build": "yellow",
    "clock_off": "yellow",
    "disk_low": "yellow",
    "camera_missing": "yellow",
}
PROBLEMS: tuple[str, ...] = tuple(REASON_LIGHT)

_PRINTER_REASONS = {"paper_out": "paper_out", "cover_open": "cover_open", "offline": "printer_offline",
                     "timeout": "printer_offline", "error": "printer_error", "paper_low": "paper_low"}


@dataclass(frozen=True)
class FleetThresholds:
    """When a light turns; each field may be set by ``KIOSK_FLEET_<FIELD>`` (upper case)."""

    not_seen_minutes: float = 10.0
    backlog_items: int = 50  # waiting items: yellow above this
    backlog_items_red: int = 300  # red above this
    backlog_oldest_hours: float = 24.0  # the oldest waiting item: red when older
    clock_seconds: float = 120.0
    disk_free_mb: int = 500

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FleetThresholds:
        """The defaults, changed by ``KIOSK_FLEET_*`` variables; a value that is not a positive number
        raises ValueError naming the variable (the server must not start with a light that never turns)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = f"KIOSK_FLEET_{item.name.upper()}"
            if name in env:
                kind = int if item.type in ("int", int) else float
                try:
                    value = kind(env[name])
                except ValueError:
                    raise ValueError(f"{name} must be a number, not {env[name]!r}") from None
                if value <= 0:
                    raise ValueError(f"{name} must be more than 0")
                values[item.name] = value
        return cls(**values)


@dataclass(frozen=True)
class Assessment:
    light: Light
    reasons: tuple[str, ...]  # worst first


@functools.lru_cache(maxsize=256)  # a fleet runs a handful of builds; the page asks 1,000 times
def build_key(build: str) -> tuple[tuple[int, int | str], ...]:
    """A build version as something that sorts: ``0.10.0`` after ``0.9.2``, numbers before words."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.+-]", build) if part)


def newest_build(builds: Iterable[str]) -> str | None:
    """The newest build among those seen (None when there is none)."""
    return max(builds, key=build_key, default=None)


def assess(summary: Mapping[str, Any], *, seen_seconds_ago: float, newest: str | None,
           thresholds: FleetThresholds = FleetThresholds(), revoked: bool = False) -> Assessment:
    """The light of one device from its latest summary (the heartbeat body as stored) and how long ago it
    arrived. ``newest`` is the newest build in the fleet; ``revoked`` a device IT turned away."""
    reasons: list[str] = []
    if revoked:
        reasons.append("revoked")
    if seen_seconds_ago > thresholds.not_seen_minutes * 60:
        reasons.append("not_seen")
    printer = _PRINTER_REASONS.get(str(summary.get("printer", "")))
    if printer:
        reasons.append(printer)
    if summary.get("queue_host") == "unreachable":
        reasons.append("queue_host_unreachable")
    waiting = int(summary.get("outbox_waiting") or 0)
    oldest_hours = float(summary.get("outbox_oldest_seconds") or 0) / 3600
    if waiting > thresholds.backlog_items_red or (waiting and oldest_hours > thresholds.backlog_oldest_hours):
        reasons.append("backlog_high")
    elif waiting > thresholds.backlog_items:
        reasons.append("backlog")
    build = str(summary.get("build", ""))
    if newest is not None and build and build_key(build) < build_key(newest):
        reasons.append("old_build")
    offset = summary.get("clock_offset_seconds")
    if offset is not None and abs(float(offset)) > thresholds.clock_seconds:
        reasons.append("clock_off")
    if int(summary.get("disk_free_mb") or 0) < thresholds.disk_free_mb:
        reasons.append("disk_low")
    if summary.get("camera") == "missing":
        reasons.append("camera_missing")
    reasons.sort(key=lambda r: LIGHT_ORDER[REASON_LIGHT[r]])  # stable: red ones first, in the order above
    light: Light = REASON_LIGHT[reasons[0]] if reasons else "green"
    return Assessment(light, tuple(reasons))
